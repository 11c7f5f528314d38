"""Value tiers: hand-counted cuts, ties at a cut, non-buyers at the bottom, migration between
two crafted snapshots, and the same answers on DuckDB and PostgreSQL."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from patron.analytics.tiers import (
    ENTERED,
    LEFT,
    Tier,
    tier_migration,
    tier_sizes,
    value_tiers,
    value_tiers_frame,
)

THREE = (Tier("top", 0.25), Tier("middle", 0.5), Tier("bottom", None))


Pairs = list[tuple[int, float | None]]


def values(con: Any, pairs: Pairs, name: str = "v", column: str = "monetary") -> Any:
    frame = pd.DataFrame(pairs, columns=["customer_id", column]).astype({column: "float64"})
    return con.create_table(name, frame, overwrite=True)


def tiers_of(table: Any, **kw: Any) -> pd.Series:
    return value_tiers(table, **kw).to_pandas().set_index("customer_id").tier.sort_index()


def test_default_cuts_on_a_hundred_buyers(duck: Any) -> None:
    # Customer i spent i (1..100); 101-103 spent nothing and 104-105 have no value.
    # A tier takes those with fewer than its cumulative share x 100 customers above them:
    # gold < 1 above: 100; key < 5: 96-99; quality < 20: 81-95; general < 70: 31-80;
    # restricted < 90: 11-30; eliminated: 1-10 and the five who never bought.
    pairs: Pairs = [(i, float(i)) for i in range(1, 101)]
    pairs += [(101, 0.0), (102, 0.0), (103, 0.0), (104, None), (105, None)]
    tiers = value_tiers(values(duck, pairs))
    t = tiers.to_pandas().set_index("customer_id").sort_index()
    expected = {"gold": [100], "key": list(range(96, 100)), "quality": list(range(81, 96)),
                "general": list(range(31, 81)), "restricted": list(range(11, 31)),
                "eliminated": [*range(1, 11), 101, 102, 103, 104, 105]}  # fmt: skip
    assert {name: sorted(group.index) for name, group in t.groupby("tier")} == expected
    assert t.tier_level.loc[[100, 96, 81, 31, 11, 1]].tolist() == [1, 2, 3, 4, 5, 6]
    sizes = tier_sizes(tiers).to_pandas()
    assert sizes.tier.tolist() == ["gold", "key", "quality", "general", "restricted", "eliminated"]
    assert sizes.customers.tolist() == [1, 4, 15, 50, 20, 15]
    named = value_tiers_frame(values(duck, pairs)).set_index("customer_id")
    assert named.tier_zh.loc[100] == "黄金客户"


def test_equal_values_share_a_tier_and_the_top_is_always_first(duck: Any) -> None:
    # Ten buyers: the top cut is 25 % = 2.5 customers above; middle 75 % = 7.5.
    # 1 and 2 tie at the top (0 above); 3, 4, 5 tie (2 above: top); 6..8 (5..7 above): middle.
    pairs = [(1, 90.0), (2, 90.0), (3, 70.0), (4, 70.0), (5, 70.0), (6, 50.0), (7, 40.0),
             (8, 30.0), (9, 20.0), (10, 10.0)]  # fmt: skip
    t = tiers_of(values(duck, pairs), tiers=THREE)
    assert t.tolist() == ["top"] * 5 + ["middle"] * 3 + ["bottom"] * 2
    # Two buyers: gold is 1 %, yet the first is in it; the second has half above: general.
    few = tiers_of(values(duck, [(1, 5.0), (2, 1.0)]))
    assert few.tolist() == ["gold", "general"]


def test_any_value_column(duck: Any) -> None:
    table = values(duck, [(1, 10.5), (2, 99.0), (3, None)], column="clv")
    t = value_tiers(table, value_column="clv", tiers=THREE).to_pandas().set_index("customer_id")
    assert list(t.columns) == ["clv", "tier", "tier_level"]
    assert t.sort_index().tier.tolist() == ["middle", "top", "bottom"]


def test_bad_tiers_say_what_to_fix(duck: Any) -> None:
    table = values(duck, [(1, 1.0)])
    with pytest.raises(ValueError, match="last with share=None"):
        value_tiers(table, tiers=(Tier("a", 0.5), Tier("b", 0.5)))
    with pytest.raises(ValueError, match="more than 1"):
        value_tiers(table, tiers=(Tier("a", 0.7), Tier("b", 0.6), Tier("c", None)))
    with pytest.raises(ValueError, match="names must differ"):
        value_tiers(table, tiers=(Tier("a", 0.5), Tier("a", None)))


# Before: 1-4 and 6 valued 100, 80, 60, 40, 20 (5 buyers), 5 never bought. Top: fewer than
# 1.25 above (1, 2), middle fewer than 3.75 (3, 4), bottom 6 and 5.
BEFORE = [(1, 100.0), (2, 80.0), (3, 60.0), (4, 40.0), (5, 0.0), (6, 20.0)]
# After: 4 is gone, 7 is new, 5 bought, 1 fell. Six buyers: top fewer than 1.5 above (7, 2),
# middle fewer than 4.5 (3, 5, 6), bottom 1.
AFTER = [(1, 10.0), (2, 90.0), (3, 70.0), (5, 50.0), (6, 20.0), (7, 200.0)]
#                 top middle bottom left
MIGRATION = [[1, 0, 1, 0],  # top: 2 stayed, 1 fell to the bottom
             [0, 1, 0, 1],  # middle: 3 stayed, 4 left
             [0, 2, 0, 0],  # bottom: 5 and 6 rose
             [1, 0, 0, 0]]  # entered: 7 straight to the top  # fmt: skip


def test_migration_between_two_snapshots(duck: Any) -> None:
    before = value_tiers(values(duck, BEFORE, "before"), tiers=THREE)
    after = value_tiers(values(duck, AFTER, "after"), tiers=THREE)
    matrix = tier_migration(before, after, tiers=THREE)
    assert matrix.index.tolist() == ["top", "middle", "bottom", ENTERED]
    assert matrix.columns.tolist() == ["top", "middle", "bottom", LEFT]
    assert matrix.to_numpy().tolist() == MIGRATION
    same = tier_migration(before, before, tiers=THREE)
    assert np.diag(same.to_numpy()).tolist() == [2, 2, 2, 0]  # nobody moved
    assert same.to_numpy().sum() == 6


@pytest.mark.postgres
def test_postgres_gives_the_same_tiers(duck: Any, pg_con: Any) -> None:
    rng = np.random.default_rng(2)
    pairs = [(i, float(rng.choice([0, 10, 20, 20, 35, 50, 80, 200, 1000]) * rng.integers(1, 4)))
             for i in range(1, 501)]  # fmt: skip
    on_duck = value_tiers(values(duck, pairs)).to_pandas().set_index("customer_id").sort_index()
    on_pg = value_tiers(values(pg_con, pairs)).to_pandas().set_index("customer_id").sort_index()
    assert on_duck.tier.nunique() == 6
    pd.testing.assert_frame_equal(on_duck, on_pg, check_dtype=False)
    after = [(i + 50, v) for i, v in pairs]  # 50 leave, 50 enter
    duck_moves = tier_migration(value_tiers(values(duck, pairs)),
                                value_tiers(values(duck, after, "after")))  # fmt: skip
    pg_moves = tier_migration(value_tiers(values(pg_con, pairs)),
                              value_tiers(values(pg_con, after, "after")))  # fmt: skip
    assert duck_moves.loc[ENTERED].sum() == 50 and duck_moves[LEFT].sum() == 50
    pd.testing.assert_frame_equal(duck_moves, pg_moves)
