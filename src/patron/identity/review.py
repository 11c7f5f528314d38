"""The review queue: pairs of records matching could not decide, for a person to decide.

Accepting a pair merges the two customers (an audited merge, undoable like any other);
rejecting it keeps them apart for good: matching never merges customers a person rejected.
Decisions are kept, and the labelled pairs can calibrate the matching model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, func, select, update

from patron.core import ConflictError, InputError, NotFoundError, utcnow
from patron.identity.merge import merge_customers
from patron.store import chunked, record_audit
from patron.store.schema import customers, match_reviews, source_records, sources

Decision = Literal["accept", "reject"]
STATUSES = ("pending", "accepted", "rejected", "superseded")


@dataclass(frozen=True)
class ReviewSide:
    record_id: int
    source: str
    source_key: str
    customer_id: int  # the customer the record belongs to now
    full_name: str | None


@dataclass(frozen=True)
class ReviewItem:
    id: int
    status: str
    match_probability: float
    match_weight: float
    left: ReviewSide
    right: ReviewSide
    evidence: list[dict[str, Any]]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    merge_id: int | None


def list_reviews(
    conn: Connection, *, status: str = "pending", limit: int = 50, offset: int = 0
) -> tuple[list[ReviewItem], int]:
    """Reviews in a status, most likely matches first; returns (page, total in that status)."""
    if status not in STATUSES:
        raise InputError(
            f"unknown review status {status!r}", field="status", hint=", ".join(STATUSES)
        )
    r = match_reviews.c
    total = int(conn.execute(select(func.count()).where(r.status == status)).scalar_one())
    query = (
        select(match_reviews)
        .where(r.status == status)
        .order_by(r.match_probability.desc(), r.id)
        .limit(limit)
        .offset(offset)
    )
    rows = conn.execute(query).all()
    sides = _sides(conn, {i for row in rows for i in (row.record_l, row.record_r)})
    return [_item(row, sides) for row in rows], total


def get_review(conn: Connection, review_id: int) -> ReviewItem:
    row = conn.execute(select(match_reviews).where(match_reviews.c.id == review_id)).first()
    if row is None:
        raise NotFoundError(
            f"no review #{review_id}", hint="list them with `patron identity review --list`"
        )
    return _item(row, _sides(conn, {row.record_l, row.record_r}))


def decide(
    conn: Connection, review_id: int, decision: Decision, *, actor: str, note: str = ""
) -> ReviewItem:
    """Accept (merge the two customers) or reject (keep them apart) a pending pair."""
    if decision not in ("accept", "reject"):
        raise InputError(f"decision {decision!r}", field="decision", hint="accept or reject")
    item = get_review(conn, review_id)
    if item.status != "pending":
        raise ConflictError(
            f"review #{review_id} is {item.status}"
            + (f" (by {item.decided_by})" if item.decided_by else ""),
            hint="only pending pairs can be decided",
        )
    now = utcnow()
    merge_id = None
    together = item.left.customer_id == item.right.customer_id
    if decision == "reject" and together:
        raise ConflictError(
            f"the two records of review #{review_id} already belong to customer "
            f"{item.left.customer_id}",
            hint=f"to separate them, undo the merge: `patron identity unmerge "
            f"{item.left.customer_id}`",
        )
    if decision == "accept" and not together:  # together: merged meanwhile; still recorded
        a, b = sorted((item.left.customer_id, item.right.customer_id))
        if a != b:
            merge_id = merge_customers(
                conn, a, b, actor=actor,
                reason=f"review #{review_id} accepted" + (f": {note}" if note else ""),
                probability=item.match_probability, weight=item.match_weight,
            )  # fmt: skip
    conn.execute(
        update(match_reviews)
        .where(match_reviews.c.id == review_id, match_reviews.c.status == "pending")
        .values(
            status="accepted" if decision == "accept" else "rejected",
            decided_at=now,
            decided_by=actor,
            note=note or None,
            merge_id=merge_id,
        )
    )
    if merge_id is not None:
        supersede_joined(conn)  # other pending pairs of these two customers need no decision
    if decision == "reject":
        record_audit(
            conn,
            actor=actor,
            action="match.rejected",
            target_type="customer",
            target_id=item.left.customer_id,
            details={
                "review": review_id,
                "other": item.right.customer_id,
                "match_probability": item.match_probability,
                "note": note,
            },
        )
    return get_review(conn, review_id)


def supersede_joined(conn: Connection) -> int:
    """Mark pending pairs whose two records now belong to one customer as superseded."""
    r = match_reviews.c
    left, right = source_records.alias("l"), source_records.alias("r")
    joined = (
        select(r.id)
        .join(left, left.c.id == r.record_l)
        .join(right, right.c.id == r.record_r)
        .where(r.status == "pending", left.c.customer_id == right.c.customer_id)
    )
    ids = [int(i) for i in conn.execute(joined).scalars()]
    for part in chunked(ids):
        conn.execute(update(match_reviews).where(r.id.in_(part)).values(status="superseded"))
    return len(ids)


def decided_scores(conn: Connection) -> list[tuple[float, bool]]:
    """(match probability when queued, accepted?) of every pair a person decided."""
    r = match_reviews.c
    # Unmerges count too: they are rejections of pairs matching had merged on its own.
    query = select(r.match_probability, r.status).where(
        r.status.in_(("accepted", "rejected")), r.decided_by.is_not(None)
    )
    return [(float(p), s == "accepted") for p, s in conn.execute(query)]


def calibrated_threshold(
    decisions: Sequence[tuple[float, bool]],
    default: float,
    *,
    floor: float,
    precision: float = 0.99,
    min_decisions: int = 30,
) -> float:
    """The merge threshold people's decisions support: the lowest match probability above
    which at least ``precision`` of the (at least ``min_decisions``) decided pairs were
    accepted, if that is below ``default``; never below ``floor``.

    Decisions are the labelled sample that calibrates the model's probabilities: where people
    accept 99% of pairs scoring 0.9, merging at 0.9 is as safe as the default. They are not
    used to re-estimate the model itself: reviewed pairs are the doubtful ones, a sample
    skewed towards partial agreement."""
    best = default
    accepted = 0
    for seen, (probability, ok) in enumerate(sorted(decisions, reverse=True), start=1):
        accepted += ok
        if seen >= min_decisions and accepted / seen >= precision:
            best = min(best, probability)
    return max(best, floor)


def labelled_pairs(conn: Connection) -> list[tuple[int, int, float]]:
    """(record, record, 1.0 accepted / 0.0 rejected) for pairs people decided."""
    r = match_reviews.c
    query = select(r.record_l, r.record_r, r.status).where(
        r.status.in_(("accepted", "rejected")), r.decided_by.is_not(None)
    )
    return [(int(a), int(b), 1.0 if s == "accepted" else 0.0) for a, b, s in conn.execute(query)]


def _sides(conn: Connection, record_ids: set[int]) -> dict[int, ReviewSide]:
    sr = source_records.c
    query = (
        select(sr.id, sources.c.name, sr.source_key, sr.customer_id, customers.c.full_name)
        .join(sources, sources.c.id == sr.source_id)
        .join(customers, customers.c.id == sr.customer_id)
        .where(sr.id.in_(sorted(record_ids)))
    )
    return {
        int(r.id): ReviewSide(int(r.id), r.name, r.source_key, int(r.customer_id), r.full_name)
        for r in conn.execute(query)
    }


def _item(row: Any, sides: dict[int, ReviewSide]) -> ReviewItem:
    return ReviewItem(
        int(row.id),
        row.status,
        float(row.match_probability),
        float(row.match_weight),
        sides[int(row.record_l)],
        sides[int(row.record_r)],
        list(row.evidence or []),
        row.created_at,
        row.decided_at,
        row.decided_by,
        row.note,
        None if row.merge_id is None else int(row.merge_id),
    )
