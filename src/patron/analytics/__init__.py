"""Customer analytics: features, RFM, lifecycle, CLV, churn, cross-sell, model registry.

Facade::

    from patron.analytics import AnalyzeOptions, analyze
    result = analyze(store, warehouse, AnalyzeOptions(as_of=date(2026, 7, 1)))  # all steps
    with store.connect() as conn:
        latest_run(conn)["summary"]          # RFM grid, funnel, CLV, churn backtest, matrix
        customer_score(conn, 42)             # one customer's latest scores and reasons
        at_risk(conn, min_probability=0.6)   # 流失预警: who is about to leave, and why
        cell_customers(conn, "high_value/high_churn")   # a ready segment
        list_models(conn, "churn")           # the registry; model_checks_of(conn, id): drift

The estimators stand alone for analysts: ``patron.analytics.clv`` (BetaGeo, ParetoNBD,
GammaGamma), ``patron.analytics.churn`` (ChurnModel), ``patron.analytics.crosssell``.
"""

from patron.analytics.matrix import CELLS, DEFAULT_STRATEGIES, MatrixConfig
from patron.analytics.registry import (
    ModelRecord,
    get_model,
    list_models,
    model_checks_of,
)
from patron.analytics.results import (
    abandon_runs,
    at_risk,
    cell_customers,
    customer_score,
    latest_run,
    list_runs,
    set_strategy,
    strategies,
)
from patron.analytics.run import AnalyzeOptions, AnalyzeResult, analyze, default_as_of
from patron.analytics.snapshots import (
    backfill,
    customer_history,
    schedule,
    segment_history,
    snapshot_moments,
)

__all__ = [
    "CELLS",
    "DEFAULT_STRATEGIES",
    "AnalyzeOptions",
    "AnalyzeResult",
    "MatrixConfig",
    "ModelRecord",
    "abandon_runs",
    "analyze",
    "at_risk",
    "backfill",
    "cell_customers",
    "customer_history",
    "customer_score",
    "default_as_of",
    "get_model",
    "latest_run",
    "list_models",
    "list_runs",
    "model_checks_of",
    "schedule",
    "segment_history",
    "set_strategy",
    "snapshot_moments",
    "strategies",
]
