"""Customer lifecycle stages (客户生命周期) and lifecycle classes, from explicit rules.

Five stages (seed 002 §9.2): awareness 认知 (the relationship has begun, nothing bought yet),
exploration 探索 (slow development: first purchases), familiarity 熟悉 (fast development:
buying again), loyalty 忠诚 (the stable phase: many orders over a long time) and separation 分离
(the turn: a buyer who stopped buying). The four-stage variant maps onto them: 考察期 is
awareness + exploration, 形成期 familiarity, 稳定期 loyalty, 退化期 separation.

Lifecycle classes group the stages by what marketing does with them: doubtful 疑虑 (known, not
bought, showing no interest), potential 潜在 (not bought but showing interest: visits,
campaign responses; the ones to convert), actual 现实 (buying), lost 流失 (stopped buying).

A buyer has stopped ("lapsed") when more days have passed since their last order than
``lapse_multiple`` times their expected interval between orders (their own rate once they have
``min_orders_for_own_rate`` orders, else the typical repeat buyer's; see
:func:`patron.analytics.rfm.with_expected_interval`), but never before ``min_lapse_days`` and
always after ``max_lapse_days``. So a customer who buys every 90 days is still active at day
120 and a weekly buyer is not.

>>> from patron.analytics.lifecycle import LifecycleRules, funnel, lifecycle_stages
>>> rules = LifecycleRules.from_dict({"loyalty_min_orders": 5})
>>> stages = lifecycle_stages(features, rules)  # doctest: +SKIP
>>> funnel(stages).to_pandas()  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import ibis
import pandas as pd

from patron.analytics.facts import Table
from patron.analytics.rfm import with_expected_interval

STAGES = ("awareness", "exploration", "familiarity", "loyalty", "separation")
CLASSES = ("doubtful", "potential", "actual", "lost")
STAGE_NAMES_ZH = {
    "awareness": "认知阶段",
    "exploration": "探索阶段",
    "familiarity": "熟悉阶段",
    "loyalty": "忠诚阶段",
    "separation": "分离阶段",
}
FOUR_STAGE_NAMES_ZH = {
    "awareness": "考察期",
    "exploration": "考察期",
    "familiarity": "形成期",
    "loyalty": "稳定期",
    "separation": "退化期",
}
CLASS_NAMES_ZH = {
    "doubtful": "疑虑客户",
    "potential": "潜在客户",
    "actual": "现实客户",
    "lost": "流失客户",
}


@dataclass(frozen=True)
class LifecycleRules:
    """The thresholds behind the stages, editable as a plain dict (``to_dict``/``from_dict``)
    so patron.toml or the UI can hold them. Days are days; orders count positive orders."""

    lapse_multiple: float = 2.0  # lapsed after this many expected intervals without an order
    min_lapse_days: float = 90.0  # ... but never sooner than this
    max_lapse_days: float = 730.0  # ... and always after this (inf: no cap)
    min_orders_for_own_rate: int = 3  # orders before a customer's own interval is trusted
    familiarity_min_orders: int = 2  # buying again: familiarity
    loyalty_min_orders: int = 4  # loyalty needs this many orders ...
    loyalty_min_days: float = 180.0  # ... over at least this many days since the first
    potential_min_signals: int = 1  # non-buyers' web sessions (90 days) + campaign responses

    def __post_init__(self) -> None:
        problems = []
        if self.lapse_multiple <= 0:
            problems.append(f"lapse_multiple must be positive, got {self.lapse_multiple}")
        if not 0 <= self.min_lapse_days <= self.max_lapse_days:
            problems.append(
                "need 0 <= min_lapse_days <= max_lapse_days, got "
                f"{self.min_lapse_days} and {self.max_lapse_days}"
            )
        if self.min_orders_for_own_rate < 2:
            problems.append("min_orders_for_own_rate must be 2 or more (one order has no gap)")
        if not 1 <= self.familiarity_min_orders <= self.loyalty_min_orders:
            problems.append(
                "need 1 <= familiarity_min_orders <= loyalty_min_orders, got "
                f"{self.familiarity_min_orders} and {self.loyalty_min_orders}"
            )
        if self.loyalty_min_days < 0 or self.potential_min_signals < 0:
            problems.append("loyalty_min_days and potential_min_signals must not be negative")
        if problems:
            raise ValueError("invalid lifecycle rules: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LifecycleRules:
        """Rules from a dict such as a patron.toml table; missing keys keep their defaults."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(
                f"unknown lifecycle rule(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        values: dict[str, Any] = {}
        for name, value in data.items():
            kind = int if known[name].type in (int, "int") else float
            try:
                values[name] = kind(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"lifecycle rule {name} must be a number ({kind.__name__}), got {value!r}"
                ) from None
        return cls(**values)


def lifecycle_stages(features: Table, rules: LifecycleRules = LifecycleRules()) -> Table:
    """Each customer's stage and class: ``customer_id, stage, customer_class,
    expected_interval_days, lapse_after_days`` (the last two null for non-buyers).

    ``customer_class`` rather than ``class``: a Python keyword cannot be an attribute.
    """
    f = with_expected_interval(features, rules.min_orders_for_own_rate)
    buyer = (f.frequency > 0) & f.recency_days.notnull()
    lapse_after = ibis.greatest(
        f.expected_interval_days * rules.lapse_multiple, rules.min_lapse_days
    )
    if math.isfinite(rules.max_lapse_days):  # not every engine writes an infinite literal
        lapse_after = ibis.least(lapse_after, rules.max_lapse_days)
    lapsed = buyer & (f.recency_days > lapse_after)
    loyal = (f.frequency >= rules.loyalty_min_orders) & (
        f.first_order_days >= rules.loyalty_min_days
    )
    stage = ibis.cases(
        (~buyer, "awareness"),
        (lapsed, "separation"),
        (loyal, "loyalty"),
        (f.frequency >= rules.familiarity_min_orders, "familiarity"),
        else_="exploration",
    )
    signals = f.web_sessions_90d.fill_null(0) + f.campaign_responses.fill_null(0)
    customer_class = ibis.cases(
        (lapsed, "lost"),
        (buyer, "actual"),
        (signals >= rules.potential_min_signals, "potential"),
        else_="doubtful",
    )
    none = ibis.null("float64")
    return f.select(
        customer_id=f.customer_id,
        stage=stage,
        customer_class=customer_class,
        expected_interval_days=buyer.ifelse(f.expected_interval_days, none),
        lapse_after_days=buyer.ifelse(lapse_after.cast("float64"), none),
    )


def funnel(stages: Table) -> Table:
    """Customers per stage in lifecycle order: ``step, stage, customers`` (stages nobody is in
    are absent; :func:`funnel_frame` lists all five)."""
    step = ibis.cases(*((stages.stage == s, i) for i, s in enumerate(STAGES, 1)), else_=0)
    return (
        stages.group_by(step=step, stage=stages.stage)
        .agg(customers=stages.count())
        .order_by("step")
    )


def funnel_frame(stages: Table) -> Any:
    """:func:`funnel` as pandas, every stage present (0 where empty), with each stage's share
    of all customers and its Chinese names (five- and four-stage)."""
    counts = funnel(stages).to_pandas().set_index("stage")["customers"]
    frame = pd.DataFrame({"stage": list(STAGES)})
    frame["customers"] = frame["stage"].map(counts).fillna(0).astype("int64")
    total = int(frame["customers"].sum())
    frame["share"] = frame["customers"] / total if total else 0.0
    frame["stage_zh"] = frame["stage"].map(STAGE_NAMES_ZH)
    frame["four_stage_zh"] = frame["stage"].map(FOUR_STAGE_NAMES_ZH)
    return frame


def lifecycle_frame(features: Table, rules: LifecycleRules = LifecycleRules()) -> Any:
    """:func:`lifecycle_stages` as pandas, with the Chinese stage and class names."""
    frame = lifecycle_stages(features, rules).to_pandas()
    frame["stage_zh"] = frame["stage"].map(STAGE_NAMES_ZH)
    frame["customer_class_zh"] = frame["customer_class"].map(CLASS_NAMES_ZH)
    return frame
