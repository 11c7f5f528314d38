"""Customer value two ways on customers drawn from BG/NBD + Gamma-Gamma with known parameters:
the probabilistic forecast tracks the truth, the ML model beats the mean, neither sees the
holdout, and the comparison's numbers agree with its own predictions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from patron.analytics.clv import BetaGeo
from patron.analytics.facts import Facts
from patron.analytics.features import features_frame
from patron.analytics.value import (
    METHODS,
    MLValueModel,
    ValueComparison,
    compare_clv,
    default_clv_method,
    future_spend,
    probabilistic_clv,
    value_frame,
)
from patron.core import Settings
from patron.warehouse import FACT_TABLES, open_warehouse

START = datetime(2024, 1, 1, tzinfo=UTC)
ACQUIRED_DAYS = 300  # first purchases are uniform over the first 300 days
CALIBRATION_END = START + timedelta(days=365)
HORIZON = 91
# The truth, time in days: BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, gamma).
R, ALPHA, A, B = 0.4, 20.0, 0.8, 2.5
P, Q, GAMMA = 6.0, 4.0, 100.0
CUSTOMERS = 8000  # 4,000 leave the holdout's purchase count ±5 % from the truth by chance


def simulate_orders(n: int, end_days: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers, orders) of ``n`` buyers following the truth until ``end_days``."""
    rng = np.random.default_rng(seed)
    first = rng.random(n) * ACQUIRED_DAYS
    rate = rng.gamma(R, 1.0 / ALPHA, n)
    dropout = rng.beta(A, B, n)
    nu = rng.gamma(Q, 1.0 / GAMMA, n)  # each customer's Gamma rate of order values
    who, when = [], []
    for c in range(n):
        t = first[c]
        who.append(c)
        when.append(t)
        while True:
            t += rng.exponential(1.0 / rate[c])
            if t >= end_days:
                break
            who.append(c)
            when.append(t)
            if rng.random() < dropout[c]:
                break
    ids = np.asarray(who)
    values = rng.gamma(P, 1.0 / nu[ids])
    orders = pd.DataFrame({"customer_id": ids + 1, "day": when, "total": np.round(values, 2)})
    customers = pd.DataFrame({"id": np.arange(1, n + 1), "first_day": first})
    return customers, orders


def _arrow(name: str, columns: dict[str, list[Any]]) -> pa.Table:
    schema = next(f for f in FACT_TABLES if f.name == name).schema
    length = len(next(iter(columns.values()))) if columns else 0
    return pa.table(
        {f.name: pa.array(columns.get(f.name, [None] * length), type=f.type) for f in schema},
        schema=schema,
    )


def load(con: Any, customers: pd.DataFrame, orders: pd.DataFrame) -> Facts:
    """The simulated base as warehouse tables (no lines, products or interactions)."""
    at = [START + timedelta(days=float(d)) for d in customers.first_day]
    ordered = [START + timedelta(days=float(d)) for d in orders.day]
    tables = {
        "customers": {"id": customers.id.tolist(), "status": ["active"] * len(customers),
                      "created_at": at, "first_seen_at": at},
        "orders": {"id": list(range(1, len(orders) + 1)),
                   "customer_id": orders.customer_id.tolist(), "ordered_at": ordered,
                   "total_amount": [Decimal(f"{v:.2f}") for v in orders.total],
                   "channel": ["web"] * len(orders), "status": ["paid"] * len(orders)},
    }  # fmt: skip
    for name in Facts.__dataclass_fields__:
        con.create_table(name, _arrow(name, tables.get(name, {})), overwrite=True)
    return Facts(*(con.table(n) for n in Facts.__dataclass_fields__))


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate_orders(CUSTOMERS, 365 + HORIZON, seed=11)


@pytest.fixture(scope="module")
def facts(simulated: tuple[pd.DataFrame, pd.DataFrame]) -> Iterator[Facts]:
    warehouse = open_warehouse(Settings(), memory=True)
    yield load(warehouse.con, *simulated)
    warehouse.close()


@pytest.fixture(scope="module")
def holdout(facts: Facts) -> pd.DataFrame:
    return value_frame(facts, CALIBRATION_END, HORIZON)


@pytest.fixture(scope="module")
def report(facts: Facts) -> ValueComparison:
    return compare_clv(facts, CALIBRATION_END, HORIZON)


def test_expected_purchases_track_the_truth(holdout: pd.DataFrame) -> None:
    result = probabilistic_clv(holdout, HORIZON)
    predicted = result.frame["expected_purchases"].sum()
    actual = holdout["future_orders"].sum()
    # The same forecast at the true parameters (days): fitting costs little accuracy.
    x = holdout["frequency"] - 1
    T = holdout["first_order_days"]
    t_x = np.where(x > 0, T - holdout["recency_days"], 0.0)
    truth = BetaGeo()
    truth.params_ = {"r": R, "alpha": ALPHA, "a": A, "b": B}
    ideal = truth.expected_purchases(HORIZON, x, t_x, T).sum()
    assert predicted == pytest.approx(ideal, rel=0.04)
    assert predicted == pytest.approx(actual, rel=0.06)
    params = result.params["transaction_params"]  # weekly: alpha is 20 days / 7
    assert params["r"] == pytest.approx(R, rel=0.2)
    assert params["alpha"] == pytest.approx(ALPHA / 7, rel=0.25)
    spend = result.params["spend_params"]
    mean_order = spend["p"] * spend["v"] / (spend["q"] - 1)
    assert mean_order == pytest.approx(P * GAMMA / (Q - 1), rel=0.1)
    assert result.frame["expected_value"].sum() == pytest.approx(
        holdout["future_spend"].sum(), rel=0.06
    )


def test_probabilistic_frame_is_per_customer_and_discounts(holdout: pd.DataFrame) -> None:
    plain = probabilistic_clv(holdout, HORIZON, discount_rate_annual=0.0).frame
    discounted = probabilistic_clv(holdout, HORIZON, discount_rate_annual=0.2).frame
    assert plain.index.equals(holdout.index)
    assert (plain["customer_id"] == holdout["customer_id"]).all()
    assert np.allclose(plain["clv"], plain["expected_value"])
    assert (discounted["clv"] <= plain["expected_value"] + 1e-9).all()
    assert discounted["clv"].sum() < 0.99 * plain["clv"].sum()
    assert plain["p_alive"].between(0, 1).all()
    never = holdout["frequency"] == 0
    assert (plain.loc[never, ["expected_purchases", "clv"]] == 0).all().all()
    days = probabilistic_clv(holdout, HORIZON, period="D").frame
    assert days["expected_purchases"].sum() == pytest.approx(
        plain["expected_purchases"].sum(), rel=0.01
    )
    some = holdout.iloc[:2000]  # Pareto/NBD fits slower: a quarter of the customers will do
    pareto = probabilistic_clv(some, HORIZON, model="paretonbd").frame
    bgnbd = probabilistic_clv(some, HORIZON).frame
    assert pareto["expected_purchases"].sum() == pytest.approx(
        bgnbd["expected_purchases"].sum(), rel=0.1
    )


def test_ml_model_round_trips_through_json(holdout: pd.DataFrame) -> None:
    model = MLValueModel(num_leaves=7).fit(holdout, holdout["future_spend"])
    state = json.loads(json.dumps(model.to_dict()))
    again = MLValueModel.from_dict(state)
    assert again.num_leaves == 7 and again.trees_ == model.trees_
    np.testing.assert_array_equal(again.predict(holdout), model.predict(holdout))


def test_bad_settings_are_refused(holdout: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="period"):
        probabilistic_clv(holdout, HORIZON, period="fortnight")
    with pytest.raises(ValueError, match="recency_days"):
        probabilistic_clv(holdout.drop(columns="recency_days"), HORIZON)
    with pytest.raises(ValueError, match="objective"):
        MLValueModel(objective="poisson").fit(holdout, holdout["future_spend"])
    with pytest.raises(RuntimeError, match="fit"):
        MLValueModel().predict(holdout)


def test_holdout_orders_change_targets_and_actuals_but_no_feature_or_forecast(
    simulated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    customers, orders = simulated
    customers = customers.iloc[:3000]  # enough to fit both models twice, quickly
    orders = orders[orders.customer_id.isin(customers.id)]
    cut = (CALIBRATION_END - START).days
    later = orders.day >= cut
    shifted = orders.copy()
    shifted.loc[later, "total"] = shifted.loc[later, "total"] * 2 + 1
    shifted.loc[later, "day"] = cut + (shifted.loc[later, "day"] - cut) / 2  # earlier in the window
    shifted.loc[shifted.index[later][0], "day"] = cut  # exactly at the cut: a target, not a feature
    runs = []
    for table in (orders, shifted):
        warehouse = open_warehouse(Settings(), memory=True)
        facts = load(warehouse.con, customers, table)
        features = features_frame(facts, CALIBRATION_END).sort_values("customer_id")
        target = future_spend(facts, CALIBRATION_END, HORIZON).to_pandas()
        runs.append(
            (features.reset_index(drop=True), target, compare_clv(facts, CALIBRATION_END, HORIZON))
        )
        warehouse.close()
    (before, target_before, report_before), (after, target_after, report_after) = runs
    pd.testing.assert_frame_equal(before, after)
    assert target_after["future_spend"].sum() > 2 * target_before["future_spend"].sum()
    assert target_after["future_orders"].sum() == target_before["future_orders"].sum()
    # Both forecasts come only from data before the calibration end; the truth moved.
    forecasts = ["customer_id", *METHODS, "mean"]
    pd.testing.assert_frame_equal(
        report_before.predictions[forecasts], report_after.predictions[forecasts]
    )
    actual = report_after.predictions["actual"] - report_before.predictions["actual"]
    assert (actual >= 0).all() and actual.sum() > 0


def test_ml_model_beats_the_mean_and_the_report_is_consistent(
    report: ValueComparison, holdout: pd.DataFrame
) -> None:
    table, predictions = report.table, report.predictions
    assert set(table.index) == {*METHODS, "mean"}
    assert len(predictions) == len(holdout)
    assert table["actual_total"].nunique() == 1
    assert table["actual_total"].iloc[0] == pytest.approx(holdout["future_spend"].sum())
    for method in table.index:
        error = predictions[method] - predictions["actual"]
        row = table.loc[method]
        assert row["rmse"] == pytest.approx(float(np.sqrt((error**2).mean())))
        assert row["predicted_total"] == pytest.approx(predictions[method].sum())
        expected = (row["predicted_total"] - row["actual_total"]) / row["actual_total"]
        assert row["aggregate_error"] == pytest.approx(expected)
    for method in METHODS:
        assert table.loc[method, "rmse"] < 0.9 * table.loc["mean", "rmse"]
        assert 0.3 < table.loc[method, "spearman"] <= 1
        assert abs(table.loc[method, "aggregate_error"]) < 0.15
    assert np.isnan(table.loc["mean", "pearson"])  # a constant correlates with nothing
    assert report.winner in METHODS
    assert default_clv_method(report) == report.winner
    assert report.to_dict()["winner"] == report.winner


def test_winner_has_the_lowest_rmse_among_methods_with_a_sane_total() -> None:
    def table(prob: tuple[float, float], ml: tuple[float, float]) -> pd.DataFrame:
        rows = {"probabilistic": prob, "ml": ml, "mean": (0.0, 1.0)}
        return pd.DataFrame(rows, index=["aggregate_error", "rmse"]).T

    assert default_clv_method(table((0.01, 10.0), (0.02, 9.0))) == "ml"
    assert default_clv_method(table((0.01, 10.0), (0.35, 9.0))) == "probabilistic"
    assert default_clv_method(table((0.4, 10.0), (0.35, 9.0))) == "ml"
    assert default_clv_method(table((0.0, 9.0), (0.0, 9.0))) == "probabilistic"
