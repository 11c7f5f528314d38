"""`patron analyze` and `patron warehouse`: the analysis layer from the command line."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from patron.cli.common import console, friendly_errors, store
from patron.core import InputError, get_settings

if TYPE_CHECKING:  # analytics brings pandas, LightGBM and Ibis: imported when used
    from patron.analytics import AnalyzeResult

warehouse_app = typer.Typer(
    no_args_is_help=True, help="The analytical warehouse (a DuckDB file under PATRON_HOME)."
)
analytics_app = typer.Typer(
    no_args_is_help=True, help="Read what `patron analyze` found: churn list, models."
)

STEP_LABELS = {
    "sync": "Updating the warehouse",
    "features": "Computing the feature snapshot",
    "rfm": "Scoring RFM",
    "lifecycle": "Placing customers in their lifecycle",
    "clv": "Fitting CLV (BG/NBD + Gamma-Gamma)",
    "churn": "Training and backtesting the churn model",
    "cross-sell": "Mining product affinities",
    "save": "Saving scores and models",
}


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--as-of {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-07-01"
        ) from None


@friendly_errors
def analyze_command(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="score as of this date (YYYY-MM-DD); default: the day after the newest order",
            metavar="DATE",
        ),
    ] = None,
    churn_horizon: Annotated[
        int, typer.Option(min=7, help="days without a purchase that count as churn")
    ] = 90,
    clv_horizon: Annotated[int, typer.Option(min=30, help="days of future value in CLV")] = 365,
    abandon: Annotated[
        bool,
        typer.Option("--abandon", help="mark a run left 'running' by a stopped process as failed"),
    ] = False,
) -> None:
    """Features, RFM, lifecycle, CLV, churn, value x churn and cross-sell for every customer;
    models are backtested, registered and checked for drift."""
    from patron import analytics

    if abandon:
        with store().begin() as conn:
            count = analytics.abandon_runs(conn, actor="cli")
        console.print(f"Marked {count} running analytics run(s) as failed.")
        return
    options = analytics.AnalyzeOptions(
        as_of=_as_of(as_of),
        churn_horizon_days=churn_horizon,
        clv_horizon_days=clv_horizon,
        actor="cli",
        lifecycle_rules=get_settings().analytics_lifecycle_rules or None,
    )
    run_analyze(options)


def run_analyze(options: Any) -> None:
    """Run `patron analyze` with a progress line and print its summary (PatronError when the
    data cannot support it)."""
    from patron import analytics
    from patron.warehouse import open_warehouse

    with (
        open_warehouse(get_settings()) as warehouse,
        Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task("Starting", total=None)

        def on_step(step: str) -> None:
            bar.update(task, description=STEP_LABELS.get(step, step))

        result = analytics.analyze(store(), warehouse, options, progress=on_step)
    _print_result(result)


def _print_result(result: AnalyzeResult) -> None:
    s = result.summary
    console.print(
        f"Analytics run #{result.run_id} as of {result.as_of:%Y-%m-%d}: "
        f"{result.customers:,} customers scored in {result.seconds:.1f} s."
    )
    backtest = s["churn"]["backtest"]
    table = Table("figure", "value")
    table.add_row(
        "churn model AUC (backtest)",
        f"{backtest['auc']:.3f}  (recency alone {backtest['baseline_auc']:.3f})",
    )
    table.add_row("churn rate in the backtest", f"{backtest['churn_rate']:.1%}")
    table.add_row("lift in the riskiest 10%", f"{backtest['lift_top_10pct']:.2f}")
    table.add_row(f"CLV, next {s['clv']['horizon_days']} days, total", f"{s['clv']['total']:,.0f}")
    for name, count in sorted(s["classes"].items()):
        table.add_row(f"customers: {name}", f"{count:,}")
    drift = s.get("drift")
    if drift:
        table.add_row(
            "drift since the last model",
            f"{drift['level']} (largest: {drift['worst_input']} "
            f"PSI {drift['worst_input_psi']:.3f})",
        )
    console.print(table)
    matrix = Table("value x churn", "customers", "CLV")
    for cell in s["value_churn_matrix"]:
        matrix.add_row(cell["cell"], f"{cell['customers']:,}", f"{cell['clv']:,.0f}")
    console.print(matrix)
    console.print("Next: patron analytics at-risk | patron analytics models | patron serve")


@friendly_errors
def worker_command(
    once: Annotated[bool, typer.Option("--once", help="one pass, then exit (for cron)")] = False,
    poll: Annotated[int, typer.Option(min=10, help="seconds between passes")] = 300,
) -> None:
    """Run scheduled work: `patron analyze` every analytics_refresh_hours (patron.toml)."""
    import logging

    from patron.worker import run_forever, tick

    settings = get_settings()
    if once:
        console.print(f"analytics: {tick(store(), settings).analytics}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    console.print(
        f"patron worker: analytics every {settings.analytics_refresh_hours:g} h "
        f"(checked every {poll} s). Ctrl+C stops it."
    )
    run_forever(store(), settings, poll_seconds=poll)


@warehouse_app.command("sync")
@friendly_errors
def warehouse_sync(
    full: Annotated[bool, typer.Option("--full", help="rebuild it from the store")] = False,
) -> None:
    """Bring the warehouse up to date with the store (incremental unless --full)."""
    from patron.warehouse import open_warehouse, sync

    with open_warehouse(get_settings()) as warehouse:
        report = sync(store(), warehouse, full=full)
    kind = f"full ({report.reason})" if report.full else "incremental"
    rows = ", ".join(f"{name} {count:,}" for name, count in report.rows.items())
    console.print(f"Warehouse sync, {kind}, in {report.seconds:.1f} s: {rows}.")


@analytics_app.command("snapshots")
@friendly_errors
def snapshots(
    start: Annotated[
        str | None,
        typer.Option("--from", help="first moment (YYYY-MM-DD) to store", metavar="DATE"),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="last moment (YYYY-MM-DD)", metavar="DATE")
    ] = None,
    every: Annotated[str, typer.Option(help="month or week")] = "month",
) -> None:
    """Store feature snapshots as of every month (or week) start in a period, for the history
    of customers and segments; without --from, list the stored moments and their figures."""
    from patron import analytics
    from patron.warehouse import open_warehouse, sync

    with open_warehouse(get_settings()) as warehouse:
        if start is None:
            history = analytics.segment_history(warehouse.con)
            if history.empty:
                console.print("No snapshots yet: `patron analyze`, or --from DATE to store some.")
                return
            table = Table("as of", "customers", "buyers", "mean spend", "mean orders",
                          "mean days since last order")  # fmt: skip
            for row in history.itertuples():
                table.add_row(
                    f"{row.as_of:%Y-%m-%d}", f"{row.customers:,}", f"{row.buyers:,}",
                    f"{row.mean_monetary:,.0f}", f"{row.mean_frequency:.2f}",
                    f"{row.mean_recency_days:.0f}",
                )  # fmt: skip
            console.print(table)
            return
        first = _as_of(start)
        last = _as_of(end) or date.today()
        assert first is not None
        sync(store(), warehouse)
        counts = analytics.backfill(
            warehouse.con, first, last, every,
            progress=lambda moment, n: console.print(f"{moment:%Y-%m-%d}: {n:,} customers"),
        )  # fmt: skip
    console.print(f"Stored {len(counts)} snapshot(s).")


@analytics_app.command("at-risk")
@friendly_errors
def at_risk(
    min_probability: Annotated[float, typer.Option(min=0, max=1)] = 0.5,
    cell: Annotated[
        str | None, typer.Option(help="one value x churn cell, e.g. high_value/high_churn")
    ] = None,
    limit: Annotated[int, typer.Option(min=1)] = 30,
) -> None:
    """Customers about to churn (流失预警), riskiest first, with their reasons."""
    from patron import analytics

    with store().connect() as conn:
        rows = analytics.at_risk(conn, min_probability=min_probability, cell=cell, limit=limit)
    table = Table("id", "name", "churn", "CLV", "tier", "reasons")
    for r in rows:
        table.add_row(
            str(r["customer_id"]), r["full_name"] or "", f"{r['churn_probability']:.0%}",
            f"{r['clv'] or 0:,.0f}", r["value_tier"] or "", r["churn_reasons"] or "",
        )  # fmt: skip
    console.print(table)


@analytics_app.command("models")
@friendly_errors
def models() -> None:
    """The model registry: every fitted model, its version, window and headline metrics."""
    from patron import analytics

    with store().connect() as conn:
        rows = analytics.list_models(conn)
    table = Table("id", "kind", "version", "as of", "status", "metrics")
    for m in rows:
        table.add_row(
            str(m.id), m.kind, str(m.version), f"{m.as_of:%Y-%m-%d}", m.status, _headline(m.metrics)
        )
    console.print(table)


def _headline(metrics: dict[str, Any]) -> str:
    if "auc" in metrics:
        return f"AUC {metrics['auc']:.3f} (recency {metrics.get('baseline_auc', 0):.3f})"
    if "total" in metrics:
        return f"total CLV {metrics['total']:,.0f}"
    return ""
