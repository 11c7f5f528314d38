"""JSON Lines (one JSON object per line) read as a stream of :class:`RawRow`.

Choices, so the file can be streamed in one pass:

* headers are the keys of the objects in the first ``HEADER_SCAN_LINES`` lines, in order of first
  appearance (event files often vary per line);
* a later object's missing keys give ``''``; keys first seen after those lines make the row an
  error naming them (values by header are still filled in, so nothing is silently dropped);
* non-string values become text: numbers as written (``1.50`` stays ``1.50``), ``true``/``false``,
  ``null`` as ``''``, arrays and objects as compact JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

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

_PROGRESS_EVERY = 4096
_RAW_TEXT_CAP = 65_536
HEADER_SCAN_LINES = 1000


def value_text(value: Any, written: Any = None) -> str:
    """A JSON value as cell text; ``written`` is a float's text as it appeared in the file.

    >>> [value_text(v) for v in ("a", 3, True, None, [1, "x"], {"k": 1})]
    ['a', '3', 'true', '', '[1,"x"]', '{"k":1}']
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return written if isinstance(written, str) else repr(value)
    return orjson.dumps(value).decode()


def _load(line: str) -> tuple[Any, Any]:
    """(value, the same parsed with floats kept as written) or raises ValueError."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        # orjson refuses e.g. integers beyond 64 bits, which the json module reads fine
        obj = json.loads(line, parse_constant=_no_constant)
    if isinstance(obj, dict) and any(isinstance(v, float) for v in obj.values()):
        return obj, json.loads(line, parse_float=str, parse_constant=_no_constant)
    return obj, obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class JsonlReader(BaseReader):
    """Streaming reader for JSON Lines; build it with :func:`open_table`."""

    def __init__(
        self,
        path: str | Path,
        *,
        encoding: EncodingGuess,
        limits: ReaderLimits,
        skip_to_row: int = 0,
    ) -> None:
        self._path = name = str(path)
        self._limits = limits
        self._skip = skip_to_row
        decoded = open_decoded(path, encoding, limits)
        self._raw, self._text, self._budget = decoded.raw, decoded.text, decoded.budget
        self._bad_bytes = decoded.bad_bytes
        self.bytes_read = 0
        self._lines = self._numbered_lines()
        try:
            first = next(self._lines, None)
            if first is None:
                raise InputError("the file has no JSON lines", file=name)
            try:
                obj, _ = _load(first[1].lstrip("\ufeff"))
            except ValueError as exc:
                raise InputError(
                    f"the first line is not valid JSON: {exc}", file=name, row=first[0]
                ) from None
            if not isinstance(obj, dict) or not obj:
                raise InputError(
                    "the first line must be a JSON object with at least one key",
                    file=name,
                    row=first[0],
                )
            self._keys = list(obj)
            # Look ahead for keys that later objects add; the lines read stay pending.
            head = [first]
            seen = set(self._keys)
            for line in self._lines:
                head.append(line)
                try:
                    later, _ = _load(line[1].strip())
                except ValueError:
                    later = None
                if isinstance(later, dict):
                    for key in later:
                        if key not in seen:
                            seen.add(key)
                            self._keys.append(key)
                if len(head) >= HEADER_SCAN_LINES:
                    break
            headers, dupes = clean_headers(self._keys, file=name, limits=limits)
            if len(headers) < len(self._keys):  # trailing keys that are blank
                headers += [f"column_{i + 1}" for i in range(len(headers), len(self._keys))]
            self._pending: list[tuple[int, str, bool]] = head  # data rows too
        except BaseException:
            self.close()
            raise
        self.info = TableInfo(
            path=name,
            format="jsonl",
            encoding=encoding,
            delimiter=None,
            headers=headers,
            sheet=None,
            total_bytes=Path(path).stat().st_size,
            duplicate_headers=dupes,
        )

    def close(self) -> None:
        self._text.close()

    def _numbered_lines(self) -> Iterator[tuple[int, str, bool]]:
        """(line number, text, too long) of non-blank lines; an over-long line comes back
        truncated, and :meth:`__iter__` reports it as an error."""
        readline = self._text.readline
        budget = self._budget
        number = 0
        while True:
            line = readline(budget + 1)
            if not line:
                return
            number += 1
            if len(line) > budget and not line.endswith(("\n", "\r")):
                while True:  # skip the rest of the over-long line
                    piece = readline(budget + 1)
                    if not piece or piece.endswith(("\n", "\r")):
                        break
                yield number, line[:_RAW_TEXT_CAP], True
                continue
            if line.strip():
                yield number, line, False

    def __iter__(self) -> Iterator[RawRow]:
        keys = self._keys
        known = set(keys)
        maxf = self._limits.max_field_chars
        tell = self._raw.tell
        head, self._pending = self._pending, []
        n = 0
        for number, line, too_long in _chain(head, self._lines):
            if number <= self._skip:
                continue
            n += 1
            if n % _PROGRESS_EVERY == 0:
                self.bytes_read = tell()
            text = line.strip().lstrip("\ufeff")
            if too_long:
                yield RawRow(number, [], f"line longer than {self._budget} characters", text)
                continue
            try:
                obj, written = _load(text)
            except ValueError as exc:
                yield RawRow(number, [], f"invalid JSON: {exc}", text)
                continue
            if not isinstance(obj, dict):
                kind = type(obj).__name__
                yield RawRow(number, [], f"expected a JSON object, found {kind}", text)
                continue
            values = [value_text(obj.get(k), written.get(k)) for k in keys]
            error = None
            extra = [k for k in obj if k not in known]
            if extra:
                error = "unexpected keys: " + ", ".join(repr(k) for k in extra[:10])
            elif "\x00" in text:
                error = "contains NUL characters"
            elif "\ufffd" in text:
                error = self._bad_bytes
            elif len(text) > maxf and any(len(v) > maxf for v in values):
                error = f"a field is longer than {maxf} characters"
            yield RawRow(number, values, error, text)
        self.bytes_read = self.info.total_bytes


def _chain(
    head: list[tuple[int, str, bool]], rest: Iterator[tuple[int, str, bool]]
) -> Iterator[tuple[int, str, bool]]:
    yield from head
    yield from rest
