"""`patron import ...`: import files, inspect batches, export rejects, resume, roll back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from patron import ingest
from patron.cli.common import console, friendly_errors, store


class _DefaultToFile(TyperGroup):
    """Lets `patron import FILE ...` mean `patron import file FILE ...`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultToFile,
    no_args_is_help=True,
    help="Import customers, products, orders and events; inspect and undo batches.",
)

KindOpt = Annotated[
    str, typer.Option("--kind", "-k", help="customers | products | orders | events")
]


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _show_report(report: ingest.ImportReport) -> None:
    table = Table(title=f"Import batch {report.batch_id}: {report.status}", show_header=False)
    table.add_row("file", report.file)
    table.add_row("source / kind", f"{report.source} / {report.kind}")
    table.add_row("encoding", report.encoding or "-")
    table.add_row("rows read", f"{report.rows_read:,}")
    table.add_row("inserted", f"{report.inserted:,}")
    table.add_row("updated", f"{report.updated:,}")
    table.add_row("unchanged", f"{report.unchanged:,}")
    table.add_row(
        "rejected",
        f"{report.rejected:,}"
        + (
            " (" + ", ".join(f"{k}: {v}" for k, v in report.reject_categories.items()) + ")"
            if report.reject_categories
            else ""
        ),
    )
    table.add_row("time", f"{report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)")
    if report.resumed_from_row:
        table.add_row("resumed after row", f"{report.resumed_from_row:,}")
    console.print(table)
    if report.rejected:
        console.print(
            f"See the rejected rows with [bold]patron import rejects {report.batch_id}[/] "
            f"(add --output rejects.xlsx to export them)."
        )


def _run_with_progress(label: str, run: Any) -> ingest.ImportReport:
    with _progress() as bar:
        task = bar.add_task(label, total=None, rows=0)

        def on_progress(p: ingest.ImportProgress) -> None:
            bar.update(task, completed=p.bytes_read, total=p.total_bytes or None, rows=p.rows_read)

        result: ingest.ImportReport = run(on_progress)
        return result


@app.command("file")
@friendly_errors
def import_file(
    path: Annotated[Path, typer.Argument(help="CSV, TSV, XLSX or JSON Lines file")],
    source: Annotated[
        str, typer.Option("--source", "-s", help="name of the source system, e.g. pos")
    ],
    kind: KindOpt = "customers",
    mapping: Annotated[
        Path | None, typer.Option(help="YAML column mapping (see docs/user-guide.md)")
    ] = None,
    external: Annotated[bool, typer.Option(help="data bought or received from outside")] = False,
    encoding: Annotated[
        str | None, typer.Option(help="override detection: utf-8, gb18030, big5 ...")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first)")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (default: detected)")] = None,
    as_of: Annotated[
        datetime | None, typer.Option(help="when the data was current (default: file time)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="parser processes (default: automatic)")
    ] = None,
) -> None:
    """Import FILE as one batch: detect encoding, map columns, validate, normalise, store."""
    if kind not in ingest.KINDS:
        raise typer.BadParameter(f"use one of {', '.join(ingest.KINDS)}", param_hint="--kind")
    options = ingest.ImportOptions(
        path=path,
        source=source,
        kind=kind,
        mapping_file=mapping,
        external=external,
        encoding=encoding,
        sheet=sheet,
        delimiter=delimiter,
        data_as_of=as_of.replace(tzinfo=as_of.tzinfo or UTC) if as_of else None,
        workers=workers,
    )
    st = store()
    report = _run_with_progress(
        path.name, lambda cb: ingest.run_import(options, store=st, progress=cb)
    )
    _show_report(report)


@app.command("preview")
@friendly_errors
def preview(
    path: Path,
    kind: KindOpt = "customers",
    mapping: Annotated[Path | None, typer.Option(help="YAML column mapping")] = None,
    encoding: Annotated[str | None, typer.Option(help="override detection")] = None,
    rows: Annotated[int, typer.Option(help="rows to show")] = 5,
) -> None:
    """Show the detected encoding, the column mapping and the first rows as they would import."""
    options = ingest.ImportOptions(
        path=path, source="preview", kind=kind, mapping_file=mapping, encoding=encoding
    )
    result = ingest.preview_file(options, rows=rows)
    console.print(
        f"format: [bold]{result.format}[/]  encoding: [bold]{result.encoding or '-'}[/]"
        + (f" ({result.encoding_reason})" if result.encoding_reason else "")
    )
    table = Table("column", "imported as")
    for header, target in result.columns:
        table.add_row(header, target)
    console.print(table)
    for sample in result.sample:
        if sample["ok"]:
            shown = {k: v for k, v in sample["parsed"].items() if v not in (None, [], {}, "")}
            console.print(f"row {sample['row']} key={sample['key']}: {shown}")
        else:
            console.print(f"[red]row {sample['row']} rejected:[/] {sample['problems']}")


@app.command("list")
@friendly_errors
def list_batches(limit: Annotated[int, typer.Option(help="how many")] = 20) -> None:
    """List recent import batches."""
    with store().connect() as conn:
        rows = ingest.list_batches(conn, limit)
    table = Table(
        "batch",
        "source",
        "kind",
        "status",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "file",
    )
    for b in rows:
        table.add_row(
            str(b["id"]),
            b["source"],
            b["kind"],
            b["status"],
            f"{b['rows_read']:,}",
            f"{b['rows_inserted']:,}",
            f"{b['rows_updated']:,}",
            f"{b['rows_unchanged']:,}",
            f"{b['rows_rejected']:,}",
            Path(b["file_name"]).name,
        )
    console.print(table)


@app.command("rejects")
@friendly_errors
def rejects(
    batch: Annotated[int, typer.Argument(help="batch number (see `patron import list`)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="export to .csv or .xlsx")
    ] = None,
    limit: Annotated[int, typer.Option(help="rows to show on screen")] = 50,
    raw: Annotated[bool, typer.Option(help="export without spreadsheet-formula escaping")] = False,
) -> None:
    """List a batch's rejected rows with the reason per field, or export them."""
    st = store()
    if output is not None:
        count = ingest.export_rejects(batch, output, store=st, raw=raw)
        console.print(f"Wrote {count:,} rejected rows to {output}")
        return
    with st.connect() as conn:
        rows = ingest.list_rejects(conn, batch, limit=limit)
        total = sum(ingest.count_rejects(conn, batch).values())
    table = Table("row", "category", "field", "value", "reason", "fix")
    for r in rows:
        for p in r["problems"]:
            table.add_row(
                str(r["row_number"]),
                r["category"],
                str(p["field"]),
                str(p["value"] or ""),
                str(p["reason"]),
                str(p.get("fix") or ""),
            )
    console.print(table)
    console.print(f"{min(limit, total):,} of {total:,} rejected rows shown.")


@app.command("resume")
@friendly_errors
def resume(
    batch: Annotated[int, typer.Argument(help="the unfinished batch")],
    path: Annotated[Path | None, typer.Option(help="the file, if it moved")] = None,
) -> None:
    """Continue an interrupted or failed import from its last committed row."""
    st = store()
    report = _run_with_progress(
        f"batch {batch}", lambda cb: ingest.resume_import(batch, path=path, store=st, progress=cb)
    )
    _show_report(report)


@app.command("rollback")
@friendly_errors
def rollback(
    batch: Annotated[int, typer.Argument(help="the batch to undo")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Undo a batch: remove what it added and restore what it changed."""
    if not yes:
        typer.confirm(f"Roll back import batch {batch}?", abort=True)
    result = ingest.rollback_batch(store(), batch)
    console.print(f"Batch {batch} rolled back: " + ", ".join(f"{k} {v}" for k, v in result.items()))
