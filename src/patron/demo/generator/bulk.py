"""`write_customer_csv`: one big, messy customer file for import benchmarks.

Speed matters here (a million rows in seconds), so instead of the per-person model of
`generate_company` this draws from one stream, household by household, and formats rows
directly. The hard cases of `HardCases` are all here: households sharing an address, a surname,
a landline and a mailbox; twins; namesakes (some in one city, with look-alike mailboxes);
nicknames and pinyin; old addresses and old mobiles; colleagues' shared switchboards. About a
quarter of the rows re-render an earlier person of the same chunk (other formats, sometimes a
typo, an old address or phone), so deduplication has something to find; `truth` writes who is
who. Memory is one chunk (plus the few crowded mailboxes, see `contacts`).
"""

from __future__ import annotations

import csv
import random
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple, TypeVar

from patron.demo.generator import names as N
from patron.demo.generator import variants as V
from patron.demo.generator.config import HardCases
from patron.demo.generator.contacts import local_number
from patron.demo.generator.keys import BULK, fullwidth, stream_seed
from patron.demo.generator.persons import namesake_city
from patron.demo.generator.places import CITIES, City, District

BULK_CUSTOMER_HEADER = [
    "record_id",
    "name",
    "gender",
    "mobile",
    "email",
    "birth_date",
    "address",
    "city",
    "postcode",
    "member_tier",
    "accepts_sms",
    "accepts_email",
]
BULK_TRUTH_HEADER = ["record_id", "person_id", "household_id"]
# The bulk file is a merged CRM export: mostly written in hanzi, fewer nicknames.
BULK_HARD_CASES = HardCases(pinyin=0.25, nickname=0.2)
_CHUNK = 5000
# fmt: off
_PREFIXES = ("130", "135", "136", "137", "138", "139", "150", "151", "158", "159", "177", "186",
             "188", "189", "199")
# fmt: on
_PROVIDERS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "139.com")
_PROVIDER_CUM = (35, 60, 72, 78, 88, 95, 100)
_TIERS = ("普通", "银卡", "金卡", "钻石", "regular", "silver", "gold", "")
_TIER_CUM = (50, 62, 67, 68, 85, 93, 97, 100)
_FLAGS = ("是", "否", "yes", "no", "Y", "N", "1", "0", "")
_FLAG_CUM = (25, 45, 60, 72, 78, 82, 88, 94, 100)
_BIRTH_START = date(1946, 1, 1).toordinal()
_BIRTH_END = date(2007, 12, 31).toordinal()
_BIRTH_SPAN = _BIRTH_END - _BIRTH_START
_YEAR = 365
_WORKS_AT_A_FIRM = 0.05  # people who give a company's phone where the form asks for a mobile


def _given_names(chars: tuple[str, ...]) -> list[str]:
    return list(chars) + [a + b for a in chars for b in chars]


_GIVEN = {"M": _given_names(N.MALE_CHARS), "F": _given_names(N.FEMALE_CHARS)}
_WESTERN = {"M": N.WESTERN_MALE, "F": N.WESTERN_FEMALE}
_COMMON = {"M": N.COMMON_NAMES_M, "F": N.COMMON_NAMES_F}
_SURNAME_CHARS = [s for s, _, _ in N.SURNAMES]
_ADDRESSES = [(city, district) for city in CITIES for district in city.districts]
_ADDRESS_CUM = list(accumulate(c.weight / len(c.districts) for c in CITIES for _ in c.districts))

Place = tuple[City, District, int]  # city, district, street number
_pinyin = lru_cache(maxsize=1 << 14)(N.pinyin)
_T = TypeVar("_T")


# Draws are inlined (random() scaled) rather than randrange/choice/choices: this file is built
# with a million rows, and those wrappers cost more than the formatting.
def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _weighted(rng: random.Random, items: Sequence[_T], cum: Sequence[float]) -> _T:
    return items[bisect_right(cum, rng.random() * cum[-1])]


class _Person(NamedTuple):
    person_id: str
    household_id: str
    western: bool
    family: str
    given: str
    gender: str
    mobile: str
    old_mobile: str  # "" unless changed
    born: int  # date ordinal
    place: Place
    old_place: Place | None  # before moving
    landline: str  # the household's, or ""
    family_email: str  # the household's, or ""
    office: str  # a switchboard shared with colleagues, or ""
    email: str  # a look-alike mailbox (namesakes), or "" for the usual pattern
    provider: str


def _place(rng: random.Random, city: City | None = None) -> Place:
    if city is None:
        city, district = _weighted(rng, _ADDRESSES, _ADDRESS_CUM)
    else:
        district = city.districts[_below(rng, len(city.districts))]
    return city, district, 1 + _below(rng, 399)


def _mobile_number(rng: random.Random) -> str:
    return _PREFIXES[_below(rng, len(_PREFIXES))] + f"{_below(rng, 100_000_000):08d}"


def _within(born: int) -> int:
    """A birth date ordinal moved into the years customers are born in (1946–2007)."""
    if born > _BIRTH_END:
        return born - 12 * _YEAR
    if born < _BIRTH_START:
        return born + 12 * _YEAR
    return born


class _Households:
    """Makes households of people from one stream; numbers people and households."""

    def __init__(self, rng: random.Random, hard: HardCases) -> None:
        self.rng, self.hard = rng, hard
        self.people = self.households = 0
        self.taken: set[str] = set()  # look-alike mailboxes given out (they are unique)

    def make(self) -> list[_Person]:
        rng, hard = self.rng, self.hard
        self.households += 1
        household_id = f"H{self.households:08d}"
        draw = rng.random()
        size = 1
        if draw < hard.household:
            share = draw / hard.household
            size = 2 + (share > 0.62) + (share > 0.89)
        western = rng.random() < 0.1
        head_gender = "M" if rng.random() < 0.5 else "F"
        head_name = ""
        if not western and rng.random() < hard.namesake:
            head_name = rng.choice(_COMMON[head_gender])
        if western:
            family = rng.choice(N.WESTERN_SURNAMES)
        else:
            family = head_name[:1] or _weighted(rng, _SURNAME_CHARS, N.SURNAME_CUM)
        same_city = head_name and rng.random() < hard.namesake_same_city
        place = _place(rng, namesake_city(head_name) if same_city else None)
        old_place = None
        if rng.random() < hard.moved:
            old_place = _place(rng, place[0] if rng.random() < 0.8 else None)
        landline = family_email = ""
        if rng.random() < (hard.household_landline if size > 1 else hard.household_landline / 3):
            area = place[0].area_code
            landline = f"{area}-{local_number(area, 20_000_000 + _below(rng, 60_000_000))}"
        if size > 1 and rng.random() < hard.family_mailbox:
            family_email = (
                f"the.{family.lower()}s{rng.randrange(1, 100)}@gmail.com"
                if western
                else f"{_pinyin(family).lower()}jia{rng.randrange(100, 10_000)}@163.com"
            )
        couple = size > 1 and rng.random() < 0.8
        head_born = _BIRTH_START + _below(rng, _BIRTH_SPAN)
        twins = size > 1 and rng.random() < hard.twins
        couple = couple and (not twins or size == 4)
        twin_born = head_born if size == 2 else self._child_born(head_born) if twins else 0
        members: list[tuple[str, str, str, int]] = []  # surname, given name, gender, born
        for slot in range(size):
            if twins and slot >= size - 2:
                gender = head_gender if slot == 0 else ("M" if rng.random() < 0.5 else "F")
                given = self._given(western, gender)
                if slot == size - 1:  # the other twin has another given name
                    while given == members[-1][1]:
                        given = self._given(western, gender)
                members.append((family, given, gender, twin_born))
                continue
            if slot == 0:
                gender, surname, born = head_gender, family, head_born
            elif slot == 1 and couple:
                gender = "F" if head_gender == "M" else "M"
                surname = family if western and rng.random() < 0.8 else ""
                born = _within(head_born + _YEAR * rng.randint(-6, 6) + _below(rng, _YEAR) - 182)
            else:
                gender, surname = ("M" if rng.random() < 0.5 else "F"), family
                born = self._child_born(head_born)
            given = ""
            if slot == 0 and head_name:
                given = head_name[1:]
            elif not western and not surname and rng.random() < hard.namesake:
                surname, given = (common := rng.choice(_COMMON[gender]))[0], common[1:]
            if western:
                surname = surname or rng.choice(N.WESTERN_SURNAMES)
            elif not surname:
                surname = _weighted(rng, _SURNAME_CHARS, N.SURNAME_CUM)
            members.append((surname, given or self._given(western, gender), gender, born))
        return [self._person(household_id, western, m, place, old_place, landline,
                             family_email) for m in members]  # fmt: skip

    def _child_born(self, parent: int) -> int:
        """A child's birth, or (when that would be after 2007) a sibling's."""
        born = parent + _YEAR * self.rng.randint(22, 34) + _below(self.rng, _YEAR)
        if born <= _BIRTH_END:
            return born
        return _within(parent + _YEAR * self.rng.randint(-8, 8) + _below(self.rng, _YEAR) - 182)

    def _given(self, western: bool, gender: str) -> str:
        pool = _WESTERN[gender] if western else _GIVEN[gender]
        return pool[_below(self.rng, len(pool))]

    def _person(
        self,
        household_id: str,
        western: bool,
        member: tuple[str, str, str, int],
        place: Place,
        old_place: Place | None,
        landline: str,
        family_email: str,
    ) -> _Person:
        rng, hard = self.rng, self.hard
        family, given, gender, born = member
        self.people += 1
        old_mobile = _mobile_number(rng) if rng.random() < hard.changed_phone else ""
        office = ""
        if rng.random() < _WORKS_AT_A_FIRM * hard.office_phone:  # one of ten firms in town
            area, firm = place[0].area_code, 104_729 * (1 + _below(rng, 10))
            office = f"{area}-{local_number(area, 90_000_000 + firm)}"
        email, provider = "", _weighted(rng, _PROVIDERS, _PROVIDER_CUM)
        if not western and family + given in N.COMMON_NAMES and rng.random() < hard.lookalike_email:
            year = date.fromordinal(born).year % 100
            local = f"{_pinyin(family).lower()}{rng.choice(('_', ''))}{_pinyin(given).lower()}"
            local += f"{year:02d}"
            provider = rng.choice(("126.com", "163.com"))
            while f"{local}@{provider}" in self.taken:  # taken: li_li75 → li_li7503
                local += f"{_below(rng, 100):02d}"
            email = f"{local}@{provider}"
            self.taken.add(email)
        return _Person(
            f"P{self.people:08d}",
            household_id,
            western,
            family,
            given,
            gender,
            _mobile_number(rng),
            old_mobile,
            born,
            place,
            old_place if old_place is not None and rng.random() < 0.9 else None,
            landline,
            family_email if family_email and rng.random() < 0.7 else "",
            office,
            email,
            provider,
        )


def _name(
    rng: random.Random, person: _Person, hard: HardCases, again: bool
) -> tuple[str, str, str]:
    """(display name, first and second part of a mailbox name)."""
    family, given = person.family, person.given
    typo = rng.random() < (0.08 if again else 0.02)  # re-registrations are keyed in sloppier
    if person.western:
        nick = N.NICKNAMES.get(given)
        shown = rng.choice(nick) if nick and rng.random() < hard.nickname else given
        surname = V.latin_typo(rng, family) if typo else family
        return f"{shown} {surname}", given.lower(), family.lower().replace("'", "")
    fam, giv = _pinyin(family), _pinyin(given)
    if rng.random() >= hard.pinyin:
        shown = family + given
        shown = V.chinese_typo(rng, shown) if typo else shown
    else:
        draw = rng.random()
        if draw < 0.5:
            shown = f"{fam} {giv}"
        elif draw < 0.85:
            shown = f"{giv} {fam}"
        else:
            shown = f"{fam.upper()} {giv.upper()}"
        shown = V.latin_typo(rng, shown) if typo else shown
    return shown, fam.lower(), giv.lower()


def _mobile(rng: random.Random, mobile: str) -> str:
    draw = rng.random()
    if draw < 0.55:
        return mobile
    if draw < 0.7:
        return f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if draw < 0.8:
        return f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    if draw < 0.88:
        return f"0086 {mobile}"
    if draw < 0.93:
        return f"+86{mobile}"
    if draw < 0.94:
        return fullwidth(mobile)
    return ""


def _phone(rng: random.Random, person: _Person, again: bool) -> str:
    if person.office and rng.random() < 0.5:
        return V.landline_variant(rng, person.office, extension=True)
    if person.landline and rng.random() < 0.1:
        return V.landline_variant(rng, person.landline)
    if person.old_mobile and rng.random() < (0.5 if again else 0.2):
        return _mobile(rng, person.old_mobile)
    return _mobile(rng, person.mobile)


def _birth(rng: random.Random, ordinal: int) -> str:
    born = date.fromordinal(ordinal)
    draw = rng.random()
    if draw < 0.5:
        return born.isoformat()
    if draw < 0.7:
        return f"{born.year}/{born.month}/{born.day}"
    if draw < 0.85:
        return f"{born.year}年{born.month}月{born.day}日"
    if draw < 0.9:
        return f"{born.day:02d}.{born.month:02d}.{born.year}"
    return ""


def write_customer_csv(
    path: Path,
    rows: int,
    seed: int = 7,
    encoding: str = "utf-8",
    *,
    hard: HardCases = BULK_HARD_CASES,
    duplicate_rate: float = 0.25,
    truth: Path | None = None,
) -> Path:
    """Write `rows` customer rows (plus a header) to `path`; returns `path`.

    Columns: BULK_CUSTOMER_HEADER. Streams in chunks, so memory does not grow with `rows`.
    `encoding` may be e.g. "gb18030" to benchmark legacy-encoded imports. `duplicate_rate` of
    the rows are another record of an earlier person; `truth` (optional) gets
    BULK_TRUTH_HEADER: which person and household each record belongs to.

    >>> write_customer_csv(Path("customers.csv"), 1000, truth=Path("truth.csv"))  # doctest: +SKIP
    """
    path = Path(path)
    rng = random.Random(stream_seed(seed, BULK, 0))
    choices = rng.choices
    households = _Households(rng, hard)
    with path.open("w", encoding=encoding, newline="") as handle:
        truth_handle = truth.open("w", encoding="utf-8", newline="") if truth else None
        truth_writer = csv.writer(truth_handle, lineterminator="\n") if truth_handle else None
        if truth_writer is not None:
            truth_writer.writerow(BULK_TRUTH_HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(BULK_CUSTOMER_HEADER)
        waiting: list[_Person] = []  # household members not written yet
        for chunk_start in range(0, rows, _CHUNK):
            n = min(_CHUNK, rows - chunk_start)
            tiers = choices(_TIERS, cum_weights=_TIER_CUM, k=n)
            sms = choices(_FLAGS, cum_weights=_FLAG_CUM, k=n)
            mails = choices(_FLAGS, cum_weights=_FLAG_CUM, k=n)
            people: list[_Person] = []
            out, owners = [], []
            for i in range(n):
                # A returning customer registered again with other formats: a duplicate.
                again = bool(people) and rng.random() < duplicate_rate
                if again:
                    person = people[_below(rng, len(people))]
                else:
                    if not waiting:
                        waiting = households.make()[::-1]
                    person = waiting.pop()
                    people.append(person)
                shown, fam, giv = _name(rng, person, hard, again)
                email = ""
                if person.family_email and rng.random() < 0.15:
                    email = person.family_email
                elif rng.random() < 0.8:
                    email = person.email or f"{fam}{giv}{person.born % 1000:03d}@{person.provider}"
                if email and rng.random() < 0.1:
                    email = email.upper()
                place = person.place
                if person.old_place is not None and rng.random() < (0.5 if again else 0.3):
                    place = person.old_place  # an address from before the move
                city, district, number = place
                street = district.streets[number % len(district.streets)]
                head = city.name if city.is_municipality else city.province + city.name
                record_id = f"R{chunk_start + i + 1:08d}"
                gender = person.gender
                if not person.western:
                    gender = "男" if gender == "M" else "女"
                out.append(
                    (
                        record_id,
                        shown,
                        gender,
                        _phone(rng, person, again),
                        email,
                        _birth(rng, person.born),
                        f"{head}{district.name}{street}{number}号",
                        city.name,
                        district.postcode,
                        tiers[i],
                        sms[i],
                        mails[i],
                    )
                )
                if truth_writer is not None:
                    owners.append((record_id, person.person_id, person.household_id))
            writer.writerows(out)
            if truth_writer is not None:
                truth_writer.writerows(owners)
        if truth_handle is not None:
            truth_handle.close()
    return path
