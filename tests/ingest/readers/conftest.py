"""Fixture builders for the reader tests: real files written in each encoding."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

WORDS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "cjk_words.json").read_text(encoding="utf-8")
)

HEADERS = {
    "simplified": ["姓名", "地址", "备注", "邮箱", "金额"],
    "traditional": ["姓名", "地址", "備註", "郵箱", "金額"],
}
NOTES = {
    "simplified": {"€": "余额€12.50", "é": "Café 咖啡", "ü": "Müller先生", "😀": "😀 VIP",
                   "rare": "生僻字"},
    "traditional": {"€": "餘額€12.50", "é": "Café 咖啡", "ü": "Müller先生", "😀": "😀 VIP",
                    "rare": "罕見字"},
}  # fmt: skip
# characters every fixture tries to include; each encoding keeps those it can hold
SPECIALS = ["€", "é", "ü", "䶮", "𠀀", "😀"]


def encode_cp936(text: str) -> bytes:
    """What Chinese Excel writes as "CSV": GBK, with the euro sign as the single byte 0x80."""
    return b"\x80".join(part.encode("gbk") for part in text.split("€"))


def can_hold(encoding: str, text: str) -> bool:
    if encoding == "cp936":
        return all(can_hold("gbk", part) for part in text.split("€"))
    encoding = encoding.removesuffix("-le-bom").removesuffix("-be-bom")
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def fixture_rows(encoding: str, n: int = 200) -> tuple[list[str], list[list[str]]]:
    """Headers and ``n`` rows of Chinese customer data ``encoding`` can represent exactly."""
    kind = "traditional" if encoding in ("cp950", "big5", "big5hkscs") else "simplified"
    surnames, given = WORDS[f"surnames_{kind}"], WORDS[f"given_{kind}"]
    addresses = WORDS[f"addresses_{kind}"]
    if encoding.startswith("utf") or encoding == "gb18030":
        # UTF and GB18030 hold everything: mix in the other script's names too
        other = "traditional" if kind == "simplified" else "simplified"
        surnames = surnames + WORDS[f"surnames_{other}"]
        addresses = addresses + WORDS[f"addresses_{other}"]
    specials = [c for c in SPECIALS if can_hold(encoding, c)]
    rows = []
    for i in range(n):
        name = surnames[i % len(surnames)] + given[(i * 7) % len(given)]
        note = ""
        if i % 5 == 0:
            special = specials[(i // 5) % len(specials)]
            name = name[:1] + special if special in "䶮𠀀" else name
            notes = NOTES[kind]
            note = notes.get(special, notes["rare"])
        rows.append(
            [name, addresses[(i * 3) % len(addresses)], note, f"user{i}@example.com", f"{i}.5"]
        )
    return HEADERS[kind], rows


def csv_text(headers: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")  # as Excel writes
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp936":
        return encode_cp936(text)
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes | str], Path]:
    """Write bytes (or UTF-8 text) to ``tmp_path / name`` and return the path."""

    def write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return write


@pytest.fixture
def fx() -> SimpleNamespace:
    """The builders above, for test modules (which can't import conftest by name)."""
    return SimpleNamespace(
        words=WORDS,
        fixture_rows=fixture_rows,
        csv_text=csv_text,
        encode=encode,
        can_hold=can_hold,
        specials=SPECIALS,
    )
