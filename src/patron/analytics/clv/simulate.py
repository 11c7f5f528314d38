"""Customer bases drawn from the BG/NBD and Pareto/NBD models with known parameters: the
ground truth for recovery tests and the data of the CLV benchmark.

Both draws are vectorised without simulating purchases one by one: given the number N of
Poisson arrivals in a window, their times are uniform order statistics, so the k-th of them
is the window length times Beta(k, N - k + 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _ages(n: int, T: Any) -> np.ndarray:
    if n < 1:
        raise ValueError(f"n: expected at least 1 customer, got {n}")
    ages = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    if not np.all(np.isfinite(ages)) or np.any(ages <= 0):
        raise ValueError("T: every customer's observation time must be a number > 0")
    return ages


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: Any, seed: int | None = None
) -> pd.DataFrame:
    """``n`` customers observed for ``T`` periods each (a number or one per customer) under
    BG/NBD(r, alpha, a, b): columns frequency, recency, T and alive (still alive at T).

    >>> base = simulate_bgnbd(1000, 0.25, 4.0, 0.8, 2.5, T=39, seed=1)
    >>> list(base.columns)
    ['frequency', 'recency', 'T', 'alive']
    """
    rng = np.random.default_rng(seed)
    ages = _ages(n, T)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = np.clip(rng.beta(a, b, n), 1e-12, 1.0)
    # Repeat purchases a customer makes before dropping out: dropping out is a coin flip
    # after each repeat purchase, so this count is geometric on 1, 2, ...
    possible = rng.geometric(dropout)
    arrivals = rng.poisson(rate * ages)
    frequency = np.minimum(arrivals, possible)
    recency = np.zeros(n)
    bought = frequency > 0
    recency[bought] = ages[bought] * rng.beta(
        frequency[bought], arrivals[bought] - frequency[bought] + 1
    )
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.float64),
            "recency": recency,
            "T": ages,
            "alive": possible > arrivals,
        }
    )


def simulate_paretonbd(
    n: int, r: float, alpha: float, s: float, beta: float, T: Any, seed: int | None = None
) -> pd.DataFrame:
    """``n`` customers observed for ``T`` periods under Pareto/NBD(r, alpha, s, beta), with the
    same columns as :func:`simulate_bgnbd`."""
    rng = np.random.default_rng(seed)
    ages = _ages(n, T)
    rate = rng.gamma(r, 1.0 / alpha, n)
    lifetime = rng.exponential(1.0 / rng.gamma(s, 1.0 / beta, n))
    active = np.minimum(lifetime, ages)
    frequency = rng.poisson(rate * active)
    recency = np.zeros(n)
    bought = frequency > 0
    recency[bought] = active[bought] * rng.beta(frequency[bought], 1.0)
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.float64),
            "recency": recency,
            "T": ages,
            "alive": lifetime > ages,
        }
    )
