"""`patron analyze`: everything the analysis layer knows about every customer, in one run.

1. bring the warehouse up to date (incremental sync);
2. store the feature snapshot as of the run's moment;
3. RFM, lifecycle stage and class;
4. CLV (BG/NBD + Gamma-Gamma) and value tiers on it;
5. churn: backtested model, probabilities, reasons for the riskiest;
6. the value x churn matrix and cross-sell offers;
7. register the models, check drift against the previous run, and write each customer's
   latest scores and the run's summary to the operational store.

The moment defaults to the day after the newest order: a company importing monthly exports
wants its scores as of its data, not as of today (which would call everyone lapsed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from patron.analytics import monitoring, registry, results
from patron.analytics.churn import ChurnModel
from patron.analytics.churn_risk import (
    CHURN_FEATURES,
    DEFAULT_HORIZON_DAYS,
    churn_inputs,
    fit_churn,
    labelled_snapshot,
    score_churn,
)
from patron.analytics.clv import ConvergenceError
from patron.analytics.crosssell import next_best_products, product_affinity
from patron.analytics.facts import Facts, as_timestamp, facts_from
from patron.analytics.lifecycle import LifecycleRules, funnel_frame, lifecycle_stages
from patron.analytics.matrix import matrix_cells, matrix_summary
from patron.analytics.rfm import rfm_grid_frame, rfm_scores, segment_sizes
from patron.analytics.snapshots import save_snapshot, snapshot
from patron.analytics.tiers import value_tiers
from patron.analytics.value import probabilistic_clv
from patron.core import PatronError
from patron.store import Store
from patron.warehouse import Warehouse, sync

Progress = Callable[[str], None]
STEPS = ("sync", "features", "rfm", "lifecycle", "clv", "churn", "cross-sell", "save")
CLV_HORIZON_DAYS = 365


@dataclass
class AnalyzeOptions:
    as_of: date | datetime | None = None
    churn_horizon_days: int = DEFAULT_HORIZON_DAYS
    clv_horizon_days: int = CLV_HORIZON_DAYS
    explain_top: int = 2000  # riskiest customers who get churn reasons
    offers: int = 3  # next best products kept per customer
    actor: str = "cli"
    # Overrides of LifecycleRules' thresholds (patron.toml analytics_lifecycle_rules).
    lifecycle_rules: dict[str, Any] | None = None


@dataclass
class AnalyzeResult:
    run_id: int
    as_of: datetime
    customers: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def default_as_of(facts: Facts) -> datetime:
    """The day after the newest order (UTC midnight), or today when there are none."""
    newest = facts.orders.ordered_at.max().to_pyarrow().as_py()
    if newest is None:
        today = datetime.now().astimezone()
        return as_timestamp(date(today.year, today.month, today.day))
    day = newest.date() + timedelta(days=1)
    return as_timestamp(day)


def analyze(
    store: Store,
    warehouse: Warehouse,
    options: AnalyzeOptions | None = None,
    progress: Progress | None = None,
) -> AnalyzeResult:
    """Run every step (see the module docstring); the run is recorded even when it fails."""
    options = options or AnalyzeOptions()
    say = progress or (lambda _step: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        timings[name] = time.perf_counter()
        say(name)

    step("sync")
    sync_report = sync(store, warehouse)
    facts = facts_from(warehouse.con)
    as_of = as_timestamp(options.as_of) if options.as_of else default_as_of(facts)
    with store.begin() as conn:
        run_id = results.start_run(conn, as_of, options.actor)
    try:
        computed = _compute(warehouse, facts, as_of, options, step)
        step("save")
        summary = computed.summary
        summary["sync"] = {"full": sync_report.full, "rows": sync_report.rows}
        with store.begin() as conn:
            summary["tier_migration"] = _tier_migration(conn, computed.scores)
            models = _register(conn, run_id, as_of, computed)
            summary["models"] = models
            summary["drift"] = _checks(conn, warehouse, facts, models, computed, as_of)
            written = results.write_scores(conn, run_id, as_of, computed.scores)
            summary["customers"] = written
            summary["timings"] = _durations(timings)
            results.finish_run(conn, run_id, summary)
    except Exception as exc:
        results.fail_run(store, run_id, f"{type(exc).__name__}: {exc}")
        raise
    return AnalyzeResult(
        run_id, as_of, written, time.perf_counter() - started, summary["timings"], summary
    )


def _durations(marks: dict[str, float]) -> dict[str, float]:
    names = list(marks)
    ends = [marks[n] for n in names[1:]] + [time.perf_counter()]
    return {n: round(end - marks[n], 2) for n, end in zip(names, ends, strict=True)}


@dataclass
class Computed:
    """What a run computed: its summary and every customer's scores, plus what the registry
    and the drift checks need of it."""

    summary: dict[str, Any]
    scores: pd.DataFrame
    features: pd.DataFrame  # the run's snapshot
    churn_model: ChurnModel
    churn_probabilities: np.ndarray


def _compute(
    warehouse: Warehouse,
    facts: Facts,
    as_of: datetime,
    options: AnalyzeOptions,
    step: Callable[[str], None],
) -> Computed:
    con = warehouse.con
    step("features")
    save_snapshot(con, as_of, facts)
    features_t = snapshot(con, as_of)
    features = features_t.to_pandas().sort_values("customer_id", ignore_index=True)
    summary: dict[str, Any] = {"as_of": as_of.isoformat(), "snapshot_customers": len(features)}

    step("rfm")
    rfm_t = rfm_scores(features_t)
    rfm = rfm_t.to_pandas()
    summary["rfm_grid"] = rfm_grid_frame(rfm_t).to_dict(orient="records")
    summary["rfm_segments"] = segment_sizes(rfm_t).to_pandas().to_dict(orient="records")

    step("lifecycle")
    try:
        rules = LifecycleRules.from_dict(options.lifecycle_rules or {})
    except ValueError as exc:
        raise PatronError(str(exc), hint="fix analytics_lifecycle_rules in patron.toml") from exc
    stages_t = lifecycle_stages(features_t, rules)
    stages = stages_t.to_pandas()
    summary["lifecycle_funnel"] = funnel_frame(stages_t).to_dict(orient="records")
    summary["classes"] = stages.customer_class.value_counts().to_dict()

    step("clv")
    try:
        clv = probabilistic_clv(features, options.clv_horizon_days)
    except (ValueError, ConvergenceError) as exc:
        raise PatronError(
            f"the CLV models cannot be fitted as of {as_of:%Y-%m-%d}: {exc}",
            hint="score a later moment (--as-of) or import more order history",
        ) from exc
    clv_frame = clv.frame[["customer_id", "clv", "expected_purchases", "p_alive"]]
    clv_table = con.create_table("_clv", clv_frame, temp=True, overwrite=True)
    tiers = value_tiers(clv_table, value_column="clv").to_pandas()
    tiers = tiers.rename(columns={"tier": "value_tier"})
    summary["clv"] = {
        "horizon_days": options.clv_horizon_days,
        "params": clv.params,
        "total": float(clv_frame.clv.sum()),
        "histogram": _histogram(clv_frame.clv[clv_frame.clv > 0]),
    }
    summary["tiers"] = tiers.value_tier.value_counts().to_dict()

    step("churn")
    model, backtest = fit_churn(facts, as_of, options.churn_horizon_days)
    churn = score_churn(model, features, explain_top=options.explain_top)
    summary["churn"] = {
        "backtest": backtest.as_dict(),
        "horizon_days": options.churn_horizon_days,
        "histogram": _histogram(churn.churn_probability, bins=10, low=0.0, high=1.0),
        "params": model.params_ if hasattr(model, "params_") else {},
    }

    step("cross-sell")
    # Materialised once: scoring every customer against inline rules misleads planners.
    rules = product_affinity(facts.orders, facts.order_lines, as_of=as_of).cache()
    offers = next_best_products(
        facts.orders, facts.order_lines, rules, top=options.offers, as_of=as_of
    ).to_pandas()
    summary["cross_sell_rules"] = int(rules.count().to_pyarrow().as_py())

    scores = (
        features[["customer_id"]]
        .merge(
            rfm.rename(
                columns={
                    "r_score": "rfm_r",
                    "f_score": "rfm_f",
                    "m_score": "rfm_m",
                    "segment": "rfm_segment",
                }
            ),
            on="customer_id",
            how="left",
        )
        .merge(
            stages[["customer_id", "stage", "customer_class"]].rename(
                columns={"stage": "lifecycle_stage"}
            ),
            on="customer_id",
            how="left",
        )
        .merge(clv_frame, on="customer_id", how="left")
        .merge(tiers[["customer_id", "value_tier"]], on="customer_id", how="left")
        .merge(churn, on="customer_id", how="left")
    )
    scores["value_churn_cell"] = matrix_cells(
        scores.clv.where(scores.churn_probability.notna()), scores.churn_probability
    )
    products = facts.products.select("id", "name").to_pandas()
    names = {_plain(i): n for i, n in zip(products.id, products.name, strict=True)}
    scores["next_products"] = _offers_by_customer(offers, scores.customer_id, names)
    summary["value_churn_matrix"] = matrix_summary(scores)
    return Computed(summary, scores, features, model, churn.churn_probability.to_numpy())


def _tier_migration(conn: Any, scores: pd.DataFrame) -> dict[str, Any] | None:
    """Customers per (previous tier, new tier), against the scores the last run left."""
    before = results.previous_tiers(conn)
    if before.empty:
        return None
    joined = before.merge(
        scores[["customer_id", "value_tier"]],
        on="customer_id",
        how="outer",
        suffixes=("_before", "_after"),
    )
    joined = joined.fillna({"value_tier_before": "entered", "value_tier_after": "left"})
    table = pd.crosstab(joined.value_tier_before, joined.value_tier_after)
    return {
        "from": list(table.index),
        "to": list(table.columns),
        "counts": table.to_numpy().tolist(),
    }


def _offers_by_customer(
    offers: pd.DataFrame, customers: pd.Series, names: dict[Any, str]
) -> list[Any]:
    """Each customer's offers as JSON-ready lists: product id and name, and the product
    bought that suggests it."""
    if offers.empty:
        return [None] * len(customers)
    offers = offers.sort_values(["customer_id", "rank"])
    grouped = {
        int(cid): [
            {
                "item": _plain(r.item),
                "name": names.get(_plain(r.item)),
                "because": _plain(r.because),
                "because_name": names.get(_plain(r.because)),
                "score": round(float(r.score), 4),
            }
            for r in g.itertuples()
        ]
        for cid, g in offers.groupby("customer_id")
    }
    return [grouped.get(int(c)) for c in customers]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _histogram(
    values: pd.Series, bins: int = 20, low: float | None = None, high: float | None = None
) -> list[dict[str, float]]:
    clean = pd.Series(values).dropna().to_numpy(dtype=float)
    if len(clean) == 0:
        return []
    if low is None or high is None:
        low, high = 0.0, float(np.quantile(clean, 0.99)) or 1.0
    counts, edges = np.histogram(np.clip(clean, low, high), bins=bins, range=(low, high))
    return [
        {"from": float(a), "to": float(b), "customers": int(c)}
        for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def _register(conn: Any, run_id: int, as_of: datetime, computed: Computed) -> dict[str, int]:
    summary = computed.summary
    backtest = summary["churn"]["backtest"]
    horizon = timedelta(days=summary["churn"]["horizon_days"])
    churn = registry.register_model(
        conn,
        "churn",
        run_id=run_id,
        as_of=as_of,
        window=(as_of - 2 * horizon, as_of),
        params=json.loads(json.dumps(computed.churn_model.params_, default=str)),
        metrics={
            **{k: v for k, v in backtest.items() if k not in ("calibration", "lift")},
            # The score distribution: what the next run's drift check compares with.
            "score_shares": monitoring.score_shares(computed.churn_probabilities),
        },
        artifact=computed.churn_model.to_json(),
    )
    clv = registry.register_model(
        conn,
        "clv_bgnbd_gg",
        run_id=run_id,
        as_of=as_of,
        params=summary["clv"]["params"],
        metrics={"total": summary["clv"]["total"]},
    )
    return {"churn": churn.id, "clv": clv.id}


def _checks(
    conn: Any,
    warehouse: Warehouse,
    facts: Facts,
    models: dict[str, int],
    computed: Computed,
    as_of: datetime,
) -> dict[str, Any] | None:
    """Drift of today's features and churn scores against the previous churn model's run,
    and that model's outcome once its horizon has passed (None: no previous model)."""
    previous = [m for m in registry.list_models(conn, "churn") if m.id != models["churn"]]
    if not previous:
        return None
    before = previous[0]
    stored = snapshot(warehouse.con, before.as_of)
    old = stored.to_pandas()
    old = old[old.frequency > 0]
    current = computed.features[computed.features.frequency > 0]
    inputs = monitoring.input_drift(old, current, CHURN_FEATURES)
    old_shares = before.metrics.get("score_shares")
    score_psi = (
        monitoring.psi_of_shares(old_shares, monitoring.score_shares(computed.churn_probabilities))
        if old_shares
        else None
    )
    outcome = _outcome_auc(conn, facts, stored, before, as_of)
    registry.record_check(
        conn, before.id, as_of=as_of, score_psi=score_psi, input_psi=inputs, outcome_auc=outcome
    )
    worst = max(inputs.items(), key=lambda kv: kv[1] if np.isfinite(kv[1]) else -1)
    return {
        "against_model": before.id,
        "score_psi": score_psi,
        "worst_input": worst[0],
        "worst_input_psi": worst[1],
        "level": monitoring.drift_level(worst[1]),
        "outcome_auc": outcome,
    }


def _outcome_auc(
    conn: Any, facts: Facts, stored: Any, model: registry.ModelRecord, as_of: datetime
) -> float | None:
    """How the earlier model ranked the customers it scored, now that the horizon after its
    moment has passed: its stored snapshot re-scored with its saved artifact, against who
    actually came back."""
    horizon = int(model.metrics.get("horizon_days") or 0)
    if not horizon or as_timestamp(model.as_of) + timedelta(days=horizon) > as_of:
        return None
    record = registry.get_model(conn, model.id)
    if not record.artifact:
        return None
    labelled = labelled_snapshot(facts, model.as_of, horizon, features=stored)
    if labelled.churned.nunique() < 2:
        return None
    probability = ChurnModel.from_json(record.artifact).predict_proba(churn_inputs(labelled))
    return float(roc_auc_score(labelled.churned, probability[:, 1]))
