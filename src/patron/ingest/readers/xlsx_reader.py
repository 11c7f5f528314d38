"""XLSX worksheets read as a stream of :class:`RawRow`.

An XLSX file is a zip of XML parts, which makes two attacks cheap: a zip bomb (tiny file, huge
expansion) and XML entity expansion ("billion laughs"). The zip directory is checked against
the limits *before* openpyxl opens anything; openpyxl itself parses through defusedxml when it
is installed (it is a dependency), which refuses entity declarations. openpyxl runs in
read-only, values-only mode so rows are streamed instead of building the whole sheet.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException

from patron.core.errors import InputError, LimitExceededError
from patron.ingest.readers.base import BaseReader, RawRow, ReaderLimits, TableInfo, clean_headers

_RATIO_MIN_BYTES = 1 << 20  # small parts can't hurt whatever their ratio (styles compress well)
_PROGRESS_EVERY = 1024


def cell_text(value: Any) -> str:
    """A cell value as text, the way a person reading the sheet would write it.

    >>> [cell_text(v) for v in (None, 13800138000.0, 1.5, True, dt.datetime(2024, 5, 1))]
    ['', '13800138000', '1.5', 'TRUE', '2024-05-01']
    >>> cell_text(dt.datetime(2024, 5, 1, 8, 30))
    '2024-05-01 08:30:00'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float: phone numbers and ids must not gain ".0"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)


def check_zip(path: str | Path, limits: ReaderLimits) -> None:
    """Refuse archives that would expand past the limits (zip bombs) or aren't zips at all."""
    name = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"not a valid XLSX file ({exc})", file=name, hint="open and re-save it in Excel"
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_xlsx_uncompressed_bytes:
        raise LimitExceededError(
            f"the XLSX file would expand to {total} bytes, more than the limit of "
            f"{limits.max_xlsx_uncompressed_bytes}",
            file=name,
            hint="split the workbook or export it as CSV",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_MIN_BYTES and ratio > limits.max_xlsx_compression_ratio:
            raise LimitExceededError(
                f"part {info.filename} of the XLSX file is compressed {ratio:.0f}:1, more than "
                f"the limit of {limits.max_xlsx_compression_ratio:.0f}:1 (a zip bomb?)",
                file=name,
                hint="export the sheet as CSV",
            )


def _unreadable(name: str, exc: BaseException) -> InputError:
    cause: BaseException | None = exc
    for _ in range(10):  # openpyxl wraps parse errors in its own ValueError
        if cause is None or isinstance(cause, DefusedXmlException):
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, DefusedXmlException):
        return InputError(
            f"the XLSX file contains unsafe XML ({type(cause).__name__})",
            file=name,
            hint="open and re-save it in Excel, or export it as CSV",
        )
    return InputError(
        f"could not read the XLSX file ({type(exc).__name__}: {exc})",
        file=name,
        hint="open and re-save it in Excel, or export it as CSV",
    )


class XlsxReader(BaseReader):
    """Streaming reader for one worksheet; build it with :func:`open_table`."""

    def __init__(
        self,
        path: str | Path,
        *,
        sheet: str | None,
        limits: ReaderLimits,
        skip_to_row: int = 0,
    ) -> None:
        self._path = name = str(path)
        self._limits = limits
        self._skip = skip_to_row
        total = Path(path).stat().st_size
        check_zip(path, limits)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles it doesn't know
                self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise _unreadable(name, exc) from None
        self.bytes_read = 0
        try:
            if sheet is None:
                if not self._wb.worksheets:
                    raise InputError("the workbook has no worksheets", file=name)
                ws = self._wb.worksheets[0]
            elif sheet in self._wb.sheetnames:
                ws = self._wb[sheet]
            else:
                raise InputError(
                    f"no sheet named {sheet!r}",
                    file=name,
                    hint="choose one of: " + ", ".join(self._wb.sheetnames),
                )
            self._sheet_rows = getattr(ws, "max_row", None) or 0
            ws.reset_dimensions()  # declared dimensions are often wrong; read what is there
            self._rows = self._parse(ws)
            header = next(self._rows, None)
            if header is None:
                raise InputError(f"sheet {ws.title!r} is empty", file=name)
            headers, dupes = clean_headers(header[1], file=name, limits=limits)
            self._ncols = len(headers)
            self._first = next(self._rows, None)
            if self._first is None:
                raise InputError(
                    f"sheet {ws.title!r} has a header row but no data rows",
                    file=name,
                    hint="check that this is the right sheet",
                )
        except BaseException:
            self.close()
            raise
        self.info = TableInfo(
            path=name,
            format="xlsx",
            encoding=None,
            delimiter=None,
            headers=headers,
            sheet=ws.title,
            total_bytes=total,
            duplicate_headers=dupes,
        )

    def close(self) -> None:
        self._wb.close()

    def _parse(self, ws: Any) -> Iterator[tuple[int, list[str]]]:
        """(sheet row number, cell texts) of rows with at least one non-empty cell."""
        try:
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                texts = [cell_text(v) for v in row]
                while texts and not texts[-1]:
                    texts.pop()
                if texts:
                    yield number, texts
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise _unreadable(self._path, exc) from None

    def __iter__(self) -> Iterator[RawRow]:
        ncols = self._ncols
        maxf = self._limits.max_field_chars
        scale = self.info.total_bytes / self._sheet_rows if self._sheet_rows else 0.0
        rows = self._rows
        if self._first is not None:
            first, self._first = self._first, None
            rows = _chain_one(first, rows)
        for number, texts in rows:
            if number <= self._skip:
                continue
            if number % _PROGRESS_EVERY == 0:
                self.bytes_read = min(int(number * scale), self.info.total_bytes)
            error = None
            if len(texts) > ncols:
                error = f"expected {ncols} fields, found {len(texts)}"
            else:
                texts.extend([""] * (ncols - len(texts)))  # Excel omits trailing empty cells
            if any(len(t) > maxf for t in texts):
                error = f"a field is longer than {maxf} characters"
            yield RawRow(number, texts, error)
        self.bytes_read = self.info.total_bytes


def _chain_one(
    first: tuple[int, list[str]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield first
    yield from rest
