"""Merge two customers into one, and undo it exactly.

A merge moves every row that belongs to the merged customer (its source records, contact
points, consent history, orders, interactions, ...) to the survivor, marks the merged customer
``merged`` with a pointer to the survivor (its id keeps working: readers follow the pointer),
rebuilds the survivor's golden record by survivorship, and records in ``customer_merges`` the
id of every row it moved and both golden records as they were. Consent merges as "most
restrictive wins": where either customer had denied a channel, the survivor ends denied.

An unmerge moves exactly those rows back (and the newer versions of the records that came from
the merged customer), removes the consent rows the merge added, reactivates the merged
customer and restores both golden records. It also records the pair as reviewed and rejected,
so matching never merges them again on its own.

Both run inside the caller's transaction, holding the customer-links lock (see
patron.store.locks) so no import chunk interleaves, and both are audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)

from patron.core import ConflictError, NotFoundError, utcnow
from patron.golden import (
    Consents,
    golden_snapshot,
    latest_consents,
    load_candidates,
    recompute_golden,
    restore_snapshot,
    survive,
    write_golden,
)
from patron.store import (
    allocate_ids,
    chunked,
    hold_customer_links,
    record_audit,
    record_audits,
)
from patron.store.schema import (
    consents,
    contact_points,
    customer_merges,
    customers,
    household_members,
    interactions,
    match_reviews,
    orders,
    source_records,
)

# Tables whose rows belong to a customer and follow it into a merge. A table added later with
# a customer_id (segment memberships, messages, CRM records) must be listed here or in
# CUSTOMER_HISTORY: a test checks every foreign key to customers is accounted for.
MOVED_WITH_CUSTOMER: tuple[Table, ...] = (
    source_records,
    contact_points,
    consents,
    orders,
    interactions,
)
# Tables that name customers as history (what was proposed, merged or decided): never moved.
# Analytics scores are recomputed for survivors by the next `patron analyze`.
CUSTOMER_HISTORY = (
    "customers",
    "customer_merges",
    "match_reviews",
    "household_members",
    "customer_scores",
)


@dataclass(frozen=True)
class MergeRecord:
    id: int
    survivor_id: int
    merged_id: int
    match_probability: float | None
    match_weight: float | None
    reason: str
    actor: str
    merged_at: datetime
    undone_at: datetime | None
    undone_by: str | None
    moved: dict[str, list[int]]


@dataclass(frozen=True)
class PlannedMerge:
    """One merge to make: ``merged_id`` into ``survivor_id``, with why and the match score."""

    survivor_id: int
    merged_id: int
    reason: str
    probability: float | None = None
    weight: float | None = None


def merge_customers(
    conn: Connection,
    survivor_id: int,
    merged_id: int,
    *,
    actor: str,
    reason: str,
    probability: float | None = None,
    weight: float | None = None,
    run_id: int | None = None,
    at: datetime | None = None,
) -> int:
    """Merge ``merged_id`` into ``survivor_id``; returns the merge's id."""
    planned = PlannedMerge(survivor_id, merged_id, reason, probability, weight)
    return merge_many(conn, [planned], actor=actor, run_id=run_id, at=at)[0]


def merge_many(
    conn: Connection,
    plan: Sequence[PlannedMerge],
    *,
    actor: str,
    run_id: int | None = None,
    at: datetime | None = None,
) -> list[int]:
    """Make many merges in one pass (a matching run makes thousands); returns their ids.

    The result is the same as merging one after the other, in the plan's order: each merge
    keeps its own undo record (the survivor's golden record as it was just before it). A
    customer may appear once as merged and never both as merged and as a survivor.
    """
    if not plan:
        return []
    now = at or utcnow()
    hold_customer_links(conn, exclusive=True)
    merged_ids = [m.merged_id for m in plan]
    survivors = {m.survivor_id for m in plan}
    for m in plan:
        if m.survivor_id == m.merged_id:
            raise ConflictError(f"customer {m.survivor_id} cannot be merged into itself")
    if len(set(merged_ids)) != len(merged_ids) or survivors & set(merged_ids):
        raise ValueError("a batch of merges must merge each customer once, into a survivor")
    involved = sorted(survivors | set(merged_ids))
    rows = _lock_customers(conn, involved)
    for cid in involved:
        if cid not in rows:
            raise NotFoundError(f"no customer {cid}")
        if rows[cid].status != "active":
            into = rows[cid].merged_into_id
            raise ConflictError(
                f"customer {cid} is {rows[cid].status}"
                + (f" (into customer {into})" if into else ""),
                hint=f"merge with customer {into} instead" if into else None,
            )
    records = _current_records_of(conn, involved)
    consent = latest_consents(conn, involved)
    candidates = load_candidates(conn, involved, now)
    households = _households_of(conn, merged_ids)
    moved = {str(t.name): _rows_of(conn, t, merged_ids) for t in MOVED_WITH_CUSTOMER}
    merge_ids = allocate_ids(conn, customer_merges, len(plan))
    # Walk the plan in order per survivor, keeping each survivor's state as it would be after
    # each merge: its golden record, records and consent.
    golden = {cid: golden_snapshot(rows[cid]._mapping) for cid in involved}
    lineage = {cid: dict(rows[cid].lineage or {}) for cid in involved}
    pool = {cid: list(candidates[cid]) for cid in survivors}
    merge_rows: list[dict[str, Any]] = []
    added_consents: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    final: dict[int, dict[str, Any]] = {}
    for merge_id, m in zip(merge_ids, plan, strict=True):
        s, x = m.survivor_id, m.merged_id
        before: dict[str, Any] = {
            "survivor": golden[s],
            "merged": golden[x],
            "survivor_records": records[s],
            "merged_records": records[x],
        }
        if x in households:
            before["household_id"] = households[x]
        denials = _most_restrictive(consent.get(s, {}), consent.get(x, {}))
        # Placeholder ids (negative) until the batch knows how many rows to allocate.
        added_ids = [-(len(added_consents) + i + 1) for i in range(len(denials))]
        for cid, (channel, purpose) in zip(added_ids, denials, strict=True):
            added_consents.append(
                {
                    "id": cid, "customer_id": s, "channel": channel, "purpose": purpose,
                    "status": "denied", "recorded_at": now,
                    "origin": f"merge #{merge_id}: the most restrictive of customers {s} and {x}",
                }
            )  # fmt: skip
        consent[s] = _combined_consent(consent.get(s, {}), consent.get(x, {}), added_ids, now)
        moved_here = {name: by_owner.get(x, []) for name, by_owner in moved.items()}
        moved_here["consents_added"] = added_ids
        pool[s] += candidates[x]
        records[s] = sorted(records[s] + records[x])
        # Manual overrides of either customer stay overrides.
        lineage[s] = {**lineage[x], **lineage[s]}
        values = survive(pool[s], lineage[s]) if pool[s] else None
        if values is not None:
            final[s] = values
            lineage[s] = dict(values["lineage"] or {})
            golden[s] = golden_snapshot(values)
        merge_rows.append(
            {
                "id": merge_id, "survivor_id": s, "merged_id": x,
                "match_probability": m.probability, "match_weight": m.weight,
                "reason": m.reason, "run_id": run_id, "actor": actor, "merged_at": now,
                "moved": moved_here, "before": before,
            }
        )  # fmt: skip
        audits.append(
            {
                "actor": actor, "action": "customer.merged", "target_type": "customer",
                "target_id": s,
                "details": {
                    "merge": merge_id, "merged": x, "reason": m.reason,
                    "match_probability": m.probability, "match_weight": m.weight,
                    "moved": {name: len(ids) for name, ids in moved_here.items()},
                },
            }
        )  # fmt: skip
    real_ids = allocate_ids(conn, consents, len(added_consents))
    for row in merge_rows:
        row["moved"]["consents_added"] = [real_ids[-i - 1] for i in row["moved"]["consents_added"]]
    for row, real in zip(added_consents, real_ids, strict=True):
        row["id"] = real
    for table in MOVED_WITH_CUSTOMER:
        pairs = [
            {"b_survivor": m.survivor_id, "b_merged": m.merged_id}
            for m in plan
            if moved[str(table.name)].get(m.merged_id)
        ]
        if pairs:
            conn.execute(
                update(table)
                .where(table.c.customer_id == bindparam("b_merged"))
                .values(customer_id=bindparam("b_survivor")),
                pairs,
            )
    _insert_many(conn, consents, added_consents)
    if households:
        _in_chunks(
            conn, delete(household_members), household_members.c.customer_id, list(households)
        )
    conn.execute(
        update(customers)
        .where(customers.c.id == bindparam("b_id"))
        .values(
            status="merged",
            merged_into_id=bindparam("b_into"),
            version=customers.c.version + 1,
            updated_at=now,
        ),
        [{"b_id": m.merged_id, "b_into": m.survivor_id} for m in plan],
    )
    write_golden(conn, final, now)
    _insert_many(conn, customer_merges, merge_rows)
    record_audits(conn, audits)
    return merge_ids


def unmerge(
    conn: Connection,
    merge_id: int,
    *,
    actor: str,
    reason: str = "",
    at: datetime | None = None,
) -> MergeRecord:
    """Undo a merge: the merged customer comes back with its rows and golden record."""
    now = at or utcnow()
    hold_customer_links(conn, exclusive=True)
    record = get_merge(conn, merge_id)
    if record.undone_at is not None:
        raise ConflictError(
            f"merge #{merge_id} was already undone at {record.undone_at:%Y-%m-%d %H:%M} by "
            f"{record.undone_by}"
        )
    survivor, merged = record.survivor_id, record.merged_id
    rows = _lock_customers(conn, [survivor, merged])
    if rows[survivor].status != "active":
        later = _merge_absorbing(conn, survivor)
        raise ConflictError(
            f"customer {survivor} has since been merged into customer "
            f"{rows[survivor].merged_into_id}",
            hint=f"undo merge #{later} first" if later else None,
        )
    before: dict[str, Any] = dict(
        conn.execute(
            select(customer_merges.c.before).where(customer_merges.c.id == merge_id)
        ).scalar_one()
    )
    moved = record.moved
    for table in MOVED_WITH_CUSTOMER:
        _set_owner(conn, table, moved.get(table.name, []), merged, only_from=survivor)
    _return_newer_versions(conn, moved.get("source_records", []), survivor, merged)
    added = moved.get("consents_added", [])
    for part in chunked(added):
        conn.execute(delete(consents).where(consents.c.id.in_(part)))
    if before.get("household_id") is not None:
        conn.execute(
            insert(household_members).values(
                customer_id=merged, household_id=before["household_id"], since=now
            )
        )
    conn.execute(
        update(customers)
        .where(customers.c.id == merged)
        .values(status="active", merged_into_id=None, updated_at=now)
    )
    for cid, key in ((survivor, "survivor"), (merged, "merged")):
        if _current_records(conn, cid) == before[f"{key}_records"]:
            conn.execute(
                update(customers)
                .where(customers.c.id == cid)
                .values(
                    **restore_snapshot(before[key]),
                    version=customers.c.version + 1,
                    updated_at=now,
                )
            )
        else:  # records arrived or changed since the merge: decide afresh
            recompute_golden(conn, [cid], at=now)
    conn.execute(
        update(customer_merges)
        .where(customer_merges.c.id == merge_id)
        .values(undone_at=now, undone_by=actor, undo_reason=reason or None)
    )
    _keep_apart(conn, survivor, merged, merge_id, actor, now, record.match_probability)
    record_audit(
        conn,
        actor=actor,
        action="customer.unmerged",
        target_type="customer",
        target_id=survivor,
        details={"merge": merge_id, "restored": merged, "reason": reason},
    )
    return get_merge(conn, merge_id)


def get_merge(conn: Connection, merge_id: int) -> MergeRecord:
    m = customer_merges.c
    row = conn.execute(select(customer_merges).where(m.id == merge_id)).first()
    if row is None:
        raise NotFoundError(
            f"no merge #{merge_id}", hint="list merges with `patron identity show ID`"
        )
    return _record(row)


def merges_of(conn: Connection, customer_id: int) -> list[MergeRecord]:
    """Every merge a customer took part in, oldest first."""
    m = customer_merges.c
    query = (
        select(customer_merges)
        .where(or_(m.survivor_id == customer_id, m.merged_id == customer_id))
        .order_by(m.id)
    )
    return [_record(r) for r in conn.execute(query)]


def _record(row: Any) -> MergeRecord:
    return MergeRecord(
        int(row.id),
        int(row.survivor_id),
        int(row.merged_id),
        row.match_probability,
        row.match_weight,
        row.reason,
        row.actor,
        row.merged_at,
        row.undone_at,
        row.undone_by,
        {k: [int(i) for i in v] for k, v in (row.moved or {}).items()},
    )


def _lock_customers(conn: Connection, ids: list[int]) -> dict[int, Any]:
    query = select(customers).where(customers.c.id.in_(ids)).order_by(customers.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return {int(r.id): r for r in conn.execute(query)}


def _current_records(conn: Connection, customer_id: int) -> list[int]:
    sr = source_records.c
    query = (
        select(sr.id)
        .where(sr.customer_id == customer_id, sr.kind == "customers", sr.is_current)
        .order_by(sr.id)
    )
    return [int(r[0]) for r in conn.execute(query)]


def _set_owner(
    conn: Connection, table: Table, ids: list[int], owner: int, *, only_from: int | None = None
) -> None:
    for part in chunked(ids):
        condition: ColumnElement[bool] = table.c.id.in_(part)
        if only_from is not None:  # rows a later merge or unmerge moved elsewhere stay there
            condition = and_(condition, table.c.customer_id == only_from)
        conn.execute(update(table).where(condition).values(customer_id=owner))


def _return_newer_versions(
    conn: Connection, moved_records: list[int], survivor: int, merged: int
) -> None:
    """Records that came from the merged customer and were re-imported while merged: their
    newer versions (and the contact points and consents those brought) go back with them."""
    sr = source_records.c
    keys: set[tuple[int, str, str]] = set()
    for part in chunked(moved_records):
        keys.update(
            (int(r.source_id), r.kind, r.source_key)
            for r in conn.execute(
                select(sr.source_id, sr.kind, sr.source_key).where(sr.id.in_(part))
            )
        )
    newer: list[int] = []
    moved = set(moved_records)
    for source_id, kind, key in sorted(keys):
        newer += [
            int(r[0])
            for r in conn.execute(
                select(sr.id).where(
                    sr.source_id == source_id,
                    sr.kind == kind,
                    sr.source_key == key,
                    sr.customer_id == survivor,
                )
            )
            if int(r[0]) not in moved
        ]
    _set_owner(conn, source_records, newer, merged, only_from=survivor)
    for table in (contact_points, consents):
        for part in chunked(newer):
            conn.execute(
                update(table)
                .where(
                    table.c.source_record_id.in_(part),
                    table.c.customer_id == survivor,
                )
                .values(customer_id=merged)
            )


def _most_restrictive(mine: Consents, theirs: Consents) -> list[tuple[str, str]]:
    """(channel, purpose) where either customer had denied but the newer of the two statuses
    is a grant: the merged customer must end denied there."""
    out = []
    for key in sorted(set(mine) | set(theirs)):
        states = [s for s in (mine.get(key), theirs.get(key)) if s is not None]
        newest = max(states, key=lambda s: (s[1], s[2]))
        if newest[0] != "denied" and any(s[0] == "denied" for s in states):
            out.append(key)
    return out


def _combined_consent(
    mine: Consents, theirs: Consents, added: list[int], now: datetime
) -> Consents:
    """The survivor's newest consent per channel and purpose after a merge."""
    out: Consents = {}
    for key in set(mine) | set(theirs):
        states = [s for s in (mine.get(key), theirs.get(key)) if s is not None]
        out[key] = max(states, key=lambda s: (s[1], s[2]))
    for key, consent_id in zip(_most_restrictive(mine, theirs), added, strict=True):
        out[key] = ("denied", now, consent_id)
    return out


def _current_records_of(conn: Connection, customer_ids: list[int]) -> dict[int, list[int]]:
    sr = source_records.c
    out: dict[int, list[int]] = {cid: [] for cid in customer_ids}
    for part in chunked(customer_ids):
        query = select(sr.id, sr.customer_id).where(
            sr.customer_id.in_(part),
            sr.kind == "customers",
            sr.is_current,
        )
        for rid, cid in conn.execute(query):
            out[int(cid)].append(int(rid))
    return {cid: sorted(ids) for cid, ids in out.items()}


def _rows_of(conn: Connection, table: Table, customer_ids: list[int]) -> dict[int, list[int]]:
    """The ids of a table's rows per owning customer."""
    out: dict[int, list[int]] = {}
    for part in chunked(customer_ids):
        query = (
            select(table.c.id, table.c.customer_id)
            .where(table.c.customer_id.in_(part))
            .order_by(table.c.id)
        )
        for rid, cid in conn.execute(query):
            out.setdefault(int(cid), []).append(int(rid))
    return out


def _households_of(conn: Connection, customer_ids: list[int]) -> dict[int, int]:
    hm = household_members.c
    out: dict[int, int] = {}
    for part in chunked(customer_ids):
        query = select(hm.customer_id, hm.household_id).where(hm.customer_id.in_(part))
        out.update((int(c), int(h)) for c, h in conn.execute(query))
    return out


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for part in chunked(rows, 1000):
        conn.execute(insert(table), part)


def _in_chunks(conn: Connection, statement: Any, column: Any, ids: list[int]) -> None:
    for part in chunked(ids):
        conn.execute(statement.where(column.in_(part)))


def _merge_absorbing(conn: Connection, customer_id: int) -> int | None:
    m = customer_merges.c
    return conn.execute(
        select(m.id).where(m.merged_id == customer_id, m.undone_at.is_(None)).order_by(m.id.desc())
    ).scalar()


def _keep_apart(
    conn: Connection,
    survivor: int,
    merged: int,
    merge_id: int,
    actor: str,
    now: datetime,
    probability: float | None,
) -> None:
    """Record the two customers as a rejected pair, so matching does not merge them again."""
    left, right = _current_records(conn, survivor), _current_records(conn, merged)
    if not left or not right:
        return
    a, b = sorted((left[0], right[0]))
    r = match_reviews.c
    decided = {
        "status": "rejected",
        "decided_at": now,
        "decided_by": actor,
        "note": f"unmerged (merge #{merge_id})",
    }
    changed = conn.execute(
        update(match_reviews).where(r.record_l == a, r.record_r == b).values(**decided)
    ).rowcount
    if not changed:
        owner = {left[0]: survivor, right[0]: merged}
        conn.execute(
            insert(match_reviews).values(
                record_l=a,
                record_r=b,
                customer_l=owner[a],
                customer_r=owner[b],
                match_probability=probability if probability is not None else 0.0,
                match_weight=0.0,
                evidence={},
                created_at=now,
                **decided,
            )
        )
