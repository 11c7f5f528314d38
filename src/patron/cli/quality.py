"""`patron quality`: data quality per source and field, high-risk flags, one customer's score,
and the score history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from patron.cli.common import console, friendly_errors, store

if TYPE_CHECKING:  # patron.identity brings Splink, DuckDB and pandas: imported when used
    from patron.identity import FlagCounts, QualityReport

ACTOR = "cli"
FLAG_NAMES = ("deceased", "company_closed", "invalid_contact", "bounced", "do_not_contact")
FLAG_HEADERS = ("deceased", "closed co.", "invalid", "bounced", "no contact")


@friendly_errors
def quality(
    save: Annotated[
        bool, typer.Option("--save", help="also store the scores, to track them over time")
    ] = False,
    history: Annotated[
        bool, typer.Option("--history", help="show the saved scores instead of measuring")
    ] = False,
    flagged: Annotated[
        str | None,
        typer.Option(
            help=f"list customers carrying a flag ({', '.join(FLAG_NAMES)}, or 'any')",
            metavar="FLAG",
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="with --flagged: only this source")] = None,
    limit: Annotated[int, typer.Option(min=1, help="with --flagged or --history: how many")] = 50,
    customer: Annotated[
        int | None, typer.Option(help="one customer's quality score instead", metavar="ID")
    ] = None,
) -> None:
    """Data quality per source and field: completeness, validity, freshness, duplicates,
    high-risk flags and a score (0-100) per source."""
    from patron import identity

    if flagged is not None:
        _print_flagged(flagged, source, limit)
    elif customer is not None:
        _print_customer(customer)
    elif history:
        _print_history(limit)
    else:
        report = identity.quality_report(store())
        _print_report(report)
        if save:
            rows = identity.save_quality_snapshot(store(), actor=ACTOR, report=report)
            console.print(f"Saved {len(rows)} snapshot rows ({report.taken_at:%Y-%m-%d %H:%M}).")


def _flags(counts: FlagCounts) -> list[str]:
    return [f"{getattr(counts, name):,}" for name in FLAG_NAMES]


def _print_report(report: QualityReport) -> None:
    fields = Table("source", "field", "records", "complete", "valid (of filled)")
    for f in report.fields:
        fields.add_row(
            f.source, f.field, f"{f.records:,}", f"{f.completeness:.1%}", f"{f.validity:.1%}"
        )
    console.print(fields)
    sources = Table("source", "records", "shared contact", "score")
    staleness = Table(
        "source", "newest data", "median record", "reliability now", "records' reliability"
    )
    for s in report.sources:
        sources.add_row(s.source, f"{s.records:,}", f"{s.duplicate_share:.1%}", f"{s.score:.1f}")
        staleness.add_row(
            s.source,
            s.newest_data.date().isoformat() if s.newest_data else "",
            s.median_data.date().isoformat() if s.median_data else "",
            f"{s.reliability_now:.2f}",
            f"{s.records_reliability:.2f}",
        )
    console.print(sources)
    console.print(staleness)
    flags = Table("source", *FLAG_HEADERS, "any", title="High-risk flags")
    for s in report.sources:
        flags.add_row(s.source, *_flags(s.flags), f"{s.flags.any:,}")
    overall = report.overall
    flags.add_row("customers", *_flags(overall.flags), f"{overall.flags.any:,}", style="bold")
    console.print(flags)
    console.print(
        f"Per source: records whose customer carries the flag; customers: the whole store's. "
        f"Whole store: {overall.records:,} records, {overall.customers:,} customers, "
        f"score {overall.score:.1f}."
    )


def _print_flagged(flag: str, source: str | None, limit: int) -> None:
    from patron import identity

    wanted = None if flag == "any" else flag
    if wanted is not None and wanted not in identity.FLAGS:
        raise typer.BadParameter(
            f"one of: {', '.join(identity.FLAGS)}, any", param_hint="--flagged"
        )
    found = identity.flagged_customers(store(), flag=wanted, source=source, limit=limit)
    table = Table("customer", "flags")
    for c in found:
        table.add_row(str(c.customer_id), ", ".join(c.flags))
    console.print(table)
    console.print(
        f"{len(found)} customer(s) shown (at most {limit}; see `patron customer show ID`)."
    )


def _print_customer(customer_id: int) -> None:
    from patron import identity

    q = identity.customer_quality(store(), customer_id)
    table = Table("customer", "score", "complete", "valid", "freshness", "flags")
    table.add_row(
        str(q.customer_id),
        f"{q.score:.1f}",
        f"{q.completeness:.0%}",
        f"{q.validity:.0%}",
        f"{q.freshness:.2f}",
        ", ".join(q.flags) or "none",
    )
    console.print(table)
    if q.missing:
        console.print(f"Missing: {', '.join(q.missing)}")
    if q.invalid:
        console.print(f"Invalid: {', '.join(q.invalid)}")


def _print_history(limit: int) -> None:
    from patron import identity

    rows = identity.quality_history(store(), limit=limit)
    if not rows:
        console.print("No saved scores yet: `patron quality --save` stores one.")
        return
    table = Table("taken", "source", "records", "score")
    for r in rows:
        table.add_row(
            f"{r.taken_at:%Y-%m-%d %H:%M}",
            r.source or "whole store",
            f"{r.records:,}",
            f"{r.score:.1f}",
        )
    console.print(table)
