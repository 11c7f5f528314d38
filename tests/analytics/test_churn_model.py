"""ChurnModel against simulated customers whose true churn probability is known.

Churn is a known logistic function of recency, order count, a text channel (with missing
values), a survey score missing for a quarter of customers (not answering is itself a churn
sign), plus five noise columns. Knowing the truth lets the tests compare the model with the
best any model could do (the Bayes AUC of the true probabilities), check probabilities
against the true ones rather than against noisy labels, and check that explanations name the
features that truly drive a row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from patron.analytics.churn import (
    ChurnInputError,
    ChurnModel,
    calibration_table,
    lift_at,
    lift_table,
)

CHANNEL_EFFECT = {"store": -0.8, "app": 0.0, "web": 0.4, "phone": 1.0}
TRUE_FEATURES = ["recency_days", "orders_12m", "channel", "satisfaction"]
NOISE = ["noise_0", "noise_1", "noise_2", "noise_3", "noise_region"]


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[str, Any]]:
    """(features, churned 0/1, true churn probability, each feature's true log-odds term)."""
    rng = np.random.default_rng(seed)
    recency = rng.gamma(2.0, 60.0, n).round()
    orders = rng.poisson(3.0, n)
    channel = rng.choice(list(CHANNEL_EFFECT), n, p=[0.3, 0.3, 0.25, 0.15]).astype(object)
    channel[rng.random(n) < 0.05] = None
    satisfaction = rng.integers(1, 11, n).astype(float)
    answered = rng.random(n) > 0.25
    satisfaction[~answered] = np.nan
    terms = {
        "recency_days": 0.015 * (recency - 120.0),
        "orders_12m": -0.35 * (orders - 3.0),
        "channel": np.array([CHANNEL_EFFECT.get(c, 0.0) if c else 0.0 for c in channel]),
        "satisfaction": np.where(answered, -0.25 * (np.nan_to_num(satisfaction) - 5.5), 0.7),
    }
    p = expit(-1.2 + sum(terms.values()))
    y = (rng.random(n) < p).astype(int)
    X = pd.DataFrame(
        {
            "recency_days": recency,
            "orders_12m": orders,
            "channel": channel,
            "satisfaction": satisfaction,
            **{f"noise_{i}": rng.normal(size=n) for i in range(4)},
            "noise_region": rng.choice(["north", "south", "east", "west", "centre"], n),
        }
    )
    return X, y, p, terms


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    X, y, _, _ = simulate(30_000, seed=1)
    X_test, y_test, p_test, terms = simulate(20_000, seed=2)
    return {"X": X, "y": y, "X_test": X_test, "y_test": y_test, "p_test": p_test, "terms": terms}


@pytest.fixture(scope="module")
def model(data: dict[str, Any]) -> ChurnModel:
    return ChurnModel().fit(data["X"], data["y"])


@pytest.fixture(scope="module")
def reasons(model: ChurnModel, data: dict[str, Any]) -> pd.DataFrame:
    return model.explain(data["X_test"], top=3)


# -- accuracy against the truth -----------------------------------------------------------


def test_auc_is_close_to_the_best_possible_and_beats_recency_alone(
    model: ChurnModel, data: dict[str, Any]
) -> None:
    y_test = data["y_test"]
    bayes = roc_auc_score(y_test, data["p_test"])  # no model can rank better on average
    recency_only = roc_auc_score(y_test, data["X_test"]["recency_days"])
    auc = roc_auc_score(y_test, model.predict_proba(data["X_test"])[:, 1])
    assert auc > bayes - 0.02, (auc, bayes)
    assert auc > recency_only + 0.05, (auc, recency_only)


@pytest.mark.parametrize("calibration", ["isotonic", "sigmoid"])
def test_probabilities_are_close_to_the_true_ones(
    calibration: str, model: ChurnModel, data: dict[str, Any]
) -> None:
    fitted = model if calibration == "isotonic" else ChurnModel(calibration=calibration)
    if fitted is not model:
        fitted.fit(data["X"], data["y"])
    predicted = fitted.predict_proba(data["X_test"])[:, 1]
    assert np.abs(predicted - data["p_test"]).mean() < 0.05
    assert abs(predicted.mean() - data["y_test"].mean()) < 0.015


def test_early_stopping_keeps_far_fewer_trees_than_the_ceiling(model: ChurnModel) -> None:
    assert 20 < model.metadata_["trees"] < model.n_estimators


# -- explanations -------------------------------------------------------------------------


@pytest.mark.parametrize("feature", TRUE_FEATURES)
def test_explain_names_the_feature_that_truly_dominates_a_row(
    feature: str, reasons: pd.DataFrame, data: dict[str, Any]
) -> None:
    # Centre each true term on its mean: SHAP values measure from the average customer too.
    centred = {name: term - term.mean() for name, term in data["terms"].items()}
    others = np.max(np.column_stack([centred[g] for g in centred if g != feature]), axis=1)
    dominated = (centred[feature] > 0.6) & (centred[feature] > others + 0.4)
    assert dominated.sum() > 500
    hit_rate = (reasons["reason_1"].to_numpy()[dominated] == feature).mean()
    assert hit_rate > 0.95, hit_rate


def test_noise_is_almost_never_the_top_reason_for_customers_at_risk(
    reasons: pd.DataFrame, data: dict[str, Any]
) -> None:
    at_risk = reasons["probability"] > data["y_test"].mean()
    assert at_risk.sum() > 4000
    assert reasons.loc[at_risk, "reason_1"].isin(NOISE).mean() < 0.02
    # Low-risk customers have no churn-raising feature, so a tiny noise term can top their
    # list; its size then says it is negligible.
    noise_top = reasons["reason_1"].isin(NOISE)
    assert reasons.loc[noise_top, "reason_1_contribution"].abs().max() < 0.3


def test_explain_table_is_ordered_readable_and_keeps_the_index(
    model: ChurnModel, data: dict[str, Any]
) -> None:
    X = data["X_test"].iloc[:200].set_index(pd.Index(range(1000, 1200), name="customer_id"))
    table = model.explain(X, top=3)
    assert table.index.equals(X.index)
    contributions = table[[f"reason_{k}_contribution" for k in (1, 2, 3)]].to_numpy()
    assert (np.diff(contributions, axis=1) <= 0).all()  # most churn-raising first
    np.testing.assert_allclose(table["probability"], model.predict_proba(X)[:, 1])
    row = table.iloc[0]
    assert row["reason_1_value"] == X.iloc[0][row["reason_1"]] or pd.isna(row["reason_1_value"])
    pattern = re.compile(r"^\w+ = \S+ \([+-]\d+\.\d\d\)$")
    assert all(pattern.match(t) for t in table["reason_1_text"]), table["reason_1_text"].head()
    assert table["reasons"].iloc[0].startswith(table["reason_1_text"].iloc[0] + "; ")


def test_explain_text_shows_whole_numbers_and_missing_values(model: ChurnModel) -> None:
    row = pd.DataFrame(
        {
            "recency_days": [400.0],
            "orders_12m": [0],
            "channel": [None],
            "satisfaction": [np.nan],
            **{f"noise_{i}": [0.0] for i in range(4)},
            "noise_region": ["north"],
        }
    )
    texts = model.explain(row, top=4).filter(like="_text").iloc[0].tolist()
    assert texts[0].startswith("recency_days = 400 (+")
    assert any(t.startswith("satisfaction = missing (+") for t in texts), texts


# -- scoring tables from elsewhere --------------------------------------------------------


def test_unseen_categories_and_missing_values_score_as_missing(
    model: ChurnModel, data: dict[str, Any]
) -> None:
    X = data["X_test"].iloc[:50].copy()
    unseen, missing = X.copy(), X.copy()
    unseen["channel"] = "tiktok"
    missing["channel"] = None
    np.testing.assert_array_equal(model.predict_proba(unseen), model.predict_proba(missing))
    empty = pd.DataFrame({c: [np.nan] for c in X.columns}).astype({"channel": object})
    p = model.predict_proba(empty)
    assert np.isfinite(p).all()
    assert 0 < p[0, 1] < 1


def test_column_order_extra_columns_and_dtypes_do_not_change_scores(
    model: ChurnModel, data: dict[str, Any]
) -> None:
    X = data["X_test"].iloc[:500]
    expected = model.predict_proba(X)
    shuffled = X[X.columns[::-1]].assign(customer_id=np.arange(500), churned=0)
    as_text = X.astype({"orders_12m": str, "recency_days": str}).assign(
        channel=X["channel"].astype("category")
    )
    np.testing.assert_array_equal(model.predict_proba(shuffled), expected)
    np.testing.assert_array_equal(model.predict_proba(as_text), expected)


def test_missing_column_is_named(model: ChurnModel, data: dict[str, Any]) -> None:
    X = data["X_test"].drop(columns=["satisfaction", "noise_2"])
    with pytest.raises(ChurnInputError, match="satisfaction, noise_2"):
        model.predict_proba(X)


def test_text_in_a_numeric_column_is_named(model: ChurnModel, data: dict[str, Any]) -> None:
    X = data["X_test"].iloc[:10].astype({"recency_days": object})
    X.loc[X.index[3], "recency_days"] = "about a year"
    with pytest.raises(ChurnInputError, match=r"recency_days.*'about a year'"):
        model.predict_proba(X)


# -- persistence and metadata -------------------------------------------------------------


def test_save_and_load_give_identical_scores_and_reasons(
    model: ChurnModel, data: dict[str, Any], tmp_path: Path
) -> None:
    path = model.save(tmp_path / "churn.json")
    json.loads(path.read_text(encoding="utf-8"))  # plain JSON, nothing executable
    loaded = ChurnModel.load(path)
    X = data["X_test"].iloc[:2000]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    pd.testing.assert_frame_equal(loaded.explain(X), model.explain(X))
    pd.testing.assert_series_equal(loaded.feature_importance_, model.feature_importance_)
    assert loaded.metadata_ == model.metadata_
    assert loaded.get_params() == model.get_params()


def test_sigmoid_model_round_trips_too(data: dict[str, Any], tmp_path: Path) -> None:
    X, y = data["X"].iloc[:5000], data["y"][:5000]
    model = ChurnModel(calibration="sigmoid", n_estimators=50).fit(X, y)
    loaded = ChurnModel.load(model.save(tmp_path / "sigmoid.json"))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_load_refuses_other_files(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a patron churn model"):
        ChurnModel.load(other)


def test_metadata_and_importance_suit_a_model_registry(model: ChurnModel) -> None:
    meta = json.loads(json.dumps(model.metadata_))  # JSON-serialisable as is
    assert meta["rows"] == 30_000
    assert meta["tree_rows"] + meta["calibration_rows"] == 30_000
    assert 0.25 < meta["positive_rate"] < 0.4
    assert meta["params"]["lightgbm"]["n_jobs"] == 1
    assert meta["lightgbm_version"]
    assert 0.8 < meta["metrics"]["auc"] < 0.86
    assert [f["name"] for f in meta["features"]] == list(model.schema_.columns)
    importance = model.feature_importance_
    assert set(importance.index) == set(TRUE_FEATURES + NOISE)
    assert importance.index[0] == "recency_days"
    assert importance[TRUE_FEATURES].min() > importance[NOISE].max()


def test_estimator_contract(model: ChurnModel) -> None:
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        ChurnModel().predict_proba(pd.DataFrame({"a": [1.0]}))


# -- evaluation ---------------------------------------------------------------------------


def test_evaluate_reports_ranking_and_calibration(model: ChurnModel, data: dict[str, Any]) -> None:
    X, y = data["X_test"], data["y_test"]
    report = model.evaluate(X, y)
    p = model.predict_proba(X)[:, 1]
    assert report["auc"] == pytest.approx(roc_auc_score(y, p))
    assert report["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert 0.3 < report["log_loss"] < 0.6
    assert report["lift_top_10pct"] > 2.0
    assert report["ece"] < 0.03
    lift = report["lift_table"]
    assert len(lift) == 10
    assert lift["rows"].sum() == len(y)
    assert lift["cumulative_capture"].iloc[-1] == pytest.approx(1.0)
    assert lift["lift"].iloc[0] == pytest.approx(report["lift_top_10pct"])
    assert (np.diff(lift["mean_score"]) <= 0).all()
    calibration = report["calibration_table"]
    assert len(calibration) == 10
    assert calibration["difference"].abs().max() < 0.06


def test_lift_and_calibration_tables_on_a_hand_example() -> None:
    y = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
    lift = lift_table(y, p, bins=5)
    assert lift["positives"].tolist() == [2, 1, 0, 0, 0]
    assert lift["lift"].tolist() == pytest.approx([1 / 0.3, 0.5 / 0.3, 0, 0, 0])
    assert lift["cumulative_capture"].tolist() == pytest.approx([2 / 3, 1, 1, 1, 1])
    assert lift_at(y, p, 0.2) == pytest.approx(1 / 0.3)
    calibration = calibration_table(y, p, bins=2)
    assert calibration["mean_predicted"].tolist() == pytest.approx([0.2, 0.7])
    assert calibration["observed_rate"].tolist() == pytest.approx([0.0, 0.6])
    uniform = calibration_table(y, p, bins=10, strategy="uniform")
    assert uniform["rows"].tolist() == [1] * 10


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, 1, 2, 1], "binary 0/1.*2"),
        (["yes", "no", "yes", "no"], "binary 0/1"),
        ([0, 1, 1], "3 labels but X has 4 rows"),
        ([0, 1, np.nan, 1], "1 missing label"),
        ([1, 1, 1, 1], "only one class"),
        (pd.Series([0, 1, 0, 1], index=[9, 8, 7, 6]), "index differs"),
    ],
)
def test_bad_labels_are_refused_with_the_reason(y: Any, message: str) -> None:
    X = pd.DataFrame({"recency_days": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ChurnInputError, match=message):
        ChurnModel().fit(X, y)


def test_empty_or_unusable_tables_are_refused() -> None:
    with pytest.raises(ChurnInputError, match="empty"):
        ChurnModel().fit(pd.DataFrame({"a": []}), [])
    with pytest.raises(ChurnInputError, match="DataFrame"):
        ChurnModel().fit(np.zeros((4, 2)), [0, 1, 0, 1])
    dates = pd.DataFrame({"last_order": pd.to_datetime(["2024-01-01"] * 4)})
    with pytest.raises(ChurnInputError, match=r"last_order.*days since"):
        ChurnModel().fit(dates, [0, 1, 0, 1])


def test_boolean_labels_and_bool_features_are_accepted(data: dict[str, Any]) -> None:
    X = data["X"].iloc[:3000].assign(has_app=lambda d: d["channel"] == "app")
    y = data["y"][:3000].astype(bool)
    model = ChurnModel(n_estimators=30).fit(X, y)
    assert model.schema_.kinds[list(X.columns).index("has_app")] == "numeric"
    assert model.predict(X).dtype == np.int8
