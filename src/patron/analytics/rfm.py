"""RFM scoring (Recency, Frequency, Monetary) with the purchase-rate correction the seeds ask for.

Plain RFM ranks everyone's days since the last order on one scale, so a customer who buys every
90 days looks lapsed at day 60 next to a weekly buyer, and a weekly buyer who has been silent
for 60 days looks as fresh as the 90-day one (seed 003: products or customers with different
purchase rates, 购买速率, distort RFM). With ``relative_recency`` the recency score ranks
``recency_days / expected interval`` instead: how many of their own purchase cycles a customer
has let pass.

>>> from datetime import date
>>> from patron.analytics.features import customer_features
>>> from patron.analytics.rfm import RFMConfig, rfm_grid, rfm_scores
>>> scores = rfm_scores(customer_features(facts, date(2026, 6, 30)))  # doctest: +SKIP
>>> plain = rfm_scores(features, RFMConfig(relative_recency=False))  # doctest: +SKIP
>>> rfm_grid(scores).to_pandas()  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis

from patron.analytics.facts import Table

Expr = Any  # an Ibis value expression

NO_PURCHASE = "No purchase"
UNMATCHED = "Other"


@dataclass(frozen=True)
class SegmentRule:
    """A named box of R, F and M scores (inclusive ranges) written on a 1..``scale`` scale.

    The default rules are written for 5 bins; scored with other ``bins``, a rule matches the
    scores whose value rescaled to 1..``scale`` (``ceil(score * scale / bins)``) lies in its
    ranges, so the same rule list reads sensibly on 3 or 10 bins.
    """

    name: str
    r: tuple[int, int] = (1, 5)
    f: tuple[int, int] = (1, 5)
    m: tuple[int, int] = (1, 5)
    scale: int = 5

    def __post_init__(self) -> None:
        for letter in "rfm":
            low, high = getattr(self, letter)
            if not 1 <= low <= high <= self.scale:
                raise ValueError(
                    f"segment {self.name!r}: {letter} must be (low, high) with "
                    f"1 <= low <= high <= {self.scale}, got ({low}, {high})"
                )

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain values (lists for ranges), for patron.toml or the UI."""
        return {"name": self.name, "r": list(self.r), "f": list(self.f), "m": list(self.m),
                "scale": self.scale}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentRule:
        """A rule from :meth:`to_dict`'s shape; ranges left out match every score."""
        unknown = sorted(set(data) - {"name", "r", "f", "m", "scale"})
        if unknown or "name" not in data:
            raise ValueError(f"segment rule {data!r}: needs a name and only r, f, m, scale besides")
        scale = int(data.get("scale", 5))

        def bounds(letter: str) -> tuple[int, int]:
            low, high = data.get(letter, (1, scale))
            return int(low), int(high)

        return cls(str(data["name"]), bounds("r"), bounds("f"), bounds("m"), scale)

    def condition(self, r: Expr, f: Expr, m: Expr, bins: int) -> Expr:
        """The Ibis condition matching this rule on scores of 1..``bins``."""
        parts = []
        for score, (low, high) in ((r, self.r), (f, self.f), (m, self.m)):
            # The rescaling is monotone, so the scores it keeps form one range on 1..bins.
            kept = [s for s in range(1, bins + 1) if low <= -(-s * self.scale // bins) <= high]
            if not kept:
                return ibis.literal(False)
            if (kept[0], kept[-1]) != (1, bins):
                parts.append(score.between(kept[0], kept[-1]))
        if not parts:
            return ibis.literal(True)
        condition = parts[0]
        for part in parts[1:]:
            condition = condition & part
        return condition


# The classic R x F grid (Champions top right, Lost bottom left), with M splitting the
# high-frequency lapsed customers into Can't lose them (also big spenders) and At risk.
# Order matters: the first rule a customer matches names them.
DEFAULT_SEGMENTS: tuple[SegmentRule, ...] = (
    SegmentRule("Champions", r=(5, 5), f=(4, 5)),
    SegmentRule("Loyal", r=(3, 4), f=(4, 5)),
    SegmentRule("Potential loyalists", r=(4, 5), f=(2, 3)),
    SegmentRule("New customers", r=(5, 5), f=(1, 1)),
    SegmentRule("Promising", r=(4, 4), f=(1, 1)),
    SegmentRule("Need attention", r=(3, 3), f=(3, 3)),
    SegmentRule("About to sleep", r=(3, 3), f=(1, 2)),
    SegmentRule("Can't lose them", r=(1, 2), f=(4, 5), m=(4, 5)),
    SegmentRule("At risk", r=(1, 2), f=(3, 5)),
    SegmentRule("Hibernating", r=(2, 2), f=(1, 2)),
    SegmentRule("Lost", r=(1, 1), f=(1, 2)),
)

SEGMENT_NAMES_ZH: dict[str, str] = {
    "Champions": "重要价值客户",
    "Loyal": "忠诚客户",
    "Potential loyalists": "潜在忠诚客户",
    "New customers": "新客户",
    "Promising": "有潜力客户",
    "Need attention": "需要关注客户",
    "About to sleep": "即将沉睡客户",
    "At risk": "有流失风险客户",
    "Can't lose them": "不能失去的客户",
    "Hibernating": "沉睡客户",
    "Lost": "已流失客户",
    NO_PURCHASE: "未购买客户",
    UNMATCHED: "其他",
}


@dataclass(frozen=True)
class RFMConfig:
    """How RFM scores are computed.

    ``relative_recency`` scores recency on ``recency_days / expected interval``, where the
    expected interval is the customer's own mean inter-purchase time once they have at least
    ``min_orders_for_own_rate`` orders (fewer gaps say little about a rate), else the median
    mean interval of all repeat buyers in the same table. Off, recency is plain days.
    """

    bins: int = 5
    relative_recency: bool = True
    min_orders_for_own_rate: int = 3
    frequency_column: str = "frequency"
    monetary_column: str = "monetary"
    segments: tuple[SegmentRule, ...] = field(default=DEFAULT_SEGMENTS)

    def __post_init__(self) -> None:
        if self.bins < 2:
            raise ValueError(f"RFMConfig.bins must be 2 or more, got {self.bins}")
        if self.min_orders_for_own_rate < 2:
            raise ValueError(
                "RFMConfig.min_orders_for_own_rate must be 2 or more (one order has no interval),"
                f" got {self.min_orders_for_own_rate}"
            )


def with_expected_interval(features: Table, min_orders_for_own_rate: int = 3) -> Table:
    """``features`` plus ``expected_interval_days``: each customer's expected days between
    orders.

    Their own ``ipt_mean_days`` with ``min_orders_for_own_rate`` orders or more; otherwise the
    median ``ipt_mean_days`` of every repeat buyer in ``features``, joined on as a one-row
    table so the engine computes it once and the whole thing stays one expression on any
    backend. At least one day, so two orders on the same day do not divide by zero; when
    nobody has bought twice, 1 day for everyone, which leaves recency ranked by plain days.
    """
    typical = features.agg(_typical_interval=features.ipt_mean_days.median())
    joined = features.cross_join(typical)
    interval = _expected_interval(joined, min_orders_for_own_rate)
    return joined.mutate(expected_interval_days=interval).drop("_typical_interval")


def _expected_interval(t: Table, min_orders_for_own_rate: int) -> Expr:
    """The interval over a table carrying ``_typical_interval`` (the repeat buyers' median;
    ``ipt_mean_days`` is null for everyone else, so a plain median skips them)."""
    own = (t.frequency >= min_orders_for_own_rate) & t.ipt_mean_days.notnull()
    interval = own.ifelse(t.ipt_mean_days, t._typical_interval)
    return ibis.greatest(interval.fill_null(1.0), 1.0).cast("float64")


def quantile_score(value: Expr, ranked: Expr, bins: int, *, higher_is_better: bool) -> Expr:
    """A 1..``bins`` score: 1 + floor(bins x the share of the ``ranked`` customers (a count)
    whose ``value`` is strictly worse). Null values are not ranked and score null.

    Not ``ntile``: ntile cuts the sorted rows into equal piles and splits tied values across
    piles in whatever order the engine sorted them, so two customers with 1 order each may get
    F=1 and F=2, and differently on DuckDB and PostgreSQL. Counting the customers strictly
    worse gives equal values equal scores, on every engine. With distinct values it gives the
    same piles as ntile. The division is of two integers, so an exact boundary (3 x 5 / 5)
    stays exact in floating point and floors correctly.
    """
    order = (ibis.asc if higher_is_better else ibis.desc)(value, nulls_first=False)
    worse = ibis.rank().over(ibis.window(order_by=order))  # 0-based: nulls sort after everyone
    score = ((worse * bins) / ranked.nullif(0)).floor().cast("int32") + 1
    return value.notnull().ifelse(score, ibis.null("int32"))


def rfm_scores(features: Table, config: RFMConfig = RFMConfig()) -> Table:
    """R, F and M scores, their cell and a named segment per customer of ``features``.

    Columns: ``customer_id, recency_days, frequency, monetary, expected_interval_days,
    r_score, f_score, m_score, rfm_cell, segment``. Scores run 1..bins, higher is better, and
    are quantiles among buyers only: customers who never bought get null scores and the segment
    "No purchase" (ranking them would push every buyer up a score for nothing they did).
    ``rfm_cell`` is "545" (with "-" between the scores when bins > 9).
    """
    f, bins = features, config.bins
    frequency, monetary = f[config.frequency_column], f[config.monetary_column]
    buyer = (f.frequency > 0) & f.recency_days.notnull()
    # One pass for what every row needs to know about all of them: how many are ranked, and
    # the typical interval between orders.
    stats = f.agg(
        _buyers=f.customer_id.count(where=buyer),
        _with_frequency=frequency.count(where=buyer),
        _with_monetary=monetary.count(where=buyer),
        _typical_interval=f.ipt_mean_days.median(),
    )
    t = f.cross_join(stats)
    buyer = (t.frequency > 0) & t.recency_days.notnull()
    none = ibis.null("float64")
    if config.relative_recency:
        interval = buyer.ifelse(_expected_interval(t, config.min_orders_for_own_rate), none)
        recency = t.recency_days / interval
    else:
        interval, recency = none, t.recency_days
    frequency, monetary = t[config.frequency_column], t[config.monetary_column]
    r = quantile_score(recency, t._buyers, bins, higher_is_better=False)
    fs = quantile_score(buyer.ifelse(frequency, ibis.null()), t._with_frequency, bins,
                        higher_is_better=True)  # fmt: skip
    m = quantile_score(buyer.ifelse(monetary, ibis.null()), t._with_monetary, bins,
                       higher_is_better=True)  # fmt: skip
    s = t.select(
        customer_id=t.customer_id,
        recency_days=t.recency_days,
        frequency=frequency,
        monetary=monetary,
        expected_interval_days=interval,
        buyer=buyer,
        r_score=r,
        f_score=fs,
        m_score=m,
    )
    rules = [(rule.condition(s.r_score, s.f_score, s.m_score, bins), rule.name) for rule in
             config.segments]  # fmt: skip
    sep = "-" if bins > 9 else ""
    cell = s.r_score.cast("string") + sep + s.f_score.cast("string") + sep
    return s.select(
        "customer_id", "recency_days", "frequency", "monetary", "expected_interval_days",
        "r_score", "f_score", "m_score",
        rfm_cell=cell + s.m_score.cast("string"),
        segment=ibis.cases((~s.buyer, NO_PURCHASE), *rules, else_=UNMATCHED),
    )  # fmt: skip


def rfm_grid(scores: Table) -> Table:
    """Buyers per R x F cell with their spend: ``r_score, f_score, customers, monetary,
    avg_monetary``, for the R x F grid a UI draws (cells nobody falls in are absent)."""
    buyers = scores.filter(scores.r_score.notnull())
    return (
        buyers.group_by("r_score", "f_score")
        .agg(
            customers=buyers.count(),
            monetary=buyers.monetary.sum(),
            avg_monetary=buyers.monetary.mean(),
        )
        .order_by([ibis.desc("r_score"), "f_score"])
    )


def segment_sizes(scores: Table) -> Table:
    """Customers and spend per segment: ``segment, customers, monetary``."""
    return scores.group_by("segment").agg(customers=scores.count(), monetary=scores.monetary.sum())


def rfm_frame(features: Table, config: RFMConfig = RFMConfig()) -> Any:
    """:func:`rfm_scores` as a pandas DataFrame, with the Chinese segment name added."""
    frame = rfm_scores(features, config).to_pandas()
    frame["segment_zh"] = frame["segment"].map(SEGMENT_NAMES_ZH)
    return frame


def rfm_grid_frame(scores: Table, bins: int = 5) -> Any:
    """Customers per cell as a pandas R x F matrix: R from ``bins`` (top row) down to 1, F from
    1 to ``bins`` left to right, zeros where nobody falls."""
    grid = rfm_grid(scores).to_pandas()
    matrix = grid.pivot_table(
        index="r_score", columns="f_score", values="customers", aggfunc="sum", fill_value=0
    )
    levels = list(range(1, bins + 1))
    return matrix.reindex(index=levels[::-1], columns=levels, fill_value=0).astype("int64")
