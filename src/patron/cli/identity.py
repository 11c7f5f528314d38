"""`patron unify` and `patron identity ...`: matching, merges, the review queue, lineage."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.prompt import Prompt
from rich.table import Table

from patron import ingest
from patron.cli.common import console, friendly_errors, store

# patron.identity brings Splink, DuckDB and pandas (about 120 MiB and a second of start-up):
# it is imported by the commands that use it, not by every `patron` command.
DEFAULT_HIGH = 0.95  # patron.identity.DEFAULT_HIGH (a test checks they agree)
DEFAULT_LOW = 0.5

if TYPE_CHECKING:
    from patron.identity import ReviewItem

app = typer.Typer(
    no_args_is_help=True,
    help="Find the records that describe the same customer; review, show and undo merges.",
)


def _actor() -> str:
    """Who the audit log names for CLI changes: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


High = Annotated[float, typer.Option(help="merge automatically at or above this match probability")]
Low = Annotated[float, typer.Option(help="below this, keep records apart; between: review")]


@app.command("export-links")
@friendly_errors
def export_links(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX file to write")],
    current: Annotated[
        bool,
        typer.Option(
            "--current",
            help="write where each record belongs now (after `patron unify`, merges and "
            "unmerges) instead of matching afresh",
        ),
    ] = False,
    high: High = DEFAULT_HIGH,
    low: Low = DEFAULT_LOW,
    raw: Annotated[
        bool, typer.Option(help="write keys exactly, without spreadsheet formula escaping")
    ] = False,
) -> None:
    """Write one row per customer source record: source, source_record_key and the customer
    it belongs to, for checking against known truth. By default the store's records are
    matched afresh and the proposal written (nothing in the store changes); with --current,
    the store's own state."""
    from patron import identity

    if current:
        rows = ingest.write_table(
            path, identity.LINK_HEADER, identity.current_links(store()), raw=raw
        )
        console.print(f"Wrote {rows:,} links to {path}.")
        return
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


@friendly_errors
def unify_command(
    full: Annotated[
        bool, typer.Option("--full", help="re-train on all records and re-match everything")
    ] = False,
    high: Annotated[
        float | None,
        typer.Option(
            help="merge automatically at or above this match probability (default 0.95, "
            "lowered where at least 30 review decisions show 99% precision)"
        ),
    ] = None,
    low: Low = DEFAULT_LOW,
) -> None:
    """Match customer records and act on it: merge customers matching at or above --high,
    queue pairs between --low and --high for review (`patron identity review`) and link
    households. Incremental by default: only records loaded since the last run are scored,
    with the last run's model. Every merge is audited and can be undone
    (`patron identity unmerge`)."""
    from patron import identity

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:  # fmt: skip
        tasks: dict[str, Any] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = identity.unify(
            store(), full=full, high=high, low=low, actor=_actor(), progress=on_progress
        )
    summary = Table(
        "run", "mode", "records", "scored", "pairs", "merged", "to review", "households"
    )
    summary.add_row(
        f"#{report.run_id}", report.mode, f"{report.records:,}", f"{report.new_records:,}",
        f"{report.pairs:,}", f"{report.merges:,}", f"{report.reviews:,}", f"{report.households:,}",
    )  # fmt: skip
    console.print(summary)
    console.print(
        f"Merged at match probability >= {report.high:.3g}; done in {report.seconds:.1f} s."
    )
    if report.reviews:
        console.print("Review the doubtful pairs with `patron identity review`.")


@app.command("review")
@friendly_errors
def review(
    list_only: Annotated[
        bool, typer.Option("--list", help="list the queue instead of deciding")
    ] = False,
    status: Annotated[
        str, typer.Option(help="with --list: pending, accepted, rejected or superseded")
    ] = "pending",
    limit: Annotated[int, typer.Option(min=1, help="how many pairs to show")] = 20,
    accept: Annotated[
        int | None, typer.Option(help="accept this review: merge its customers")
    ] = None,
    reject: Annotated[
        int | None, typer.Option(help="reject this review: keep its customers apart")
    ] = None,
    note: Annotated[str, typer.Option(help="why (kept with the decision)")] = "",
) -> None:
    """Decide the pairs matching was unsure about. Without options, shows each pending pair
    with its field-by-field evidence and asks: [a]ccept (merge), [r]eject (keep apart),
    [s]kip or [q]uit."""
    from patron import identity

    st = store()
    if accept is not None or reject is not None:
        if accept is not None and reject is not None:
            raise typer.BadParameter("give --accept or --reject, not both")
        review_id, decision = (accept, "accept") if accept is not None else (reject, "reject")
        assert review_id is not None
        with st.begin() as conn:
            item = identity.decide(conn, review_id, decision, actor=_actor(), note=note)  # type: ignore[arg-type]
        _print_decision(item)
        return
    with st.connect() as conn:
        items, total = identity.list_reviews(conn, status=status, limit=limit)
    if list_only or not items:
        table = Table("review", "probability", "left", "right", "status")
        for item in items:
            table.add_row(
                f"#{item.id}", f"{item.match_probability:.3f}", _side(item.left),
                _side(item.right), item.status,
            )  # fmt: skip
        console.print(table)
        console.print(f"{total:,} {status} pair(s).")
        return
    for item in items:
        _print_review(item)
        answer = Prompt.ask(r"\[a]ccept, \[r]eject, \[s]kip, \[q]uit", choices=["a", "r", "s", "q"])
        if answer == "q":
            break
        if answer == "s":
            continue
        with st.begin() as conn:
            decided = identity.decide(
                conn, item.id, "accept" if answer == "a" else "reject", actor=_actor(), note=note
            )
        _print_decision(decided)


def _side(side: Any) -> str:
    return f"{side.full_name or '?'} (customer {side.customer_id}, {side.source} {side.source_key})"


def _print_review(item: ReviewItem) -> None:
    table = Table(
        "field", "left", "right", "agreement", "weight",
        title=f"Review #{item.id}: match probability {item.match_probability:.3f}",
    )  # fmt: skip
    table.add_row("record", _side(item.left), _side(item.right), "", "")
    for f in item.evidence:
        weight = "" if f.get("weight") is None else f"{f['weight']:+.1f}"
        table.add_row(
            f["field"], f.get("left") or "", f.get("right") or "", f.get("level") or "", weight
        )
    console.print(table)


def _print_decision(item: ReviewItem) -> None:
    if item.status == "accepted":
        merged = f" as merge #{item.merge_id}" if item.merge_id else " (already one customer)"
        console.print(f"Review #{item.id} accepted{merged}.")
    else:
        console.print(f"Review #{item.id} {item.status}: the customers stay apart.")


@app.command("show")
@friendly_errors
def show(
    customer_id: Annotated[int, typer.Argument(help="customer id (merged ids work too)")],
) -> None:
    """A customer's identity: the records it is made of, where each field's value came from,
    its merges (undo one with `patron identity unmerge`) and its household."""
    from patron import identity

    with store().connect() as conn:
        view = identity.customer_identity(conn, customer_id)
    if view.customer_id != view.asked_id:
        console.print(f"Customer {view.asked_id} was merged into customer {view.customer_id}.")
    console.print(f"[bold]Customer {view.customer_id}[/] ({view.status})")
    golden = Table("field", "value", "from record", "source")
    for g in view.golden:
        if g.value not in (None, "", {}):
            golden.add_row(g.field, str(g.value), str(g.record_id or ""), g.source or "")
    console.print(golden)
    records = Table("record", "source", "key", "batch", "row", "loaded", "current", "name")
    for r in view.records:
        records.add_row(
            str(r.id), r.source, r.source_key, str(r.batch_id), str(r.row_number),
            f"{r.loaded_at:%Y-%m-%d %H:%M}", "yes" if r.is_current else "no", r.full_name or "",
        )  # fmt: skip
    console.print(records)
    if view.merges:
        merges = Table(
            "merge", "survivor", "merged", "probability", "reason", "by", "when", "undone"
        )
        for m in view.merges:
            merges.add_row(
                f"#{m.id}", str(m.survivor_id), str(m.merged_id),
                "" if m.match_probability is None else f"{m.match_probability:.3f}",
                m.reason, m.actor, f"{m.merged_at:%Y-%m-%d %H:%M}",
                f"{m.undone_at:%Y-%m-%d %H:%M} by {m.undone_by}" if m.undone_at else "",
            )  # fmt: skip
        console.print(merges)
    if view.household_id is not None:
        others = ", ".join(map(str, view.household)) or "none"
        console.print(f"Household #{view.household_id}; other members: {others}")


@app.command("unmerge")
@friendly_errors
def unmerge_command(
    customer_id: Annotated[
        int, typer.Argument(help="the merged customer to restore, or the survivor (with --merge)")
    ],
    merge: Annotated[
        int | None, typer.Option(help="which merge to undo, when the customer has several")
    ] = None,
    reason: Annotated[str, typer.Option(help="why (kept in the audit log)")] = "",
) -> None:
    """Undo a merge: the merged customer comes back with exactly its records, contacts,
    consent, orders and events, and matching will not merge the two again."""
    from patron import identity

    st = store()
    with st.begin() as conn:
        if merge is None:
            active = [m for m in identity.merges_of(conn, customer_id) if m.undone_at is None]
            absorbed = [m for m in active if m.merged_id == customer_id]
            chosen = absorbed or active
            if len(chosen) != 1:
                listing = ", ".join(f"#{m.id} (customer {m.merged_id})" for m in chosen)
                raise typer.BadParameter(
                    f"customer {customer_id} has {len(chosen)} merges in force"
                    + (f": {listing}; choose one with --merge" if chosen else "")
                )
            merge = chosen[0].id
        record = identity.unmerge(conn, merge, actor=_actor(), reason=reason)
    console.print(
        f"Merge #{record.id} undone: customer {record.merged_id} is separate from customer "
        f"{record.survivor_id} again."
    )
