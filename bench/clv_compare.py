"""Probabilistic CLV (BG/NBD + Gamma-Gamma) against gradient boosting on the demo company:
who predicts the next 26 weeks of spend better, customer by customer and in total.

    uv run python bench/clv_compare.py [--people 20000] [--horizon-weeks 26] [--model bgnbd]

Generates the company once (events included; cached under bench/out by size, seed and
generator version), imports it into a fresh SQLite store as `patron demo` does, syncs a
DuckDB warehouse and runs `patron.analytics.value.compare_clv` with the holdout ending where
the order history ends (the demo's last day, inclusive) and the calibration ending
``--horizon-weeks`` before that. The ML model trains one horizon earlier still, so neither
method sees the holdout. Fit times: the probabilistic row is both models' fit and the
forecast; the ML row is LightGBM's fit (one thread) on the earlier snapshot.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import OUT, record
from patron import ingest
from patron.analytics.facts import facts_from
from patron.analytics.features import features_frame
from patron.analytics.value import compare_clv, future_spend, probabilistic_clv
from patron.core import Settings
from patron.demo import DemoConfig, DemoFiles, generate_company
from patron.demo.generator import GENERATOR_VERSION
from patron.demo.runner import SOURCE_OF_FILE, import_plan, split_events
from patron.store import open_store
from patron.warehouse import open_warehouse, sync

LABELS = {
    "bgnbd": "BG/NBD + Gamma-Gamma",
    "paretonbd": "Pareto/NBD + Gamma-Gamma",
    "ml": "LightGBM on the feature snapshot",
    "mean": "everyone gets the mean (reference)",
}


def company(config: DemoConfig) -> Path:
    """The demo company's files for ``config``, generated on first use."""
    folder = OUT / f"company-{config.people}-{config.seed}-g{GENERATOR_VERSION}-events"
    if not (folder / "ground_truth.csv").is_file():
        files = generate_company(folder, config)
        split_events(files.events, folder)
    return folder


def load(folder: Path, settings: Settings) -> float:
    """Import the company into the store of ``settings``; the seconds it took."""
    started = time.perf_counter()
    store = open_store(settings)
    events = {source: folder / f"events_{source}.jsonl" for source in SOURCE_OF_FILE.values()}
    present = {source: path for source, path in events.items() if path.is_file()}
    for options in import_plan(DemoFiles.in_folder(folder), present):
        ingest.run_import(options, store=store, settings=settings)
    return time.perf_counter() - started


def markdown(table: Any, model: str) -> list[str]:
    lines = [
        "| method | predicted | actual | aggregate error | RMSE | MAE | Pearson | Spearman "
        "| fit (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for method, r in table.iterrows():
        pearson = "–" if r.pearson != r.pearson else f"{r.pearson:.3f}"
        spearman = "–" if r.spearman != r.spearman else f"{r.spearman:.3f}"
        label = LABELS[model if method == "probabilistic" else method]
        lines.append(
            f"| {label} | {r.predicted_total:,.0f} | {r.actual_total:,.0f} "
            f"| {r.aggregate_error:+.1%} | {r.rmse:,.1f} | {r.mae:,.1f} | {pearson} "
            f"| {spearman} | {r.fit_seconds:.2f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--horizon-weeks", type=int, default=26)
    parser.add_argument("--model", choices=("bgnbd", "paretonbd"), default="bgnbd")
    args = parser.parse_args()
    config = DemoConfig(people=args.people, seed=args.seed)
    horizon = 7 * args.horizon_weeks
    holdout_end = config.end_date + timedelta(days=1)  # end_date is the last day of orders
    calibration_end = holdout_end - timedelta(days=horizon)

    started = time.perf_counter()
    folder = company(config)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="patron-clv-") as home:
        settings = Settings(home=Path(home))
        imported = load(folder, settings)
        warehouse = open_warehouse(settings)
        try:
            synced = sync(open_store(settings), warehouse).seconds
            facts = facts_from(warehouse.con)
            t0 = time.perf_counter()
            report = compare_clv(facts, calibration_end, horizon, model=args.model)
            compared = time.perf_counter() - t0
            everyone = future_spend(facts, calibration_end, horizon).to_pandas()
            snapshot = features_frame(facts, calibration_end)
            fitted = probabilistic_clv(snapshot, horizon, model=args.model)
        finally:
            warehouse.close()

    table = report.table
    newcomers = 1 - table["actual_total"].iloc[0] / everyone["future_spend"].sum()
    truth = config.process
    fitted_params = ", ".join(
        f"{k} {v:.3f}" for k, v in fitted.params["transaction_params"].items()
    )
    print(
        f"\n{len(report.predictions):,} customers in the snapshot as of {calibration_end} "
        f"({args.people:,} people, seed {args.seed}); holdout [{calibration_end}, {holdout_end}) "
        f"= {args.horizon_weeks} weeks; ML trained on "
        f"[{calibration_end - timedelta(days=horizon)}, {calibration_end}).\n"
    )
    print("\n".join(markdown(table, args.model)))
    print(
        f"\nWinner: {report.winner}. Holdout spend by customers who joined during the holdout "
        f"(no forecast, left out of both): {newcomers:.1%}. {LABELS[args.model]} fitted on the "
        f"snapshot, weeks: {fitted_params}; the generator's BG/NBD truth: r {truth.r}, alpha "
        f"{truth.alpha / 7:.3f} ({truth.alpha:g} days), a {truth.a}, b {truth.b}."
    )
    record(
        "clv_compare",
        {
            "people": args.people,
            "seed": args.seed,
            "generator": GENERATOR_VERSION,
            "model": args.model,
            "calibration_end": str(calibration_end),
            "horizon_days": horizon,
            "generate_s": round(generated, 1),
            "import_s": round(imported, 1),
            "sync_s": round(synced, 1),
            "compare_s": round(compared, 1),
            "holdout_spend_of_newcomers": round(newcomers, 4),
            **report.to_dict(),
        },
    )


if __name__ == "__main__":
    main()
