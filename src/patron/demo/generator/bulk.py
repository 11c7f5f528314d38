"""`write_customer_csv`: one big, messy customer file for import benchmarks.

Speed matters here (a million rows in seconds), so instead of the per-person model of
`generate_company` this draws whole chunks of columns with `random.choices(k=…)` from one
stream and formats rows from them. About 5% of rows re-render an earlier person of the same
chunk with other formats, so deduplication has something to find. Memory is one chunk.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from itertools import accumulate
from pathlib import Path

from patron.demo.generator import names as N
from patron.demo.generator.keys import BULK, fullwidth, stream_seed
from patron.demo.generator.places import CITIES

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
_CHUNK = 5000
_PREFIXES = (
    "130",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "159",
    "177",
    "186",
    "188",
    "189",
    "199",
)
_PROVIDERS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "139.com")
_PROVIDER_CUM = (35, 60, 72, 78, 88, 95, 100)
_TIERS = ("普通", "银卡", "金卡", "钻石", "regular", "silver", "gold", "")
_TIER_CUM = (50, 62, 67, 68, 85, 93, 97, 100)
_FLAGS = ("是", "否", "yes", "no", "Y", "N", "1", "0", "")
_FLAG_CUM = (25, 45, 60, 72, 78, 82, 88, 94, 100)
_BIRTH_START = date(1946, 1, 1).toordinal()
_BIRTH_SPAN = date(2007, 12, 31).toordinal() - _BIRTH_START


def _given_names(chars: tuple[str, ...]) -> list[str]:
    return list(chars) + [a + b for a in chars for b in chars]


_GIVEN = {"M": _given_names(N.MALE_CHARS), "F": _given_names(N.FEMALE_CHARS)}
_WESTERN = {"M": N.WESTERN_MALE, "F": N.WESTERN_FEMALE}
_SURNAME_CHARS = [s for s, _, _ in N.SURNAMES]
_ADDRESSES = [(city, district) for city in CITIES for district in city.districts]
_ADDRESS_CUM = list(accumulate(c.weight / len(c.districts) for c in CITIES for _ in c.districts))


def _person(rng: random.Random) -> tuple[str, str, str, str, str, int, tuple, int]:
    """(kind, family, given, gender, mobile, birth ordinal, (city, district), street no.)."""
    gender = "M" if rng.random() < 0.5 else "F"
    if rng.random() < 0.1:
        kind, family, given = "w", rng.choice(N.WESTERN_SURNAMES), rng.choice(_WESTERN[gender])
    else:
        kind = "c"
        family = rng.choices(_SURNAME_CHARS, cum_weights=N.SURNAME_CUM)[0]
        given = rng.choice(_GIVEN[gender])
    mobile = rng.choice(_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
    place = rng.choices(_ADDRESSES, cum_weights=_ADDRESS_CUM)[0]
    return (
        kind,
        family,
        given,
        gender,
        mobile,
        _BIRTH_START + rng.randrange(_BIRTH_SPAN),
        place,
        rng.randrange(1, 400),
    )


def _name(rng: random.Random, kind: str, family: str, given: str) -> tuple[str, str, str]:
    """(display name, first and second part of a mailbox name)."""
    if kind == "w":
        nick = N.NICKNAMES.get(given)
        shown = rng.choice(nick) if nick and rng.random() < 0.2 else given
        return f"{shown} {family}", given.lower(), family.lower().replace("'", "")
    fam, giv = N.pinyin(family), N.pinyin(given)
    draw = rng.random()
    if draw < 0.75:
        shown = family + given
    elif draw < 0.87:
        shown = f"{fam} {giv}"
    elif draw < 0.95:
        shown = f"{giv} {fam}"
    else:
        shown = f"{fam.upper()} {giv.upper()}"
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


def write_customer_csv(path: Path, rows: int, seed: int = 7, encoding: str = "utf-8") -> Path:
    """Write `rows` customer rows (plus a header) to `path`; returns `path`.

    Columns: BULK_CUSTOMER_HEADER. Streams in chunks, so memory does not grow with `rows`.
    `encoding` may be e.g. "gb18030" to benchmark legacy-encoded imports.
    """
    path = Path(path)
    rng = random.Random(stream_seed(seed, BULK, 0))
    choices = rng.choices
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(BULK_CUSTOMER_HEADER)
        for chunk_start in range(0, rows, _CHUNK):
            n = min(_CHUNK, rows - chunk_start)
            providers = choices(_PROVIDERS, cum_weights=_PROVIDER_CUM, k=n)
            tiers = choices(_TIERS, cum_weights=_TIER_CUM, k=n)
            sms = choices(_FLAGS, cum_weights=_FLAG_CUM, k=n)
            mails = choices(_FLAGS, cum_weights=_FLAG_CUM, k=n)
            people: list[tuple[str, str, str, str, str, int, tuple, int]] = []
            out = []
            for i in range(n):
                # A returning customer registered again with other formats: a duplicate.
                if people and rng.random() < 0.05:
                    person = rng.choice(people)
                else:
                    person = _person(rng)
                    people.append(person)
                kind, family, given, gender, mobile, born, (city, district), number = person
                shown, fam, giv = _name(rng, kind, family, given)
                email = ""
                if rng.random() < 0.8:
                    email = f"{fam}{giv}{born % 1000}@{providers[i]}"
                    if rng.random() < 0.1:
                        email = email.upper()
                street = district.streets[number % len(district.streets)]
                head = city.name if city.is_municipality else city.province + city.name
                out.append(
                    (
                        f"R{chunk_start + i + 1:08d}",
                        shown,
                        ("男" if gender == "M" else "女") if kind == "c" else gender,
                        _mobile(rng, mobile),
                        email,
                        _birth(rng, born),
                        f"{head}{district.name}{street}{number}号",
                        city.name,
                        district.postcode,
                        tiers[i],
                        sms[i],
                        mails[i],
                    )
                )
            writer.writerows(out)
    return path
