"""The CLV models refuse bad summaries with a message naming the argument, how many rows are
wrong and what the value should be; and they accept arrays, Series and lists alike."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from patron.analytics.clv import (
    BetaGeo,
    GammaGamma,
    ParetoNBD,
    customer_lifetime_value,
    simulate_bgnbd,
    summary_from_transactions,
)

FREQUENCY = [2.0, 1.0, 0.0, 4.0, 0.0]
RECENCY = [30.4, 1.7, 0.0, 20.0, 0.0]
T = [38.9, 38.9, 38.9, 30.0, 12.0]


def base() -> pd.DataFrame:
    return simulate_bgnbd(2_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=1)


@pytest.mark.parametrize("model_class", [BetaGeo, ParetoNBD])
@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        (FREQUENCY, [39.5, 1.7, 0.0, 31.0, 0.0], T, r"recency: 2 rows are greater than T"),
        ([2, -1, 0, 4, 0], RECENCY, T, r"frequency: 1 row is negative"),
        ([2, 1.5, 0, 4, 0], RECENCY, T, r"frequency: 1 row is not whole numbers"),
        (FREQUENCY, RECENCY, [38.9, np.nan, 38.9, np.nan, 12.0], r"T: 2 rows are missing \(NaN\)"),
        ([2, np.nan, 0, 4, 0], RECENCY, T, r"frequency: 1 row is missing \(NaN\)"),
        (FREQUENCY, [30.4, 1.7, 3.0, 20.0, 0.0], T, r"recency: 1 row is non-zero .* frequency 0"),
        (FREQUENCY, [30.4, -1.0, 0.0, 20.0, 0.0], T, r"recency: 1 row is negative"),
        (FREQUENCY, RECENCY, T[:3], r"got lengths 5, 5 and 3"),
        ([], [], [], r"at least one customer"),
    ],
)
def test_fit_rejects_bad_summaries(
    model_class: type[BetaGeo | ParetoNBD], frequency: list, recency: list, T: list, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        model_class().fit(frequency, recency, T)


def test_error_points_at_the_first_bad_row() -> None:
    recency = pd.Series([1.0, 50.0, 2.0, 60.0], index=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"2 rows are greater than T.*first at position 1\)"):
        BetaGeo().fit([1, 1, 1, 1], recency, [40.0, 40.0, 40.0, 40.0])


def test_predictions_check_their_inputs_too() -> None:
    model = BetaGeo().fit(FREQUENCY, RECENCY, T)
    with pytest.raises(ValueError, match="recency: 1 row is greater than T"):
        model.p_alive([1], [50.0], [40.0])
    with pytest.raises(ValueError, match="t: 1 row is negative"):
        model.expected_purchases(-1.0, FREQUENCY, RECENCY, T)


@pytest.mark.parametrize("model_class", [BetaGeo, ParetoNBD])
def test_predicting_before_fitting_says_so(model_class: type[BetaGeo | ParetoNBD]) -> None:
    with pytest.raises(RuntimeError, match="not fitted yet"):
        model_class().p_alive([1], [1.0], [2.0])
    with pytest.raises(RuntimeError, match="GammaGamma is not fitted yet"):
        GammaGamma().conditional_expected_average_profit([1], [10.0])


def test_gammagamma_needs_repeat_buyers() -> None:
    with pytest.raises(ValueError, match=r"none of the 3 customers has a repeat purchase"):
        GammaGamma().fit([0, 0, 0], [0.0, 0.0, 0.0])


def test_gammagamma_rejects_non_positive_spend_of_repeat_buyers() -> None:
    with pytest.raises(ValueError, match=r"monetary_value: 2 rows are zero or negative"):
        GammaGamma().fit([1, 2, 0, 3], [10.0, 0.0, 0.0, -5.0])


def test_gammagamma_leaves_out_customers_without_repeat_purchases() -> None:
    rng = np.random.default_rng(2)
    frequency = rng.integers(1, 6, 400).astype(float)
    spend = rng.gamma(6.0, 2.0, 400) + 5.0
    alone = GammaGamma().fit(frequency, spend)
    padded = GammaGamma().fit(np.r_[frequency, [0, 0, 0]], np.r_[spend, [0.0, 0.0, 0.0]])
    assert padded.params_ == pytest.approx(alone.params_)
    assert (padded.n_customers_, padded.n_excluded_) == (400, 3)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="penalizer_coef"):
        BetaGeo(penalizer_coef=-1.0).fit(FREQUENCY, RECENCY, T)
    model = BetaGeo().fit(FREQUENCY, RECENCY, T)
    spend = GammaGamma()
    spend.params_ = {"p": 6.0, "q": 4.0, "v": 15.0}
    args = (model, spend, FREQUENCY, RECENCY, T, [20.0, 10.0, 0.0, 30.0, 0.0])
    with pytest.raises(ValueError, match="freq: expected one of"):
        customer_lifetime_value(*args, freq="fortnight")
    with pytest.raises(ValueError, match="time: expected a whole number of months"):
        customer_lifetime_value(*args, time=0)
    with pytest.raises(ValueError, match="discount_rate"):
        customer_lifetime_value(*args, discount_rate=-0.1)
    # A number of periods per month is the same as the matching code.
    assert customer_lifetime_value(*args, freq=4.345) == pytest.approx(
        customer_lifetime_value(*args, freq="W")
    )


def test_gammagamma_without_a_finite_mean_refuses_to_predict() -> None:
    spend = GammaGamma()
    spend.params_ = {"p": 6.0, "q": 0.9, "v": 15.0}
    with pytest.raises(ValueError, match=r"q = 0\.9 <= 1"):
        spend.conditional_expected_average_profit([1], [10.0])


def test_series_arrays_and_lists_give_the_same_fit() -> None:
    data = base()
    from_series = BetaGeo().fit(data["frequency"], data["recency"], data["T"])
    from_arrays = BetaGeo().fit(*(data[c].to_numpy() for c in ("frequency", "recency", "T")))
    from_lists = BetaGeo().fit(*(data[c].tolist() for c in ("frequency", "recency", "T")))
    assert from_series.params_ == from_arrays.params_ == from_lists.params_
    # params_ is a plain dict of floats: it goes to JSON (the model registry) and back.
    assert json.loads(json.dumps(from_series.params_)) == from_series.params_
    assert all(type(v) is float for v in from_series.params_.values())


def test_scalar_predictions_broadcast() -> None:
    model = BetaGeo().fit(FREQUENCY, RECENCY, T)
    one = model.expected_purchases(10, 2, 30.4, 38.9)
    many = model.expected_purchases(10, FREQUENCY, RECENCY, T)
    assert one.shape == ()
    assert float(one) == pytest.approx(many[0])
    horizons = model.expected_purchases([1.0, 10.0, 20.0], 2, 30.4, 38.9)
    assert np.all(np.diff(horizons) > 0)


def test_summary_rejects_bad_transaction_logs() -> None:
    log = pd.DataFrame(
        {"customer": [1, 1, 2], "when": ["2024-01-01", None, "2024-01-02"], "value": [1, 2, 3]}
    )
    with pytest.raises(ValueError, match="no column 'amount'"):
        summary_from_transactions(log, "customer", "when", "amount")
    with pytest.raises(ValueError, match="when: 1 transactions have no time"):
        summary_from_transactions(log, "customer", "when")
    log["when"] = ["2024-01-01", "2024-01-03", "2024-01-02"]
    log["value"] = [1.0, "n/a", 3.0]
    with pytest.raises(ValueError, match="value: 1 transactions have no numeric value"):
        summary_from_transactions(log, "customer", "when", "value")
    with pytest.raises(ValueError, match="freq: expected one of"):
        summary_from_transactions(log, "customer", "when", freq="M")


def test_summary_collapses_same_period_purchases_and_cuts_at_the_end() -> None:
    log = pd.DataFrame(
        {
            "customer": ["a", "a", "a", "a", "b", "c"],
            "when": pd.to_datetime(
                [
                    "2024-01-01 09:00", "2024-01-01 17:00", "2024-01-08 12:00",
                    "2024-03-01 12:00", "2024-01-15 08:00", "2024-02-20 08:00",
                ]
            ),
            "value": [10.0, 5.0, 20.0, 99.0, 7.0, 1.0],
        }
    )  # fmt: skip
    daily = summary_from_transactions(log, "customer", "when", "value", "2024-01-31")
    assert daily.index.tolist() == ["a", "b"]  # c arrives after the end
    assert daily.loc["a"].tolist() == [1.0, 7.0, 30.0, 20.0]  # 1 Jan counted once, 1 Mar cut
    assert daily.loc["b"].tolist() == [0.0, 0.0, 16.0, 0.0]
    weekly = summary_from_transactions(log, "customer", "when", "value", "2024-01-31", freq="W")
    assert weekly.loc["a"].tolist() == [1.0, 1.0, 4.0, 20.0]
