"""Value tiers (客户价值分层) and the migration between them from one snapshot to the next.

Customers are ranked by a value (lifetime spend, a CLV estimate, a value score) and cut by
share: the default tiers follow the bank case in seed 003 (黄金 gold, 重点 key, 优质 quality,
一般 general, 限制 restricted, 淘汰 eliminated), each with its own policy. Shares are of the
customers with a positive value: customers who never bought (or whose value is zero or unknown)
are not ranked and fall in the last tier, so a sign-up drive that adds thousands of
non-buyers does not push buyers up a tier. The cuts (top 1 %, next 4 %, 15 %, 50 %, 20 %, the
rest) put the few customers a company manages one by one at the top and the bottom tenth of
buyers with everyone who never bought; edit them by passing other ``tiers``.

>>> from patron.analytics.tiers import tier_migration, value_tiers
>>> june = value_tiers(features_june)  # doctest: +SKIP
>>> tier_migration(value_tiers(features_may), june)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from patron.analytics.facts import Table

ENTERED = "entered"  # the row of customers absent from the earlier snapshot
LEFT = "left"  # the column of customers absent from the later one
_PPM = 1_000_000  # shares compared in parts per million, in integers: no rounding at the cuts


@dataclass(frozen=True)
class Tier:
    """A tier holding the next ``share`` of valued customers; ``None``: everyone left."""

    name: str
    share: float | None


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier("gold", 0.01),
    Tier("key", 0.04),
    Tier("quality", 0.15),
    Tier("general", 0.50),
    Tier("restricted", 0.20),
    Tier("eliminated", None),
)
TIER_NAMES_ZH = {
    "gold": "黄金客户",
    "key": "重点客户",
    "quality": "优质客户",
    "general": "一般客户",
    "restricted": "限制客户",
    "eliminated": "淘汰客户",
}


def _cuts(tiers: tuple[Tier, ...]) -> list[tuple[str, int]]:
    """(name, cumulative share in ppm) of every tier but the last, checked."""
    if len(tiers) < 2 or tiers[-1].share is not None:
        raise ValueError("tiers: give two or more, the last with share=None (everyone left)")
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise ValueError(f"tiers: names must differ, got {names}")
    cuts, total = [], 0
    for tier in tiers[:-1]:
        if tier.share is None or tier.share <= 0:
            raise ValueError(f"tier {tier.name}: share must be a positive fraction")
        total += round(tier.share * _PPM)
        cuts.append((tier.name, total))
    if total > _PPM:
        raise ValueError(f"tiers: shares add up to {total / _PPM:g}, more than 1")
    return cuts


def value_tiers(
    table: Table, value_column: str = "monetary", tiers: tuple[Tier, ...] = DEFAULT_TIERS
) -> Table:
    """Each customer's tier by ``value_column``: ``customer_id, <value_column>, tier,
    tier_level`` (1 = the first tier).

    A tier takes the customers who have fewer than its cumulative share of valued customers
    ranked above them, so customers with equal values always share a tier (the tie at a cut
    goes to the better tier) and the most valuable customer is always in the first.
    """
    cuts = _cuts(tiers)
    value = table[value_column]
    valued = value.notnull() & (value > 0)
    window = ibis.window(group_by=valued, order_by=ibis.desc(value))
    above = ibis.rank().over(window)  # customers strictly more valuable, 0-based
    everyone = valued.count().over(ibis.window(group_by=valued))
    ranked = table.select(
        customer_id=table.customer_id,
        **{value_column: value},
        _valued=valued,
        _above=above,
        _n=everyone,
    )
    r = ranked
    rest = tiers[-1].name
    conditions = [(r._above * _PPM < r._n * cut, name) for name, cut in cuts]
    tier = ibis.cases((~r._valued, rest), *conditions, else_=rest)
    levels = {t.name: i for i, t in enumerate(tiers, 1)}
    level = ibis.cases(*((tier == name, i) for name, i in levels.items()), else_=len(tiers))
    return r.select("customer_id", value_column, tier=tier, tier_level=level.cast("int32"))


def tier_sizes(tiered: Table) -> Table:
    """Customers per tier: ``tier_level, tier, customers``."""
    return (
        tiered.group_by("tier_level", "tier").agg(customers=tiered.count()).order_by("tier_level")
    )


def tier_migration(before: Table, after: Table, tiers: tuple[Tier, ...] = DEFAULT_TIERS) -> Any:
    """How many customers moved from each tier (rows) to each tier (columns) between two
    :func:`value_tiers` snapshots, as a pandas DataFrame of counts.

    The extra row ``entered`` counts customers only in ``after`` (new, or unmerged); the extra
    column ``left`` counts those only in ``before`` (merged away, deleted, out of scope). Tiers
    not in ``tiers`` (another tier list) follow in alphabetical order.
    """
    b = before.select(customer_id=before.customer_id, from_tier=before.tier)
    a = after.select(cid=after.customer_id, to_tier=after.tier)
    joined = b.outer_join(a, b.customer_id == a.cid)
    moves = joined.group_by(
        from_tier=joined.from_tier.fill_null(ENTERED), to_tier=joined.to_tier.fill_null(LEFT)
    ).agg(customers=joined.count())
    counts = moves.to_pandas()
    if counts.empty:  # two empty snapshots: nobody moved
        counts = pd.DataFrame({"from_tier": [ENTERED], "to_tier": [LEFT], "customers": [0]})
    matrix = counts.pivot_table(
        index="from_tier", columns="to_tier", values="customers", aggfunc="sum", fill_value=0
    )
    known = [t.name for t in tiers]
    seen = set(counts["from_tier"]) | set(counts["to_tier"])
    names = known + sorted(seen - {*known, ENTERED, LEFT})
    matrix = matrix.reindex(index=[*names, ENTERED], columns=[*names, LEFT], fill_value=0)
    matrix.index.name, matrix.columns.name = "from", "to"
    return matrix.astype("int64")


def value_tiers_frame(
    table: Table, value_column: str = "monetary", tiers: tuple[Tier, ...] = DEFAULT_TIERS
) -> Any:
    """:func:`value_tiers` as pandas, with the Chinese tier name where it is a default one."""
    frame = value_tiers(table, value_column, tiers).to_pandas()
    frame["tier_zh"] = frame["tier"].map(TIER_NAMES_ZH)
    return frame
