"""The CLV models on CDNOW: published estimates, lifetimes as an oracle for every prediction,
and the 39-week holdout forecast from the raw transaction log.

CDNOW comes with lifetimes (read through importlib.resources: ``lifetimes.datasets`` needs
pkg_resources). The summaries are the 2,357-customer sample in weeks.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from patron.analytics.clv import (
    BetaGeo,
    GammaGamma,
    ParetoNBD,
    customer_lifetime_value,
    summary_from_transactions,
)

CALIBRATION_END = "1997-09-30"  # the first 39 weeks
HOLDOUT_END = "1998-06-30"  # the next 39 weeks
HOLDOUT_WEEKS = 39.0


def _dataset(name: str) -> Any:
    return importlib.resources.files("lifetimes").joinpath("datasets", name)


@cache
def cdnow_rfm() -> pd.DataFrame:
    """frequency, recency and T (weeks) per customer: the BG/NBD and Pareto/NBD data."""
    with _dataset("cdnow_customers_summary.csv").open() as fh:
        return pd.read_csv(fh, index_col="ID")


@cache
def cdnow() -> pd.DataFrame:
    """x, t_x, T (weeks) and zbar (average repeat-purchase value): the Gamma-Gamma data."""
    with _dataset("cdnow_customers_summary_with_transactions.csv").open() as fh:
        return pd.read_csv(fh, index_col="ID")


@cache
def cdnow_log() -> pd.DataFrame:
    with _dataset("CDNOW_sample.txt").open() as fh:
        log = pd.read_csv(
            fh, sep=r"\s+", header=None, names=["master_id", "id", "date", "cds", "value"],
            dtype={"date": str},
        )  # fmt: skip
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


@cache
def fitted() -> tuple[BetaGeo, ParetoNBD, GammaGamma]:
    spend = cdnow()
    return (
        BetaGeo().fit(*rfm()),
        ParetoNBD().fit(*rfm()),
        GammaGamma().fit(spend["x"], spend["zbar"]),
    )


def rfm() -> tuple[pd.Series, pd.Series, pd.Series]:
    data = cdnow_rfm()
    return data["frequency"], data["recency"], data["T"]


def relative_errors(params: dict[str, float], published: dict[str, float]) -> dict[str, float]:
    return {k: abs(params[k] / v - 1) for k, v in published.items()}


# --- Published estimates --------------------------------------------------------------------


def test_bgnbd_reproduces_the_published_cdnow_estimates() -> None:
    """Fader, Hardie & Lee (2005), "Counting your customers the easy way", CDNOW sample."""
    model = fitted()[0]
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    errors = relative_errors(model.params_, published)
    assert max(errors.values()) < 0.005, errors
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert model.n_customers_ == 2357


def test_paretonbd_reproduces_the_published_cdnow_estimates() -> None:
    """Fader, Hardie & Lee (2005): r = 0.55, α = 10.58, s = 0.61, β = 11.67.

    r and s are published to two decimals, which is coarser than 0.5%: the maximum-likelihood
    values are r = 0.5533 (0.60% from 0.55) and s = 0.6062 (0.62% from 0.61); lifetimes finds
    the same. For them the test asserts what the publication supports, that the estimate
    rounds to the published figure; α and β, published to four significant digits, must be
    within 0.5%.
    """
    params = fitted()[1].params_
    errors = relative_errors(params, {"alpha": 10.58, "beta": 11.67})
    assert max(errors.values()) < 0.005, errors
    assert round(params["r"], 2) == 0.55
    assert round(params["s"], 2) == 0.61


def test_gammagamma_reproduces_the_published_cdnow_estimates() -> None:
    """Fader, Hardie & Lee (2005), "RFM and CLV": p = 6.25, q = 3.74, v = 15.44."""
    model = fitted()[2]
    errors = relative_errors(model.params_, {"p": 6.25, "q": 3.74, "v": 15.44})
    assert max(errors.values()) < 0.005, errors
    assert model.n_customers_ == 946  # CDNOW customers with a repeat purchase
    assert model.n_excluded_ == 2357 - 946


# --- lifetimes as the oracle ----------------------------------------------------------------


def with_params(oracle: Any, params: dict[str, float]) -> Any:
    """A lifetimes fitter predicting with our parameters, so formulas are compared exactly."""
    oracle.params_ = pd.Series(params)
    if hasattr(oracle, "conditional_expected_number_of_purchases_up_to_time"):
        oracle.predict = oracle.conditional_expected_number_of_purchases_up_to_time  # set by fit
    return oracle


def test_bgnbd_fit_and_standard_errors_match_lifetimes() -> None:
    from lifetimes import BetaGeoFitter

    ours = fitted()[0]
    theirs = BetaGeoFitter().fit(*rfm())
    assert ours.params_ == pytest.approx(theirs.params_.to_dict(), rel=1e-4)
    assert ours.standard_errors_ == pytest.approx(theirs.standard_errors_.to_dict(), rel=1e-3)


def test_penalised_bgnbd_matches_lifetimes() -> None:
    from lifetimes import BetaGeoFitter

    ours = BetaGeo(penalizer_coef=0.01).fit(*rfm())
    theirs = BetaGeoFitter(penalizer_coef=0.01).fit(*rfm())
    assert ours.params_ == pytest.approx(theirs.params_.to_dict(), rel=1e-4)
    assert ours.params_["a"] < 0.5 * fitted()[0].params_["a"]  # the penalty did bite


def test_paretonbd_fit_is_at_least_as_likely_as_lifetimes() -> None:
    """lifetimes' Nelder-Mead stops at tol=1e-4, so compare likelihoods (lifetimes' own
    function, in its scaled time) rather than parameters."""
    from lifetimes import ParetoNBDFitter

    x, t_x, age = (np.asarray(v, dtype=float) for v in rfm())
    np.random.seed(3)  # lifetimes draws its starting point
    theirs = ParetoNBDFitter().fit(x, t_x, age).params_.to_dict()
    scale = 1 / age.max()

    def nll(p: dict[str, float]) -> float:
        params = [p["r"], p["alpha"] * scale, p["s"], p["beta"] * scale]
        weights = np.ones_like(x)
        return float(
            ParetoNBDFitter._negative_log_likelihood(
                params, x, t_x * scale, age * scale, weights, 0
            )
        )

    ours = fitted()[1]
    assert nll(ours.params_) <= nll(theirs) + 1e-6
    assert ours.params_ == pytest.approx(theirs, rel=1e-3)
    assert ours.log_likelihood_ == pytest.approx(-nll(ours.params_) + x.sum() * np.log(scale))


HORIZONS = (0.0, 1.0, 10.0, 39.0, 104.0)


def test_bgnbd_predictions_match_lifetimes() -> None:
    from lifetimes import BetaGeoFitter

    ours = fitted()[0]
    oracle = with_params(BetaGeoFitter(), ours.params_)
    for t in HORIZONS[1:]:
        diff = ours.expected_purchases(t, *rfm()) - oracle.predict(t, *rfm())
        assert np.max(np.abs(diff)) < 1e-4, t
    alive = ours.p_alive(*rfm()) - oracle.conditional_probability_alive(*rfm())
    assert np.max(np.abs(alive)) < 1e-4
    new = ours.expected_purchases_new(np.array(HORIZONS))
    assert new == pytest.approx(oracle.expected_number_of_purchases_up_to_time(np.array(HORIZONS)))


@pytest.mark.parametrize(
    "params",
    [
        None,  # the CDNOW fit: α < β
        {"r": 0.5, "alpha": 14.0, "s": 0.7, "beta": 6.0},  # α > β: the other hypergeometric form
        {"r": 0.5, "alpha": 8.0, "s": 0.7, "beta": 8.0},  # α = β: the hypergeometric term is 1
    ],
)
def test_paretonbd_predictions_match_lifetimes(params: dict[str, float] | None) -> None:
    from lifetimes import ParetoNBDFitter

    ours = fitted()[1]
    if params is not None:
        ours = ParetoNBD()
        ours.params_ = params
    oracle = with_params(ParetoNBDFitter(), ours.params_)
    with np.errstate(divide="ignore"):  # lifetimes takes log(0) for recency == T
        for t in HORIZONS:
            diff = ours.expected_purchases(t, *rfm()) - oracle.predict(t, *rfm())
            assert np.max(np.abs(diff)) < 1e-4, t
        alive = ours.p_alive(*rfm()) - oracle.conditional_probability_alive(*rfm())
    assert np.max(np.abs(alive)) < 1e-4
    new = ours.expected_purchases_new(np.array(HORIZONS))
    assert new == pytest.approx(oracle.expected_number_of_purchases_up_to_time(np.array(HORIZONS)))


def test_paretonbd_expectation_is_continuous_at_s_equal_one() -> None:
    """(1 - q^(s-1)) / (s-1) has the limit -log q at s = 1, where lifetimes divides by zero."""
    model = ParetoNBD()
    values = []
    for s in (1.0 - 1e-7, 1.0, 1.0 + 1e-7):
        model.params_ = {"r": 0.5, "alpha": 10.0, "s": s, "beta": 12.0}
        values.append(model.expected_purchases(39, *rfm()))
    assert np.max(np.abs(values[1] - values[0])) < 1e-6
    assert np.max(np.abs(values[1] - values[2])) < 1e-6


def test_gammagamma_fit_profit_and_errors_match_lifetimes() -> None:
    from lifetimes import GammaGammaFitter

    data = cdnow()
    repeat = data[data["x"] > 0]
    ours = fitted()[2]
    theirs = GammaGammaFitter().fit(repeat["x"], repeat["zbar"])
    assert ours.params_ == pytest.approx(theirs.params_.to_dict(), rel=1e-5)
    assert ours.standard_errors_ == pytest.approx(theirs.standard_errors_.to_dict(), rel=1e-3)
    oracle = with_params(GammaGammaFitter(), ours.params_)
    diff = ours.conditional_expected_average_profit(data["x"], data["zbar"]) - (
        oracle.conditional_expected_average_profit(data["x"], data["zbar"])
    )
    assert np.max(np.abs(diff)) < 1e-4


@pytest.mark.parametrize("transactions", ["BG/NBD", "Pareto/NBD"])
@pytest.mark.parametrize(("months", "rate"), [(12, 0.01), (24, 0.05)])
def test_customer_lifetime_value_matches_lifetimes(
    transactions: str, months: int, rate: float
) -> None:
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    bg, pnbd, gg = fitted()
    ours = bg if transactions == "BG/NBD" else pnbd
    oracle = with_params(BetaGeoFitter() if ours is bg else ParetoNBDFitter(), ours.params_)
    spend = with_params(GammaGammaFitter(), gg.params_)
    data = cdnow()
    args = (data["x"], data["t_x"], data["T"], data["zbar"])
    value = customer_lifetime_value(ours, gg, *args, time=months, discount_rate=rate, freq="W")
    with np.errstate(divide="ignore"):
        expected = spend.customer_lifetime_value(
            oracle, *args, time=months, discount_rate=rate, freq="W"
        )
    assert np.max(np.abs(value - expected.to_numpy())) < 1e-4
    assert value.sum() > 0


# --- From the raw transaction log -----------------------------------------------------------


def test_summary_matches_lifetimes_and_the_published_summary() -> None:
    from lifetimes.utils import summary_data_from_transaction_data

    log = cdnow_log()
    ours = summary_from_transactions(log, "id", "date", "value", CALIBRATION_END)
    theirs = summary_data_from_transaction_data(log, "id", "date", "value", None, CALIBRATION_END)
    pd.testing.assert_frame_equal(ours, theirs.sort_index(), check_exact=False, rtol=1e-12)
    # The published weekly summaries, rounded to 2 decimals: days / 7.
    published = cdnow_rfm().join(cdnow()["zbar"])
    assert (ours["frequency"].to_numpy() == published["frequency"].to_numpy()).all()
    assert np.max(np.abs(ours["recency"].to_numpy() / 7 - published["recency"].to_numpy())) < 0.0051
    assert np.max(np.abs(ours["T"].to_numpy() / 7 - published["T"].to_numpy())) < 0.0051
    assert np.max(np.abs(ours["monetary_value"].to_numpy() - published["zbar"])) < 0.0051


def holdout() -> tuple[pd.DataFrame, np.ndarray]:
    """Calibration summary in weeks and each customer's purchase days in the holdout."""
    log = cdnow_log()
    calibration = summary_from_transactions(
        log, "id", "date", observation_period_end=CALIBRATION_END
    )
    calibration[["recency", "T"]] /= 7.0
    later = log[(log["date"] > CALIBRATION_END) & (log["date"] <= HOLDOUT_END)]
    actual = later.groupby("id")["date"].nunique().reindex(calibration.index, fill_value=0)
    return calibration, actual.to_numpy(dtype=float)


def holdout_scores(
    model: Any, calibration: pd.DataFrame, actual: np.ndarray
) -> tuple[float, float]:
    """(relative error of the total forecast, per-customer correlation)."""
    summary = (calibration["frequency"], calibration["recency"], calibration["T"])
    predicted = model.expected_purchases(HOLDOUT_WEEKS, *summary)
    return predicted.sum() / actual.sum() - 1, float(np.corrcoef(predicted, actual)[0, 1])


# Measured: BG/NBD forecasts 1,653 purchase days for the 1,882 actual (-12.1%), correlation
# 0.626; Pareto/NBD 1,666 (-11.5%), 0.630. Swapping the two parameters of either process
# gives -62% / +224% (BG/NBD) and -98% / +100% (Pareto/NBD), correlation down to 0.34.
MAX_TOTAL_ERROR, MIN_CORRELATION = 0.15, 0.55


@pytest.mark.parametrize("model_class", [BetaGeo, ParetoNBD])
def test_holdout_forecast_from_the_raw_log(model_class: type[BetaGeo] | type[ParetoNBD]) -> None:
    calibration, actual = holdout()
    model = model_class().fit(calibration["frequency"], calibration["recency"], calibration["T"])
    error, correlation = holdout_scores(model, calibration, actual)
    assert abs(error) < MAX_TOTAL_ERROR
    assert correlation > MIN_CORRELATION
    # The bounds fail for a broken model: each process's two parameters swapped.
    names = list(model.params_)
    for i, j in ((0, 1), (2, 3)):
        broken = model_class()
        broken.params_ = {**model.params_, names[i]: model.params_[names[j]]}
        broken.params_[names[j]] = model.params_[names[i]]
        error, correlation = holdout_scores(broken, calibration, actual)
        assert abs(error) >= MAX_TOTAL_ERROR or correlation <= MIN_CORRELATION, names[i]
