"""The records to match: every current customer source record, its matching fields read from
the parsed values patron stored at import (the same normalisation for every source)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, select

from patron.normalise import (
    FULL_NAME_OF,
    address_key,
    email_match_key,
    normalise_address,
    normalise_name,
    search_key,
)
from patron.store.schema import source_records, sources

MATCH_COLUMNS = (
    "unique_id",  # the source record's id
    "customer_id",
    "source",
    "source_key",
    "full_name",
    "name_key",  # pinyin / folded Latin: 张伟 and "Zhang Wei" share it
    "name_tokens",  # the same, name parts in sorted order: 杨嘉天 and "Jiatian Yang" share it
    "name_parts",  # those parts as a list: a surname-only record (王) can still meet 王慧雨
    "birth_date",  # YYYY-MM-DD
    "phone",  # E.164
    "phone_kind",  # mobile, landline, ... (as the import classified it)
    "email",  # the mailbox meant: doubled "@" and ".con" repaired
    "address",  # city + street: written with or without province and district, one key
    "city",  # a key: 上海, 上海市 and "Shanghai" all give "shanghai"
    "postcode",
    "family_key",  # the family name's key, when the source split the name (for households)
)


def _text(parsed: Any, *path: str | int) -> Any:
    expr = parsed
    for step in path:
        expr = expr[step]
    return expr.as_string()


def current_customer_records() -> tuple[ColumnElement[bool], ...]:
    """The source records matching works on: current versions of customer records."""
    sr = source_records.c
    return (sr.kind == "customers", sr.is_current, sr.customer_id.is_not(None))


def match_records(conn: Connection) -> pd.DataFrame:
    """One row per current customer source record with MATCH_COLUMNS; blanks are None.

    The JSON is read by the database (SQLite's json_extract, PostgreSQL's ->>), not in Python.
    """
    sr, p = source_records.c, source_records.c.parsed
    query = (
        select(
            sr.id.label("unique_id"),
            sr.customer_id,
            sources.c.name.label("source"),
            sr.source_key,
            _text(p, "full_name").label("full_name"),
            _text(p, "name_key").label("name_key"),
            _text(p, "given_name").label("given_name"),
            _text(p, "family_name").label("family_name"),
            _text(p, "birth_date").label("birth_date"),
            _text(p, "phones", 0, "value").label("phone"),
            _text(p, "phones", 0, "kind").label("phone_kind"),
            _text(p, "emails", 0, "value").label("email"),
            _text(p, "address", "line").label("address"),
            _text(p, "city").label("city"),
            _text(p, "postcode").label("postcode"),
        )
        .join(sources, sources.c.id == sr.source_id)
        .where(*current_customer_records())
        .order_by(sr.id)
    )
    result = conn.execute(query)
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    parts = [
        name_parts(full, given, family)
        for full, given, family in zip(
            frame.full_name, frame.given_name, frame.family_name, strict=True
        )
    ]
    frame["name_parts"] = parts
    frame["name_tokens"] = ["".join(p) if p else None for p in parts]
    frame["family_key"] = [family_key(f) for f in frame.family_name]
    frame["city"] = [city_key(c) for c in frame.city]
    frame["email"] = [email_match_key(e) for e in frame.email]
    frame["address"] = [address_key(a) for a in frame.address]
    frame = frame[list(MATCH_COLUMNS)]  # in order, without the given and family name
    text = [c for c in MATCH_COLUMNS if c not in ("unique_id", "customer_id")]
    frame[text] = frame[text].replace("", None)
    return frame


def name_tokens(full: str | None, given: str | None, family: str | None) -> str | None:
    """A name's parts as pinyin/folded keys in sorted order, so the order they were written in
    does not matter: Chinese names are written family first, their pinyin often given first
    ("Jiatian Yang"), and Western exports swap them ("MacDonald, Susan").

    >>> name_tokens("杨嘉天", "嘉天", "杨") == name_tokens("Jiatian Yang", None, None)
    True
    """
    parts = name_parts(full, given, family)
    return "".join(parts) if parts else None


@lru_cache(maxsize=1 << 16)
def name_parts(full: str | None, given: str | None, family: str | None) -> tuple[str, ...] | None:
    """The sorted keys of a name's parts (family and given name, or the words of a name that
    was not split).

    >>> name_parts("王慧雨", "慧雨", "王"), name_parts("Huiyu Wang", None, None)
    (('huiyu', 'wang'), ('huiyu', 'wang'))
    """
    if given and family and given.startswith(family) and len(given) > len(family):
        given = given[len(family) :]  # a given-name column holding the whole name
    if given and family:
        parts = [normalise_name(family).pinyin_key or search_key(family), search_key(given)]
    elif full:
        parts = [search_key(token) for token in full.split()]
    else:
        return None
    parts = [FULL_NAME_OF.get(p, p) for p in parts]  # Bob Smith meets Robert Smith
    kept = tuple(sorted(p for p in parts if p))
    return kept or None


@lru_cache(maxsize=1 << 14)
def family_key(family: str | None) -> str | None:
    """A family name as a key (pinyin for Chinese: 王 and Wang give "wang")."""
    if not family:
        return None
    return normalise_name(family).pinyin_key or search_key(family) or None


_CITY_SUFFIXES = ("市", "shi", " city")


@lru_cache(maxsize=4096)
def city_key(city: str | None) -> str | None:
    """A city as a comparable key, whether written in full (上海市), short (上海) or in pinyin
    (Shanghai).

    >>> city_key("上海市") == city_key("上海") == city_key("Shanghai") == "shanghai"
    True
    """
    if not city:
        return None
    canonical = normalise_address(city).city or city
    for suffix in _CITY_SUFFIXES:
        canonical = canonical.removesuffix(suffix)
    return search_key(canonical) or None
