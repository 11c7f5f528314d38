"""The value x churn matrix: customers placed by lifetime value and by churn risk, each cell
with a strategy people can edit and a ready list of its customers.

Value levels are shares of buyers ranked by CLV (the top fifth is high value whatever the
currency or business); churn levels are probabilities, which the churn model calibrates, so
"high" means the same thing from one run to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class MatrixConfig:
    high_value_share: float = 0.2  # top 20 % of buyers by CLV
    medium_value_share: float = 0.3  # the next 30 %
    high_churn: float = 0.6
    medium_churn: float = 0.3


LEVELS = ("high", "medium", "low")
CELLS = tuple(f"{v}_value/{c}_churn" for v in LEVELS for c in LEVELS)

# (English, 中文): what a marketer usually does with each cell; editable per store.
DEFAULT_STRATEGIES: dict[str, tuple[str, str]] = {
    "high_value/high_churn": (
        "Retain now: personal outreach, service recovery, tailored offers.",
        "立即挽留：专人联系、服务补救、定制优惠。",
    ),
    "high_value/medium_churn": (
        "Deepen the relationship: loyalty benefits, early access, check satisfaction.",
        "加深关系：会员权益、新品优先、满意度回访。",
    ),
    "high_value/low_churn": (
        "Reward and grow: VIP care, referrals, premium cross-sell.",
        "奖励与增值：VIP关怀、推荐有礼、高端交叉销售。",
    ),
    "medium_value/high_churn": (
        "Win back cost-effectively: reminders and time-limited incentives.",
        "低成本挽回：提醒与限时激励。",
    ),
    "medium_value/medium_churn": (
        "Nurture: relevant content and next-best-product offers.",
        "培育：相关内容与下一件商品推荐。",
    ),
    "medium_value/low_churn": (
        "Up-sell: bundles and tier upgrades.",
        "向上销售：组合商品与等级升级。",
    ),
    "low_value/high_churn": (
        "Let go or automate: low-cost reactivation only.",
        "放手或自动化：仅做低成本激活。",
    ),
    "low_value/medium_churn": (
        "Automate: lifecycle e-mails, no costly incentives.",
        "自动化：生命周期邮件，不做高成本激励。",
    ),
    "low_value/low_churn": (
        "Grow frequency: habit-building offers and cross-sell.",
        "提升频次：养成习惯的优惠与交叉销售。",
    ),
}


def value_level(clv: pd.Series, config: MatrixConfig = MatrixConfig()) -> pd.Series:
    """high / medium / low by each customer's CLV rank among those with a CLV."""
    share = clv.rank(ascending=False, method="min", pct=True)
    level = np.where(
        share <= config.high_value_share,
        "high",
        np.where(share <= config.high_value_share + config.medium_value_share, "medium", "low"),
    )
    return pd.Series(level, index=clv.index, dtype=object).where(clv.notna(), None)


def churn_level(probability: pd.Series, config: MatrixConfig = MatrixConfig()) -> pd.Series:
    level = np.where(
        probability >= config.high_churn,
        "high",
        np.where(probability >= config.medium_churn, "medium", "low"),
    )
    return pd.Series(level, index=probability.index, dtype=object).where(probability.notna(), None)


def matrix_cells(
    clv: pd.Series,
    churn_probability: pd.Series,
    config: MatrixConfig = MatrixConfig(),
) -> pd.Series:
    """Each customer's cell, e.g. "high_value/high_churn" (None without both scores)."""
    value, churn = value_level(clv, config), churn_level(churn_probability, config)
    cells = value.astype(str) + "_value/" + churn.astype(str) + "_churn"
    return cells.where(value.notna() & churn.notna(), None)


def matrix_summary(scores: pd.DataFrame) -> list[dict[str, object]]:
    """Customers, total CLV and mean churn probability per cell, every cell listed."""
    grouped = scores.dropna(subset=["value_churn_cell"]).groupby("value_churn_cell")
    stats = grouped.agg(
        customers=("customer_id", "size"), clv=("clv", "sum"), churn=("churn_probability", "mean")
    )
    out = []
    for cell in CELLS:
        row = stats.loc[cell] if cell in stats.index else None
        out.append(
            {
                "cell": cell,
                "customers": int(row.customers) if row is not None else 0,
                "clv": float(row.clv) if row is not None else 0.0,
                "mean_churn": float(row.churn) if row is not None else None,
            }
        )
    return out
