"""The noise between a person and their records: typos, transliterations, formats.

Each function takes the person's own `random.Random`, so the noise is reproducible. The kinds
of noise are the ones identity resolution has to survive in real Chinese customer files.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from patron.demo.generator import names as N
from patron.demo.generator.keys import fullwidth


def chinese_typo(rng: random.Random, text: str) -> str:
    """Replace one character by a same-pinyin or look-alike one: 张伟 → 章伟, 李静 → 李净."""
    positions = [i for i, c in enumerate(text) if c in N.SIMILAR_CHARS]
    if not positions:
        return text
    i = rng.choice(positions)
    return text[:i] + rng.choice(N.SIMILAR_CHARS[text[i]]) + text[i + 1 :]


def latin_typo(rng: random.Random, text: str) -> str:
    """Swap two neighbouring letters, drop one, or double one: Robert → Rboert / Rober."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def western_given(rng: random.Random, given: str, nickname_rate: float = 0.25) -> str:
    """The given name, or a nickname for it (Robert → Bob) as people enter it themselves."""
    nicknames = N.NICKNAMES.get(given)
    if nicknames and rng.random() < nickname_rate:
        return rng.choice(nicknames)
    return given


def mobile_variant(rng: random.Random, mobile: str, plain_share: float) -> str:
    """A Chinese mobile in one of the formats seen in exports: 13800138000, +86 138-0013-8000…"""
    if rng.random() < plain_share:
        return mobile
    a, b, c = mobile[:3], mobile[3:7], mobile[7:]
    kind = rng.randrange(9)
    if kind == 0:
        return f"+86 {a}-{b}-{c}"
    if kind == 1:
        return f"0086 {mobile}"
    if kind == 2:
        return f"{a} {b} {c}"
    if kind == 3:
        return f"+86{mobile}"
    if kind == 4:
        return f"{a}-{b}-{c}"
    if kind == 5:
        return f"(+86) {mobile}"
    if kind == 6:
        return f"86-{mobile}"
    if kind == 7:
        return fullwidth(mobile)  # typed with a Chinese IME in full-width mode
    return f"+86 {mobile}"


def landline_variant(rng: random.Random, landline: str, extension: bool = False) -> str:
    """A landline ('021-23456789') as written in notes and forms: (021)23456789,
    021 2345 6789, +86 21 2345 6789 …; with `extension`, sometimes an extension: 转801."""
    area, local = landline.split("-")
    kind = rng.randrange(10)
    if kind < 4:
        text = landline
    elif kind == 4:
        text = f"({area}){local}"
    elif kind == 5:
        text = f"{area} {local[:4]} {local[4:]}"
    elif kind == 6:
        text = area + local
    elif kind == 7:
        text = f"+86 {area[1:]} {local[:4]} {local[4:]}"
    elif kind == 8:
        text = f"+86-{area[1:]}-{local}"
    else:
        text = fullwidth(landline)
    if extension and rng.random() < 0.4:  # a switchboard and the caller's extension
        text += f"转{rng.randint(801, 899)}"
    return text


def email_variant(rng: random.Random, email: str) -> str:
    """The same mailbox written differently: Zhang.Wei@163.com, ZHANGWEI@163.COM, spaces."""
    draw = rng.random()
    if draw < 0.08:
        return email.upper()
    if draw < 0.20:
        local, _, domain = email.partition("@")
        return f"{local.capitalize()}@{domain}"
    if draw < 0.23:
        return f" {email} "
    if draw < 0.25:  # a slip of the finger the mail server would bounce
        return email.replace(".com", ".con") if rng.random() < 0.5 else email.replace("@", "@@")
    return email


def pos_birthday(rng: random.Random, birth: date) -> str:
    """Birthdays as POS clerks key them: 1985/3/7, 1985年3月7日 or 1985-03-07."""
    kind = rng.random()
    if kind < 0.5:
        return f"{birth.year}/{birth.month}/{birth.day}"
    if kind < 0.85:
        return f"{birth.year}年{birth.month}月{birth.day}日"
    return birth.isoformat()


def spoken_title(family: str, gender: str) -> str:
    """How a service agent notes a caller who gave only a surname: 王女士 / 张先生."""
    return family + ("先生" if gender == "M" else "女士")


def gbk_safe(text: str) -> str:
    """Drop accents GBK cannot store (GARCÍA → GARCIA), as legacy POS systems do."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c))
    return text
