"""From an analyst's feature table to the numeric matrix LightGBM reads, the same way every time.

The schema is learned once at fit: column order, which columns are categorical, and the
categories seen. Scoring tables then come from other systems and other days, so ``encode``
forgives what it safely can (column order, extra columns, unseen categories, a numeric column
that arrived as text digits) and refuses, naming the column, what it cannot (a missing
column, text in a numeric column).

Categorical columns become integer codes of the categories seen at fit; a category unseen at
fit and a missing value both become NaN, which LightGBM routes down its "missing" branch.
Category values are compared as text (``str(value)``), so ``1`` and ``"1"`` are one category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api import types as pdt

from patron.analytics.churn._errors import ChurnInputError

NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True)
class FrameSchema:
    """Columns (in fit order), their kind, the original dtypes and the categories seen at fit."""

    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    dtypes: tuple[str, ...]
    categories: dict[str, list[str]]

    @classmethod
    def learn(cls, X: pd.DataFrame, categorical: Sequence[str] | None = None) -> FrameSchema:
        """Read the schema off the training table.

        Object, string and category columns are categorical; bool and numeric columns are
        numeric unless listed in ``categorical`` (for codes stored as integers, e.g. a region
        number). Date-times are refused: trees need a number such as "days since".
        """
        check_frame(X)
        forced = set(categorical or ())
        unknown = sorted(forced - set(X.columns))
        if unknown:
            raise ChurnInputError(
                f"categorical_features names columns not in X: {', '.join(unknown)}",
                hint="list only columns of the training table",
            )
        kinds: list[str] = []
        categories: dict[str, list[str]] = {}
        for name in X.columns:
            series = X[name]
            if pdt.is_datetime64_any_dtype(series) or pdt.is_timedelta64_dtype(series):
                raise ChurnInputError(
                    f"column {name!r} holds date-times ({series.dtype})",
                    field=name,
                    hint="turn it into a number first, e.g. days since the event",
                )
            if name in forced or not (pdt.is_bool_dtype(series) or pdt.is_numeric_dtype(series)):
                kinds.append(CATEGORICAL)
                cat = pd.Categorical(series)
                seen = np.unique(cat.codes[cat.codes >= 0])
                categories[name] = sorted({str(cat.categories[i]) for i in seen})
            else:
                kinds.append(NUMERIC)
        return cls(
            columns=tuple(X.columns),
            kinds=tuple(kinds),
            dtypes=tuple(str(X[c].dtype) for c in X.columns),
            categories=categories,
        )

    @property
    def categorical_indices(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds) if kind == CATEGORICAL]

    def select(self, X: pd.DataFrame) -> pd.DataFrame:
        """The fit-time columns of ``X``, in fit order; extra columns are ignored.

        Extra columns are ignored silently: scoring tables usually carry ids and other
        fields, and a renamed feature still fails loudly as a missing column.
        """
        check_frame(X, fitting=False)
        missing = [c for c in self.columns if c not in X.columns]
        if missing:
            raise ChurnInputError(
                f"X lacks {len(missing)} column(s) the model was trained on: {', '.join(missing)}",
                hint="add them (missing values are allowed) or retrain without them",
            )
        return X.loc[:, list(self.columns)]

    def encode(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """The float matrix (rows × fit columns) LightGBM is trained on and scores."""
        X = self.select(X)
        out = np.empty((len(X), len(self.columns)), dtype=np.float64)
        for j, (name, kind) in enumerate(zip(self.columns, self.kinds, strict=True)):
            if kind == CATEGORICAL:
                out[:, j] = _category_codes(X[name], self.categories[name])
            else:
                out[:, j] = _numbers(X[name], name)
        return out

    def describe(self) -> list[dict[str, Any]]:
        """One entry per column (name, kind, dtype, number of categories) for metadata."""
        return [
            {"name": name, "kind": kind, "dtype": dtype}
            | ({"categories": len(self.categories[name])} if kind == CATEGORICAL else {})
            for name, kind, dtype in zip(self.columns, self.kinds, self.dtypes, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "kinds": list(self.kinds),
            "dtypes": list(self.dtypes),
            "categories": self.categories,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> FrameSchema:
        return cls(
            columns=tuple(state["columns"]),
            kinds=tuple(state["kinds"]),
            dtypes=tuple(state["dtypes"]),
            categories={k: list(v) for k, v in state["categories"].items()},
        )


def check_frame(X: object, *, fitting: bool = True) -> None:
    """Refuse what is not a usable DataFrame, saying what to pass instead."""
    if not isinstance(X, pd.DataFrame):
        raise ChurnInputError(
            f"X must be a pandas DataFrame, got {type(X).__name__}",
            hint="wrap it: pd.DataFrame(array, columns=[...names...])",
        )
    if fitting:
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ChurnInputError(
                f"X is empty ({X.shape[0]} rows, {X.shape[1]} columns)",
                hint="pass at least one feature column and some rows",
            )
        bad = [c for c in X.columns if not isinstance(c, str)]
        if bad:
            raise ChurnInputError(
                f"column names must be text; got {bad[:5]!r}",
                hint="rename them, e.g. X.columns = X.columns.astype(str)",
            )
    duplicated = sorted({str(c) for c in X.columns[X.columns.duplicated()]})
    if duplicated:
        raise ChurnInputError(
            f"X has duplicate columns: {', '.join(duplicated)}", hint="drop or rename the copies"
        )


def _category_codes(series: pd.Series, categories: list[str]) -> NDArray[np.float64]:
    # Factorise the column (fast, hashes each distinct value once), then map each distinct
    # value's text to its fit-time code; unseen values and missing ones become NaN.
    cat = pd.Categorical(series)
    lookup = pd.Index(categories, dtype=object).get_indexer([str(v) for v in cat.categories])
    # A trailing -1 makes pandas' missing code (-1) index "missing" (also when every value
    # is missing and there are no categories at all).
    codes = np.append(lookup, -1)[cat.codes].astype(np.float64)
    codes[codes < 0] = np.nan
    return codes


def _numbers(series: pd.Series, name: str) -> NDArray[np.float64]:
    if pdt.is_bool_dtype(series) or pdt.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    # A numeric column can arrive as text from another system (CSV, JSON): accept digits,
    # refuse words, since a silent NaN would quietly change every score.
    values = pd.to_numeric(series.astype(object), errors="coerce")
    lost = values.isna() & series.notna()
    if lost.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[lost])[:3])
        raise ChurnInputError(
            f"column {name!r} was numeric when the model was trained but holds text: {examples}",
            field=name,
            hint="clean the values (missing ones may be left empty)",
        )
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def binary_target(y: object, X: pd.DataFrame) -> NDArray[np.int8]:
    """``y`` as an int8 array of 0/1 (1 = churned), one per row of ``X``, or a clear error."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ChurnInputError(
                f"y has {y.shape[1]} columns", hint="pass the one 0/1 churn column"
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and len(y) == len(X) and not y.index.equals(X.index):
        raise ChurnInputError(
            "y's index differs from X's, so labels may belong to other rows",
            hint="align them (y = y.loc[X.index]) or pass y.to_numpy() to match by position",
        )
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ChurnInputError(f"y must be one-dimensional, got shape {arr.shape}")
    if len(arr) == 0:
        raise ChurnInputError("y is empty", hint="pass one 0/1 label per row of X")
    if len(arr) != len(X):
        raise ChurnInputError(
            f"y has {len(arr)} labels but X has {len(X)} rows", hint="pass one label per row"
        )
    missing = pd.isna(arr)
    if missing.any():
        raise ChurnInputError(
            f"y has {int(missing.sum())} missing label(s), first at position "
            f"{int(np.flatnonzero(missing)[0])}",
            hint="drop those rows or label them 0/1",
        )
    values = set(pd.unique(arr).tolist())
    if not values <= {0, 1}:  # True == 1 and False == 0, so bools pass
        odd = sorted(repr(v) for v in values - {0, 1})[:5]
        raise ChurnInputError(
            f"y must be binary 0/1 (1 = churned); found {', '.join(odd)}",
            hint="map the labels to 0/1, e.g. y = (status == 'churned').astype(int)",
        )
    labels = arr.astype(np.int8)
    if len(values) < 2:
        raise ChurnInputError(
            f"y has only one class ({int(labels[0])} for all {len(labels)} rows)",
            hint="a churn model needs both churned (1) and retained (0) customers",
        )
    return labels
