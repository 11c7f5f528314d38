"""Maximum-likelihood machinery shared by the CLV models: the optimiser on log-parameters and
standard errors from the numerical Hessian.

Parameters are optimised as logarithms so every model parameter stays positive without
constraints and the optimiser sees a scale where a step of 0.1 means "10% larger" for every
parameter alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize

from patron.analytics.clv._validate import FloatArray

Objective = Callable[[FloatArray], float]
Gradient = Callable[[FloatArray], FloatArray]
ValueAndGradient = Callable[[FloatArray], tuple[float, FloatArray]]

# exp(±20) spans 2e-9 .. 5e8: wider than any sensible parameter in a per-period time unit
# scaled to the observation window, narrow enough that gammaln and powers stay finite.
LOG_BOUND = 20.0


class ConvergenceError(RuntimeError):
    """The likelihood optimiser did not reach a usable optimum."""


def numerical_gradient(objective: Objective, step: float = 1e-6) -> Gradient:
    """Central differences, for likelihoods whose analytic gradient is not worth its algebra."""

    def gradient(theta: FloatArray) -> FloatArray:
        out = np.empty_like(theta)
        for k in range(theta.size):
            shift = np.zeros_like(theta)
            shift[k] = step
            out[k] = (objective(theta + shift) - objective(theta - shift)) / (2 * step)
        return out

    return gradient


def minimise_log_params(
    objective: Objective,
    start: FloatArray,
    value_and_gradient: ValueAndGradient | None = None,
    model: str = "",
) -> FloatArray:
    """The log-parameters minimising ``objective``, starting from ``start``.

    L-BFGS-B, on the analytic gradient when there is one (``value_and_gradient``, one pass
    because value and gradient share most terms), else on central differences. If that does
    not converge, Nelder-Mead (no gradient, so no finite-difference noise far from the optimum)
    finds the basin and L-BFGS-B polishes the last digits.
    """
    start = np.asarray(start, dtype=np.float64)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * start.size
    polish = {"ftol": 1e-15, "gtol": 1e-9, "maxiter": 2000}
    if value_and_gradient is not None:
        result = minimize(
            value_and_gradient, start, jac=True, method="L-BFGS-B", bounds=bounds, options=polish
        )
        gradient = _gradient_only(value_and_gradient)
    else:
        # Central differences cost 8 likelihoods per gradient, still fewer in all than
        # Nelder-Mead needs to reach the same precision.
        gradient = numerical_gradient(objective)
        result = minimize(
            objective, start, jac=gradient, method="L-BFGS-B", bounds=bounds, options=polish
        )
        if not _converged(result, gradient):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                coarse = minimize(
                    objective,
                    start,
                    method="Nelder-Mead",
                    bounds=bounds,
                    options={"xatol": 1e-5, "fatol": 1e-12, "maxiter": 4000, "maxfev": 8000},
                )
            result = minimize(
                objective, coarse.x, jac=gradient, method="L-BFGS-B", bounds=bounds, options=polish
            )
    theta = np.asarray(result.x, dtype=np.float64)
    _check_converged(model, result, theta, gradient)
    return theta


def _gradient_only(value_and_gradient: ValueAndGradient) -> Gradient:
    return lambda theta: value_and_gradient(theta)[1]


def _check_converged(model: str, result: Any, theta: FloatArray, gradient: Gradient) -> None:
    if not np.all(np.isfinite(theta)) or not np.isfinite(result.fun):
        raise ConvergenceError(
            f"{model}: the likelihood became undefined while fitting; check the input summary "
            "(units of recency and T) or set penalizer_coef, e.g. 0.001"
        )
    if np.any(np.abs(theta) >= LOG_BOUND - 1e-6):
        raise ConvergenceError(
            f"{model}: a parameter ran off to {np.exp(theta).tolist()}; the data cannot pin it "
            "down (too few repeat buyers?). Set penalizer_coef, e.g. 0.001, to keep it finite"
        )
    if not _converged(result, gradient):
        raise ConvergenceError(f"{model}: the optimiser stopped early ({result.message})")


def _converged(result: Any, gradient: Gradient) -> bool:
    # L-BFGS-B may stop on a line-search failure once it is at machine precision; a small
    # gradient is what matters.
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        return False
    return bool(result.success) or float(np.max(np.abs(gradient(result.x)))) <= 1e-4


def hessian_from_gradient(gradient: Gradient, theta: FloatArray, step: float = 1e-4) -> FloatArray:
    """Central differences of an analytic gradient, symmetrised."""
    size = theta.size
    hess = np.empty((size, size))
    for k in range(size):
        shift = np.zeros(size)
        shift[k] = step
        hess[:, k] = (gradient(theta + shift) - gradient(theta - shift)) / (2 * step)
    return np.asarray((hess + hess.T) / 2, dtype=np.float64)


def hessian_from_values(objective: Objective, theta: FloatArray, step: float = 1e-3) -> FloatArray:
    """Second central differences of the objective itself (no gradient available)."""
    size = theta.size
    hess = np.empty((size, size))
    f0 = objective(theta)
    unit = np.eye(size) * step
    for i in range(size):
        hess[i, i] = (objective(theta + unit[i]) - 2 * f0 + objective(theta - unit[i])) / step**2
        for j in range(i):
            hess[i, j] = hess[j, i] = (
                objective(theta + unit[i] + unit[j])
                - objective(theta + unit[i] - unit[j])
                - objective(theta - unit[i] + unit[j])
                + objective(theta - unit[i] - unit[j])
            ) / (4 * step**2)
    return hess


def standard_errors(
    names: tuple[str, ...], params: FloatArray, mean_hessian: FloatArray, customers: int
) -> dict[str, float]:
    """Standard errors of the parameters from the Hessian of the mean negative log-likelihood
    (plus the penalty, if any: the objective that was minimised) on the log-parameter scale,
    as lifetimes computes them: Cov(log θ) = (n H)^-1, then the delta method
    se(θ) = θ · se(log θ). NaN when the Hessian is not positive definite (a flat direction:
    the data do not identify that parameter)."""
    try:
        cov = np.linalg.inv(mean_hessian * customers)
        variances = np.diag(cov)
    except np.linalg.LinAlgError:
        variances = np.full(len(names), np.nan)
    with np.errstate(invalid="ignore"):
        ses = params * np.sqrt(np.where(variances > 0, variances, np.nan))
    return {name: float(se) for name, se in zip(names, ses, strict=True)}


def require_fitted(model: Any) -> None:
    if not hasattr(model, "params_"):
        raise RuntimeError(f"{type(model).__name__} is not fitted yet; call fit() first")
