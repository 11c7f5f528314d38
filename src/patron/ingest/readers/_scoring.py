"""How plausible a decoded text is as Chinese customer data.

Legacy Chinese encodings overlap: Big5 bytes decode "successfully" as GB18030 and most GBK bytes
decode as Big5, each time into nonsense. Nonsense is recognisable because it is made of the
*wrong kind* of characters: the two-byte charsets list their most frequent characters first
(GB2312 level 1, Big5 level 1), so a real text is dominated by those, while a wrong reading
scatters into rarely used characters, private-use code points, kana, Cyrillic or box drawing.

Every non-ASCII character gets a log-probability by tier; a text's score is the sum. ASCII is
neutral because both readings share it. No frequency corpus is needed: the tiers come from the
charsets' own layout, built once from Python's codecs.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

#: log-probabilities of one character of real text falling in each tier
COMMON = -0.05
LESS = -2.5
RARE = -4.5
BAD = -7.0

# punctuation real Chinese records use all the time (and which the other reading rarely yields)
_COMMON_PUNCT = "，。、：；？！（）《》【】「」『』“”‘’…—·～\u3000"
_LESS_EXTRA = "€£¥°×÷±§©®™¢"


def _decode_block(codec: str, leads: range, trails: list[int]) -> set[str]:
    chars: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return chars


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    gb_trails = list(range(0xA1, 0xFF))
    b5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    gb_l1 = _decode_block("gb2312", range(0xB0, 0xD8), gb_trails)
    gb_l2 = _decode_block("gb2312", range(0xD8, 0xF8), gb_trails)
    b5_l1 = _decode_block("cp950", range(0xA4, 0xC6), b5_trails) | _decode_block(
        "cp950", range(0xC6, 0xC7), list(range(0x40, 0x7F))
    )
    b5_l2 = _decode_block("cp950", range(0xC9, 0xFA), b5_trails)
    table: dict[str, float] = {}
    less = gb_l2 | b5_l2 | set(_LESS_EXTRA)
    less |= {chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha()}  # Latin-1 letters
    less |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width ASCII
    for ch in less:
        table[ch] = LESS
    for ch in gb_l1 | b5_l1 | set(_COMMON_PUNCT):
        table[ch] = COMMON
    return table


def char_score(ch: str) -> float:
    """Log-probability of ``ch`` appearing in real (Chinese or Western) customer data.

    >>> char_score("的") > char_score("䶮") > char_score("\\ue000")
    True
    """
    score = _table().get(ch)
    if score is not None:
        return score
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3FFFF:
        return RARE  # a genuine ideograph, just not one of the frequent ones
    if 0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF:
        return RARE  # emoji: only UTF encodings can carry them, so they never compete
    return BAD  # private use, kana, Cyrillic, box drawing, controls ...


# a CJK character glued to a Latin letter ("M眉ller" is UTF-8 "Müller" read as GBK) is unusual
_GLUED = re.compile(
    r"(?<=[A-Za-z])[\u3400-\u9fff\U00020000-\U0003ffff]|[\u3400-\u9fff\U00020000-\U0003ffff](?=[A-Za-z])"
)


def text_score(text: str, max_chars: int = 50_000) -> tuple[float, int, int]:
    """(total log-probability, non-ASCII characters, of which BAD) of a CJK reading of ``text``.

    >>> text_score("abc")[1:]
    (0, 0)
    """
    total = LESS * len(_GLUED.findall(text[:max_chars]))
    count = 0
    bad = 0
    for ch, n in Counter(text[:max_chars]).items():
        if ch < "\x80":
            continue
        s = char_score(ch)
        total += s * n
        count += n
        if s == BAD:
            bad += n
    return total, count, bad


_HIGH_RUN = re.compile(r"[^\x00-\x7f]+")
_HIGH = re.compile(r"[^\x00-\x7f]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
#: evidence from a valid multi-byte UTF-8 sequence: legacy bytes form one by chance with p ~ 0.05
UTF8_SEQUENCE_BONUS = 3.0
#: prior: modern exports are far more often UTF-8 than a legacy charset
UTF8_PRIOR = 4.0


def utf8_score(text: str, max_chars: int = 50_000) -> tuple[float, int, int]:
    """Like :func:`text_score`, for a valid UTF-8 reading; includes the evidence of validity.

    >>> utf8_score("Café")[0] > 0 > utf8_score("ôųͥê")[0]
    True
    """
    text = text[:max_chars]
    total = UTF8_PRIOR
    count = 0
    bad = 0
    for m in _HIGH.finditer(text):
        ch = m.group()
        i = m.start()
        count += 1
        near = (text[i - 1] if i else "") + text[i + 1 : i + 2]
        if ord(ch) < 0x250 and ch.isalpha() and _ASCII_LETTER.search(near):
            s = -0.5  # an accented letter inside a Latin word
        else:
            s = char_score(ch)
        bad += s == BAD
        total += s + UTF8_SEQUENCE_BONUS
    return total, count, bad


def latin_score(text: str, max_chars: int = 50_000) -> tuple[float, int, int]:
    """Like :func:`text_score`, for a Western (Windows-1252) reading.

    Accented letters in real European text stand alone inside words ("Müller", "Hélène"); CJK
    bytes read as Windows-1252 come out as runs of two or more ("ÕÅÈý"), which score low.

    >>> latin_score("Müller")[0] > latin_score("ÕÅÈý")[0]
    True
    """
    total = 0.0
    count = 0
    bad = 0
    for run in _HIGH_RUN.findall(text[:max_chars]):
        count += len(run)
        if len(run) == 1:
            total += -0.5 if run.isalpha() else -1.5
        else:
            total += -3.5 * len(run)
            bad += len(run)
    return total, count, bad
