"""The Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987): while alive a
customer buys as a Poisson process with rate λ ~ Gamma(r, α) and lives an exponential
lifetime with rate μ ~ Gamma(s, β).

Formulas follow Fader & Hardie's "A note on deriving the Pareto/NBD model and related
expressions" (2005): likelihood eq. (18)-(20), P(alive) eq. (36)-(37) and the conditional
expectation eq. (41). The A0 term is a difference of two Gauss hypergeometric terms; it is
taken as a difference of logs, so customers whose last purchase is close to the end of the
window (where the two terms nearly cancel) keep their precision.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, gammaln

from patron.analytics.clv._fit import (
    hessian_from_values,
    minimise_log_params,
    require_fitted,
    standard_errors,
)
from patron.analytics.clv._special import log1mexp, log_hyp2f1, one_minus_power_over
from patron.analytics.clv._validate import (
    FloatArray,
    check_fit_rfm,
    check_horizon,
    check_non_negative,
    check_rfm,
)

NAMES = ("r", "alpha", "s", "beta")
Params = tuple[float, float, float, float]


def _log_a0(params: Params, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    """log A0 (eq. 19 when α >= β, eq. 20 when β > α); -inf when recency equals T.

    The split keeps the hypergeometric argument |α - β| / (max(α, β) + t) in [0, 1).
    """
    r, alpha, s, beta = params
    second: FloatArray | float
    if alpha >= beta:
        larger, second = alpha, s + 1.0
    else:
        larger, second = beta, r + x
    rsx = r + s + x
    gap = abs(alpha - beta)
    at_last = log_hyp2f1(rsx, second, rsx + 1.0, gap / (larger + t_x)) - rsx * np.log(larger + t_x)
    at_end = log_hyp2f1(rsx, second, rsx + 1.0, gap / (larger + age)) - rsx * np.log(larger + age)
    return np.asarray(at_last + log1mexp(at_end - at_last), dtype=np.float64)


def _log_alive_terms(
    params: Params, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(log of the "alive at T" term, log of the "died after the last purchase" term) of the
    likelihood, without the factor Γ(r+x) α^r β^s / Γ(r) common to both."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    died = np.log(s) - np.log(r + s + x) + _log_a0(params, x, t_x, age)
    return np.asarray(alive, dtype=np.float64), died


def _log_likelihood(params: Params, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    r, alpha, s, beta = params
    alive, died = _log_alive_terms(params, x, t_x, age)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return np.asarray(common + np.logaddexp(alive, died), dtype=np.float64)


class ParetoNBD:
    """Pareto/NBD estimator: ``fit`` on per-customer (frequency, recency, T), then predict.

    Same data and conventions as :class:`BetaGeo`. ``penalizer_coef`` adds
    ``coef * sum(params**2)`` (α and β in the scaled time unit) to the *mean* negative
    log-likelihood; lifetimes' ParetoNBDFitter adds it to the sum, so its penalty is n times
    weaker for the same coefficient. Standard errors come from a numerical Hessian of the mean
    negative log-likelihood on the log-parameter scale (second differences of the likelihood,
    which has no analytic gradient here), by the delta method.

    >>> model = ParetoNBD()
    >>> model.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.665}
    >>> round(float(model.p_alive(0, 0.0, 38.86)[()]), 3)
    0.295
    """

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    n_customers_: int

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency: Any, recency: Any, T: Any, initial_params: Any = None) -> ParetoNBD:
        """Maximum-likelihood parameters. ``initial_params`` (r, alpha, s, beta) are in the
        time unit scaled so the longest T is 1; the default is all ones."""
        x, t_x, age = check_fit_rfm(frequency, recency, T)
        penalizer = check_non_negative("penalizer_coef", self.penalizer_coef)
        scale = 1.0 / age.max() if age.max() > 0 else 1.0
        t_x, age = t_x * scale, age * scale
        # Distinct histories are few on real data (many customers share x = 0, t_x = 0 and a
        # cohort's T); the hypergeometric terms are then computed once per history.
        rows, weights = np.unique(np.column_stack([x, t_x, age]), axis=0, return_counts=True)
        ux, ut_x, uage = rows.T
        n = x.size

        def objective(theta: FloatArray) -> float:
            r, alpha, s, beta = params = np.exp(theta)
            ll = weights @ _log_likelihood((r, alpha, s, beta), ux, ut_x, uage)
            value = -ll / n + penalizer * np.sum(params**2)
            return float(value) if np.isfinite(value) else np.inf

        start = np.zeros(4) if initial_params is None else np.log(np.asarray(initial_params))
        theta = minimise_log_params(objective, start, model="ParetoNBD")
        params = np.exp(theta)
        hessian = hessian_from_values(objective, theta)
        params[1] /= scale
        params[3] /= scale
        self.params_ = {k: float(v) for k, v in zip(NAMES, params, strict=True)}
        self.standard_errors_ = standard_errors(NAMES, params, hessian, n)
        mean_nll = objective(theta) - penalizer * np.sum(np.exp(theta) ** 2)
        self.log_likelihood_ = float(-mean_nll * n + x.sum() * np.log(scale))
        self.n_customers_ = int(n)
        return self

    def _params(self) -> Params:
        require_fitted(self)
        p = self.params_
        return p["r"], p["alpha"], p["s"], p["beta"]

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Probability each customer is still alive at T (eq. 36-37)."""
        x, t_x, age = check_rfm(frequency, recency, T)
        alive, died = _log_alive_terms(self._params(), x, t_x, age)
        return np.asarray(expit(alive - died), dtype=np.float64)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Expected repeat purchases in the next ``t`` periods given each history (eq. 41):
        P(alive) times the purchases of a live customer whose remaining lifetime is uncertain.
        """
        x, t_x, age = check_rfm(frequency, recency, T)
        horizon = check_horizon(t)
        r, alpha, s, beta = self._params()
        alive = self.p_alive(x, t_x, age)
        log_base = np.log(beta + age) - np.log(beta + age + horizon)
        per_alive = (r + x) * (beta + age) / (alpha + age) * one_minus_power_over(s - 1.0, log_base)
        return np.asarray(alive * per_alive, dtype=np.float64)

    def expected_purchases_new(self, t: Any) -> FloatArray:
        """Expected repeat purchases in ``t`` periods by a customer just acquired."""
        horizon = check_horizon(t)
        r, alpha, s, beta = self._params()
        log_base = np.log(beta) - np.log(beta + horizon)
        return np.asarray(r * beta / alpha * one_minus_power_over(s - 1.0, log_base))
