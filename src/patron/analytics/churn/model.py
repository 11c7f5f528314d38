"""ChurnModel: gradient-boosted churn probabilities, calibrated and explained per customer.

Design choices, and why:

* LightGBM with its native categorical splits, one thread (on small shared machines one
  thread beats two), fed a float matrix built by :class:`FrameSchema`, so the same encoding
  (column order, category codes, unseen → missing) applies at fit, predict and after loading.
* One internal hold-out (``holdout_fraction`` of the rows, stratified) serves two purposes:
  it stops boosting when its log loss stops improving (so ``n_estimators`` is a ceiling and
  the defaults suit 5,000 rows and 5,000,000 alike), and the calibrator is fitted on it.
  Choosing one number (the tree count) on those rows barely biases the calibration, and it
  leaves every other row to the trees.
* Calibration on that hold-out, not ``CalibratedClassifierCV``: one booster scores, so
  ``explain`` explains exactly the model that produced the probability, and a saved model
  is one booster, not k.
* Saved as JSON plus LightGBM's model text (see :mod:`.persist`), never pickle.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split

from patron.analytics.churn._errors import ChurnInputError
from patron.analytics.churn._frame import FrameSchema, binary_target
from patron.analytics.churn.calibration import (
    Calibrator,
    IdentityCalibrator,
    calibrator_from_dict,
    fit_calibrator,
)
from patron.analytics.churn.explain import reasons_frame
from patron.analytics.churn.metrics import evaluate_scores, scalar_metrics
from patron.analytics.churn.persist import (
    model_document,
    parse_model_document,
    read_model_file,
    write_model_file,
)

# LightGBM stores feature names in its JSON-like model header and refuses these characters.
_SAFE_NAME = re.compile(r'^[^\s\[\]{}",:]+$')
# LightGBM 4.7 renamed fit's eval_set to eval_X / eval_y (the old name warns); 4.5 lacks them.
_EVAL_XY = "eval_X" in inspect.signature(lightgbm.LGBMClassifier.fit).parameters


class ChurnModel(ClassifierMixin, BaseEstimator):
    """Probability that a customer churns, from any feature table of numbers and categories.

    Settings go in the constructor, data in :meth:`fit` (scikit-learn's estimator contract,
    so ``clone``, ``cross_val_score`` and ``GridSearchCV`` work). ``X`` is a DataFrame with
    numeric and categorical (object / string / category) columns, missing values allowed;
    ``y`` is 0/1 or bool, 1 meaning churned.

    Scoring tables may have extra columns (ignored) and columns in any order; a column
    missing from them is an error naming it. Categories unseen at fit score as missing.

    >>> model = ChurnModel(n_estimators=200).fit(features, churned)  # doctest: +SKIP
    >>> model.predict_proba(new_features)[:, 1]  # doctest: +SKIP
    >>> model.explain(new_features, top=3)["reasons"]  # doctest: +SKIP
    0    recency_days = 210 (+1.32); channel = phone (+0.41); orders_12m = 1 (+0.30)
    """

    def __init__(
        self,
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        min_child_samples: int = 50,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        early_stopping_rounds: int | None = 50,
        calibration: str | None = "isotonic",
        holdout_fraction: float = 0.2,
        categorical_features: Sequence[str] | None = None,
        random_state: int = 0,
        lgbm_params: Mapping[str, Any] | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.early_stopping_rounds = early_stopping_rounds
        self.calibration = calibration
        self.holdout_fraction = holdout_fraction
        self.categorical_features = categorical_features
        self.random_state = random_state
        self.lgbm_params = lgbm_params

    # -- fitting --------------------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y: Any) -> ChurnModel:
        """Learn the schema, fit the trees on most rows, stop and calibrate on the rest.

        With ``calibration=None`` LightGBM's own probabilities are kept; with
        ``early_stopping_rounds=None`` all ``n_estimators`` trees are grown; with both, no
        rows are held out.
        """
        if self.calibration not in ("isotonic", "sigmoid", None):
            raise ValueError(
                f"calibration must be 'isotonic', 'sigmoid' or None, got {self.calibration!r}"
            )
        schema = FrameSchema.learn(X, self.categorical_features)
        labels = binary_target(y, X)
        _warn_identifier_columns(schema, len(X))
        matrix = schema.encode(X)
        fit_rows, held_rows = self._split(labels)

        stopping: dict[str, Any] = {}
        if self.early_stopping_rounds is not None:
            held = (matrix[held_rows], labels[held_rows])
            stopping["eval_X" if _EVAL_XY else "eval_set"] = (held[0],) if _EVAL_XY else [held]
            if _EVAL_XY:
                stopping["eval_y"] = (held[1],)
            stopping["callbacks"] = [
                lightgbm.early_stopping(self.early_stopping_rounds, verbose=False)
            ]
        classifier = lightgbm.LGBMClassifier(**self._lgbm_settings())
        classifier.fit(
            matrix[fit_rows],
            labels[fit_rows],
            feature_name=_booster_names(schema.columns),
            categorical_feature=schema.categorical_indices,
            **stopping,
        )
        # Re-read from text: drops the trees grown past the best iteration, so the fitted
        # model is exactly what save() writes and load() reads.
        booster = lightgbm.Booster(model_str=classifier.booster_.model_to_string())
        calibrator: Calibrator = IdentityCalibrator()
        scored_rows = fit_rows if len(held_rows) == 0 else held_rows
        if self.calibration is not None:
            held_margin = _raw_margin(booster, matrix[held_rows])
            calibrator = fit_calibrator(self.calibration, held_margin, labels[held_rows])

        self.schema_ = schema
        self.booster_ = booster
        self.calibrator_ = calibrator
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(schema.columns)
        self.feature_names_in_ = np.asarray(schema.columns, dtype=object)
        self.params_ = {**self.get_params(), "lightgbm": self._lgbm_settings()}
        margin = _raw_margin(booster, matrix[scored_rows])
        metrics = evaluate_scores(labels[scored_rows], calibrator.predict(margin))
        self.metadata_ = self._metadata(labels, len(fit_rows), len(held_rows), metrics)
        return self

    def _split(self, labels: NDArray[np.int8]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        rows = np.arange(len(labels))
        if self.calibration is None and self.early_stopping_rounds is None:
            return rows, rows[:0]
        fraction = self.holdout_fraction
        if not 0 < fraction < 1:
            raise ValueError(f"holdout_fraction must be between 0 and 1, got {fraction}")
        smaller = int(min(labels.sum(), len(labels) - labels.sum()))
        if smaller * min(fraction, 1 - fraction) < 1:
            raise ChurnInputError(
                f"only {smaller} rows of the rarer class: too few to hold some out for "
                "calibration and early stopping",
                hint="add labelled rows, or pass calibration=None, early_stopping_rounds=None",
            )
        fit_rows, held_rows = train_test_split(
            rows,
            test_size=fraction,
            stratify=labels,
            random_state=self.random_state,
        )
        return np.sort(fit_rows), np.sort(held_rows)

    def _lgbm_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "objective": "binary",
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "colsample_bytree": self.colsample_bytree,
            "reg_lambda": self.reg_lambda,
            "random_state": self.random_state,
            **(self.lgbm_params or {}),
        }
        settings["n_jobs"] = 1  # one thread is faster on the 2-core machines patron targets
        settings["verbose"] = -1
        return settings

    def _metadata(
        self, labels: NDArray[np.int8], fit_rows: int, held_rows: int, metrics: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "model": "patron.analytics.churn.ChurnModel",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "lightgbm_version": lightgbm.__version__,
            "params": self.params_,
            "calibration": self.calibration or "none",
            "rows": len(labels),
            "tree_rows": fit_rows,
            "calibration_rows": held_rows,
            "positive_rate": float(labels.mean()),
            "trees": self.booster_.num_trees(),  # after early stopping
            "features": self.schema_.describe(),
            # On the hold-out: near honest for ranking (AUC, lift), the trees never saw those
            # rows; calibration figures are optimistic, since the calibrator did.
            "metrics_on": "holdout" if held_rows else "training_rows",
            "metrics": scalar_metrics(metrics),
        }

    # -- scoring --------------------------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "booster_")

    def _fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFittedError("this ChurnModel is not fitted yet; call fit(X, y) or load()")

    def predict_proba(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Calibrated probabilities, shape (rows, 2): column 1 is P(churn), as in scikit-learn."""
        self._fitted()
        churn = self.calibrator_.predict(_raw_margin(self.booster_, self.schema_.encode(X)))
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: pd.DataFrame, threshold: float = 0.5) -> NDArray[np.int8]:
        """1 where P(churn) ≥ ``threshold``; pick the threshold from costs, not habit."""
        return (self.predict_proba(X)[:, 1] >= threshold).astype(np.int8)

    def explain(self, X: pd.DataFrame, top: int = 3) -> pd.DataFrame:
        """Each row's ``top`` reasons, most churn-raising first, as a wide table.

        Columns: ``probability``, ``base_log_odds``, ``reason_k`` (feature),
        ``reason_k_value`` (the row's value as given), ``reason_k_contribution`` (log-odds,
        SHAP), ``reason_k_text`` (e.g. ``"recency_days = 210 (+1.32)"``) for k = 1..top, and
        ``reasons`` (the texts joined by "; "). Negative contributions appear when a row has
        fewer than ``top`` churn-raising features; they are reasons it is likely to stay.
        """
        self._fitted()
        selected = self.schema_.select(X)
        matrix = self.schema_.encode(selected)
        contributions = np.asarray(
            self.booster_.predict(matrix, pred_contrib=True, num_threads=1), dtype=np.float64
        )
        probability = self.calibrator_.predict(_raw_margin(self.booster_, matrix))
        return reasons_frame(contributions, selected, probability, top)

    def evaluate(self, X: pd.DataFrame, y: Any, bins: int = 10) -> dict[str, Any]:
        """AUC, Brier score, log loss, lift in the top 10 %, ECE, and the lift and calibration
        tables (DataFrames) on labelled rows; see :func:`evaluate_scores`."""
        labels = binary_target(y, X)
        return evaluate_scores(labels, self.predict_proba(X)[:, 1], bins)

    @property
    def feature_importance_(self) -> pd.Series:
        """Total split gain per feature, largest first."""
        self._fitted()
        gain = self.booster_.feature_importance(importance_type="gain")
        series = pd.Series(gain, index=list(self.schema_.columns), name="gain", dtype=np.float64)
        return series.sort_values(ascending=False, kind="stable")

    # -- persistence ----------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        self._fitted()
        params = {**self.get_params()}
        if params["categorical_features"] is not None:
            params["categorical_features"] = list(params["categorical_features"])
        return {
            "params": params,
            "schema": self.schema_.to_dict(),
            "calibrator": self.calibrator_.to_dict(),
            "metadata": self.metadata_,
        }

    def save(self, path: str | PathLike[str]) -> Path:
        """Write the fitted model to one JSON file (see :mod:`.persist`); returns the path."""
        state = self._state()  # refuses an unfitted model before its booster is read
        return write_model_file(path, self.booster_.model_to_string(), state)

    def to_json(self) -> str:
        """The text :meth:`save` writes, for a model registry that keeps it in a column."""
        state = self._state()
        return model_document(self.booster_.model_to_string(), state)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> ChurnModel:
        """A model saved by :meth:`save`, scoring exactly as it did when saved."""
        return cls._restore(*read_model_file(path))

    @classmethod
    def from_json(cls, text: str) -> ChurnModel:
        """A model from :meth:`to_json`'s text."""
        return cls._restore(*parse_model_document(text))

    @classmethod
    def _restore(cls, booster_text: str, state: dict[str, Any]) -> ChurnModel:
        model = cls(**state["params"])
        model.schema_ = FrameSchema.from_dict(state["schema"])
        model.booster_ = lightgbm.Booster(model_str=booster_text)
        model.calibrator_ = calibrator_from_dict(state["calibrator"])
        model.classes_ = np.array([0, 1])
        model.n_features_in_ = len(model.schema_.columns)
        model.feature_names_in_ = np.asarray(model.schema_.columns, dtype=object)
        model.metadata_ = state["metadata"]
        model.params_ = state["metadata"]["params"]
        return model


def _raw_margin(booster: lightgbm.Booster, matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """The booster's log-odds, on one thread (the score every calibrator maps)."""
    return np.asarray(booster.predict(matrix, raw_score=True, num_threads=1), dtype=np.float64)


def _booster_names(columns: Sequence[str]) -> list[str]:
    # Real names make the model text readable; positional ones when LightGBM would refuse.
    if all(_SAFE_NAME.match(c) for c in columns):
        return list(columns)
    return [f"feature_{i}" for i in range(len(columns))]


def _warn_identifier_columns(schema: FrameSchema, rows: int) -> None:
    # A text id (customer number, e-mail) read as a category lets the trees memorise rows.
    for name, categories in schema.categories.items():
        if len(categories) > max(1000, rows // 2):
            warnings.warn(
                f"categorical column {name!r} has {len(categories)} distinct values in "
                f"{rows} rows; if it is an identifier, drop it from X",
                UserWarning,
                stacklevel=3,
            )
