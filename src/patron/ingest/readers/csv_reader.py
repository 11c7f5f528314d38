"""Delimited text (CSV/TSV/TXT) read as a stream of :class:`RawRow`.

Bytes are decoded by an incremental decoder *before* splitting (``io.TextIOWrapper``), so a GBK
or Big5 trail byte that equals ``|``, ``\\`` or ``,`` never splits a field. The csv module parses
decoded lines fed by a small generator that remembers the current record's lines: that gives the
record's start line, its raw text for the rejects report, and a way to recover from an
unterminated quote (cut the record off after ``max_record_lines`` lines or too many characters,
report it at its start line, and parse again from the next physical line).
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from patron.core.errors import InputError
from patron.ingest.readers.base import (
    BaseReader,
    EncodingGuess,
    RawRow,
    ReaderLimits,
    TableInfo,
    clean_headers,
)
from patron.ingest.readers.encoding import open_decoded

DELIMITERS = (",", "\t", ";", "|")
_RAW_TEXT_CAP = 65_536  # raw_text kept for a cut-off record (its first line), in characters
_PROGRESS_EVERY = 4096  # rows between bytes_read updates

# (start line, fields, error, raw text)
_Record = tuple[int, list[str], str | None, str]


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, TAB ; |`` that splits the first lines most consistently.

    >>> sniff_delimiter("name;city\\nAnna;Köln\\nBo;Paris\\n")
    ';'
    >>> sniff_delimiter("name|addr\\n李|東區\\n")
    '|'
    """
    cut = max(text.rfind("\n"), text.rfind("\r"))
    text = text[: cut + 1] if cut > 0 else text  # drop a line cut at the sample's end
    best, best_key = ",", (0.0, 0)
    for delim in DELIMITERS:
        counts = []
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if rec:
                counts.append(len(rec))
            if len(counts) >= 100:
                break
        if not counts or counts[0] < 2:
            continue
        consistency = sum(c == counts[0] for c in counts) / len(counts)
        key = (round(consistency, 2), counts[0])
        if key > best_key:
            best, best_key = delim, key
    return best


class CsvReader(BaseReader):
    """Streaming reader for delimited text; build it with :func:`open_table`."""

    def __init__(
        self,
        path: str | Path,
        *,
        fmt: str,
        encoding: EncodingGuess,
        delimiter: str,
        limits: ReaderLimits,
        skip_to_row: int = 0,
    ) -> None:
        self._path = str(path)
        self._limits = limits
        self._skip = skip_to_row
        self._delimiter = delimiter
        decoded = open_decoded(path, encoding, limits)
        self._raw, self._text, self._budget = decoded.raw, decoded.text, decoded.budget
        self._bad_bytes = decoded.bad_bytes
        if csv.field_size_limit() < self._budget:
            # process-wide setting; only ever raised, so other csv users keep working
            csv.field_size_limit(self._budget)
        total = Path(path).stat().st_size
        self.bytes_read = 0
        self._records = self._parse()
        try:
            header = next(self._records, None)
            if header is None:
                raise InputError("the file has no header row", file=self._path)
            if header[2]:
                raise InputError(f"could not read the header row: {header[2]}", file=self._path)
            headers, dupes = clean_headers(header[1], file=self._path, limits=limits)
            self._ncols = len(headers)
            self._first = next(self._records, None)
            if self._first is None:
                raise InputError(
                    "the file has a header row but no data rows",
                    file=self._path,
                    hint="check that this is the right file",
                )
        except BaseException:
            self.close()
            raise
        self.info = TableInfo(
            path=self._path,
            format=fmt,
            encoding=encoding,
            delimiter=delimiter,
            headers=headers,
            sheet=None,
            total_bytes=total,
            duplicate_headers=dupes,
        )

    def close(self) -> None:
        self._text.close()  # closes the binary file too

    def __iter__(self) -> Iterator[RawRow]:
        ncols = self._ncols
        skip = self._skip
        maxf = self._limits.max_field_chars
        tell = self._raw.tell
        n = 0
        records = self._records
        if self._first is not None:
            first, self._first = self._first, None
            records = _chain_one(first, records)
        for start, fields, error, text in records:
            if start <= skip:
                continue
            n += 1
            if n % _PROGRESS_EVERY == 0:
                self.bytes_read = tell()
            if error is None:
                if len(fields) != ncols:
                    if len(fields) > ncols and not any(fields[ncols:]):
                        del fields[ncols:]  # trailing empty cells (e.g. "a,b,") are harmless
                    else:
                        error = f"expected {ncols} fields, found {len(fields)}"
                if "\x00" in text:
                    error = "contains NUL bytes (binary data or a broken export)"
                elif "\ufffd" in text:
                    error = self._bad_bytes
                elif len(text) > maxf and max(map(len, fields)) > maxf:
                    error = f"a field is longer than {maxf} characters"
            yield RawRow(start, fields, error, text.rstrip("\r\n"))
        self.bytes_read = self.info.total_bytes

    def _feed(self, pending: deque[str], buf: list[str], state: list[bool]) -> Iterator[str]:
        """Lines for the csv module: re-fed ``pending`` first, then the file.

        Collects the current record's lines in ``buf`` (the consumer clears it per record) and
        stops early, setting ``state[0]``, when a record grows past the limits; sets
        ``state[1]`` at end of file.
        """
        budget = self._budget
        max_lines = self._limits.max_record_lines
        nchars = 0
        while pending:
            line = pending.popleft()
            if not buf:
                nchars = 0
            buf.append(line)
            nchars += len(line)
            if nchars > budget or len(buf) > max_lines:
                state[0] = True
                return
            yield line
        readline = self._text.readline
        while True:
            line = readline(budget + 1)  # bounded: one huge line can't exhaust memory
            if not line:
                state[1] = True
                return
            if not buf:
                nchars = 0
            buf.append(line)
            nchars += len(line)
            if nchars > budget or len(buf) > max_lines:
                state[0] = True
                return
            yield line

    def _parse(self) -> Iterator[_Record]:
        """Records as (start line, fields, error, raw text); resynchronises after bad ones."""
        pending: deque[str] = deque()
        base = 0  # physical line number just before the current csv.reader's first line
        while True:
            buf: list[str] = []
            state = [False, False]  # [cut off, end of file]
            reader = csv.reader(self._feed(pending, buf, state), delimiter=self._delimiter)
            prev = 0
            problem: str | None = None
            try:
                for fields in reader:
                    if state[0]:
                        break  # the csv module's partial record at our cut-off
                    text = buf[0] if len(buf) == 1 else "".join(buf)
                    if state[1] and len(buf) > 1 and text.count('"') % 2:
                        problem = "unterminated quote (the quoted field runs to the end of file)"
                        break
                    start = base + prev + 1
                    prev = reader.line_num
                    buf.clear()
                    if fields and any(fields):  # skip blank lines and all-empty ",,," rows
                        yield start, fields, None, text
            except csv.Error as exc:
                problem = f"could not parse the record: {exc}"
            if state[0]:
                problem = (
                    f"unterminated quote or record too long (more than "
                    f"{self._limits.max_record_lines} lines or {self._budget} characters)"
                )
            if problem is None:
                return
            start = base + prev + 1
            first = buf[0][:_RAW_TEXT_CAP] if buf else ""
            # salvage what the record's first line says on its own
            salvaged = next(csv.reader([first.rstrip("\r\n")], delimiter=self._delimiter), [])
            yield start, salvaged, problem, first
            self._resync(pending, buf)
            base = start

    def _resync(self, pending: deque[str], buf: list[str]) -> None:
        """Queue the lines after a bad record's first line to be parsed again."""
        rest = buf[1:]
        last = buf[-1] if buf else "\n"
        if not last.endswith(("\n", "\r")):
            # the cut fell inside one over-long physical line: skip the rest of that line
            while True:
                piece = self._text.readline(self._budget + 1)
                if not piece or piece.endswith(("\n", "\r")):
                    break
            if rest:
                rest[-1] += "\n"  # keep it one (over-long) line so line numbers stay right
        pending.extendleft(reversed(rest))


def _chain_one(first: _Record, rest: Iterator[_Record]) -> Iterator[_Record]:
    yield first
    yield from rest
