"""The command line, run as a user runs it (Typer's runner, a real SQLite store)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from patron.cli import app
from patron.core.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATRON_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PATRON_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["import"],
        ["customer"],
        ["source"],
        ["audit"],
        ["demo"],
        ["import", "file"],
        ["import", "rejects"],
        ["customer", "show"],
        ["user"],
        ["user", "add"],
        ["token"],
        ["token", "create"],
        ["serve"],
        ["identity"],
        ["identity", "export-links"],
        ["quality"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_init_import_search_show_rejects(tmp_path: Path) -> None:
    assert "Store ready" in run("init")
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["会员编号", "姓名", "手机", "生日"],
                ["M1", "张伟", "13800138000", "1985-03-07"],
                ["M2", "李娜", "13900000000", "1985-02-30"],
            ]
        )
    out = run("import", str(path), "--source", "pos")
    assert "inserted" in out and "rejected" in out and "patron import rejects 1" in out
    assert "张伟" in run("customer", "search", "zhang")
    assert "+8613800138000" in run("customer", "show", "138 0013 8000")
    out = run("import", "rejects", "1")
    assert "1985-02-30" in out and "生日" in out
    export = tmp_path / "rejects.xlsx"
    run("import", "rejects", "1", "--output", str(export))
    assert export.is_file()
    assert "pos" in run("import", "list")
    assert "Audit chain intact" in run("audit", "verify")


def test_errors_are_one_clear_line_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "missing.csv"), "--source", "pos"])
    assert result.exit_code == 1
    assert "file not found" in result.output and "Traceback" not in result.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["import", str(empty), "--source", "pos"])
    assert result.exit_code == 1 and "empty" in result.output
    result = runner.invoke(app, ["import", "rejects", "99"])
    assert result.exit_code == 1 and "no import batch 99" in result.output


def test_users_and_tokens(tmp_path: Path) -> None:
    from patron import access
    from patron.store import open_store

    assert "added with role marketer" in run(
        "user", "add", "li.na", "--role", "marketer", "--password", "a long passphrase"
    )
    assert "li.na" in run("user", "list") and "marketer" in run("user", "list")
    weak = runner.invoke(app, ["user", "add", "x", "--role", "viewer", "--password", "short"])
    assert weak.exit_code == 1 and "at least 10" in weak.output
    bad_role = runner.invoke(app, ["user", "add", "y", "--role", "boss", "--password", "x" * 12])
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    out = run("token", "create", "--user", "li.na", "--scope", "customers.read")
    secret = next(line for line in out.splitlines() if line.startswith("ptn_"))
    store = open_store(get_settings())
    who = access.principal_for_token(store, secret)
    assert who is not None and who.permissions == {"customers.read"}
    assert "revoked" in run("token", "revoke", "1")
    assert access.principal_for_token(store, secret) is None
    run("user", "disable", "li.na")
    assert "no" in run("user", "list")
    store.dispose()


def test_demo_prints_working_sign_ins() -> None:
    from patron import access
    from patron.store import open_store

    out = run("demo", "--people", "150", "--no-serve")
    assert "to review" in out and "households" in out  # the duplicates were unified
    lines = [
        line.split() for line in out.splitlines() if line.strip().startswith(("admin", "analyst"))
    ]
    credentials = {parts[0]: parts[1] for parts in lines if len(parts) >= 2}
    assert set(credentials) == {"admin", "analyst"}
    store = open_store(get_settings())
    _, who = access.login(store, get_settings(), "admin", credentials["admin"])
    assert who.role == "admin"
    store.dispose()


def test_serve_workers_from_option_environment_and_patron_toml(home: Path) -> None:
    from patron.core import load_settings
    from patron.core.settings import default_web_workers

    cpus = len(os.sched_getaffinity(0))
    assert default_web_workers() == (2 if cpus >= 2 else 1)
    (home / "home").mkdir(exist_ok=True)
    (home / "home" / "patron.toml").write_text("[patron]\nweb_workers = 3\n")
    environ = {"PATRON_HOME": str(home / "home")}
    assert load_settings(environ).web_workers == 3
    assert load_settings(environ | {"PATRON_WEB_WORKERS": "4"}).web_workers == 4
    refused = runner.invoke(app, ["serve", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.output
    assert "--workers" in runner.invoke(app, ["serve", "--help"]).output


def test_commands_do_not_load_the_matching_libraries_until_needed() -> None:
    """`patron import` and every other command start without Splink, DuckDB and pandas (they
    cost the import about 120 MiB); the identity commands' defaults match the facade's."""
    import subprocess
    import sys

    code = (
        "import sys, patron.cli.app; "
        "print(sorted(m for m in ('splink', 'duckdb', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    from patron import identity
    from patron.cli import identity as identity_cli

    assert (identity_cli.DEFAULT_HIGH, identity_cli.DEFAULT_LOW) == (
        identity.DEFAULT_HIGH,
        identity.DEFAULT_LOW,
    )
