"""`patron unify`: match the store's customer records and act on it.

A run reads every current customer record, scores candidate pairs, then:
1. joins customers linked by pairs at or above ``high`` (transitively, strongest pairs first,
   never across a pair a person rejected or an unmerge separated), each cluster keeping its
   oldest customer id, and merges the others into it, one audited, undoable merge each;
2. queues pairs between ``low`` and ``high`` whose customers are still apart for review, with
   their field-by-field evidence (each pair once: a decided pair is never asked again);
3. links households: customers at the same address with the same family name.

The first run, and ``full=True``, trains the model on all records. Later runs are incremental:
they load the last run's model and score only records loaded since that run (against each other
and against all existing records), so a batch of new records costs seconds, not a re-training.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update

from patron.core import ConflictError, get_settings, utcnow
from patron.identity.customer_model import customer_spec
from patron.identity.engine import DuckDBLimits, LinkageModel, LinkageSpec
from patron.identity.evidence import field_levels, pair_evidence
from patron.identity.merge import PlannedMerge, merge_many
from patron.identity.proposal import DEFAULT_HIGH, DEFAULT_LOW
from patron.identity.records import match_records
from patron.identity.review import calibrated_threshold, decided_scores, supersede_joined
from patron.identity.runs import RunHeartbeat, get_run, last_model, start_run
from patron.identity.xref import CrossReference, cross_reference_pairs
from patron.store import Store, chunked
from patron.store.schema import (
    household_members,
    households,
    match_reviews,
    match_runs,
    source_records,
)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
MERGES_PER_TRANSACTION = 2000
# Input columns shown as evidence for comparisons that read more than their own column.
EVIDENCE_COLUMNS = {"name_tokens": ("name_tokens",), "address": ("address", "postcode", "city")}


@dataclass
class UnifyReport:
    run_id: int
    mode: str  # full | incremental
    records: int  # current customer records
    new_records: int  # records scored this run (all of them in a full run)
    pairs: int  # scored pairs at or above low
    merges: int
    reviews: int  # pairs newly queued for review
    households: int
    seconds: float
    high: float = DEFAULT_HIGH  # the merge threshold the run used


def unify(
    store: Store,
    *,
    full: bool = False,
    high: float | None = None,
    low: float = DEFAULT_LOW,
    actor: str = "cli",
    spec: LinkageSpec | None = None,
    limits: DuckDBLimits | None = None,
    progress: Progress | None = None,
    run_id: int | None = None,
    cross_references: Sequence[str] | None = None,
) -> UnifyReport:
    """Match, merge, queue reviews and link households; see the module docstring. Raises
    ConflictError while another run is running. ``run_id``: carry on a run recorded with
    ``start_run`` (its mode and thresholds apply), as the web app does to answer at once.
    ``high`` not given: DEFAULT_HIGH, lowered where people's review decisions show it safe
    (see ``calibrated_threshold``). ``cross_references``: interaction payload paths naming
    another source's record (``patron.identity.xref``); default from the settings."""
    started = time.perf_counter()
    spec = spec or customer_spec()
    limits = limits or DuckDBLimits()
    with store.begin() as conn:
        if high is None:
            high = calibrated_threshold(decided_scores(conn), DEFAULT_HIGH, floor=low)
        if run_id is None:
            run = start_run(conn, full=full, high=high, low=low, actor=actor)
        else:
            run = get_run(conn, run_id)
        previous = last_model(conn, before=run.id)
    if run.status != "running":
        raise ConflictError(f"matching run #{run.id} is {run.status}")
    run_id, mode, high, low = run.id, run.mode, run.high, run.low
    beat = RunHeartbeat(store, run_id)
    report = beat.tracking(_progress_or_nothing(progress))
    try:
        report("reading records", 0, 1)
        with store.connect() as conn:
            records = match_records(conn)
        report("reading records", 1, 1)
        watermark = (
            int(records.unique_id.max())
            if len(records)
            else (previous.watermark if previous else 0)
        )
        if mode == "full":
            report("training the model", 0, 1)
            model = LinkageModel(spec, limits).fit(records) if len(records) >= 2 else None
            report("training the model", 1, 1)
            new = records
            pairs = model.predict(records, threshold=low) if model else _no_pairs()
        else:
            assert previous is not None
            model = LinkageModel(spec, limits, settings_=previous.model)
            new = records[records.unique_id > (previous.watermark or 0)]
            report("scoring new records", 0, 1)
            pairs = _score_new(model, new, records, low)
            report("scoring new records", 1, 1)
        pairs["automatic"] = _automatic(pairs, model, high)
        report("following cross-references", 0, 1)
        pairs = _with_cross_references(store, pairs, cross_references)
        report("following cross-references", 1, 1)
        merges = _merge_clusters(store, records, pairs, run_id, actor, report)
        reviews = _queue_reviews(store, model, pairs, run_id)
        linked = _link_households(store, records)
        with store.begin() as conn:
            conn.execute(
                update(match_runs)
                .where(match_runs.c.id == run_id)
                .values(
                    status="completed",
                    finished_at=utcnow(),
                    model=model.settings_ if model else None,
                    watermark=watermark,
                    records=len(records),
                    pairs=len(pairs),
                    merges=merges,
                    reviews=reviews,
                    households=linked,
                )
            )
    except BaseException as exc:
        with store.begin() as conn:
            conn.execute(
                update(match_runs)
                .where(match_runs.c.id == run_id)
                .values(
                    status="failed",
                    finished_at=utcnow(),
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
            )
        raise
    finally:
        beat.stop()
    return UnifyReport(
        run_id, mode, len(records), len(new), len(pairs), merges, reviews, linked,
        time.perf_counter() - started, high,
    )  # fmt: skip


def _progress_or_nothing(progress: Progress | None) -> Progress:
    return progress or (lambda stage, done, total: None)


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability", "match_weight"])


def _score_new(
    model: LinkageModel, new: pd.DataFrame, records: pd.DataFrame, low: float
) -> pd.DataFrame:
    """Pairs involving new records: the new records linked against all records (themselves
    included), so that how common a value is (a phone, a name) is counted over the whole
    store, as when the model was trained, not over the batch alone."""
    if new.empty:
        return _no_pairs()
    assert model.settings_ is not None
    linking = LinkageModel(
        dataclasses.replace(model.spec, link_type="link_only"),
        model.limits,
        settings_={**model.settings_, "link_type": "link_only"},
    )
    pairs = linking.predict([new, records], threshold=low)
    pairs = pairs.drop(columns=[c for c in pairs.columns if c.startswith("source_dataset")])
    # A record meets itself, and two new records meet twice (each way): keep each pair once,
    # with the smaller id on the left as in a dedupe run.
    pairs = pairs[pairs.unique_id_l != pairs.unique_id_r]
    swap = pairs.unique_id_l > pairs.unique_id_r
    for column in [c for c in pairs.columns if c.endswith("_l")]:
        other = column[:-2] + "_r"
        if other in pairs.columns:
            left = pairs.loc[swap, column].copy()
            pairs.loc[swap, column] = pairs.loc[swap, other].to_numpy()
            pairs.loc[swap, other] = left.to_numpy()
    return pairs.drop_duplicates(["unique_id_l", "unique_id_r"]).reset_index(drop=True)


def _with_cross_references(
    store: Store, pairs: pd.DataFrame, references: Sequence[str] | None
) -> pd.DataFrame:
    """Add the pairs records' cross-references join (sure pairs, probability 1)."""
    texts = get_settings().identity_cross_references if references is None else references
    if not texts:
        return pairs
    with store.connect() as conn:
        joined = cross_reference_pairs(conn, [CrossReference.parse(t) for t in texts])
    if joined.empty:
        return pairs
    joined = joined.assign(
        match_probability=1.0, match_weight=float("nan"), automatic=True,
        reason="cross-reference: an interaction names the other record",
    )  # fmt: skip
    if pairs.empty:  # (concatenating an empty frame would blur the columns' types)
        return joined
    return pd.concat([pairs, joined], ignore_index=True)


def _automatic(pairs: pd.DataFrame, model: LinkageModel | None, high: float) -> pd.Series:
    """Which pairs merge without a person: at or above ``high``, and showing none of the
    spec's review levels (e.g. names sharing a surname but not the given name: household
    members share an address, a landline or a family mailbox and score high otherwise)."""
    sure = pairs.match_probability >= high
    if model is None or model.settings_ is None or pairs.empty:
        return sure
    levels = field_levels(model.settings_)
    for comparison, label in model.spec.review_levels:
        values = [value for value, name, _ in levels.get(comparison, []) if name == label]
        column = f"gamma_{comparison}"
        if values and column in pairs.columns:
            sure &= ~pairs[column].isin(values)
    return sure


def _merge_clusters(
    store: Store,
    records: pd.DataFrame,
    pairs: pd.DataFrame,
    run_id: int,
    actor: str,
    report: Progress,
) -> int:
    """Merge the customers that automatic pairs link, strongest first, respecting
    rejections."""
    strong = pairs[pairs.automatic].sort_values("match_probability", ascending=False)
    if strong.empty:
        return 0
    customer_of = dict(zip(records.unique_id, records.customer_id, strict=True))
    with store.connect() as conn:
        apart = _kept_apart(conn)
    parent: dict[int, int] = {}
    members: dict[int, set[int]] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reasons = strong["reason"] if "reason" in strong.columns else [None] * len(strong)
    plan: list[tuple[int, int, float, float | None, str]] = []  # survivor, joined, p, w, why
    for l_id, r_id, p, w, why in zip(
        strong.unique_id_l,
        strong.unique_id_r,
        strong.match_probability,
        strong.match_weight,
        reasons,
        strict=True,
    ):
        a, b = root(int(customer_of[l_id])), root(int(customer_of[r_id]))
        if a == b:
            continue
        ma, mb = members.get(a, {a}), members.get(b, {b})
        if any(apart.get(x, set()) & mb for x in ma):
            continue  # a person said these customers are different
        keep, join = min(a, b), max(a, b)
        parent[join] = keep
        members[keep] = ma | mb
        members.pop(join, None)
        weight = None if pd.isna(w) else float(w)
        reason = why if isinstance(why, str) else f"automatic: match probability {p:.4f}"
        plan.append((keep, join, float(p), weight, reason))
    # Each joined customer merges into its cluster's final survivor (the smallest id).
    merges = [PlannedMerge(root(keep), join, why, p, w) for keep, join, p, w, why in plan]
    done = 0
    for batch in chunked(merges, MERGES_PER_TRANSACTION):
        with store.begin() as conn:
            merge_many(conn, batch, actor=actor, run_id=run_id)
        done += len(batch)
        report("merging", done, len(merges))
    return done


def _kept_apart(conn: Connection) -> dict[int, set[int]]:
    """Customers that must not be joined: pairs a person rejected (or separated by unmerge)."""
    r = match_reviews.c
    left, right = source_records.alias("l"), source_records.alias("r")
    query = (
        select(left.c.customer_id, right.c.customer_id)
        .select_from(match_reviews)
        .join(left, left.c.id == r.record_l)
        .join(right, right.c.id == r.record_r)
        .where(r.status == "rejected")
    )
    apart: dict[int, set[int]] = {}
    for a, b in conn.execute(query):
        apart.setdefault(int(a), set()).add(int(b))
        apart.setdefault(int(b), set()).add(int(a))
    return apart


def _queue_reviews(
    store: Store, model: LinkageModel | None, pairs: pd.DataFrame, run_id: int
) -> int:
    """Queue the pairs that are not automatic whose customers are still apart, once each."""
    doubtful = pairs[~pairs.automatic]
    if doubtful.empty or model is None or model.settings_ is None:
        return 0
    now = utcnow()
    with store.begin() as conn:
        ids = sorted(
            {int(i) for i in doubtful.unique_id_l} | {int(i) for i in doubtful.unique_id_r}
        )
        owner: dict[int, int] = {}
        for part in chunked(ids):
            owner.update(
                (int(i), int(c))
                for i, c in conn.execute(
                    select(source_records.c.id, source_records.c.customer_id).where(
                        source_records.c.id.in_(part)
                    )
                )
            )
        known = {
            (int(a), int(b))
            for a, b in conn.execute(select(match_reviews.c.record_l, match_reviews.c.record_r))
        }
        # Pending pairs whose records have since come together need no decision.
        supersede_joined(conn)
        rows: list[dict[str, Any]] = []
        keep = []
        for i, (l_id, r_id) in enumerate(
            zip(doubtful.unique_id_l, doubtful.unique_id_r, strict=True)
        ):
            a, b = sorted((int(l_id), int(r_id)))
            if owner.get(a) == owner.get(b) or (a, b) in known:
                continue
            known.add((a, b))
            keep.append(i)
            rows.append(
                {"record_l": a, "record_r": b, "customer_l": owner[a], "customer_r": owner[b]}
            )
        if not rows:
            return 0
        chosen = doubtful.iloc[keep]
        evidence = pair_evidence(chosen, model.settings_, EVIDENCE_COLUMNS)
        for row, p, w, ev in zip(
            rows, chosen.match_probability, chosen.match_weight, evidence, strict=True
        ):
            row.update(
                match_probability=float(p), match_weight=float(w), evidence=ev,
                status="pending", run_id=run_id, created_at=now,
            )  # fmt: skip
        for part in chunked(rows, 1000):
            conn.execute(insert(match_reviews), part)
    return len(rows)


def _link_households(store: Store, records: pd.DataFrame) -> int:
    """Customers sharing an address and a family name, but not merged, form a household."""
    with store.connect() as conn:
        owner = _owners(conn)  # after this run's merges
    frame = records[["unique_id", "address", "family_key"]].dropna()
    if frame.empty:
        return 0
    frame = frame.assign(customer_id=[int(owner.get(int(i), 0)) for i in frame.unique_id])
    frame = frame[frame.customer_id > 0]
    frame = frame.assign(key=frame.address + "|" + frame.family_key)
    sizes = frame.groupby("key").customer_id.nunique()
    shared = frame[frame.key.isin(sizes[sizes >= 2].index)]
    # A customer seen at several shared addresses belongs to the first (smallest key).
    membership = shared.sort_values("key").drop_duplicates("customer_id")
    sizes = membership.groupby("key").customer_id.nunique()
    membership = membership[membership.key.isin(sizes[sizes >= 2].index)]
    now = utcnow()
    with store.begin() as conn:
        existing = dict(conn.execute(select(households.c.address_key, households.c.id)).all())
        missing = sorted(set(membership.key) - set(existing))
        for part in chunked(missing, 1000):
            conn.execute(
                insert(households),
                [{"address_key": k, "created_at": now, "updated_at": now} for k in part],
            )
        if missing:
            existing = dict(conn.execute(select(households.c.address_key, households.c.id)).all())
        since = dict(
            conn.execute(select(household_members.c.customer_id, household_members.c.since)).all()
        )
        conn.execute(delete(household_members))
        rows = [
            {
                "customer_id": int(c),
                "household_id": int(existing[k]),
                "since": since.get(int(c), now),
            }
            for c, k in zip(membership.customer_id, membership.key, strict=True)
        ]
        for part in chunked(rows, 1000):
            conn.execute(insert(household_members), part)
    return int(membership.key.nunique())


def _owners(conn: Connection) -> dict[int, int]:
    sr = source_records.c
    query = select(sr.id, sr.customer_id).where(sr.kind == "customers", sr.is_current)
    return {int(i): int(c) for i, c in conn.execute(query) if c is not None}
