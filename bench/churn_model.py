"""Churn model: fit and predict time on 1,000,000 rows × 30 columns, one thread, with
scikit-learn's HistGradientBoostingClassifier on the same data for comparison.

    uv run python bench/churn_model.py [--rows 1000000]

Customers are simulated with a known churn probability (non-linear in a few numeric
columns, with an interaction, a column missing for a fifth of the rows, and three text
categories of 4, 6 and 40 levels), so the table also shows the Bayes AUC no model can beat.
Both models train on the same ``--rows`` rows and are scored on as many fresh ones. Both
stop early on a 20 % hold-out with the same settings (at most 1,000 trees, learning rate
0.05, 15 leaves, 50 rows a leaf, L2 1.0, 80 % of the features); ChurnModel also calibrates
on its hold-out. HistGradientBoosting gets pandas ``category`` columns (its native
categorical input); converting the text columns is timed separately.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "1"  # before scikit-learn loads OpenMP: one thread each

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss, roc_auc_score

from _common import record
from patron.analytics.churn import ChurnModel

PLANS = ["basic", "plus", "pro", "family"]
CHANNELS = ["store", "web", "app", "phone", "partner", "email"]
REGIONS = [f"region_{i:02d}" for i in range(40)]


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(30 feature columns, churned 0/1, true churn probability)."""
    rng = np.random.default_rng(seed)
    effects = np.random.default_rng(0)  # category effects are the same for every sample
    plan_effect = dict(zip(PLANS, [0.5, 0.0, -0.4, -0.7], strict=True))
    channel_effect = dict(zip(CHANNELS, effects.normal(0, 0.4, len(CHANNELS)), strict=True))
    region_effect = dict(zip(REGIONS, effects.normal(0, 0.3, len(REGIONS)), strict=True))
    numbers = rng.normal(size=(n, 27))
    numbers[rng.random(n) < 0.2, 5] = np.nan
    plan = rng.choice(PLANS, n)
    channel = rng.choice(CHANNELS, n)
    region = rng.choice(REGIONS, n)
    logit = (
        -1.6
        + 1.2 * np.tanh(numbers[:, 0])
        + 0.6 * numbers[:, 1]
        - 0.4 * numbers[:, 2] ** 2
        + 0.5 * numbers[:, 3] * numbers[:, 4]
        + np.where(np.isnan(numbers[:, 5]), 0.6, -0.3 * np.nan_to_num(numbers[:, 5]))
        + 0.3 * (numbers[:, 6] > 1.0)
        + pd.Series(plan).map(plan_effect).to_numpy()
        + pd.Series(channel).map(channel_effect).to_numpy()
        + pd.Series(region).map(region_effect).to_numpy()
    )  # columns 7..26 are noise
    p = expit(logit)
    y = (rng.random(n) < p).astype(np.int8)
    X = pd.DataFrame(numbers, columns=[f"x{i:02d}" for i in range(27)])
    X["plan"], X["channel"], X["region"] = plan, channel, region  # object (text) columns
    return X, y, p


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--explain-rows", type=int, default=10_000)
    args = parser.parse_args()

    X, y, _ = simulate(args.rows, seed=1)
    X_test, y_test, p_test = simulate(args.rows, seed=2)
    bayes_auc = roc_auc_score(y_test, p_test)

    churn = ChurnModel(random_state=0)
    _, churn_fit = timed(lambda: churn.fit(X, y))
    churn_p, churn_predict = timed(lambda: churn.predict_proba(X_test)[:, 1])
    sample = X_test.iloc[: args.explain_rows]
    _, churn_explain = timed(lambda: churn.explain(sample, top=3))

    text = ["plan", "channel", "region"]
    as_category = dict.fromkeys(text, "category")
    (X_cat, X_test_cat), convert = timed(
        lambda: (X.astype(as_category), X_test.astype(as_category))
    )
    hgb = HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=1000,
        max_leaf_nodes=15,
        min_samples_leaf=50,
        l2_regularization=1.0,
        max_features=0.8,
        categorical_features="from_dtype",
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=50,
        random_state=0,
    )
    _, hgb_fit = timed(lambda: hgb.fit(X_cat, y))
    hgb_p, hgb_predict = timed(lambda: hgb.predict_proba(X_test_cat)[:, 1])

    rows = [
        {
            "model": "patron ChurnModel (LightGBM, isotonic)",
            "trees": churn.metadata_["trees"],
            "fit_s": churn_fit,
            "predict_s": churn_predict,
            "auc": roc_auc_score(y_test, churn_p),
            "brier": brier_score_loss(y_test, churn_p),
            "mean_abs_error_vs_true_p": float(np.abs(churn_p - p_test).mean()),
        },
        {
            "model": "scikit-learn HistGradientBoosting",
            "trees": hgb.n_iter_,
            "fit_s": hgb_fit,
            "predict_s": hgb_predict,
            "auc": roc_auc_score(y_test, hgb_p),
            "brier": brier_score_loss(y_test, hgb_p),
            "mean_abs_error_vs_true_p": float(np.abs(hgb_p - p_test).mean()),
        },
    ]
    for row in rows:
        record("churn_model", {"rows": args.rows, "columns": X.shape[1], **row})
    record(
        "churn_model_extra",
        {
            "bayes_auc": bayes_auc,
            "explain_rows": len(sample),
            "explain_s": churn_explain,
            "category_conversion_s": convert,
        },
    )

    print(f"\n{args.rows:,} rows × {X.shape[1]} columns (27 numeric, 3 text), one thread; ")
    print(f"scored on {len(X_test):,} fresh rows; Bayes AUC {bayes_auc:.4f}\n")
    print("| model | trees | fit (s) | predict (s) | AUC | Brier | mean abs error vs true p |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['model']} | {r['trees']} | {r['fit_s']:.1f} | {r['predict_s']:.1f} "
            f"| {r['auc']:.4f} | {r['brier']:.4f} | {r['mean_abs_error_vs_true_p']:.4f} |"
        )
    print(
        f"\nChurnModel.explain: {len(sample):,} rows in {churn_explain:.1f} s "
        f"({churn_explain / len(sample) * 1e3:.2f} ms a row); converting the text columns "
        f"to pandas categories for HistGradientBoosting: {convert:.1f} s (not in its fit time)."
    )


if __name__ == "__main__":
    main()
