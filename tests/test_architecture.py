"""The package layers hold: import-linter's contracts (pyproject.toml) must all be kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_code_loading_of_data() -> None:
    """C6: no pickle/marshal/yaml.load/eval/exec on data paths in patron's own code."""
    banned = ("pickle.load", "marshal.load", "yaml.load(", "yaml.unsafe_load", "eval(", "exec(")
    offenders = []
    for path in (ROOT / "src" / "patron").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: {b}" for b in banned if b in text]
    assert offenders == []
