"""The hard cases of real customer data are in the demo company, with the truth right.

Each test finds the case in the written source files and checks against the ground truth that
the records belong to different people (households, twins, namesakes, colleagues) or to the
same person (pinyin, nicknames, old addresses, old phones), as the generator says.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import pytest

from patron.demo.generator import DemoConfig, DemoFiles, HardCases, generate_company
from patron.demo.generator.names import COMMON_NAMES, NICKNAMES
from patron.demo.generator.persons import Person, iter_people, namesake_city

CONFIG = DemoConfig(people=4000, seed=13, events=False)


@dataclass
class Record:
    source: str
    person_id: str
    name: str  # as written (web: first and last name joined by a space)
    phone: str
    email: str
    birth: str
    address: str


@dataclass
class Company:
    files: DemoFiles
    people: dict[str, Person]  # the truth, by person id
    records: list[Record]

    def of(self, person_id: str) -> list[Record]:
        return [r for r in self.records if r.person_id == person_id]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    files = generate_company(tmp_path_factory.mktemp("hard"), CONFIG)
    with files.ground_truth.open(encoding="utf-8", newline="") as handle:
        owner = {(r["source"], r["source_record_key"]): r["person_id"]
                 for r in csv.DictReader(handle)}  # fmt: skip
    records = []
    with files.pos_members.open(encoding="gb18030", newline="") as handle:
        for r in csv.DictReader(handle):
            person = owner[("pos_members", r["会员编号"])]
            records.append(
                Record("pos", person, r["姓名"], r["手机"], r["邮箱"], r["生日"], r["地址"])
            )
    with files.web_customers.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            person = owner[("web_customers", r["customer_id"])]
            name = f"{r['first_name']} {r['last_name']}".strip()
            records.append(Record("web", person, name, r["phone"], r["email"], r["birth_date"], ""))
    with files.service_contacts.open(encoding="utf-8") as handle:
        for line in handle:
            c = json.loads(line)
            person = owner[("service_contacts", c["ticket_contact_id"])]
            records.append(
                Record("service", person, c["name"], c["phone"], c["email"], "", c["address"])
            )
    people = {p.person_id: p for p in iter_people(CONFIG.people, CONFIG.seed, CONFIG.end_date)}
    return Company(files, people, records)


def _digits(phone: str) -> str:
    """A phone as written reduced to its national digits: 13800138000, 02123456789 (no
    country code, no extension such as 转801)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone).split("转")[0])
    for country in ("0086", "86"):
        if digits.startswith(country) and len(digits) > 11:
            digits = digits[len(country) :]
            break
    return digits if digits.startswith(("0", "1")) else "0" + digits


def _iso(birth: str) -> str | None:
    found = re.match(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", birth)
    return f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else None


def _households(company: Company) -> dict[str, list[Person]]:
    members: dict[str, list[Person]] = defaultdict(list)
    for person in company.people.values():
        members[person.household_id].append(person)
    return members


def test_truth_matches_the_people_the_files_were_made_from(company: Company) -> None:
    with company.files.households.open(encoding="utf-8", newline="") as handle:
        households = {r["person_id"]: r["household_id"] for r in csv.DictReader(handle)}
    assert households == {p.person_id: p.household_id for p in company.people.values()}
    assert {r.person_id for r in company.records} == set(company.people)


def test_household_members_share_an_address_surname_landline_and_mailbox(
    company: Company,
) -> None:
    shared_address = shared_landline = shared_mailbox = 0
    for members in _households(company).values():
        if len(members) < 2:
            continue
        assert len({m.person_id for m in members}) == len(members)  # different people
        assert len({m.address for m in members}) == 1
        head, *others = members
        # children and siblings carry the family name (Chinese wives keep their own)
        assert any(m.family == head.family for m in others) or len(members) == 2
        for a, b in combinations(members, 2):
            addresses = {r.address for r in company.of(a.person_id) if r.address}
            if addresses & {r.address for r in company.of(b.person_id) if r.address}:
                shared_address += 1
            phones = {_digits(r.phone) for r in company.of(a.person_id) if r.phone}
            if a.landline and _digits(a.landline) in phones & {
                _digits(r.phone) for r in company.of(b.person_id) if r.phone
            }:
                shared_landline += 1
            mails = {r.email.strip().lower() for r in company.of(a.person_id) if r.email}
            if a.family_email and a.family_email in mails & {
                r.email.strip().lower() for r in company.of(b.person_id) if r.email
            }:
                shared_mailbox += 1
    assert shared_address > 100  # the same address text in records of two different people
    assert shared_landline > 8
    assert shared_mailbox > 6


def test_twins_share_surname_birth_date_and_home_but_not_given_name(company: Company) -> None:
    twins = [
        (a, b)
        for members in _households(company).values()
        for a, b in combinations(members, 2)
        if a.birth == b.birth
    ]
    assert len(twins) > 40
    for a, b in twins:
        assert a.person_id != b.person_id and a.family == b.family
        assert a.address == b.address and a.given != b.given
    in_records = [
        (a, b)
        for a, b in twins
        if {_iso(r.birth) for r in company.of(a.person_id)}
        & {_iso(r.birth) for r in company.of(b.person_id)} - {None}
    ]
    assert len(in_records) > 10  # both twins' records show the same birth date


def test_namesakes_are_unrelated_people_some_in_one_city_with_lookalike_mailboxes(
    company: Company,
) -> None:
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in company.people.values():
        if person.name in COMMON_NAMES:
            by_name[person.name].append(person)
    assert sum(len(group) for group in by_name.values()) > 80
    assert max(len({p.household_id for p in group}) for group in by_name.values()) >= 8
    same_city = [
        (name, p) for name, group in by_name.items() for p in group
        if p.address.city == namesake_city(name)
    ]  # fmt: skip
    assert len(same_city) > 8
    pos_names: dict[str, set[str]] = defaultdict(set)
    for r in company.records:
        if r.source == "pos" and r.name in COMMON_NAMES:
            pos_names[r.name].add(r.person_id)
    assert max(len(ids) for ids in pos_names.values()) >= 5  # the same name, different people
    lookalikes: dict[str, set[str]] = defaultdict(set)
    for name, group in by_name.items():
        for p in group:
            local = f"{p.family_latin}_?{p.given_latin}".lower()
            if re.fullmatch(local + r"\d{2,}@(126|163)\.com", p.email):
                lookalikes[name].add(p.email)
    assert sum(len(mails) for mails in lookalikes.values()) > 30
    assert any(len(mails) >= 3 for mails in lookalikes.values())  # li_li75 / li_li57 / …
    every_mailbox = [p.email for group in by_name.values() for p in group]
    assert len(every_mailbox) == len(set(every_mailbox))  # look-alike, never the same


def test_one_person_in_hanzi_in_one_source_and_pinyin_in_another(company: Company) -> None:
    switched = 0
    for person in company.people.values():
        if person.western or len(person.sources) < 2:
            continue
        names = {r.name for r in company.of(person.person_id)}
        pinyin = {f"{person.given_latin} {person.family_latin}",
                  f"{person.family_latin} {person.given_latin}"}  # fmt: skip
        if person.name in names and names & pinyin:
            switched += 1
    assert switched > 50


def test_nicknames_stand_for_the_given_name(company: Company) -> None:
    nicknamed = set()
    for person in company.people.values():
        for nickname in NICKNAMES.get(person.given, ()) if person.western else ():
            if any(r.name.split()[:1] == [nickname] for r in company.of(person.person_id)):
                nicknamed.add(person.person_id)
    assert len(nicknamed) > 10


def test_old_addresses_and_old_phones_belong_to_the_same_person(company: Company) -> None:
    moved = changed = 0
    for person in company.people.values():
        records = company.of(person.person_id)
        if person.old_address is not None:
            shown = {r.address for r in records}
            old = {person.old_address.full(True), person.old_address.full(False)}
            new = {person.address.full(True), person.address.full(False)}
            moved += bool(shown & old and shown & new)
        if person.old_mobile:
            phones = {_digits(r.phone) for r in records if r.phone}
            changed += person.old_mobile in phones and person.mobile in phones
    assert moved > 10
    assert changed > 10


def test_colleagues_share_a_switchboard(company: Company) -> None:
    callers: dict[str, set[str]] = defaultdict(set)
    for r in company.records:
        person = company.people[r.person_id]
        if r.source == "service" and person.office_phone and r.phone:
            callers[_digits(r.phone)].add(person.household_id)
    assert any(len(households) >= 2 for households in callers.values())
    phones = [r.phone for r in company.records if r.source == "service"]
    assert any("转" in p for p in phones)  # a switchboard and an extension


def test_landlines_and_mailboxes_come_in_several_formats(company: Company) -> None:
    phones = [r.phone for r in company.records if r.phone]
    assert any(re.fullmatch(r"\(0\d{2,3}\)\d{8}", p) for p in phones)
    assert any(re.fullmatch(r"\+86 \d{2,3} \d{4} \d{4}", p) for p in phones)
    assert any(re.fullmatch(r"0\d{2,3}-\d{8}", p) for p in phones)
    mails = [r.email for r in company.records if r.email]
    assert any(m != m.strip() for m in mails)
    assert any(m.isupper() for m in mails) and any(m[:1].isupper() and not m.isupper()
                                                   for m in mails)  # fmt: skip


def _people(hard: HardCases, people: int = 3000) -> list[Person]:
    return list(iter_people(people, 7, CONFIG.end_date, hard))


def _twin_pairs(people: list[Person]) -> int:
    members: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        members[p.household_id].append(p)
    return sum(a.birth == b.birth for m in members.values() for a, b in combinations(m, 2))


def test_every_rate_is_tunable() -> None:
    off = _people(HardCases(twins=0, namesake=0, moved=0, changed_phone=0, household=0))
    assert _twin_pairs(off) == 0
    # 王伟 and 李娜 still happen by chance (王 and 伟 are common), just less often
    assert sum(p.name in COMMON_NAMES for p in off) * 2 < sum(
        p.name in COMMON_NAMES for p in _people(HardCases(household=0))
    )
    assert not any(p.old_address or p.old_mobile for p in off)
    assert len({p.household_id for p in off}) == len(off)
    more = _people(HardCases(twins=1, namesake=0.2, moved=0.5, changed_phone=0.5))
    default = _people(HardCases())
    assert _twin_pairs(more) > 5 * _twin_pairs(default) > 0
    assert sum(p.name in COMMON_NAMES for p in more) > 4 * sum(
        p.name in COMMON_NAMES for p in default
    )
    assert sum(bool(p.old_mobile) for p in more) > 3 * sum(bool(p.old_mobile) for p in default)
    with pytest.raises(ValueError, match="twins"):
        HardCases(twins=1.5)
