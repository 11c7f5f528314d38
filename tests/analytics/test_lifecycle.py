"""Lifecycle stages and classes: crafted customers through the rules, editable rules as plain
dicts, the funnel, and the same answers on DuckDB and PostgreSQL."""

from __future__ import annotations

import math
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest

from patron.analytics.lifecycle import (
    CLASSES,
    STAGES,
    LifecycleRules,
    funnel,
    funnel_frame,
    lifecycle_frame,
    lifecycle_stages,
)

COLUMNS = ["customer_id", "frequency", "recency_days", "first_order_days", "ipt_mean_days",
           "web_sessions_90d", "campaign_responses"]  # fmt: skip


def features(con: Any, rows: list[tuple[Any, ...]]) -> Any:
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(
        {"customer_id": "int64", "frequency": "int64", "recency_days": "float64",
         "first_order_days": "float64", "ipt_mean_days": "float64",
         "web_sessions_90d": "int64", "campaign_responses": "int64"}
    )  # fmt: skip
    return con.create_table("features", frame, overwrite=True)


DEFAULT_RULES = LifecycleRules()


def stages(table: Any, rules: LifecycleRules = DEFAULT_RULES) -> pd.DataFrame:
    out = lifecycle_stages(table, rules).to_pandas()
    return out.sort_values("customer_id").set_index("customer_id")


# (id, orders, recency, days since first order, mean interval, web sessions 90d, responses)
# The repeat buyers' mean intervals are 30, 90, 7, 7, 20, 500, 500: median 30, the expected
# interval of customers with fewer than 3 orders. Lapsed when recency > min(max(2 x interval,
# 90), 730). Loyalty: 4+ orders over 180+ days.
CRAFTED = [
    (1, 0, None, None, None, 0, 0),  # never bought, no interest: awareness, doubtful
    (2, 0, None, None, None, 2, 0),  # never bought, visits: awareness, potential
    (3, 0, None, None, None, 0, 1),  # never bought, answered a campaign: potential
    (4, 1, 10, 10, None, 0, 0),  # first order 10 days ago: exploration, actual
    (5, 2, 20, 50, 30, 0, 0),  # bought again: familiarity (interval: the median 30)
    (6, 5, 120, 480, 90, 0, 0),  # every 90 days, 120 days ago: < 180, loyalty
    (7, 20, 100, 300, 7, 0, 0),  # weekly, 100 days ago: > max(14, 90), separation, lost
    (8, 20, 60, 300, 7, 0, 0),  # weekly, 60 days ago: not yet 90, loyalty
    (9, 5, 5, 100, 20, 0, 0),  # 5 orders but only 100 days of buying: familiarity
    (10, 1, 200, 200, None, 5, 0),  # once, 200 days ago: > max(2 x 30, 90): lost
    (11, 3, 700, 1700, 500, 0, 0),  # every 500 days: capped at 730, still familiarity
    (12, 3, 800, 1800, 500, 0, 0),  # ... and past the cap: separation
    (13, 1, 80, 80, None, 0, 0),  # once, 80 days ago: within 90, exploration
]
EXPECTED = {
    1: ("awareness", "doubtful", None), 2: ("awareness", "potential", None),
    3: ("awareness", "potential", None), 4: ("exploration", "actual", 90),
    5: ("familiarity", "actual", 90), 6: ("loyalty", "actual", 180),
    7: ("separation", "lost", 90), 8: ("loyalty", "actual", 90),
    9: ("familiarity", "actual", 90), 10: ("separation", "lost", 90),
    11: ("familiarity", "actual", 730), 12: ("separation", "lost", 730),
    13: ("exploration", "actual", 90),
}  # fmt: skip


def _as_tuples(s: pd.DataFrame) -> dict[int, tuple[Any, ...]]:
    return {
        int(cid): (row.stage, row.customer_class,
                   None if pd.isna(row.lapse_after_days) else row.lapse_after_days)
        for cid, row in s.iterrows()
    }  # fmt: skip


def test_crafted_customers_get_the_stages_the_rules_say(duck: Any) -> None:
    s = stages(features(duck, CRAFTED))
    assert _as_tuples(s) == EXPECTED
    assert s.expected_interval_days.loc[[4, 5, 6, 7]].tolist() == [30, 30, 90, 7]
    assert set(s.stage) == set(STAGES) and set(s.customer_class) == set(CLASSES)


def test_edited_rules_move_customers(duck: Any) -> None:
    table = features(duck, CRAFTED)
    impatient = stages(table, LifecycleRules(lapse_multiple=1.0, min_lapse_days=30))
    assert impatient.stage.loc[6] == "separation"  # 120 days > max(1 x 90, 30)
    assert impatient.stage.loc[8] == "separation"  # 60 days > max(7, 30)
    assert impatient.stage.loc[5] == "familiarity"  # 20 days < max(30, 30)
    strict = stages(table, LifecycleRules(loyalty_min_orders=21))
    assert strict.stage.loc[[6, 8]].tolist() == ["familiarity", "familiarity"]
    uncapped = stages(table, LifecycleRules(max_lapse_days=math.inf))
    assert uncapped.stage.loc[12] == "familiarity"  # 800 days < 2 x 500
    keen = stages(table, LifecycleRules(potential_min_signals=2))
    assert keen.customer_class.loc[[2, 3]].tolist() == ["potential", "doubtful"]


def test_rules_round_trip_through_a_plain_dict() -> None:
    rules = LifecycleRules(lapse_multiple=2.5, loyalty_min_orders=6)
    data = rules.to_dict()
    assert data["lapse_multiple"] == 2.5 and data["loyalty_min_orders"] == 6
    assert LifecycleRules.from_dict(data) == rules
    assert LifecycleRules.from_dict({}) == LifecycleRules()
    loaded = LifecycleRules.from_dict({"loyalty_min_orders": "5", "min_lapse_days": 60})
    assert loaded.loyalty_min_orders == 5 and isinstance(loaded.loyalty_min_orders, int)
    assert loaded.min_lapse_days == 60.0


def test_bad_rules_say_what_to_fix() -> None:
    with pytest.raises(ValueError, match=r"unknown lifecycle rule.*loyal_orders.*known:"):
        LifecycleRules.from_dict({"loyal_orders": 3})
    with pytest.raises(ValueError, match="loyalty_min_orders must be a number"):
        LifecycleRules.from_dict({"loyalty_min_orders": "many"})
    with pytest.raises(ValueError, match="familiarity_min_orders <= loyalty_min_orders"):
        LifecycleRules(familiarity_min_orders=5, loyalty_min_orders=4)
    with pytest.raises(ValueError, match="min_lapse_days <= max_lapse_days"):
        LifecycleRules(min_lapse_days=800)


def test_funnel_counts_per_stage_in_order(duck: Any) -> None:
    table = features(duck, CRAFTED)
    counts = funnel(lifecycle_stages(table)).to_pandas()
    assert counts.stage.tolist() == list(STAGES)
    assert counts.customers.tolist() == [3, 2, 3, 2, 3]
    buyers_only = lifecycle_stages(table).filter(ibis._.stage != "awareness")
    frame = funnel_frame(buyers_only)
    assert frame.customers.tolist() == [0, 2, 3, 2, 3]  # the empty stage is still listed
    assert frame.share.sum() == pytest.approx(1.0)
    assert frame.four_stage_zh.tolist() == ["考察期", "考察期", "形成期", "稳定期", "退化期"]
    named = lifecycle_frame(table).set_index("customer_id")
    assert named.stage_zh.loc[6] == "忠诚阶段" and named.customer_class_zh.loc[7] == "流失客户"


@pytest.mark.postgres
def test_postgres_gives_the_same_stages(duck: Any, pg_con: Any) -> None:
    rng = np.random.default_rng(8)
    rows: list[tuple[Any, ...]] = list(CRAFTED)
    for cid in range(100, 400):
        orders = int(rng.choice([0, 1, 2, 3, 5, 12]))
        bought = orders > 0
        first = float(rng.integers(0, 900)) if bought else None
        recency = float(rng.integers(0, int(first) + 1)) if first is not None else None
        ipt = float(rng.integers(1, 200)) if orders > 1 else None
        rows.append((cid, orders, recency, first, ipt, int(rng.integers(0, 3)), 0))
    on_duck, on_pg = stages(features(duck, rows)), stages(features(pg_con, rows))
    assert on_duck.stage.nunique() == len(STAGES)
    pd.testing.assert_frame_equal(on_duck, on_pg, check_dtype=False, rtol=1e-9)
