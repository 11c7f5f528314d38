"""What matching proposes for the store: clusters to merge automatically, pairs to review.

Pairs scoring at least ``high`` join the same cluster (transitively); each cluster keeps the
id of its oldest customer, so ids stay stable however often matching runs. Pairs between
``low`` and ``high`` whose records did not end up in one cluster go to review. Nothing in the
store changes here; merging acts on a proposal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from patron.core import InputError
from patron.identity.customer_model import customer_spec
from patron.identity.engine import DuckDBLimits, LinkageModel, LinkageSpec
from patron.identity.records import match_records
from patron.store import Store

DEFAULT_HIGH = 0.95  # merge automatically at or above
DEFAULT_LOW = 0.5  # below: keep apart


@dataclass
class Proposal:
    records: pd.DataFrame  # match table, plus ``proposed_customer_id``
    pairs: pd.DataFrame  # every scored pair at or above ``low``
    review: pd.DataFrame  # pairs between the thresholds across clusters
    high: float
    low: float

    @property
    def merges(self) -> int:
        """Customers that would be merged into another."""
        return int((self.records.customer_id != self.records.proposed_customer_id).sum())

    @property
    def clusters(self) -> int:
        return int(self.records.proposed_customer_id.nunique())


def propose(
    store: Store,
    *,
    spec: LinkageSpec | None = None,
    high: float = DEFAULT_HIGH,
    low: float = DEFAULT_LOW,
    limits: DuckDBLimits | None = None,
) -> Proposal:
    """Train on the store's current customer records and propose clusters and reviews."""
    if not 0 < low <= high <= 1:
        raise InputError(
            f"thresholds must satisfy 0 < low <= high <= 1 (got low={low}, high={high})",
            field="threshold",
        )
    with store.connect() as conn:
        records = match_records(conn)
    if len(records) < 2:
        records["proposed_customer_id"] = records.customer_id
        empty = pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability"])
        return Proposal(records, empty, empty, high, low)
    model = LinkageModel(spec or customer_spec(), limits or DuckDBLimits()).fit(records)
    pairs = model.predict(records, threshold=low)
    customer_of = dict(zip(records.unique_id, records.customer_id, strict=True))
    strong = pairs[pairs.match_probability >= high]
    survivor = clusters_of(
        customer_of.values(),
        (
            (customer_of[a], customer_of[b])
            for a, b in zip(strong.unique_id_l, strong.unique_id_r, strict=True)
        ),
    )
    records["proposed_customer_id"] = [survivor[c] for c in records.customer_id]
    proposed = dict(zip(records.unique_id, records.proposed_customer_id, strict=True))
    apart = [
        proposed[a] != proposed[b]
        for a, b in zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)
    ]
    review = pairs[
        (pairs.match_probability < high) & pd.Series(apart, index=pairs.index, dtype=bool)
    ]
    return Proposal(
        records, pairs, review.sort_values("match_probability", ascending=False), high, low
    )


def clusters_of(items: Iterable[int], links: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each item's cluster, named by its smallest member (union-find over ``links``)."""
    parent = {i: i for i in items}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving
            i = parent[i]
        return i

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smaller (older) id survives
    return {i: root(i) for i in parent}


LINK_HEADER = ("source", "source_record_key", "customer_id")


def links(proposal: Proposal) -> list[tuple[str, str, int]]:
    """(source, source record key, proposed customer id) for every record: the proposal in a
    form that can be checked against known truth."""
    r = proposal.records
    return list(zip(r.source, r.source_key, (int(c) for c in r.proposed_customer_id), strict=True))
