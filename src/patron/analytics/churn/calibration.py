"""Maps from the booster's raw log-odds to calibrated churn probabilities.

Gradient boosting ranks well but its probabilities drift (too extreme after many trees, or
shrunk by regularisation), and a retention budget is planned on the probabilities themselves
("expected churners in this segment"), so they are recalibrated on rows the trees never saw.

Both maps keep their fitted state as a few plain numbers, so a saved model is JSON only: no
pickle, and predictions after loading are bit-for-bit those before saving.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

# Isotonic steps can reach exactly 0 or 1 on a pure stretch of the calibration rows; no
# customer is certain to stay or go, and log loss would be infinite.
_P_MIN, _P_MAX = 1e-6, 1.0 - 1e-6


class Calibrator(Protocol):
    """Turns raw scores (log-odds) into probabilities; fitted once, then stateless."""

    kind: str

    def predict(self, margin: NDArray[np.float64]) -> NDArray[np.float64]: ...

    def to_dict(self) -> dict[str, Any]: ...


class IsotonicCalibrator:
    """A monotone step map, linear between the thresholds (scikit-learn's isotonic regression).

    Needs a few thousand calibration rows to be smooth; with fewer, prefer ``SigmoidCalibrator``.

    >>> cal = IsotonicCalibrator.fit(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
    >>> cal.predict(np.array([-3.0, 0.0, 3.0])).round(3).tolist()
    [0.0, 0.5, 1.0]
    """

    kind = "isotonic"

    def __init__(self, x_thresholds: NDArray[np.float64], y_thresholds: NDArray[np.float64]):
        self.x_thresholds = np.asarray(x_thresholds, dtype=np.float64)
        self.y_thresholds = np.asarray(y_thresholds, dtype=np.float64)

    @classmethod
    def fit(cls, margin: NDArray[np.float64], y: NDArray[np.int8]) -> IsotonicCalibrator:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        iso.fit(margin, y)
        return cls(iso.X_thresholds_, iso.y_thresholds_)

    def predict(self, margin: NDArray[np.float64]) -> NDArray[np.float64]:
        # np.interp clamps outside the thresholds, as out_of_bounds="clip" does.
        p = np.interp(margin, self.x_thresholds, self.y_thresholds)
        return np.clip(p, _P_MIN, _P_MAX)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "x_thresholds": self.x_thresholds.tolist(),
            "y_thresholds": self.y_thresholds.tolist(),
        }


class SigmoidCalibrator:
    """Platt scaling: ``p = 1 / (1 + exp(-(a * margin + b)))``, two numbers.

    Fitted to Platt's smoothed targets (as scikit-learn does), which keeps it from
    overconfidence on small calibration sets.

    >>> cal = SigmoidCalibrator(a=1.0, b=0.0)
    >>> float(cal.predict(np.array([0.0]))[0])
    0.5
    """

    kind = "sigmoid"

    def __init__(self, a: float, b: float):
        self.a = float(a)
        self.b = float(b)

    @classmethod
    def fit(cls, margin: NDArray[np.float64], y: NDArray[np.int8]) -> SigmoidCalibrator:
        positives = float(y.sum())
        negatives = float(len(y) - positives)
        target = np.where(y == 1, (positives + 1.0) / (positives + 2.0), 1.0 / (negatives + 2.0))

        def loss(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            z = theta[0] * margin + theta[1]
            value = np.sum(target * np.logaddexp(0.0, -z) + (1.0 - target) * np.logaddexp(0.0, z))
            residual = expit(z) - target
            return float(value), np.array([np.sum(residual * margin), np.sum(residual)])

        result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
        return cls(a=result.x[0], b=result.x[1])

    def predict(self, margin: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.clip(expit(self.a * margin + self.b), _P_MIN, _P_MAX)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "a": self.a, "b": self.b}


class IdentityCalibrator:
    """No recalibration: the booster's own probability (``calibration=None``)."""

    kind = "none"

    def predict(self, margin: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.clip(expit(margin), _P_MIN, _P_MAX)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}


def fit_calibrator(kind: str, margin: NDArray[np.float64], y: NDArray[np.int8]) -> Calibrator:
    """Fit the calibrator named by ``kind`` ("isotonic" or "sigmoid") on held-out rows."""
    if kind == "isotonic":
        return IsotonicCalibrator.fit(margin, y)
    if kind == "sigmoid":
        return SigmoidCalibrator.fit(margin, y)
    raise ValueError(f"unknown calibration {kind!r}; use 'isotonic', 'sigmoid' or None")


def calibrator_from_dict(state: dict[str, Any]) -> Calibrator:
    """The calibrator ``to_dict`` described (used when loading a saved model)."""
    kind = state.get("kind")
    if kind == "isotonic":
        return IsotonicCalibrator(np.array(state["x_thresholds"]), np.array(state["y_thresholds"]))
    if kind == "sigmoid":
        return SigmoidCalibrator(a=state["a"], b=state["b"])
    if kind == "none":
        return IdentityCalibrator()
    raise ValueError(f"unknown calibrator kind {kind!r} in the saved model")
