"""The true people behind the records: households, names, contacts, addresses, sources.

People are generated household by household, in index order, each household and each person
from its own seeded `random.Random` (see `keys.stream_seed`), so the stream needs no memory
of earlier people (except the few crowded mailboxes, see `contacts`). The `Person` here is the
ground truth; `records.py` renders it, with noise, into what each source system would hold.

The hard cases (`HardCases`) are made here: households of 2–4 sharing an address, a surname,
often a landline and sometimes a mailbox; twins (same surname, birth date and home, other
given names); namesakes (王伟, 李娜 …), some concentrated in one city, with look-alike
mailboxes; moved households and changed mobiles; colleagues sharing a switchboard.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from zlib import crc32

from patron.demo.generator import contacts as C
from patron.demo.generator import names as N
from patron.demo.generator.config import HardCases
from patron.demo.generator.keys import HOUSEHOLD, PERSON, stream_seed
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
# fmt: on
_UNISEX_CHARS = tuple(c for c in N.MALE_CHARS if c in N.FEMALE_CHARS)


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
    office_phone: str  # the employer's switchboard, shared with colleagues, or ""
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


def namesake_city(name: str) -> City:
    """The city where many people called `name` live (namesakes who also share a city)."""
    return CITIES[crc32(name.encode()) % len(CITIES)]


def _chinese_given(rng: random.Random, gender: str) -> str:
    pool = N.MALE_CHARS if gender == "M" else N.FEMALE_CHARS
    if rng.random() < 0.25:  # single-character given names, common in older generations
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool)


def _birth(rng: random.Random, end: date, age: int) -> date:
    age = min(80, max(18, age))
    return end - timedelta(days=365 * age + rng.randrange(1, 364))


def _common_name(rng: random.Random, gender: str, family: str = "") -> str:
    """One of the most common full names (王伟, 李娜 …), with surname `family` if given."""
    pool: tuple[str, ...] = N.COMMON_NAMES_M if gender == "M" else N.COMMON_NAMES_F
    if family:
        pool = tuple(n for n in pool if n.startswith(family))
    return rng.choice(pool) if pool else ""


def _person(
    index: int, household: _Household, slot: int, end: date, seed: int, taken: C.Mailboxes
) -> Person:
    rng = random.Random(stream_seed(seed, PERSON, index))
    hard = household.hard
    head_age = household.head_age
    twin = len(household.twins) == 2 and slot >= household.size - 2
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
    birth = _birth(rng, end, age)
    if twin:  # same surname, birth date and home as the other twin; another given name
        gender, given = household.twins[slot - (household.size - 2)]
        family, birth = household.family, household.twin_birth
    elif household.western:
        given = rng.choice(N.WESTERN_MALE if gender == "M" else N.WESTERN_FEMALE)
        family = family or rng.choice(N.WESTERN_SURNAMES)
    elif slot == 0 and household.head_name:
        given = household.head_name[len(family) :]
    elif (common := _common_name(rng, gender, family)) and rng.random() < hard.namesake:
        family, given = common[0], common[1:]  # 张伟, 李娜 … are shared by many people
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
        birth=birth,
        mobile=C.mobile(rng, index),
        old_mobile="",
        email="",
        alt_email="",
        family_email="",
        landline=household.landline,
        office_phone="",
        address=household.address,
        old_address=None,
        sources=(),
        twice=(),
        company="",
        rng=rng,
    )
    if rng.random() < hard.changed_phone:
        person.old_mobile = C.mobile(rng, index, old=True)
    namesake = not household.western and person.name in N.COMMON_NAMES
    lookalike = namesake and rng.random() < hard.lookalike_email
    crowded = lookalike or twin  # mailboxes likely to collide with another person's
    person.email, person.alt_email = C.email(rng, person, lookalike, taken if crowded else None)
    if household.family_email and rng.random() < 0.7:
        person.family_email = household.family_email
    if household.old_address is not None and rng.random() < 0.9:
        person.old_address = household.old_address
    person.sources = rng.choices(_SOURCE_SETS, cum_weights=_SOURCE_CUM)[0][0]
    person.twice = tuple(s for s in person.sources if rng.random() < 0.02)
    if "service_contacts" in person.sources and rng.random() < 0.1:
        person.company = C.company(rng, person)
        if rng.random() < hard.office_phone:
            person.office_phone = C.office_phone(person)
    return person


@dataclass(slots=True)
class _Household:
    household_id: str
    hard: HardCases
    size: int
    western: bool
    couple: bool
    family: str
    head_gender: str
    head_age: int
    head_name: str  # a common full name (namesake) for the head, or ""
    address: Address
    old_address: Address | None
    landline: str
    family_email: str
    twins: tuple[tuple[str, str], ...]  # (gender, given name) of the two youngest, or ()
    twin_birth: date


def _twin_names(rng: random.Random, western: bool, genders: tuple[str, str]) -> tuple[str, str]:
    """Two different given names; Chinese twins' often share a character (嘉天, 嘉宇)."""
    if western:
        pools = [N.WESTERN_MALE if g == "M" else N.WESTERN_FEMALE for g in genders]
        first = rng.choice(pools[0])
        return first, rng.choice([n for n in pools[1] if n != first])
    if rng.random() < 0.5:
        shared = rng.choice(_UNISEX_CHARS)
        first = shared + rng.choice(N.MALE_CHARS if genders[0] == "M" else N.FEMALE_CHARS)
        pool = N.MALE_CHARS if genders[1] == "M" else N.FEMALE_CHARS
        return first, shared + rng.choice([c for c in pool if shared + c != first])
    first = _chinese_given(rng, genders[0])
    second = _chinese_given(rng, genders[1])
    while second == first:
        second = _chinese_given(rng, genders[1])
    return first, second


def _household(index: int, seed: int, end: date, hard: HardCases) -> _Household:
    rng = random.Random(stream_seed(seed, HOUSEHOLD, index))
    draw = rng.random()
    size = 1
    if draw < hard.household:  # 2, 3 or 4 people in the proportions of urban households
        share = draw / hard.household
        size = 2 + (share > 0.62) + (share > 0.89)
    western = rng.random() < 0.10
    head_gender = "M" if rng.random() < 0.5 else "F"
    head_name = ""
    if not western and rng.random() < hard.namesake:
        head_name = _common_name(rng, head_gender)
    if western:
        family = rng.choice(N.WESTERN_SURNAMES)
    elif head_name:
        family = head_name[0]
    else:
        family = rng.choices(N.SURNAMES, cum_weights=N.SURNAME_CUM)[0][0]
    home_city = None
    if head_name and rng.random() < hard.namesake_same_city:
        home_city = namesake_city(head_name)
    address = _address(rng, home_city)
    moved = rng.random() < hard.moved
    # Most moves stay in the same city; the old address is what older records still show.
    old = _address(rng, address.city if rng.random() < 0.8 else None) if moved else None
    landline = ""
    if rng.random() < (hard.household_landline if size > 1 else hard.household_landline / 3):
        landline = C.home_landline(address.city.area_code, index)
    family_email = ""
    if size > 1 and rng.random() < hard.family_mailbox:
        tag = family.lower() if western else N.pinyin(family).lower()
        family_email = (
            f"the.{tag}s{rng.randint(1, 99)}@gmail.com"
            if western
            else f"{tag}jia{rng.randint(100, 9999)}@163.com"
        )
    couple = size > 1 and rng.random() < 0.8
    head_age = rng.randint(45, 80) if size > 2 else rng.randint(18, 80)
    twins: tuple[tuple[str, str], ...] = ()
    twin_birth = end
    if size > 1 and rng.random() < hard.twins:
        # The twins are the last two: grown-up twins sharing a flat (the elder is the head),
        # children of a single parent, or children of a couple.
        couple = couple and size == 4
        genders = (
            head_gender if size == 2 else ("M" if rng.random() < 0.5 else "F"),
            "M" if rng.random() < 0.5 else "F",
        )
        names = _twin_names(rng, western, genders)
        twins = ((genders[0], names[0]), (genders[1], names[1]))
        twin_age = head_age if size == 2 else head_age - rng.randint(22, 34)
        twin_birth = _birth(rng, end, twin_age)
    return _Household(
        f"H{index + 1:07d}",
        hard,
        size,
        western,
        couple,
        family,
        head_gender,
        head_age,
        head_name,
        address,
        old,
        landline,
        family_email,
        twins,
        twin_birth,
    )


def iter_people(
    people: int, seed: int, end: date, hard: HardCases | None = None
) -> Iterator[Person]:
    """All `people` persons in index order, household members next to each other."""
    hard = hard or HardCases()
    taken: C.Mailboxes = set()
    index = household_index = 0
    while index < people:
        household = _household(household_index, seed, end, hard)
        for slot in range(min(household.size, people - index)):
            yield _person(index, household, slot, end, seed, taken)
            index += 1
        household_index += 1
