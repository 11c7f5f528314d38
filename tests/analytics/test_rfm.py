"""RFM scores: hand-checked quantiles, ties, the purchase-rate correction, first-match segment
rules, the R x F grid, and the same answers on DuckDB and PostgreSQL."""

from __future__ import annotations

import itertools
import random
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest

from patron.analytics.rfm import (
    DEFAULT_SEGMENTS,
    NO_PURCHASE,
    SEGMENT_NAMES_ZH,
    UNMATCHED,
    RFMConfig,
    SegmentRule,
    rfm_frame,
    rfm_grid,
    rfm_grid_frame,
    rfm_scores,
    segment_sizes,
)

PLAIN = RFMConfig(relative_recency=False)


def features(con: Any, rows: list[tuple[Any, ...]], name: str = "features") -> Any:
    """A feature table of (customer_id, recency_days, frequency, monetary, ipt_mean_days)."""
    frame = pd.DataFrame(
        rows, columns=["customer_id", "recency_days", "frequency", "monetary", "ipt_mean_days"]
    ).astype({"customer_id": "int64", "frequency": "int64", "monetary": "float64",
              "recency_days": "float64", "ipt_mean_days": "float64"})  # fmt: skip
    return con.create_table(name, frame, overwrite=True)


def scores(table: Any, config: RFMConfig = PLAIN) -> pd.DataFrame:
    return rfm_scores(table, config).to_pandas().sort_values("customer_id").set_index("customer_id")


# (customer_id, recency_days, frequency, monetary, ipt_mean_days). Ten buyers, so a score is
# 1 + floor(5 x customers strictly worse / 10) = 1 + floor(worse / 2):
#        recency worse R | frequency worse F | monetary worse M | cell  segment
#  1:    5        9    5 | 10         9    5 | 1000      9    5 | 555   Champions
#  2:   10        7    4 |  8         7    4 |  800      8    5 | 445   Loyal
#  3:   10        7    4 |  8         7    4 |  500      6    4 | 444   Loyal
#  4:   30        6    4 |  5         6    4 |  500      6    4 | 444   Loyal
#  5:   45        5    3 |  3         5    3 |  300      5    3 | 333   Need attention
#  6:   60        4    3 |  2         3    2 |  200      4    3 | 323   About to sleep
#  7:   90        3    2 |  2         3    2 |  150      3    2 | 222   Hibernating
#  8:  120        2    2 |  1         0    1 |  100      2    2 | 212   Hibernating
#  9:  200        1    1 |  1         0    1 |   50      1    1 | 111   Lost
# 10:  400        0    1 |  1         0    1 |   20      0    1 | 111   Lost
# 11: never bought: no scores, "No purchase"
HAND = [
    (1, 5, 10, 1000, 10), (2, 10, 8, 800, 12), (3, 10, 8, 500, 12), (4, 30, 5, 500, 30),
    (5, 45, 3, 300, 40), (6, 60, 2, 200, 50), (7, 90, 2, 150, 60), (8, 120, 1, 100, None),
    (9, 200, 1, 50, None), (10, 400, 1, 20, None), (11, None, 0, 0, None),
]  # fmt: skip
HAND_SCORES = {
    1: (5, 5, 5, "Champions"), 2: (4, 4, 5, "Loyal"), 3: (4, 4, 4, "Loyal"),
    4: (4, 4, 4, "Loyal"), 5: (3, 3, 3, "Need attention"), 6: (3, 2, 3, "About to sleep"),
    7: (2, 2, 2, "Hibernating"), 8: (2, 1, 2, "Hibernating"), 9: (1, 1, 1, "Lost"),
    10: (1, 1, 1, "Lost"),
}  # fmt: skip


def test_hand_checked_scores_and_segments(duck: Any) -> None:
    s = scores(features(duck, HAND))
    for cid, (r, f, m, segment) in HAND_SCORES.items():
        row = s.loc[cid]
        assert (row.r_score, row.f_score, row.m_score, row.segment) == (r, f, m, segment), cid
        assert row.rfm_cell == f"{r}{f}{m}"
    never = s.loc[11]
    assert never.segment == NO_PURCHASE
    assert pd.isna(never.r_score) and pd.isna(never.f_score) and pd.isna(never.m_score)
    assert pd.isna(never.rfm_cell)
    assert s.expected_interval_days.isna().all()  # plain recency: no interval used


def test_equal_values_get_equal_scores_and_distinct_values_fill_equal_piles(duck: Any) -> None:
    rng = random.Random(3)
    rows = [(i, float(rng.randint(1, 6)), rng.choice([1, 1, 1, 2, 2, 3]),
             float(rng.choice([10, 20, 20, 50])), None) for i in range(1, 201)]  # fmt: skip
    s = scores(features(duck, rows))
    for value, score in (("recency_days", "r_score"), ("frequency", "f_score"),
                         ("monetary", "m_score")):  # fmt: skip
        assert (s.groupby(value)[score].nunique() == 1).all()  # ties: one score per value
        per_value = s.groupby(value)[score].first()
        better = per_value.iloc[::-1] if value == "recency_days" else per_value
        assert better.is_monotonic_increasing
    # One-order customers are the worst on F whatever their share: nobody is below them.
    assert (s[s.frequency == 1].f_score == 1).all()
    distinct = [(i, float(i), i, float(i), None) for i in range(1, 101)]
    d = scores(features(duck, distinct, "distinct"))
    for score in ("r_score", "f_score", "m_score"):  # like ntile: 20 customers per score
        assert d[score].value_counts().sort_index().tolist() == [20] * 5


def test_relative_recency_flips_a_slow_regular_buyer_and_a_fast_one(duck: Any) -> None:
    # A buys every 90 days, last 60 days ago; B weekly, last 30 days ago. C bought once and
    # D twice (too few orders for their own rate): both get the median mean interval of the
    # repeat buyers A, B and D: median(90, 7, 10) = 10.
    #              plain days  worse R | ratio        worse R    (R = 1 + floor(5 worse / 4))
    # A  60 / 90:  60          1     2 | 0.67         3     4
    # B  30 / 7:   30          2     3 | 4.29         1     2
    # C  20 / 10:  20          3     4 | 2.0          2     3
    # D 100 / 10: 100          0     1 | 10.0         0     1
    rows = [(1, 60, 5, 500, 90), (2, 30, 10, 500, 7), (3, 20, 1, 50, None),
            (4, 100, 2, 80, 10), (5, None, 0, 0, None)]  # fmt: skip
    table = features(duck, rows)
    plain = scores(table, PLAIN)
    relative = scores(table, RFMConfig())
    assert plain.r_score.loc[[1, 2, 3, 4]].tolist() == [2, 3, 4, 1]
    assert relative.r_score.loc[[1, 2, 3, 4]].tolist() == [4, 2, 3, 1]
    assert relative.expected_interval_days.loc[[1, 2, 3, 4]].tolist() == [90, 7, 10, 10]
    assert pd.isna(relative.expected_interval_days.loc[5])
    # Trusting a customer's own rate only from 6 orders: A (5 orders) now gets the median of
    # the repeat buyers, 10 days; B (10 orders) keeps their own 7.
    own = scores(table, RFMConfig(min_orders_for_own_rate=6))
    assert own.expected_interval_days.loc[[1, 2]].tolist() == [10, 7]


def test_nobody_bought_twice_leaves_recency_in_plain_days(duck: Any) -> None:
    rows = [(1, 10, 1, 5, None), (2, 20, 1, 5, None), (3, 30, 1, 5, None)]
    s = scores(features(duck, rows), RFMConfig())
    assert s.r_score.tolist() == [4, 2, 1]  # worse 2, 1, 0 of 3 -> 1 + floor(5 worse / 3)
    assert (s.expected_interval_days == 1).all()


def test_segment_rules_first_match_wins_and_unmatched_is_other(duck: Any) -> None:
    table = features(duck, HAND)
    rules = (
        SegmentRule("Recent", r=(4, 5)),
        SegmentRule("Best", r=(5, 5), f=(5, 5)),  # customer 1 matches, but "Recent" came first
        SegmentRule("Old big spenders", r=(1, 2), m=(2, 5)),
    )
    s = scores(table, RFMConfig(relative_recency=False, segments=rules))
    assert s.segment.loc[[1, 2, 3, 4]].tolist() == ["Recent"] * 4
    assert s.segment.loc[[7, 8]].tolist() == ["Old big spenders"] * 2
    assert s.segment.loc[[5, 6, 9, 10]].tolist() == [UNMATCHED] * 4
    assert s.segment.loc[11] == NO_PURCHASE


def test_rules_round_trip_through_plain_dicts() -> None:
    data = [rule.to_dict() for rule in DEFAULT_SEGMENTS]
    assert data[0] == {"name": "Champions", "r": [5, 5], "f": [4, 5], "m": [1, 5], "scale": 5}
    assert tuple(SegmentRule.from_dict(d) for d in data) == DEFAULT_SEGMENTS
    assert SegmentRule.from_dict({"name": "Any recent", "r": [4, 5]}).f == (1, 5)
    with pytest.raises(ValueError, match="r must be"):
        SegmentRule.from_dict({"name": "Bad", "r": [4, 6]})
    with pytest.raises(ValueError, match="needs a name and only r, f, m"):
        SegmentRule.from_dict({"name": "Bad", "recency": [1, 2]})


def test_default_rules_name_every_cell(duck: Any) -> None:
    cells = pd.DataFrame(list(itertools.product(range(1, 6), repeat=3)), columns=["r", "f", "m"])
    t = ibis.memtable(cells)
    cases = [(rule.condition(t.r, t.f, t.m, 5), rule.name) for rule in DEFAULT_SEGMENTS]
    named = duck.execute(t.mutate(segment=ibis.cases(*cases, else_=UNMATCHED)))
    name = named.set_index(["r", "f", "m"]).segment
    assert UNMATCHED not in set(name)
    assert set(name) <= set(SEGMENT_NAMES_ZH)
    expected = {(5, 5, 1): "Champions", (5, 1, 5): "New customers", (4, 1, 1): "Promising",
                (3, 5, 3): "Loyal", (1, 5, 5): "Can't lose them", (2, 4, 3): "At risk",
                (1, 5, 1): "At risk", (2, 2, 5): "Hibernating", (1, 2, 5): "Lost",
                (3, 3, 3): "Need attention", (3, 1, 1): "About to sleep",
                (4, 3, 2): "Potential loyalists"}  # fmt: skip
    assert {cell: name[cell] for cell in expected} == expected


def test_rules_written_for_five_bins_read_other_bins(duck: Any) -> None:
    rule = SegmentRule("Top", r=(5, 5))
    t = ibis.memtable({"s": list(range(1, 11))})
    for bins, top in ((10, [9, 10]), (3, [3]), (5, [5])):
        kept = duck.execute(t.filter(rule.condition(t.s, t.s, t.s, bins)).filter(t.s <= bins))
        assert sorted(kept.s) == top
    s = scores(features(duck, HAND), RFMConfig(bins=3, relative_recency=False))
    assert s.loc[1, ["r_score", "f_score", "m_score"]].tolist() == [3, 3, 3]
    assert s.loc[1, "segment"] == "Champions"
    ten = scores(features(duck, HAND), RFMConfig(bins=10, relative_recency=False))
    assert ten.loc[1, "rfm_cell"] == "10-10-10"  # worse 9 of 10: 1 + 9 on each


def test_grid_counts_and_spend_per_cell(duck: Any) -> None:
    s = rfm_scores(features(duck, HAND), PLAIN)
    grid = rfm_grid(s).to_pandas().set_index(["r_score", "f_score"])
    assert grid.customers.sum() == 10  # buyers only
    assert grid.loc[(4, 4)].customers == 3 and grid.loc[(4, 4)].monetary == 1800
    assert grid.loc[(1, 1)].customers == 2 and grid.loc[(1, 1)].avg_monetary == 35
    matrix = rfm_grid_frame(s)
    assert matrix.index.tolist() == [5, 4, 3, 2, 1] and matrix.columns.tolist() == [1, 2, 3, 4, 5]
    assert matrix.loc[4, 4] == 3 and matrix.loc[5, 1] == 0 and matrix.to_numpy().sum() == 10
    sizes = segment_sizes(s).to_pandas().set_index("segment").customers
    assert sizes.to_dict() == {"Champions": 1, "Loyal": 3, "Need attention": 1,
                               "About to sleep": 1, "Hibernating": 2, "Lost": 2,
                               NO_PURCHASE: 1}  # fmt: skip
    frame = rfm_frame(features(duck, HAND), PLAIN)
    assert frame.set_index("customer_id").segment_zh.loc[1] == "重要价值客户"


def test_bad_config_says_what_to_fix() -> None:
    with pytest.raises(ValueError, match="bins must be 2 or more"):
        RFMConfig(bins=1)
    with pytest.raises(ValueError, match="min_orders_for_own_rate"):
        RFMConfig(min_orders_for_own_rate=1)


def _random_rows(seed: int, n: int = 300) -> list[tuple[Any, ...]]:
    rng = np.random.default_rng(seed)
    rows: list[tuple[Any, ...]] = []
    for cid in range(1, n + 1):
        frequency = int(rng.choice([0, 1, 1, 2, 3, 5, 8]))
        if frequency == 0:
            rows.append((cid, None, 0, 0.0, None))
            continue
        ipt = float(rng.integers(3, 120)) if frequency > 1 else None
        rows.append((cid, float(rng.integers(0, 400)), frequency,
                     float(rng.integers(1, 40) * 25), ipt))  # fmt: skip
    return rows


@pytest.mark.postgres
@pytest.mark.parametrize("config", [PLAIN, RFMConfig(), RFMConfig(bins=4)])
def test_postgres_gives_the_same_scores(duck: Any, pg_con: Any, config: RFMConfig) -> None:
    rows = _random_rows(5)
    on_duck = scores(features(duck, rows), config)
    on_pg = scores(features(pg_con, rows), config)
    assert on_duck.r_score.nunique() == config.bins
    pd.testing.assert_frame_equal(on_duck, on_pg, check_dtype=False, rtol=1e-9)
