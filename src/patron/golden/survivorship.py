"""Survivorship: which source record each field of a golden record comes from.

A customer made of several source records (after a merge, or a person's edit on top of an
import) shows one value per field. Fields that belong together (the parts of a name, the parts
of an address) are taken from one record, so a name never mixes two spellings. Per group, the
rules are tried in order and the first that separates the candidates decides:

- ``manual``: a person's edit (lineage points at a record of the manual source) always wins;
- ``trusted``: the record whose batch is most reliable today (reliability decays with age);
- ``freshest``: the record with the newest data (its batch's ``data_as_of``);
- ``frequent``: the value most records agree on;
- ``longest``: the longest value.

Ties fall through to the next rule, then to reliability, freshness and finally the newest record.
Consent is not a golden field: it merges as "most restrictive wins" (see patron.identity.merge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from patron.core import utcnow
from patron.golden.fields import GOLDEN_COLUMNS, golden_values
from patron.store.bulk import chunked
from patron.store.reliability import decayed_reliability
from patron.store.schema import customers, import_batches, source_records, sources

# People's own entries (web app, API) are records of this source (see patron.ingest.manual).
MANUAL_SOURCE = "patron"

# Columns that must come from one record, keyed by the group's leading column.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("full_name", "given_name", "family_name", "name_key"),
    "gender": ("gender",),
    "birth_date": ("birth_date",),
    "company": ("company",),
    "member_tier": ("member_tier",),
    "location": ("province", "city", "district", "postcode"),
    "primary_email": ("primary_email",),
    "primary_phone": ("primary_phone",),
}
Rule = str  # trusted | freshest | frequent | longest
RULES: tuple[Rule, ...] = ("trusted", "freshest", "frequent", "longest")
# Names and e-mails from the most trusted source; what changes over a life (address, phone,
# tier) from the newest data; what a typo can spoil (birth date, gender) by majority.
DEFAULT_RULES: dict[str, tuple[Rule, ...]] = {
    "name": ("trusted", "frequent"),
    "gender": ("frequent", "trusted"),
    "birth_date": ("frequent", "trusted"),
    "company": ("trusted", "longest"),
    "member_tier": ("freshest",),
    "location": ("freshest", "trusted"),
    "primary_email": ("trusted", "freshest"),
    "primary_phone": ("freshest", "trusted"),
}


@dataclass(frozen=True)
class Candidate:
    """One current source record of a customer, with what survivorship weighs."""

    record_id: int
    source: str
    values: dict[str, Any]  # golden_values of the record
    reliability: float  # decayed to now
    data_as_of: datetime

    @property
    def manual(self) -> bool:
        return self.source == MANUAL_SOURCE

    def group(self, name: str) -> tuple[Any, ...]:
        return tuple(self.values.get(c) for c in FIELD_GROUPS[name])


def survive(
    candidates: Sequence[Candidate],
    lineage: Mapping[str, Any] | None = None,
    rules: Mapping[str, Sequence[Rule]] | None = None,
) -> dict[str, Any]:
    """The golden values of one customer from its records, with ``lineage`` (column → record
    id). ``lineage`` is the customer's current lineage: manual overrides in it are kept."""
    if not candidates:
        raise ValueError("survivorship needs at least one record")
    imported = [c for c in candidates if not c.manual] or list(candidates)
    if len(candidates) == 1:
        return golden_values_of(candidates[0])
    overrides = _manual_overrides(candidates, lineage or {})
    chosen_rules = {**DEFAULT_RULES, **(rules or {})}
    out: dict[str, Any] = {}
    new_lineage: dict[str, int] = {}
    for group, columns in FIELD_GROUPS.items():
        winner = overrides.get(group) or _pick(imported, group, chosen_rules[group])
        if winner is None:
            out.update(dict.fromkeys(columns))
            continue
        for column in columns:
            out[column] = winner.values.get(column)
            new_lineage[column] = winner.record_id
    attributes: dict[str, Any] = {}
    # Less trusted first, so the most trusted record's attribute values are the ones that stay.
    for c in sorted(imported, key=_rank):
        attributes.update(c.values.get("attributes") or {})
    out["attributes"] = attributes or None
    if attributes:
        new_lineage["attributes"] = max(imported, key=_rank).record_id
    out["lineage"] = new_lineage
    return out


def golden_values_of(candidate: Candidate) -> dict[str, Any]:
    values = {c: candidate.values.get(c) for c in GOLDEN_COLUMNS}
    values["lineage"] = {"*": candidate.record_id}
    return values


def _rank(c: Candidate) -> tuple[float, datetime, int]:
    return (c.reliability, c.data_as_of, c.record_id)


def _pick(candidates: Sequence[Candidate], group: str, rules: Sequence[Rule]) -> Candidate | None:
    lead = FIELD_GROUPS[group][0]
    pool = [c for c in candidates if c.values.get(lead) not in (None, "")]
    for rule in rules:
        if len(pool) <= 1:
            break
        pool = _apply(rule, pool, group)
    return max(pool, key=_rank) if pool else None


def _apply(rule: Rule, pool: list[Candidate], group: str) -> list[Candidate]:
    """The candidates the rule keeps (all that tie for best)."""
    if rule == "trusted":
        best = max(round(c.reliability, 9) for c in pool)
        return [c for c in pool if round(c.reliability, 9) == best]
    if rule == "freshest":
        newest = max(c.data_as_of for c in pool)
        return [c for c in pool if c.data_as_of == newest]
    if rule == "frequent":
        counts = Counter(c.group(group) for c in pool)
        top = max(counts.values())
        return [c for c in pool if counts[c.group(group)] == top]
    if rule == "longest":
        length = {id(c): len(str(c.values.get(FIELD_GROUPS[group][0]) or "")) for c in pool}
        longest = max(length.values())
        return [c for c in pool if length[id(c)] == longest]
    raise ValueError(f"unknown survivorship rule {rule!r} (one of {', '.join(RULES)})")


def _manual_overrides(
    candidates: Sequence[Candidate], lineage: Mapping[str, Any]
) -> dict[str, Candidate]:
    """Groups whose lineage points at a person's entry that is still one of the records."""
    manual = {c.record_id: c for c in candidates if c.manual}
    out: dict[str, Candidate] = {}
    for group, columns in FIELD_GROUPS.items():
        rid = lineage.get(columns[0])
        if rid in manual:
            out[group] = manual[rid]
    return out


def load_candidates(
    conn: Connection, customer_ids: Iterable[int], at: datetime | None = None
) -> dict[int, list[Candidate]]:
    """Each customer's current customer records as survivorship candidates."""
    at = at or utcnow()
    sr, b = source_records.c, import_batches.c
    ids = sorted(set(customer_ids))
    out: dict[int, list[Candidate]] = {i: [] for i in ids}
    for part in chunked(ids):
        query = (
            select(
                sr.id,
                sr.customer_id,
                sr.parsed,
                sources.c.name,
                b.reliability,
                b.half_life_days,
                b.data_as_of,
            )
            .join(import_batches, b.id == sr.batch_id)
            .join(sources, sources.c.id == sr.source_id)
            .where(
                sr.customer_id.in_(part),
                sr.kind == "customers",
                sr.is_current,
            )
            .order_by(sr.id)
        )
        for r in conn.execute(query):
            out[int(r.customer_id)].append(
                Candidate(
                    int(r.id),
                    r.name,
                    golden_values(r.parsed, int(r.id)),
                    decayed_reliability(r.reliability, r.half_life_days, r.data_as_of, at),
                    r.data_as_of,
                )
            )
    return out


def recompute_golden(
    conn: Connection,
    customer_ids: Iterable[int],
    *,
    at: datetime | None = None,
    rules: Mapping[str, Sequence[Rule]] | None = None,
) -> dict[int, dict[str, Any]]:
    """Set each customer's golden record from its current records; returns the new values.
    Customers without a current record keep theirs."""
    now = at or utcnow()
    candidates = load_candidates(conn, customer_ids, now)
    lineages = {
        int(r.id): r.lineage
        for r in conn.execute(
            select(customers.c.id, customers.c.lineage).where(customers.c.id.in_(list(candidates)))
        )
    }
    out = {
        cid: survive(records, lineages.get(cid), rules)
        for cid, records in candidates.items()
        if records
    }
    write_golden(conn, out, now)
    return out


_GOLDEN_UPDATE = (
    update(customers)
    .where(customers.c.id == bindparam("b_id"))
    .values(
        {
            **{c: bindparam(f"b_{c}") for c in (*GOLDEN_COLUMNS, "lineage")},
            "version": customers.c.version + 1,
            "updated_at": bindparam("b_updated_at"),
        }
    )
)


def write_golden(conn: Connection, values: Mapping[int, Mapping[str, Any]], at: datetime) -> None:
    """Write golden records (survive's output per customer id) in one batched statement."""
    rows = [
        {
            "b_id": cid,
            "b_updated_at": at,
            **{f"b_{c}": v.get(c) for c in (*GOLDEN_COLUMNS, "lineage")},
        }
        for cid, v in values.items()
    ]
    for part in chunked(rows, 1000):
        conn.execute(_GOLDEN_UPDATE, part)


def golden_snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """Golden columns and lineage (of a customer row's mapping, or of ``survive``'s output)
    as JSON-ready values, for undo records."""
    out: dict[str, Any] = {}
    for column in (*GOLDEN_COLUMNS, "lineage"):
        value = values[column]
        out[column] = value.isoformat() if isinstance(value, date) else value
    return out


def restore_snapshot(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """Column values from :func:`golden_snapshot`."""
    values = dict(snapshot)
    if values.get("birth_date"):
        values["birth_date"] = date.fromisoformat(values["birth_date"])
    return values
