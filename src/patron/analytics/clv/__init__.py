"""Customer lifetime value: who will buy again, how much, and what that is worth.

BG/NBD and Pareto/NBD predict repeat purchases from each customer's (frequency, recency, T);
Gamma-Gamma predicts the value of those purchases; ``customer_lifetime_value`` combines them.
The estimators follow the scikit-learn contract (settings in ``__init__``, ``fit`` returns
self, fitted state ends in ``_``, ``params_`` is a plain dict) and reproduce the published
CDNOW estimates.

>>> from patron.analytics.clv import BetaGeo, simulate_bgnbd
>>> base = simulate_bgnbd(5000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39, seed=7)
>>> model = BetaGeo().fit(base["frequency"], base["recency"], base["T"])
>>> forecast = model.expected_purchases(10, base["frequency"], base["recency"], base["T"])
"""

from patron.analytics.clv._fit import ConvergenceError
from patron.analytics.clv.bgnbd import BetaGeo
from patron.analytics.clv.gammagamma import GammaGamma
from patron.analytics.clv.paretonbd import ParetoNBD
from patron.analytics.clv.simulate import simulate_bgnbd, simulate_paretonbd
from patron.analytics.clv.summary import summary_from_transactions
from patron.analytics.clv.value import TransactionModel, customer_lifetime_value

__all__ = [
    "BetaGeo",
    "ConvergenceError",
    "GammaGamma",
    "ParetoNBD",
    "TransactionModel",
    "customer_lifetime_value",
    "simulate_bgnbd",
    "simulate_paretonbd",
    "summary_from_transactions",
]
