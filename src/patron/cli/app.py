"""The `patron` command line. Each command parses, calls one facade, and formats the answer."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from patron import __version__
from patron.cli import analytics as analytics_cli
from patron.cli import customers as customers_cli
from patron.cli import identity as identity_cli
from patron.cli import imports as imports_cli
from patron.cli import quality as quality_cli
from patron.cli import users as users_cli
from patron.cli.common import console, friendly_errors, store
from patron.core import get_settings

app = typer.Typer(
    name="patron",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="patron: customer database marketing and CRM. Start with `patron demo` or `patron init`.",
)
app.add_typer(imports_cli.app, name="import")
app.add_typer(customers_cli.app, name="customer")
app.add_typer(identity_cli.app, name="identity")
app.command("unify")(identity_cli.unify_command)
app.command("quality")(quality_cli.quality)
app.command("analyze")(analytics_cli.analyze_command)
app.add_typer(analytics_cli.analytics_app, name="analytics")
app.add_typer(analytics_cli.warehouse_app, name="warehouse")
app.command("worker")(analytics_cli.worker_command)
app.add_typer(users_cli.user_app, name="user")
app.add_typer(users_cli.token_app, name="token")
source_app = typer.Typer(
    no_args_is_help=True, help="Data sources and how far their data is trusted."
)
app.add_typer(source_app, name="source")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")
app.add_typer(audit_app, name="audit")


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="print the version")] = False,
) -> None:
    if version:
        console.print(__version__)
        raise typer.Exit()


@app.command()
@friendly_errors
def init() -> None:
    """Create the store, or upgrade it to this version's schema."""
    settings = get_settings()
    st = store()
    console.print(
        f"Store ready at {settings.effective_database_url.split('@')[-1]} "
        f"(schema {st.schema_revision()})."
    )


@source_app.command("list")
@friendly_errors
def source_list() -> None:
    """List sources with their reliability and half-life."""
    from patron import ingest

    with store().connect() as conn:
        rows = ingest.list_sources(conn)
    table = Table("source", "external", "reliability", "half-life (days)")
    for r in rows:
        table.add_row(
            r["name"],
            "yes" if r["external"] else "no",
            f"{r['reliability']:.2f}",
            f"{r['half_life_days']:.0f}",
        )
    console.print(table)


@source_app.command("set")
@friendly_errors
def source_set(
    name: str,
    reliability: Annotated[
        float | None, typer.Option(min=0, max=1, help="trust when fresh, 0..1")
    ] = None,
    half_life: Annotated[float | None, typer.Option(min=1, help="days until trust halves")] = None,
    external: Annotated[bool | None, typer.Option(help="data from outside the company")] = None,
) -> None:
    """Change a source's reliability, half-life or internal/external flag."""
    from patron import ingest

    with store().begin() as conn:
        ingest.set_source(
            conn, name, reliability=reliability, half_life_days=half_life, external=external
        )
    console.print(f"Source {name} updated.")


@audit_app.command("verify")
@friendly_errors
def audit_verify() -> None:
    """Check that no audit entry was edited or removed."""
    from patron.store import verify_audit_chain

    with store().connect() as conn:
        broken = verify_audit_chain(conn)
    if broken is None:
        console.print("Audit chain intact.")
    else:
        console.print(f"[red]Audit chain broken at entry {broken}.[/]")
        raise typer.Exit(1)


@app.command()
@friendly_errors
def demo(
    people: Annotated[int, typer.Option(help="how many people the demo company has")] = 20_000,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 42,
    serve: Annotated[
        bool, typer.Option(help="serve the web app afterwards (--no-serve to skip)")
    ] = True,
    unify: Annotated[
        bool, typer.Option(help="merge the duplicates afterwards (`patron unify`)")
    ] = True,
    analyze: Annotated[
        bool, typer.Option(help="score every customer afterwards (`patron analyze`)")
    ] = True,
) -> None:
    """Generate a realistic multi-source company, import it all, merge its duplicate
    customers, score them (RFM, CLV, churn, ...) and print a summary."""
    from patron.demo import run_demo

    result = run_demo(people=people, seed=seed, console=console)
    console.print(result.table())
    if unify:
        identity_cli.unify_command(full=False, high=None, low=identity_cli.DEFAULT_LOW)
    if analyze:
        from patron.analytics import AnalyzeOptions
        from patron.core import PatronError

        try:
            rules = get_settings().analytics_lifecycle_rules or None
            analytics_cli.run_analyze(AnalyzeOptions(actor="demo", lifecycle_rules=rules))
        except PatronError as exc:  # a tiny demo company has too little history to model
            console.print(f"Analytics skipped: {exc}")
    rejected = [r for r in result.reports if r.rejected]
    if rejected:
        console.print(
            "Rejected rows are kept with their reasons: "
            + ", ".join(f"patron import rejects {r.batch_id}" for r in rejected[:3])
        )
    console.print(
        'Try: patron customer search 张伟 | patron customer search "zhang wei" | '
        "patron customer show 1"
    )
    from patron.demo import ensure_demo_users

    settings = get_settings()
    credentials = ensure_demo_users(store())
    url = f"http://localhost:{settings.port}/"
    console.print("Demo users (passwords are new on every run):")
    for name, role, password in credentials:
        console.print(f"  {name:<8} {password}   ({role})")
    if serve:
        from patron.web import serve as serve_web

        console.print(f"Open [bold]{url}[/] and sign in. Ctrl+C stops the server.")
        serve_web(settings, host=settings.host, port=settings.port, log_level="warning")


@app.command()
@friendly_errors
def serve(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="processes sharing the port (default web_workers: 2 with 2+ CPUs, else 1)",
        ),
    ] = None,
) -> None:
    """Serve the web app and the REST API (docs at /api/v1/docs)."""
    from patron.web import serve as serve_web

    settings = get_settings()
    store()  # create or upgrade the store before the first request
    shown = host or settings.host
    processes = workers or settings.web_workers
    console.print(
        f"patron on http://{'localhost' if shown == '127.0.0.1' else shown}:"
        f"{port or settings.port}/  (API docs: /api/v1/docs; "
        f"{processes} worker process{'es' if processes > 1 else ''})"
    )
    serve_web(settings, host=host, port=port, workers=processes)
