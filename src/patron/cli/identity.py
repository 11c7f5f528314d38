"""`patron identity ...`: what matching finds in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from patron import ingest
from patron.cli.common import console, friendly_errors, store

# patron.identity brings Splink, DuckDB and pandas (about 120 MiB and a second of start-up):
# it is imported by the commands that use it, not by every `patron` command.
DEFAULT_HIGH = 0.95  # patron.identity.DEFAULT_HIGH (a test checks they agree)
DEFAULT_LOW = 0.5

app = typer.Typer(no_args_is_help=True, help="Find the records that describe the same customer.")

High = Annotated[float, typer.Option(help="merge automatically at or above this match probability")]
Low = Annotated[float, typer.Option(help="below this, keep records apart; between: review")]


@app.command("export-links")
@friendly_errors
def export_links(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX file to write")],
    high: High = DEFAULT_HIGH,
    low: Low = DEFAULT_LOW,
    raw: Annotated[
        bool, typer.Option(help="write keys exactly, without spreadsheet formula escaping")
    ] = False,
) -> None:
    """Match the store's customer records and write one row per source record: source,
    source_record_key and the customer it belongs to, for checking against known truth.
    Nothing in the store changes."""
    from patron import identity

    with console.status("matching customer records ..."):
        proposal = identity.propose(store(), high=high, low=low)
    rows = ingest.write_table(path, identity.LINK_HEADER, identity.links(proposal), raw=raw)
    summary = Table("records", "customers after", "would merge", "pairs to review")
    summary.add_row(
        f"{len(proposal.records):,}",
        f"{proposal.clusters:,}",
        f"{proposal.merges:,}",
        f"{len(proposal.review):,}",
    )
    console.print(summary)
    console.print(f"Wrote {rows:,} links to {path}.")


def quality() -> None:
    """Data quality per source and field: completeness, validity, freshness, duplicates and a
    score (0-100) per source."""
    from patron import identity

    report = identity.quality_report(store())
    fields = Table("source", "field", "records", "complete", "valid (of filled)")
    for f in report.fields:
        fields.add_row(
            f.source, f.field, f"{f.records:,}", f"{f.completeness:.1%}", f"{f.validity:.1%}"
        )
    console.print(fields)
    sources = Table(
        "source", "records", "newest data", "reliability now", "shared contact", "score"
    )
    for s in report.sources:
        sources.add_row(
            s.source,
            f"{s.records:,}",
            s.newest_data.date().isoformat() if s.newest_data else "",
            f"{s.reliability_now:.2f}",
            f"{s.duplicate_share:.1%}",
            f"{s.score:.1f}",
        )
    console.print(sources)
