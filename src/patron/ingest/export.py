"""Write tables to CSV or XLSX that are safe to open in a spreadsheet.

A cell starting with ``= + - @`` (or a tab, carriage return or NUL) is a formula to Excel and
LibreOffice, so untrusted text such as a customer's name could run a formula on the analyst's
machine. Safe mode prefixes such cells with an apostrophe; ``raw=True`` turns that off
explicitly. CSV follows RFC 4180 quoting and is written as UTF-8 with a BOM so Excel shows
Chinese correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from patron.core import InputError

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def escape_formula(value: Any) -> Any:
    """Neutralise a spreadsheet formula in one cell value; numbers pass through unchanged.

    >>> escape_formula("=HYPERLINK(\\"http://x\\")"), escape_formula("-5"), escape_formula(-5)
    ('\\'=HYPERLINK("http://x")', "'-5", -5)
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def write_table(
    path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: bool = False
) -> int:
    """Write rows to ``path`` (.csv or .xlsx by extension); returns the number of data rows."""
    path = Path(path)
    clean = (lambda v: v) if raw else escape_formula
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _write_csv(path, header, rows, clean)
    if suffix == ".xlsx":
        return _write_xlsx(path, header, rows, clean)
    raise InputError(
        f"cannot export to '{suffix}'", file=str(path), hint="use a .csv or .xlsx name"
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import orjson

        return orjson.dumps(value).decode()
    return value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], clean: Any) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([clean(h) for h in header])
        for row in rows:
            writer.writerow([clean(_cell(v)) for v in row])
            count += 1
    return count


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], clean: Any
) -> int:
    import xlsxwriter

    count = 0
    # constant_memory streams rows to disk; strings_to_formulas off so text never becomes a formula.
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        sheet = book.add_worksheet("export")
        sheet.write_row(0, 0, [clean(h) for h in header])
        for i, row in enumerate(rows, start=1):
            values = [clean(_cell(v)) for v in row]
            values = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
            values = [str(v) if not isinstance(v, int | float | str) else v for v in values]
            sheet.write_row(i, 0, values)
            count += 1
    finally:
        book.close()
    return count
