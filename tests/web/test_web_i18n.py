"""English and Simplified Chinese: every message has a translation, and the language follows
the user's choice, then the browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from web_fixtures import Web

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "src/patron/web/ui/locale/zh_CN/LC_MESSAGES/messages.po"


def test_every_message_has_a_chinese_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "N_", "--no-location",
         "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with CATALOG.open("rb") as fh:
        translated = {m.id: m.string for m in read_po(fh, locale="zh_CN") if m.id}
    missing = sorted(i for i in wanted if not translated.get(i))
    assert len(wanted) > 150
    assert missing == [], f"add these to {CATALOG.name} (make messages): {missing}"


def test_language_from_browser_then_choice(web: Web) -> None:
    zh = web.browser(**{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "登录 patron" in zh.get("/login").text
    en = web.browser(**{"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in to patron" in en.get("/login").text
    chosen = en.get("/login?lang=zh_CN")
    assert "登录 patron" in chosen.text
    assert "登录 patron" in en.get("/login").text  # the choice is remembered
    traditional = web.browser(**{"Accept-Language": "zh-TW"})
    assert "Sign in to patron" in traditional.get("/login").text
