"""Streaming table readers: CSV/TSV/TXT, XLSX and JSONL in any common encoding.

Usage::

    from patron.ingest.readers import open_table

    with open_table("members.csv") as table:
        table.info.headers, table.info.encoding.label   # ['姓名', '手机'], 'GB18030/GBK'
        for row in table:                                # RawRow, one record at a time
            if row.error: quarantine(row)
            else: use(row.values)

Only the pipeline imports this package; everything else goes through ``patron.ingest``.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from patron.core.errors import InputError
from patron.ingest.readers.base import (
    EncodingGuess,
    RawRow,
    ReaderLimits,
    TableInfo,
    TableReader,
    header_key,
)
from patron.ingest.readers.csv_reader import CsvReader, sniff_delimiter
from patron.ingest.readers.encoding import (
    SAMPLE_BYTES,
    detect_encoding,
    errors_for,
    read_sample,
    resolve_encoding,
)
from patron.ingest.readers.jsonl_reader import JsonlReader
from patron.ingest.readers.xlsx_reader import XlsxReader

__all__ = [
    "EncodingGuess",
    "RawRow",
    "ReaderLimits",
    "TableInfo",
    "TableReader",
    "detect_encoding",
    "header_key",
    "open_table",
    "sniff_delimiter",
]

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_DEFAULT_LIMITS = ReaderLimits()


def open_table(
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    limits: ReaderLimits = _DEFAULT_LIMITS,
    skip_to_row: int = 0,
) -> TableReader:
    """Open a table file for streaming; close it (or use ``with``) when done.

    ``format`` defaults to the extension (.csv/.txt sniff the delimiter among ``, TAB ; |``).
    ``encoding`` overrides detection (a Python codec name or a label such as ``gbk``, ``big5``).
    Rows with ``row_number <= skip_to_row`` are skipped, to resume an interrupted import.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "m.csv")
    >>> _ = open(p, "wb").write("姓名|城市\\n張三|台北市東區\\n李四|高雄市\\n".encode("big5"))
    >>> with open_table(p) as t:
    ...     (t.info.encoding.label, t.info.delimiter, t.info.headers, [r.values for r in t])
    ('Big5', '|', ['姓名', '城市'], [['張三', '台北市東區'], ['李四', '高雄市']])

    Raises :class:`InputError` for an empty, header-only or unreadable file,
    :class:`EncodingUncertainError` when the encoding can't be told (pass ``encoding=``), and
    :class:`LimitExceededError` when a safety limit is exceeded.
    """
    p = Path(path)
    name = str(p)
    if not p.is_file():
        raise InputError("file not found", file=name, hint="check the path")
    suffix = p.suffix.lower()
    fmt = (format or _FORMATS.get(suffix, "")).lower()
    if fmt not in ("csv", "tsv", "xlsx", "jsonl"):
        hint = "save it as .xlsx" if suffix == ".xls" else "use CSV, TSV, XLSX or JSONL"
        raise InputError(f"unsupported file type {suffix or format!r}", file=name, hint=hint)
    if p.stat().st_size == 0:
        raise InputError("file is empty", file=name, hint="export the data again")
    if fmt == "xlsx":
        return XlsxReader(p, sheet=sheet, limits=limits, skip_to_row=skip_to_row)
    if encoding:
        guess = resolve_encoding(encoding, file=name)
    else:
        sample, complete = read_sample(p)
        guess = detect_encoding(sample, file=name, complete=complete)
    if fmt == "jsonl":
        return JsonlReader(p, encoding=guess, limits=limits, skip_to_row=skip_to_row)
    if delimiter is not None and len(delimiter) != 1:
        raise InputError(f"the delimiter must be one character, not {delimiter!r}", file=name)
    if delimiter is None:
        delimiter = "\t" if fmt == "tsv" else sniff_delimiter(_head_text(p, guess))
    return CsvReader(
        p, fmt=fmt, encoding=guess, delimiter=delimiter, limits=limits, skip_to_row=skip_to_row
    )


def _head_text(path: Path, guess: EncodingGuess) -> str:
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    decoder = codecs.getincrementaldecoder(guess.encoding)(errors_for(guess.encoding))
    return decoder.decode(head, final=False)
