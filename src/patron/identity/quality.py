"""Data quality per source and field: how complete, how valid, how fresh, how duplicated.

Completeness is the share of a source's current customer records with the field filled;
validity the share of filled values that passed validation (phones and e-mails are kept when
invalid, flagged; dates that cannot be read are quarantined at import, so every stored date is
valid). A source's score is the mean over the key fields of completeness x validity, times the
source's reliability decayed to today; 100 is every key field filled, valid and fresh from a
fully trusted source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, select

from patron.core import utcnow
from patron.identity.records import current_customer_records, match_records
from patron.store import Store, decayed_reliability
from patron.store.schema import import_batches, source_records, sources

KEY_FIELDS = ("full_name", "phone", "email", "birth_date", "city")
_TRUE = ("1", "true")


@dataclass(frozen=True)
class FieldQuality:
    source: str
    field: str
    records: int
    filled: int
    valid: int

    @property
    def completeness(self) -> float:
        return self.filled / self.records if self.records else 0.0

    @property
    def validity(self) -> float:
        return self.valid / self.filled if self.filled else 1.0


@dataclass(frozen=True)
class SourceQuality:
    source: str
    records: int
    newest_data: datetime | None  # the newest batch's data date
    reliability_now: float  # its reliability, decayed to now
    duplicate_share: float  # records sharing a phone or e-mail with another customer
    score: float  # 0-100, see the module docstring


@dataclass(frozen=True)
class QualityReport:
    fields: list[FieldQuality]
    sources: list[SourceQuality]


def quality_report(store: Store, *, now: datetime | None = None) -> QualityReport:
    """Completeness, validity, freshness, duplication and a score for every customer source."""
    now = now or utcnow()
    with store.connect() as conn:
        records = match_records(conn)
        flags = _validity_flags(conn)
        freshness = _freshness(conn, now)
    records = records.merge(flags, on="unique_id", how="left")
    checks = {
        "full_name": None,
        "phone": "phone_valid",
        "email": "email_valid",
        "birth_date": None,
        "address": None,
        "city": None,
        "postcode": None,
    }
    fields: list[FieldQuality] = []
    sources_out: list[SourceQuality] = []
    shared = _shares_contact(records)
    for source, group in records.groupby("source", sort=True):
        per_field = {}
        for name, flag in checks.items():
            filled = group[name].notna()
            valid = int((filled & group[flag].fillna(False)).sum()) if flag else int(filled.sum())
            q = FieldQuality(str(source), name, len(group), int(filled.sum()), valid)
            per_field[name] = q
            fields.append(q)
        newest, reliability = freshness.get(str(source), (None, 0.0))
        base = sum(per_field[f].completeness * per_field[f].validity for f in KEY_FIELDS)
        sources_out.append(
            SourceQuality(
                str(source),
                len(group),
                newest,
                reliability,
                float(shared[group.index].mean()) if len(group) else 0.0,
                round(100 * base / len(KEY_FIELDS) * reliability, 1),
            )
        )
    return QualityReport(fields, sources_out)


def _validity_flags(conn: Connection) -> pd.DataFrame:
    """Whether each record's first phone and e-mail passed validation."""
    sr = source_records.c
    rows = conn.execute(
        select(
            sr.id,
            sr.parsed["phones"][0]["valid"].as_string(),
            sr.parsed["emails"][0]["valid"].as_string(),
        ).where(*current_customer_records())
    ).all()
    return pd.DataFrame(
        [(i, str(p).lower() in _TRUE, str(e).lower() in _TRUE) for i, p, e in rows],
        columns=["unique_id", "phone_valid", "email_valid"],
    )


def _freshness(conn: Connection, now: datetime) -> dict[str, tuple[datetime, float]]:
    """Per source: the newest completed customer batch's data date and decayed reliability."""
    b = import_batches.c
    newest = (
        select(b.source_id, func.max(b.data_as_of).label("newest"))
        .where(b.kind == "customers", b.status == "completed")
        .group_by(b.source_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            sources.c.name, sources.c.reliability, sources.c.half_life_days, newest.c.newest
        ).join(newest, newest.c.source_id == sources.c.id)
    ).all()
    out = {}
    for name, reliability, half_life, when in rows:
        if when.tzinfo is None:  # SQLite gives naive UTC
            when = when.replace(tzinfo=now.tzinfo)
        out[name] = (when, decayed_reliability(reliability, half_life, when, now))
    return out


def _shares_contact(records: pd.DataFrame) -> pd.Series:
    """True for records whose phone or e-mail also belongs to another customer."""
    shared = pd.Series(False, index=records.index)
    for column in ("phone", "email"):
        owners = records.groupby(column).customer_id.transform("nunique")
        shared |= owners.fillna(0) > 1
    return shared
