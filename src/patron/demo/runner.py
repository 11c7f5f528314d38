"""The end-to-end demo: generate a company with three customer sources and import all of it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from patron import ingest
from patron.core import Settings, get_settings
from patron.demo.generator import DemoConfig, DemoFiles, generate_company
from patron.store import open_store

# The generator names its customer files by source; patron's sources are short names.
SOURCE_OF_FILE = {"pos_members": "pos", "web_customers": "web", "service_contacts": "service"}


@dataclass
class DemoResult:
    folder: Path
    reports: list[ingest.ImportReport]
    seconds: float
    database: str

    def table(self) -> Table:
        table = Table(title=f"patron demo: imported in {self.seconds:.0f} s into {self.database}")
        for column in (
            "batch",
            "file",
            "source",
            "kind",
            "read",
            "inserted",
            "unchanged",
            "rejected",
        ):
            table.add_column(
                column,
                justify="right"
                if column in ("read", "inserted", "unchanged", "rejected")
                else "left",
            )
        for r in self.reports:
            table.add_row(
                str(r.batch_id),
                Path(r.file).name,
                r.source,
                r.kind,
                f"{r.rows_read:,}",
                f"{r.inserted:,}",
                f"{r.unchanged:,}",
                f"{r.rejected:,}",
            )
        return table


def import_plan(files: DemoFiles, events_by_source: dict[str, Path]) -> list[ingest.ImportOptions]:
    """The imports, in dependency order: products, customers, then orders and events."""
    plan = [
        ingest.ImportOptions(path=files.products, source="catalogue", kind="products"),
        ingest.ImportOptions(path=files.pos_members, source="pos", kind="customers"),
        ingest.ImportOptions(path=files.web_customers, source="web", kind="customers"),
        ingest.ImportOptions(path=files.service_contacts, source="service", kind="customers"),
        ingest.ImportOptions(path=files.pos_orders, source="pos", kind="orders"),
        ingest.ImportOptions(path=files.web_orders, source="web", kind="orders"),
    ]
    for customer_source, path in sorted(events_by_source.items()):
        plan.append(
            ingest.ImportOptions(
                path=path,
                source="events",
                kind="events",
                mapping={
                    "columns": {"customer_ref": "customer_key", "source": None},
                    "customer_source": customer_source,
                },
            )
        )
    return plan


def split_events(events: Path, folder: Path) -> dict[str, Path]:
    """Events name their customer by the id of one of three sources: one file per source."""
    outputs: dict[str, Any] = {}
    paths: dict[str, Path] = {}
    try:
        with events.open("rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                source = SOURCE_OF_FILE.get(orjson.loads(line).get("source"), "web")
                if source not in outputs:
                    paths[source] = folder / f"events_{source}.jsonl"
                    outputs[source] = paths[source].open("wb")
                outputs[source].write(line)
    finally:
        for out in outputs.values():
            out.close()
    return paths


def run_demo(
    *,
    people: int = 20_000,
    seed: int = 42,
    settings: Settings | None = None,
    console: Console | None = None,
) -> DemoResult:
    """Generate the demo company under $PATRON_HOME/demo and import it (idempotent)."""
    settings = settings or get_settings()
    console = console or Console()
    folder = settings.home / "demo" / f"company-{people}-{seed}"
    started = time.perf_counter()
    if not (folder / "ground_truth.csv").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with Progress(
            TextColumn("generating demo company"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("people", total=people)
            files = generate_company(
                folder,
                DemoConfig(people=people, seed=seed),
                progress=lambda _stage, done, total: bar.update(task, completed=done, total=total),
            )
        split_events(files.events, folder)
    files = DemoFiles.in_folder(folder)
    events_by_source = {
        s: folder / f"events_{s}.jsonl"
        for s in SOURCE_OF_FILE.values()
        if (folder / f"events_{s}.jsonl").is_file()
    }
    store = open_store(settings)
    reports = []
    for options in import_plan(files, events_by_source):
        with Progress(
            TextColumn(f"importing {options.path.name}"),
            BarColumn(),
            TextColumn("{task.fields[rows]:,} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(options.path.name, total=None, rows=0)
            reports.append(
                ingest.run_import(
                    options,
                    store=store,
                    settings=settings,
                    progress=lambda p, task=task: bar.update(  # type: ignore[misc]
                        task, completed=p.bytes_read, total=p.total_bytes, rows=p.rows_read
                    ),
                )
            )
    database = settings.effective_database_url.split("@")[-1]
    return DemoResult(folder, reports, time.perf_counter() - started, database)
