"""Logarithms of the special functions in the CLV likelihoods, kept finite where the textbook
forms overflow or cancel."""

from __future__ import annotations

import numpy as np
from scipy.special import hyp2f1

from patron.analytics.clv._validate import FloatArray

Real = FloatArray | float


def log_hyp2f1(a: Real, b: Real, c: Real, z: Real) -> FloatArray:
    """log 2F1(a, b; c; z) for 0 <= z < 1 and a positive series.

    Near z = 1 with c - a - b < 0 the series grows like (1 - z)^(c - a - b) and the direct
    value overflows; Euler's transformation 2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z)
    moves that growth into a power that is taken in logs.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        direct = hyp2f1(a, b, c, z)
        value = np.log(direct)
        bad = ~np.isfinite(value)
        if np.any(bad):
            a_, b_, c_, z_ = (v[bad] for v in np.broadcast_arrays(a, b, c, z))
            euler = np.log(hyp2f1(c_ - a_, c_ - b_, c_, z_)) + (c_ - a_ - b_) * np.log1p(-z_)
            value = np.array(value, dtype=np.float64, copy=True)
            value[bad] = euler
    return np.asarray(value, dtype=np.float64)


def log1mexp(d: FloatArray) -> FloatArray:
    """log(1 - exp(d)) for d <= 0, accurate both near 0 and far below it (Mächler 2012).

    It turns the log of a difference of two positive terms (the Pareto/NBD A0 term) into a
    difference of their logs, which is where the precision is.
    """
    d = np.minimum(d, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(d > -np.log(2.0), np.log(-np.expm1(d)), np.log1p(-np.exp(d)))


def one_minus_power_over(exponent: float, log_base: FloatArray) -> FloatArray:
    """(1 - base^exponent) / exponent, with its limit -log(base) at exponent 0.

    Pareto/NBD expectations divide by s - 1, which is close to 0 for many real customer bases.
    """
    if abs(exponent) < 1e-12:
        return np.asarray(-log_base, dtype=np.float64)
    return np.asarray(-np.expm1(exponent * log_base) / exponent, dtype=np.float64)
