"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV";
Fader & Hardie, note 025): each transaction's value is Gamma(p, ν), and each customer's ν is
Gamma(q, γ) across customers (``v`` here for γ, as lifetimes names it).

A customer's observed average is shrunk towards the population mean, the less the fewer
repeat purchases it rests on; that conditional mean is what CLV multiplies by.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, gammaln

from patron.analytics.clv._fit import (
    hessian_from_gradient,
    minimise_log_params,
    require_fitted,
    standard_errors,
)
from patron.analytics.clv._validate import FloatArray, check_non_negative, check_spend

NAMES = ("p", "q", "v")


class _Likelihood:
    """Mean negative log-likelihood (plus penalty) on log-parameters, lifetimes' eq. (1a)."""

    def __init__(self, x: FloatArray, m: FloatArray, penalizer: float) -> None:
        self.x, self.m, self.penalizer = x, m, penalizer
        self.log_m, self.log_x, self.xm = np.log(m), np.log(x), x * m

    def value_and_gradient(self, theta: FloatArray) -> tuple[float, FloatArray]:
        p, q, v = params = np.exp(theta)
        x, n = self.x, self.x.size
        px = p * x
        log_total = np.log(self.xm + v)
        ll = np.sum(
            gammaln(px + q)
            - gammaln(px)
            + (px - 1.0) * self.log_m
            + px * self.log_x
            - (px + q) * log_total
        ) + n * (q * np.log(v) - gammaln(q))
        psi_total = digamma(px + q)
        d_p = np.sum(x * (psi_total - digamma(px) + self.log_m + self.log_x - log_total))
        d_q = np.sum(psi_total - log_total) + n * (np.log(v) - digamma(q))
        d_v = n * q / v - np.sum((px + q) / (self.xm + v))
        grad = np.array([d_p, d_q, d_v]) * params
        value = -ll / n + self.penalizer * np.sum(params**2)
        return float(value), -grad / n + 2 * self.penalizer * params**2

    def value(self, theta: FloatArray) -> float:
        return self.value_and_gradient(theta)[0]

    def gradient(self, theta: FloatArray) -> FloatArray:
        return self.value_and_gradient(theta)[1]


class GammaGamma:
    """Gamma-Gamma estimator: ``fit`` on (frequency, monetary_value), then shrink averages.

    monetary_value is a customer's average repeat-purchase value, as
    ``summary_from_transactions`` gives it. Customers without a repeat purchase carry no spend
    information (their monetary_value is 0 by that convention), so ``fit`` leaves them out and
    counts them in ``n_excluded_``. ``penalizer_coef`` is lifetimes' (coef * sum(params**2) on
    the mean negative log-likelihood). Fitted: ``params_`` (plain dict p, q, v),
    ``log_likelihood_``, ``standard_errors_`` (delta method from the numerical Hessian of the
    negative log-likelihood on the log-parameter scale), ``n_customers_``, ``n_excluded_``.

    >>> model = GammaGamma()
    >>> model.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
    >>> round(float(model.conditional_expected_average_profit(2, 22.35)[()]), 2)
    24.66
    """

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    n_customers_: int
    n_excluded_: int

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency: Any, monetary_value: Any, initial_params: Any = None) -> GammaGamma:
        """Maximum-likelihood p, q, v from customers with at least one repeat purchase."""
        x, m = check_spend(frequency, monetary_value)
        penalizer = check_non_negative("penalizer_coef", self.penalizer_coef)
        repeat = np.atleast_1d(x > 0)
        if not repeat.any():
            raise ValueError(
                f"frequency: none of the {repeat.size} customers has a repeat purchase "
                "(frequency > 0); the Gamma-Gamma model learns spend from repeat purchases only"
            )
        likelihood = _Likelihood(np.atleast_1d(x)[repeat], np.atleast_1d(m)[repeat], penalizer)
        start = np.zeros(3) if initial_params is None else np.log(np.asarray(initial_params))
        theta = minimise_log_params(
            likelihood.value, start, likelihood.value_and_gradient, model="GammaGamma"
        )
        params = np.exp(theta)
        hessian = hessian_from_gradient(likelihood.gradient, theta)
        used = int(repeat.sum())
        self.params_ = {k: float(v) for k, v in zip(NAMES, params, strict=True)}
        self.standard_errors_ = standard_errors(NAMES, params, hessian, used)
        mean_nll = likelihood.value(theta) - penalizer * np.sum(params**2)
        self.log_likelihood_ = float(-mean_nll * used)
        self.n_customers_ = used
        self.n_excluded_ = int(repeat.size - used)
        return self

    def conditional_expected_average_profit(
        self, frequency: Any, monetary_value: Any
    ) -> FloatArray:
        """Expected value of each customer's future transactions (note 025, eq. 5): a weighted
        average of the population mean and the customer's own average, weighted by
        frequency. Customers with frequency 0 get the population mean."""
        x, m = check_spend(frequency, monetary_value)
        require_fitted(self)
        p, q, v = self.params_["p"], self.params_["q"], self.params_["v"]
        if q <= 1.0:
            raise ValueError(
                f"GammaGamma: fitted q = {q:.3g} <= 1, so the spend distribution has no finite "
                "mean; refit with penalizer_coef (e.g. 0.001) or check monetary_value for outliers"
            )
        own = p * x / (p * x + q - 1.0)
        population = v * p / (q - 1.0)
        return np.asarray((1.0 - own) * population + own * m, dtype=np.float64)
