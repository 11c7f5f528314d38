"""Churn risk on the feature snapshots (流失预警): time-split labels, a backtest on a later
period, and the list of customers about to leave with their reasons.

A customer has churned when they buy nothing in the ``horizon_days`` after the snapshot.
Only customers who have bought can churn. The model is trained on the snapshot two horizons
back (its labels are the horizon after it), judged on the snapshot one horizon back (labels:
the last complete horizon), then refitted on that later snapshot to score today's customers:
the reported figures are what the same recipe achieved on a period it had not seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from patron.analytics.churn import ChurnModel
from patron.analytics.facts import Facts, Table, as_timestamp
from patron.analytics.features import FEATURES, customer_features
from patron.core import PatronError

DEFAULT_HORIZON_DAYS = 90
# Beyond a few hundred thousand customers more rows barely move the AUC but cost minutes on
# two cores: larger snapshots are sampled (stratified by the label, fixed seed).
MAX_TRAINING_ROWS = 250_000
# Counts and amounts describe the customer; identifiers and the snapshot moment do not.
CHURN_FEATURES = FEATURES


@dataclass
class ChurnBacktest:
    """How the recipe did on the later period, next to recency alone."""

    trained_as_of: datetime
    evaluated_as_of: datetime
    horizon_days: int
    rows_trained: int
    rows_evaluated: int
    churn_rate: float
    auc: float
    baseline_auc: float  # recency alone
    brier: float
    lift_top_10pct: float
    calibration: pd.DataFrame = field(repr=False)
    lift: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "trained_as_of": self.trained_as_of.isoformat(),
            "evaluated_as_of": self.evaluated_as_of.isoformat(),
            "horizon_days": self.horizon_days,
            "rows_trained": self.rows_trained,
            "rows_evaluated": self.rows_evaluated,
            "churn_rate": self.churn_rate,
            "auc": self.auc,
            "baseline_auc": self.baseline_auc,
            "brier": self.brier,
            "lift_top_10pct": self.lift_top_10pct,
            "calibration": self.calibration.to_dict(orient="records"),
            "lift": self.lift.to_dict(orient="records"),
        }


def bought_between(facts: Facts, start: datetime, end: datetime) -> Table:
    """customer_id of everyone with a purchase in [start, end)."""
    o = facts.orders
    window = (o.ordered_at >= ibis.literal(start)) & (o.ordered_at < ibis.literal(end))
    return o.filter(window & (o.total_amount > 0)).select("customer_id").distinct()


def labelled_snapshot(
    facts: Facts, as_of: date | datetime, horizon_days: int, features: Table | None = None
) -> pd.DataFrame:
    """Buyers' features as of ``as_of`` with ``churned``: no purchase in the horizon after.
    ``features``: a stored snapshot of that moment, instead of computing it again."""
    moment = as_timestamp(as_of)
    if features is None:
        features = customer_features(facts, moment)
    buyers = features.filter(features.frequency > 0)
    came_back = bought_between(facts, moment, moment + timedelta(days=horizon_days)).mutate(
        returned=ibis.literal(True)
    )
    joined = buyers.left_join(came_back, "customer_id").drop("customer_id_right")
    frame = joined.mutate(churned=joined.returned.isnull()).drop("returned").to_pandas()
    return frame.sort_values("customer_id", ignore_index=True)


def fit_churn(
    facts: Facts, as_of: date | datetime, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> tuple[ChurnModel, ChurnBacktest]:
    """Backtest the recipe a horizon back, then fit on the latest complete horizon."""
    moment = as_timestamp(as_of)
    evaluated_at = moment - timedelta(days=horizon_days)
    trained_at = evaluated_at - timedelta(days=horizon_days)
    train = labelled_snapshot(facts, trained_at, horizon_days)
    test = labelled_snapshot(facts, evaluated_at, horizon_days)
    for name, frame in (("training", train), ("evaluation", test)):
        if frame.churned.nunique() < 2 or len(frame) < 50:
            raise PatronError(
                f"not enough history for a churn model: the {name} snapshot has "
                f"{len(frame)} buyers and {int(frame.churned.sum())} churned",
                hint=f"import more order history or shorten the horizon (now {horizon_days} "
                "days, --churn-horizon)",
            )
    train, test_fit = _sample(train), _sample(test)
    backtest_model = ChurnModel(random_state=0).fit(churn_inputs(train), train.churned)
    scores = backtest_model.evaluate(churn_inputs(test), test.churned)
    backtest = ChurnBacktest(
        trained_as_of=trained_at,
        evaluated_as_of=evaluated_at,
        horizon_days=horizon_days,
        rows_trained=len(train),
        rows_evaluated=len(test),
        churn_rate=float(test.churned.mean()),
        auc=float(scores["auc"]),
        baseline_auc=recency_baseline_auc(test),
        brier=float(scores["brier"]),
        lift_top_10pct=float(scores["lift_top_10pct"]),
        calibration=scores["calibration_table"],
        lift=scores["lift_table"],
    )
    final = ChurnModel(random_state=0).fit(churn_inputs(test_fit), test_fit.churned)
    return final, backtest


def _sample(frame: pd.DataFrame, rows: int = MAX_TRAINING_ROWS) -> pd.DataFrame:
    """At most ``rows`` rows, the churned share kept."""
    if len(frame) <= rows:
        return frame
    share = rows / len(frame)
    return (
        frame.groupby("churned", group_keys=False)
        .sample(frac=share, random_state=0)
        .sort_values("customer_id", ignore_index=True)
    )


def recency_baseline_auc(labelled: pd.DataFrame) -> float:
    """AUC of ranking by days since the last purchase alone (the longer, the likelier gone)."""
    return float(roc_auc_score(labelled.churned, labelled.recency_days.fillna(np.inf)))


def score_churn(
    model: ChurnModel,
    features: pd.DataFrame,
    explain_top: int = 2000,
) -> pd.DataFrame:
    """Every buyer's churn probability from a feature snapshot (pandas); the ``explain_top``
    riskiest also get their top three reasons (explaining costs about a millisecond a
    customer)."""
    frame = features[features.frequency > 0].sort_values("customer_id", ignore_index=True)
    out = pd.DataFrame({"customer_id": frame.customer_id})
    out["churn_probability"] = model.predict_proba(churn_inputs(frame))[:, 1] if len(frame) else []
    out["churn_reasons"] = None
    riskiest = out.nlargest(min(explain_top, len(out)), "churn_probability").index
    if len(riskiest):
        reasons = model.explain(churn_inputs(frame.loc[riskiest]), top=3)
        out.loc[riskiest, "churn_reasons"] = reasons["reasons"].to_numpy()
    return out


def churn_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns of a feature snapshot (pandas)."""
    return frame[list(CHURN_FEATURES)].astype("float64")
