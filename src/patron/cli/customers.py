"""`patron customer ...`: search, show the 360 view, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from patron import customers, ingest
from patron.cli.common import console, friendly_errors, store
from patron.core import get_settings

app = typer.Typer(no_args_is_help=True, help="Find customers and see everything about them.")


@app.command("search")
@friendly_errors
def search(
    query: Annotated[str, typer.Argument(help="name, pinyin, phone, e-mail or id")],
    limit: Annotated[int, typer.Option(help="most results")] = 20,
) -> None:
    """Search by name (Chinese or pinyin), phone, e-mail, patron id or source id."""
    hits = customers.search_customers(
        store(), query, limit=limit, region=get_settings().default_region
    )
    table = Table("id", "name", "phone", "e-mail", "city", "tier", "matched on")
    for h in hits:
        table.add_row(
            str(h.id),
            h.full_name or "",
            h.primary_phone or "",
            h.primary_email or "",
            h.city or "",
            h.member_tier or "",
            h.matched_on,
        )
    console.print(table)
    console.print(f"{len(hits)} customer(s).")


@app.command("show")
@friendly_errors
def show(
    query: Annotated[str, typer.Argument(help="patron id, phone, e-mail or source id")],
    events: Annotated[int, typer.Option(help="timeline entries to show")] = 20,
) -> None:
    """Show one customer's 360-degree view: profile, contacts, consent, orders, timeline."""
    st = store()
    view = (
        customers.get_customer(st, int(query))
        if query.isdigit() and len(query) < 10
        else customers.find_customer(st, query, region=get_settings().default_region)
    )
    profile = Table(title=f"Customer {view.id}: {view.full_name or '(no name)'}", show_header=False)
    for label, value in (
        ("gender", view.gender),
        ("birth date", view.birth_date),
        ("company", view.company),
        ("tier", view.member_tier),
        ("phone", view.primary_phone),
        ("e-mail", view.primary_email),
        ("location", " ".join(x for x in (view.province, view.city, view.district) if x)),
        ("external data", "yes" if view.external else "no"),
    ):
        if value:
            profile.add_row(label, str(value))
    console.print(profile)
    contacts = Table("kind", "value", "valid", "source", title="Contact points")
    for cp in view.contact_points:
        contacts.add_row(
            cp.kind, cp.value, "yes" if cp.valid else f"no: {cp.validation_error}", cp.source
        )
    console.print(contacts)
    if view.consents:
        consent = Table("channel", "purpose", "status", "since", "origin", title="Consent")
        for c in view.consents:
            consent.add_row(c.channel, c.purpose, c.status, f"{c.recorded_at:%Y-%m-%d}", c.origin)
        console.print(consent)
    spent = sum(o.total_amount for o in view.orders)
    console.print(
        f"Orders: {len(view.orders)} (total {spent:,.2f}); interactions: {len(view.interactions)}; "
        f"source records: {len(view.source_records)}"
    )
    timeline = Table("when", "what", title="Timeline (newest first)")
    for entry in view.timeline[:events]:
        timeline.add_row(f"{entry.at:%Y-%m-%d %H:%M}", entry.title)
    console.print(timeline)


@app.command("export")
@friendly_errors
def export(
    output: Annotated[Path, typer.Argument(help=".csv or .xlsx file to write")],
    raw: Annotated[bool, typer.Option(help="skip spreadsheet-formula escaping")] = False,
) -> None:
    """Export all customers' golden records (spreadsheet-safe by default)."""
    header = [
        "id",
        "full_name",
        "gender",
        "birth_date",
        "primary_phone",
        "primary_email",
        "province",
        "city",
        "district",
        "postcode",
        "member_tier",
        "company",
    ]
    count = ingest.write_table(
        output, header, customers.iter_customer_rows(store(), header), raw=raw
    )
    console.print(f"Wrote {count:,} customers to {output}")
