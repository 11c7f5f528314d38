"""One customer's data quality score, from their golden record, contact points, the age of
their records and their high-risk flags. A handful of indexed reads: quick for any store size.

score = 100 x completeness x validity x freshness x penalty, where
- completeness: the share of the key fields the customer has (name, birth date and city in the
  golden record; a phone and an e-mail among their contact points);
- validity: the share of their phone and e-mail contact points that passed validation, and of
  their birth date if it is implausible (over 120 years ago or in the future);
- freshness: the highest reliability, decayed to now, among their current source records (the
  best evidence the store has today);
- penalty: 0 when deceased (nothing about them can be used), x0.5 for a closed company or a
  bounced contact point. Do-not-contact is reported but costs nothing: it is a wish, not a
  defect of the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, func, select

from patron.core import NotFoundError, utcnow
from patron.identity.quality import KEY_FIELDS, oldest_birth_date
from patron.identity.quality_flags import customer_flags
from patron.store import Store, decayed_reliability
from patron.store.schema import contact_points, customers, import_batches, source_records, sources

PENALTIES = {"deceased": 0.0, "company_closed": 0.5, "bounced": 0.5}


@dataclass(frozen=True)
class CustomerQuality:
    customer_id: int
    score: float  # 0-100
    completeness: float
    validity: float
    freshness: float
    missing: tuple[str, ...]  # key fields the golden record lacks
    invalid: tuple[str, ...]  # contact points (kind: value) that failed validation, and dates
    flags: tuple[str, ...]  # see quality_flags.FLAGS


def customer_quality(
    store: Store, customer_id: int, *, now: datetime | None = None
) -> CustomerQuality:
    """The quality score of one customer; raises NotFoundError for an unknown id.

    >>> customer_quality(store, 42).score  # doctest: +SKIP
    81.0
    """
    with store.connect() as conn:
        return _customer_quality(conn, customer_id, now or utcnow())


def _customer_quality(conn: Connection, customer_id: int, now: datetime) -> CustomerQuality:
    c, cp = customers.c, contact_points.c
    golden = conn.execute(
        select(c.full_name, c.birth_date, c.city).where(c.id == customer_id)
    ).first()
    if golden is None:
        raise NotFoundError(
            f"no customer {customer_id}", hint="search with `patron customer search`"
        )
    points = conn.execute(
        select(cp.kind, cp.value, cp.valid).where(
            cp.customer_id == customer_id, cp.kind.in_(("phone", "email"))
        )
    ).all()
    # A phone or e-mail is there when the customer has one, valid or not (the golden record
    # keeps only valid ones; validity accounts for the others).
    present = {
        "full_name": bool(golden.full_name),
        "phone": any(p.kind == "phone" for p in points),
        "email": any(p.kind == "email" for p in points),
        "birth_date": golden.birth_date is not None,
        "city": bool(golden.city),
    }
    missing = tuple(f for f in KEY_FIELDS if not present[f])
    completeness = 1 - len(missing) / len(KEY_FIELDS)
    invalid = [f"{kind}: {value}" for kind, value, valid in points if not valid]
    checked = len(points)
    birth: date | None = golden.birth_date
    if birth is not None:
        checked += 1
        if not _plausible_birth(birth, now.date()):
            invalid.append(f"birth_date: {birth.isoformat()}")
    validity = 1 - len(invalid) / checked if checked else 1.0
    freshness = _freshness(conn, customer_id, now)
    flags = customer_flags(conn, customer_id)
    penalty = 1.0
    for flag in flags:
        penalty *= PENALTIES.get(flag, 1.0)
    score = round(100 * completeness * validity * freshness * penalty, 1)
    return CustomerQuality(
        customer_id, score, completeness, validity, freshness, missing, tuple(invalid), flags
    )


def _plausible_birth(birth: date, today: date) -> bool:
    return oldest_birth_date(today) <= birth <= today


def _freshness(conn: Connection, customer_id: int, now: datetime) -> float:
    """The best decayed reliability among the customer's current source records."""
    sr, b, s = source_records.c, import_batches.c, sources.c
    rows = conn.execute(
        select(func.max(b.data_as_of), s.reliability, s.half_life_days)
        .select_from(source_records)
        .join(import_batches, b.id == sr.batch_id)
        .join(sources, s.id == sr.source_id)
        .where(sr.customer_id == customer_id, sr.kind == "customers", sr.is_current)
        .group_by(s.id, s.reliability, s.half_life_days)
    ).all()
    best = 0.0
    for when, reliability, half_life in rows:
        if when.tzinfo is None:  # an aggregate: SQLite gives naive UTC
            when = when.replace(tzinfo=UTC)
        best = max(best, decayed_reliability(reliability, half_life, when, now))
    return best
