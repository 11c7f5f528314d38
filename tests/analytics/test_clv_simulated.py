"""The CLV models on customer bases simulated from known parameters: the fits recover them,
P(alive) is calibrated against who is really alive, and the unconditional expectations match
the simulated purchase counts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from patron.analytics.clv import BetaGeo, ParetoNBD, simulate_bgnbd, simulate_paretonbd

BG_TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # CDNOW's
PNBD_TRUTH = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}


Simulator = Callable[..., pd.DataFrame]
CASES = [(BetaGeo, simulate_bgnbd, BG_TRUTH), (ParetoNBD, simulate_paretonbd, PNBD_TRUTH)]


def cohort(n: int, seed: int) -> np.ndarray:
    """Observation lengths of a cohort acquired over 12 weeks and observed to week 39."""
    return np.random.default_rng(seed).uniform(27.0, 39.0, n)


def assert_recovered(
    params: dict[str, float], errors: dict[str, float], truth: dict[str, float], rel: float
) -> None:
    """Each estimate within 4 standard errors of the truth (a wrong model or a biased fit lands
    many standard errors away at these sizes) and within ``rel`` of it."""
    for name, true in truth.items():
        assert abs(params[name] - true) < 4 * errors[name], (name, params[name], errors[name])
        assert params[name] == pytest.approx(true, rel=rel), name


def test_bgnbd_recovers_the_generating_parameters() -> None:
    base = simulate_bgnbd(20_000, T=cohort(20_000, 1), seed=2, **BG_TRUTH)
    model = BetaGeo().fit(base["frequency"], base["recency"], base["T"])
    assert_recovered(model.params_, model.standard_errors_, BG_TRUTH, rel=0.15)
    # Standard errors shrink like 1/sqrt(n): the fit reports how sure it is, not a constant.
    small = simulate_bgnbd(2_000, T=cohort(2_000, 3), seed=4, **BG_TRUTH)
    rough = BetaGeo().fit(small["frequency"], small["recency"], small["T"])
    for name in BG_TRUTH:
        ratio = rough.standard_errors_[name] / model.standard_errors_[name]
        assert 2.0 < ratio < 5.0, (name, ratio)  # sqrt(10) = 3.2


def test_paretonbd_recovers_the_generating_parameters() -> None:
    """Observed for one to two years: over CDNOW's 27 to 39 weeks the lifetime parameters s
    and β are loosely identified (one 20,000-customer draw has its maximum likelihood at
    s = 1.08, β = 29.8 for a truth of 0.61 and 11.67, under 2 standard errors away)."""
    ages = np.random.default_rng(5).uniform(52.0, 104.0, 10_000)
    base = simulate_paretonbd(10_000, T=ages, seed=6, **PNBD_TRUTH)
    model = ParetoNBD().fit(base["frequency"], base["recency"], base["T"])
    assert_recovered(model.params_, model.standard_errors_, PNBD_TRUTH, rel=0.3)


@pytest.mark.parametrize(
    ("model_class", "simulate", "truth"),
    CASES,
)
def test_p_alive_is_calibrated(
    model_class: type[BetaGeo | ParetoNBD], simulate: Simulator, truth: dict[str, float]
) -> None:
    """Among customers given P(alive) around p, about a fraction p is alive."""
    base = simulate(20_000, T=cohort(20_000, 7), seed=8, **truth)
    model = model_class()
    model.params_ = truth
    alive = model.p_alive(base["frequency"], base["recency"], base["T"])
    assert alive.mean() == pytest.approx(base["alive"].mean(), abs=0.01)
    bins = np.digitize(alive, [0.2, 0.4, 0.6, 0.8])
    for b in np.unique(bins):
        chosen = bins == b
        predicted, size = alive[chosen].mean(), chosen.sum()
        noise = np.sqrt(predicted * (1 - predicted) / size)  # binomial standard error
        assert abs(base["alive"][chosen].mean() - predicted) < 4 * noise + 1e-9, (b, size)


@pytest.mark.parametrize(
    ("model_class", "simulate", "truth"),
    CASES,
)
def test_expected_purchases_of_a_new_customer_match_simulation(
    model_class: type[BetaGeo | ParetoNBD], simulate: Simulator, truth: dict[str, float]
) -> None:
    model = model_class()
    model.params_ = truth
    for weeks in (10.0, 52.0):
        base = simulate(40_000, T=weeks, seed=9, **truth)
        counts = base["frequency"]
        expected = float(model.expected_purchases_new(weeks))
        assert abs(counts.mean() - expected) < 4 * counts.std() / np.sqrt(counts.size), weeks


def test_simulation_is_reproducible_and_consistent() -> None:
    first = simulate_bgnbd(1_000, T=39.0, seed=10, **BG_TRUTH)
    again = simulate_bgnbd(1_000, T=39.0, seed=10, **BG_TRUTH)
    assert first.equals(again)
    assert (first["recency"] <= first["T"]).all()
    assert (first.loc[first["frequency"] == 0, "recency"] == 0).all()
    assert first.loc[first["frequency"] == 0, "alive"].all()  # nobody drops out before buying
