"""The true people behind the records: households, names, contacts, addresses, sources.

People are generated household by household, in index order, each household and each person
from its own seeded `random.Random` (see `keys.stream_seed`), so the stream needs no memory
of earlier people. The `Person` here is the ground truth; `records.py` renders it, with
noise, into what each source system would hold.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from patron.demo.generator import names as N
from patron.demo.generator.keys import HOUSEHOLD, PERSON, Scrambler, stream_seed
from patron.demo.generator.places import CITIES, CITY_CUM, COMPOUNDS, City, District

# fmt: off
SOURCES = ("pos_members", "web_customers", "service_contacts")
# How many sources a person shows up in (1/2/3) and which; tuned so ~25% of source records
# are duplicates of a person seen elsewhere (see the ground-truth test).
_SOURCE_SETS = (
    (("pos_members",), 0.42), (("web_customers",), 0.28), (("service_contacts",), 0.04),
    (("pos_members", "web_customers"), 0.12), (("pos_members", "service_contacts"), 0.04),
    (("web_customers", "service_contacts"), 0.04), (SOURCES, 0.06),
)
_SOURCE_CUM = tuple(sum(w for _, w in _SOURCE_SETS[: i + 1]) for i in range(len(_SOURCE_SETS)))
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
)
_PROVIDERS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com",
              "hotmail.com", "foxmail.com", "139.com", "yeah.net", "sohu.com")
_PROVIDER_CUM = (30, 52, 62, 68, 75, 81, 85, 90, 94, 97, 100)
_HOUSEHOLD_SIZE_CUM = (0.55, 0.83, 0.95, 1.0)
# fmt: on
_mobile = Scrambler(100_000_000, offset=48_613_277)
_landline = Scrambler(70_000_000, offset=3_141_592)


@dataclass(frozen=True, slots=True)
class Address:
    """A street address; `full()` renders it the way Chinese forms write it."""

    city: City
    district: District
    street: str
    number: int
    compound: str  # residential compound, "" for none
    room: str

    def full(self, with_province: bool = True) -> str:
        """'广东省广州市天河区体育西路103号阳光花园3栋502室' (province omitted on request)."""
        head = (
            self.city.name
            if self.city.is_municipality
            else ((self.city.province if with_province else "") + self.city.name)
        )
        return f"{head}{self.district.name}{self.street}{self.number}号{self.compound}{self.room}"


@dataclass(slots=True)
class Person:
    """One real person: the truth every source record of theirs is derived from."""

    index: int
    person_id: str
    household_id: str
    western: bool
    family: str  # surname: 张 / 欧阳 / Smith
    given: str  # given name: 伟 / 晓明 / Robert
    gender: str  # "M" or "F"
    birth: date
    mobile: str
    old_mobile: str  # "" unless the person changed number
    email: str
    alt_email: str  # same mailbox name at another provider, or ""
    family_email: str  # shared household mailbox, or ""
    landline: str  # shared household landline, or ""
    address: Address
    old_address: Address | None  # before moving
    sources: tuple[str, ...]
    twice: tuple[str, ...]  # sources in which the person registered twice
    company: str  # employer for B2B service contacts, or ""
    rng: random.Random  # the person's own stream; records, orders and events draw from it

    @property
    def name(self) -> str:
        """The name as the person writes it: 张伟 or Robert Smith."""
        return f"{self.given} {self.family}" if self.western else self.family + self.given

    @property
    def family_latin(self) -> str:
        """Surname in Latin letters (pinyin for Chinese): Zhang / Ouyang / Smith."""
        return self.family if self.western else N.pinyin(self.family)

    @property
    def given_latin(self) -> str:
        """Given name in Latin letters: Wei / Xiaoming / Robert."""
        return self.given if self.western else N.pinyin(self.given)


def _address(rng: random.Random, city: City | None = None) -> Address:
    city = city or rng.choices(CITIES, cum_weights=CITY_CUM)[0]
    district = rng.choice(city.districts)
    compound = rng.choice(COMPOUNDS) if rng.random() < 0.7 else ""
    room = ""
    if compound:  # building 栋, floor and flat: 3栋1502室
        room = f"{rng.randint(1, 30)}栋{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
    return Address(
        city, district, rng.choice(district.streets), rng.randint(1, 399), compound, room
    )


def _chinese_given(rng: random.Random, gender: str) -> str:
    pool = N.MALE_CHARS if gender == "M" else N.FEMALE_CHARS
    if rng.random() < 0.25:  # single-character given names, common in older generations
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool)


def _email_local(rng: random.Random, person: Person) -> str:
    family, given = person.family_latin.lower(), person.given_latin.lower()
    if person.western:  # Western mailboxes lead with the given name: robert.smith
        family, given = given, family.replace("'", "").replace("ü", "ue").replace("í", "i")
    yy, yyyy = f"{person.birth.year % 100:02d}", str(person.birth.year)
    mmdd = f"{person.birth.month:02d}{person.birth.day:02d}"
    pattern = rng.randrange(7)
    # Digits are added the way people do when the plain name is taken; 2-digit years make
    # look-alikes (li_li75 vs li_li57) without making real collisions common.
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


def _email(rng: random.Random, person: Person) -> tuple[str, str]:
    provider = rng.choices(_PROVIDERS, cum_weights=_PROVIDER_CUM)[0]
    if not person.western and provider == "qq.com" and rng.random() < 0.7:
        local = str(rng.randint(100_000, 3_999_999_999))  # QQ number mailbox
    else:
        local = _email_local(rng, person)
    alt = ""
    if rng.random() < 0.12:
        other = rng.choice([p for p in _PROVIDERS[:4] if p != provider])
        alt = f"{local}@{other}"
    return f"{local}@{provider}", alt


def _birth(rng: random.Random, end: date, age: int) -> date:
    age = min(80, max(18, age))
    return end - timedelta(days=365 * age + rng.randrange(1, 364))


def _person(index: int, household: _Household, slot: int, end: date, seed: int) -> Person:
    rng = random.Random(stream_seed(seed, PERSON, index))
    head_age = household.head_age
    if slot == 0:
        gender, age, family = household.head_gender, head_age, household.family
    elif slot == 1 and household.couple:
        gender = "F" if household.head_gender == "M" else "M"
        age = head_age + rng.randint(-6, 6)
        # Chinese wives keep their own surname; Western spouses mostly share it.
        family = household.family if (household.western and rng.random() < 0.8) else ""
    else:
        gender = "M" if rng.random() < 0.5 else "F"
        age = head_age - rng.randint(22, 34)
        family = household.family
        if age < 18:  # too young to be a customer: make it an adult sibling instead
            age = head_age + rng.randint(-8, 8)
    if household.western:
        given = rng.choice(N.WESTERN_MALE if gender == "M" else N.WESTERN_FEMALE)
        family = family or rng.choice(N.WESTERN_SURNAMES)
    elif rng.random() < 0.01:  # namesake boost: 张伟, 李娜 … are shared by many people
        full = rng.choice(N.COMMON_NAMES_M if gender == "M" else N.COMMON_NAMES_F)
        family, given = full[0], full[1:]
    else:
        family = family or rng.choices(N.SURNAMES, cum_weights=N.SURNAME_CUM)[0][0]
        given = _chinese_given(rng, gender)
    person = Person(
        index=index,
        person_id=f"P{index + 1:07d}",
        household_id=household.household_id,
        western=household.western,
        family=family,
        given=given,
        gender=gender,
        birth=_birth(rng, end, age),
        mobile=rng.choice(_MOBILE_PREFIXES) + f"{_mobile(index):08d}",
        old_mobile="",
        email="",
        alt_email="",
        family_email="",
        landline=household.landline,
        address=household.address,
        old_address=None,
        sources=(),
        twice=(),
        company="",
        rng=rng,
    )
    if rng.random() < 0.08:
        person.old_mobile = rng.choice(_MOBILE_PREFIXES) + f"{_mobile(index + 50_000_000):08d}"
    person.email, person.alt_email = _email(rng, person)
    if household.family_email and rng.random() < 0.7:
        person.family_email = household.family_email
    if household.old_address is not None and rng.random() < 0.9:
        person.old_address = household.old_address
    person.sources = rng.choices(_SOURCE_SETS, cum_weights=_SOURCE_CUM)[0][0]
    person.twice = tuple(s for s in person.sources if rng.random() < 0.02)
    if "service_contacts" in person.sources and rng.random() < 0.1:
        person.company = _company(rng, person)
    return person


_FIRM_CN = ("星辰", "华信", "恒达", "鼎盛", "博远", "新航", "金桥", "瑞丰", "宏图", "天成")
_TRADE_CN = ("贸易", "科技", "餐饮管理", "文化传媒", "建筑工程", "物流", "电子商务")
_FIRM_EN = ("Bright Future", "Pacific Bridge", "Golden Gate", "Evergreen", "Blue Harbor")
_TRADE_EN = ("Trading", "Technology", "Consulting", "Logistics")


def _company(rng: random.Random, person: Person) -> str:
    if person.western:
        return f"{rng.choice(_FIRM_EN)} {rng.choice(_TRADE_EN)} Co., Ltd."
    city = person.address.city.name
    return f"{city}{rng.choice(_FIRM_CN)}{rng.choice(_TRADE_CN)}有限公司"


@dataclass(slots=True)
class _Household:
    household_id: str
    size: int
    western: bool
    couple: bool
    family: str
    head_gender: str
    head_age: int
    address: Address
    old_address: Address | None
    landline: str
    family_email: str


def _household(index: int, seed: int) -> _Household:
    rng = random.Random(stream_seed(seed, HOUSEHOLD, index))
    draw = rng.random()
    size = 1 + sum(draw > c for c in _HOUSEHOLD_SIZE_CUM[:-1])
    western = rng.random() < 0.10
    family = (
        rng.choice(N.WESTERN_SURNAMES)
        if western
        else rng.choices(N.SURNAMES, cum_weights=N.SURNAME_CUM)[0][0]
    )
    address = _address(rng)
    moved = rng.random() < 0.15
    # Most moves stay in the same city; the old address is what older records still show.
    old = _address(rng, address.city if rng.random() < 0.8 else None) if moved else None
    landline = ""
    if rng.random() < (0.45 if size > 1 else 0.15):
        landline = f"{address.city.area_code}-{20_000_000 + _landline(index)}"
    family_email = ""
    if size > 1 and rng.random() < 0.2:
        tag = family.lower() if western else N.pinyin(family).lower()
        family_email = (
            f"the.{tag}s{rng.randint(1, 99)}@gmail.com"
            if western
            else f"{tag}jia{rng.randint(100, 9999)}@163.com"
        )
    return _Household(
        f"H{index + 1:07d}",
        size,
        western,
        size > 1 and rng.random() < 0.8,
        family,
        "M" if rng.random() < 0.5 else "F",
        rng.randint(45, 80) if size > 2 else rng.randint(18, 80),
        address,
        old,
        landline,
        family_email,
    )


def iter_people(people: int, seed: int, end: date) -> Iterator[Person]:
    """All `people` persons in index order, household members next to each other."""
    index = household_index = 0
    while index < people:
        household = _household(household_index, seed)
        for slot in range(min(household.size, people - index)):
            yield _person(index, household, slot, end, seed)
            index += 1
        household_index += 1
