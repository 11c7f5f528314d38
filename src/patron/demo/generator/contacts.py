"""A person's contact details: mobiles, mailboxes, employers and their shared switchboards.

Mailboxes are unique to their owner, as real ones are. The generator does not remember every
mailbox (memory stays flat); it remembers only those of people whose mailboxes are likely to
collide (namesakes' look-alikes such as li_li75@126.com, twins') in a `Mailboxes` set, and
gives a later owner a digit more, as mail providers suggest: li_li75 → li_li753.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING
from zlib import crc32

from patron.demo.generator.keys import Scrambler

if TYPE_CHECKING:
    from patron.demo.generator.persons import Person

# fmt: off
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
)
_PROVIDERS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com",
              "hotmail.com", "foxmail.com", "139.com", "yeah.net", "sohu.com")
_PROVIDER_CUM = (30, 52, 62, 68, 75, 81, 85, 90, 94, 97, 100)
# Employers of B2B service contacts: a few per city, so colleagues meet at one switchboard.
_FIRM_CN = ("星辰", "华信", "恒达", "鼎盛", "博远", "新航", "金桥", "瑞丰", "宏图", "天成")
_TRADE_CN = ("贸易", "科技", "餐饮管理", "文化传媒", "建筑工程", "物流", "电子商务")
_FIRM_EN = ("Bright Future", "Pacific Bridge", "Golden Gate", "Evergreen", "Blue Harbor")
_TRADE_EN = ("Trading", "Technology", "Consulting", "Logistics")
# fmt: on
# Local numbers have 8 digits, except in the few cities that still have 7 (厦门 0592, 南宁 0771).
SEVEN_DIGIT_AREAS = frozenset({"0592", "0771"})
_mobile = Scrambler(100_000_000, offset=48_613_277)
_landline = Scrambler(60_000_000, offset=3_141_592)  # 2xxxxxxx–7xxxxxxx (800… is toll-free)
_landline7 = Scrambler(7_000_000, offset=314_159)
Mailboxes = set[str]


def mobile(rng: random.Random, index: int, old: bool = False) -> str:
    """Person `index`'s mobile (unique across people), or the one they had before."""
    return rng.choice(MOBILE_PREFIXES) + f"{_mobile(index + (50_000_000 if old else 0)):08d}"


def home_landline(area_code: str, household_index: int) -> str:
    """A household's landline, unique across households: '021-23456789' (local numbers
    2xxxxxxx–7xxxxxxx; 7 digits in SEVEN_DIGIT_AREAS)."""
    if area_code in SEVEN_DIGIT_AREAS:
        return f"{area_code}-{2_000_000 + _landline7(household_index)}"
    return f"{area_code}-{20_000_000 + _landline(household_index)}"


def _email_local(rng: random.Random, person: Person) -> str:
    family, given = person.family_latin.lower(), person.given_latin.lower()
    if person.western:  # Western mailboxes lead with the given name: robert.smith
        family, given = given, family.replace("'", "").replace("ü", "ue").replace("í", "i")
    yy, yyyy = f"{person.birth.year % 100:02d}", str(person.birth.year)
    mmdd = f"{person.birth.month:02d}{person.birth.day:02d}"
    pattern = rng.randrange(7)
    # Digits are added the way people do when the plain name is taken.
    if pattern == 0:
        return f"{family}{given}{rng.randint(1, 9999)}"
    if pattern == 1:
        return f"{family}.{given}{yy}"
    if pattern == 2:
        return f"{family}_{given}{yy}{rng.randint(0, 99):02d}"
    if pattern == 3:
        return f"{given}{family}{yyyy}"
    if pattern == 4:
        return f"{family[0]}{given[0]}{yyyy}{mmdd}"
    if pattern == 5:
        return f"{given}.{family}{rng.randint(10, 999)}"
    return f"{family}{given}{mmdd}"


def email(
    rng: random.Random, person: Person, lookalike: bool, taken: Mailboxes | None
) -> tuple[str, str]:
    """(mailbox, the same mailbox name at another provider or "").

    `lookalike`: name and 2-digit birth year at 126 or 163, so namesakes get mailboxes that
    differ in a digit or the provider only (li_li75@126.com, li_li57@163.com, li_li75@163.com).
    `taken`: the crowded mailboxes given out so far; this person's are checked and added.
    """
    if lookalike:
        sep = rng.choice(("_", ""))
        local = f"{person.family_latin.lower()}{sep}{person.given_latin.lower()}"
        local += f"{person.birth.year % 100:02d}"
        provider = rng.choice(("126.com", "163.com"))
    else:
        provider = rng.choices(_PROVIDERS, cum_weights=_PROVIDER_CUM)[0]
        if not person.western and provider == "qq.com" and rng.random() < 0.7:
            local = str(rng.randint(100_000, 3_999_999_999))  # QQ number mailbox
        else:
            local = _email_local(rng, person)
    if taken is not None:
        while f"{local}@{provider}" in taken:
            local += str(rng.randrange(10))
        taken.add(f"{local}@{provider}")
    alt = ""
    if rng.random() < 0.12:
        other = rng.choice([p for p in _PROVIDERS[:4] if p != provider])
        alt = f"{local}@{other}"
        if taken is not None and alt in taken:
            alt = ""
        elif taken is not None:
            taken.add(alt)
    return f"{local}@{provider}", alt


def company(rng: random.Random, person: Person) -> str:
    """An employer in the person's city (one of ten there), or a foreign firm's office."""
    if person.western:
        firm = rng.randrange(len(_FIRM_EN))
        return f"{_FIRM_EN[firm]} {_TRADE_EN[firm % len(_TRADE_EN)]} Co., Ltd."
    firm = rng.randrange(len(_FIRM_CN))
    city = person.address.city.name
    return f"{city}{_FIRM_CN[firm]}{_TRADE_CN[firm % len(_TRADE_CN)]}有限公司"


def office_phone(person: Person) -> str:
    """The switchboard of the person's employer in their city, shared by all its staff there:
    '021-93456789' (local numbers 9xxxxxxx, apart from home landlines)."""
    city = person.address.city
    number = 90_000_000 + crc32(f"{city.name}|{person.company}".encode()) % 10_000_000
    return f"{city.area_code}-{local_number(city.area_code, number)}"


def local_number(area_code: str, number: int) -> int:
    """An 8-digit local number as the area has them: 7 digits in SEVEN_DIGIT_AREAS."""
    return number // 10 if area_code in SEVEN_DIGIT_AREAS else number
