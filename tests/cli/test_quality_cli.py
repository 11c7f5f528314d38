"""`patron quality`: the report with its flags, --save and --history, --flagged, --customer."""

from __future__ import annotations

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
    result = runner.invoke(app, list(args), terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_flag_names_agree_with_the_facade() -> None:
    from patron import identity
    from patron.cli import quality as quality_cli

    assert quality_cli.FLAG_NAMES == identity.FLAGS


def test_report_save_history_flagged_and_one_customer(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "会员编号,姓名,手机,死亡日期,接受短信\n"
        "M1,张伟,13800138000,,是\n"
        "M2,李娜,12345,,\n"
        "M3,王芳,13900000000,2024-05-01,\n",
        encoding="utf-8",
    )
    run("import", str(path), "--source", "pos")
    out = run("quality")
    assert "High-risk flags" in out and "pos" in out and "Whole store: 3 records" in out
    assert "No saved scores yet" in run("quality", "--history")
    assert "Saved 2 snapshot rows" in run("quality", "--save")
    history = run("quality", "--history")
    assert "whole store" in history and "pos" in history
    flagged = run("quality", "--flagged", "deceased")
    assert "deceased, do_not_contact" in flagged and "1 customer(s)" in flagged
    assert "invalid_contact" in run("quality", "--flagged", "any", "--source", "pos")
    assert "0 customer(s)" in run("quality", "--flagged", "any", "--source", "web")
    one = run("quality", "--customer", "2")
    assert "invalid_contact" in one and "phone: 12345" in one
    refused = runner.invoke(app, ["quality", "--flagged", "dead"])
    assert refused.exit_code == 2 and "deceased" in refused.output
    missing = runner.invoke(app, ["quality", "--customer", "99"])
    assert missing.exit_code == 1 and "no customer 99" in missing.output
