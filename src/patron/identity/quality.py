"""Data quality per source and field: how complete, how valid, how fresh, how duplicated, how
risky.

Completeness is the share of a source's current customer records with the field filled;
validity the share of filled values that passed validation (phones and e-mails are kept when
invalid, flagged; a birth date is valid when it is in the last 120 years and not in the future:
unreadable dates are quarantined at import, so placeholders like 1900-01-01 are what remains).
A source's score is the mean over the key fields of completeness x validity, times the
source's reliability decayed to today (its newest batch's); 100 is every key field filled,
valid and fresh from a fully trusted source.

Staleness: the data date of the source's newest batch, the median data date of its current
records (each record dates from the batch that last changed it) and their mean reliability
decayed to today. High-risk flags (deceased, closed companies, invalid or bounced contact
points, do-not-contact) are counted per source and for the whole store (see quality_flags).

Everything is aggregated by the database; Python only sees a few rows per source and batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Text,
    case,
    column,
    func,
    select,
    true,
)
from sqlalchemy.sql.elements import Label

from patron.core import utcnow
from patron.identity.quality_flags import FlagCounts, flag_counts, without_jit
from patron.identity.records import current_customer_records
from patron.store import Store, decayed_reliability
from patron.store.schema import customers, import_batches, source_records, sources

KEY_FIELDS = ("full_name", "phone", "email", "birth_date", "city")
FIELDS = ("full_name", "phone", "email", "birth_date", "address", "city", "postcode")
OLDEST_AGE_YEARS = 120  # an older birth date is a placeholder, not a person


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
    median_data: datetime | None = None  # the median current record's data date
    records_reliability: float = 0.0  # the mean of its current records' decayed reliability
    flags: FlagCounts = field(default_factory=FlagCounts)  # records whose customer is flagged


@dataclass(frozen=True)
class StoreQuality:
    """The whole store: every source's records, the active customers and their flags."""

    records: int
    customers: int
    duplicate_share: float
    score: float  # the sources' scores weighted by their records
    flags: FlagCounts  # customers, not records


@dataclass(frozen=True)
class QualityReport:
    fields: list[FieldQuality]
    sources: list[SourceQuality]
    overall: StoreQuality
    taken_at: datetime


def quality_report(store: Store, *, now: datetime | None = None) -> QualityReport:
    """Completeness, validity, freshness, duplication, flags and a score for every customer
    source, and for the store as a whole.

    >>> report = quality_report(store)  # doctest: +SKIP
    >>> [(s.source, s.score, s.flags.deceased) for s in report.sources]  # doctest: +SKIP
    [('pos', 61.2, 0), ('web', 70.4, 3)]
    """
    now = now or utcnow()
    with store.connect() as conn:
        without_jit(conn)
        counts = _field_counts(conn, now.date())
        ages = _record_ages(conn)
        settings = _sources(conn)
        flags, overall_flags = flag_counts(conn)
        active = conn.execute(
            select(func.count()).where(customers.c.status == "active")
        ).scalar_one()
    fields: list[FieldQuality] = []
    out: list[SourceQuality] = []
    for source_id, row in sorted(counts.items(), key=lambda item: settings[item[0]][0]):
        name, when, reliability, half_life = settings[source_id]
        records = row["records"]
        per_field = {
            f: FieldQuality(name, f, records, row[f"{f}_filled"], row[f"{f}_valid"]) for f in FIELDS
        }
        fields.extend(per_field.values())
        reliability_now = decayed_reliability(reliability, half_life, when, now) if when else 0.0
        base = sum(per_field[f].completeness * per_field[f].validity for f in KEY_FIELDS)
        median, mean_reliability = _staleness(ages[source_id], (reliability, half_life), now)
        out.append(
            SourceQuality(
                name,
                records,
                when,
                reliability_now,
                row["shared"] / records if records else 0.0,
                round(100 * base / len(KEY_FIELDS) * reliability_now, 1),
                median,
                mean_reliability,
                flags.get(name, FlagCounts()),
            )
        )
    total = sum(s.records for s in out)
    overall = StoreQuality(
        total,
        int(active),
        sum(s.duplicate_share * s.records for s in out) / total if total else 0.0,
        round(sum(s.score * s.records for s in out) / total, 1) if total else 0.0,
        overall_flags,
    )
    return QualityReport(fields, out, overall, now)


def oldest_birth_date(today: date) -> date:
    """The earliest plausible birth date: OLDEST_AGE_YEARS before today."""
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - OLDEST_AGE_YEARS, day=day)


def _filled(expr: ColumnElement[str]) -> ColumnElement[str]:
    return func.nullif(expr, "")


def _record_fields(
    dialect: str,
) -> tuple[FromClause, dict[str, ColumnElement[Any]], dict[str, ColumnElement[Any]]]:
    """The table to read current customer records from, with the text of each field and
    whether the first phone and e-mail are valid."""
    sr = source_records
    paths: dict[str, tuple[str | int, ...]] = {
        "full_name": ("full_name",),
        "phone": ("phones", 0, "value"),
        "email": ("emails", 0, "value"),
        "birth_date": ("birth_date",),
        "address": ("address", "line"),
        "city": ("city",),
        "postcode": ("postcode",),
    }
    if dialect == "postgresql":
        # json_to_record parses each record's JSON once; a path per field (->>) would parse
        # it again for each field, which takes three times as long.
        top = func.json_to_record(sr.c.parsed).table_valued(
            *(column(str(p[0]), Text if len(p) == 1 else JSON) for p in paths.values())
        )
        r = top.render_derived(name="r", with_types=True)
        texts = {
            name: r.c[p[0]] if len(p) == 1 else r.c[p[0]][p[1:]].as_string()
            for name, p in paths.items()
        }
        valid = {k: r.c[f"{k}s"][(0, "valid")].as_boolean() for k in ("phone", "email")}
        return sr.join(r, true()), texts, valid
    texts = {name: sr.c.parsed[p].as_string() for name, p in paths.items()}
    valid = {k: sr.c.parsed[(f"{k}s", 0, "valid")].as_boolean() for k in ("phone", "email")}
    return sr, texts, valid


def _field_counts(conn: Connection, today: date) -> dict[int, dict[str, int]]:
    """Per source id: records, and per field filled and valid; records sharing a contact."""
    sr = source_records.c
    table, texts, valid = _record_fields(conn.dialect.name)
    values = {name: _filled(text) for name, text in texts.items()}
    oldest = oldest_birth_date(today).isoformat()
    columns: list[Label[Any]] = [v.label(name) for name, v in values.items()]
    columns += [case((v, 1), else_=0).label(f"{k}_ok") for k, v in valid.items()]
    plausible = values["birth_date"].between(oldest, today.isoformat())
    columns.append(case((plausible, 1), else_=0).label("birth_date_ok"))
    # Materialised: read once from the JSON, then counted and grouped three times.
    rec = (
        select(sr.source_id, sr.customer_id, *columns)
        .select_from(table)
        .where(*current_customer_records())
        .cte("rec")
        .prefix_with("MATERIALIZED")
    )

    def shared(column: str) -> ColumnElement[bool]:
        owners = (
            select(rec.c[column])
            .where(rec.c[column].is_not(None))
            .group_by(rec.c[column])
            # More than one customer; min < max needs no sort, unlike count(DISTINCT).
            .having(func.min(rec.c.customer_id) < func.max(rec.c.customer_id))
        )
        return rec.c[column].in_(owners)

    aggregates: list[Label[Any]] = [func.count().label("records")]
    for name in FIELDS:
        filled = func.count(rec.c[name])
        aggregates.append(filled.label(f"{name}_filled"))
        ok = f"{name}_ok"
        aggregates.append(
            (func.sum(rec.c[ok]) if ok in rec.c else filled).cast(Integer).label(f"{name}_valid")
        )
    share = func.sum(case((shared("phone") | shared("email"), 1), else_=0))
    aggregates.append(share.cast(Integer).label("shared"))
    query = select(rec.c.source_id, *aggregates).group_by(rec.c.source_id)
    return {
        r["source_id"]: {k: int(v or 0) for k, v in r.items() if k != "source_id"}
        for r in conn.execute(query).mappings()
    }


def _record_ages(conn: Connection) -> dict[int, list[tuple[datetime, int]]]:
    """Per source id, the data dates of the batches its current records come from, with how
    many records each."""
    sr, b = source_records.c, import_batches.c
    counts = (
        select(sr.batch_id, func.count().label("records"))
        .where(*current_customer_records())
        .group_by(sr.batch_id)
        .subquery()
    )
    query = select(b.source_id, b.data_as_of, counts.c.records).join(
        counts, counts.c.batch_id == b.id
    )
    out: dict[int, list[tuple[datetime, int]]] = {}
    for source_id, when, n in conn.execute(query):
        out.setdefault(source_id, []).append((when, n))
    return out


def _staleness(
    batches: list[tuple[datetime, int]], trust: tuple[float, float], now: datetime
) -> tuple[datetime | None, float]:
    """The median record's data date and the records' mean reliability decayed to now."""
    total = sum(n for _, n in batches)
    if not total:
        return None, 0.0
    seen, median = 0, None
    for when, n in sorted(batches):
        seen += n
        if median is None and 2 * seen >= total:
            median = when
    reliability, half_life = trust
    decayed = (decayed_reliability(reliability, half_life, when, now) * n for when, n in batches)
    return median, sum(decayed) / total


def _sources(conn: Connection) -> dict[int, tuple[str, datetime | None, float, float]]:
    """Per source id: its name, its newest completed customer batch's data date (None without
    one), and the source's reliability and half-life as set now."""
    b = import_batches.c
    newest = (
        select(b.source_id, func.max(b.data_as_of).label("newest"))
        .where(b.kind == "customers", b.status == "completed")
        .group_by(b.source_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            sources.c.id,
            sources.c.name,
            newest.c.newest,
            sources.c.reliability,
            sources.c.half_life_days,
        ).outerjoin(newest, newest.c.source_id == sources.c.id)
    ).all()
    out = {}
    for source_id, name, when, reliability, half_life in rows:
        if when is not None and when.tzinfo is None:  # an aggregate: SQLite gives naive UTC
            when = when.replace(tzinfo=UTC)
        out[source_id] = (name, when, reliability, half_life)
    return out
