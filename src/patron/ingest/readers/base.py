"""Data types shared by every table reader, and header clean-up.

A reader turns one file into a :class:`TableInfo` (what the file looks like) and a stream of
:class:`RawRow` (cell texts by header position). Readers never raise for a bad *row*: the row
comes back with ``error`` set so the pipeline can quarantine it and go on. They raise
:class:`~patron.core.errors.InputError` only when the *file* cannot be read at all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, runtime_checkable

from patron.core.errors import LimitExceededError


@dataclass(frozen=True)
class ReaderLimits:
    """Safety limits; the defaults match :class:`patron.core.settings.Settings`.

    >>> ReaderLimits(max_columns=10).max_columns
    10
    """

    max_field_chars: int = 1_000_000
    max_columns: int = 2000
    #: a quoted field spanning more physical lines than this is taken as an unterminated quote
    max_record_lines: int = 10_000
    max_xlsx_uncompressed_bytes: int = 2_000_000_000
    max_xlsx_compression_ratio: float = 200.0


@dataclass(frozen=True)
class EncodingGuess:
    """The text encoding a file is read with, and why.

    >>> EncodingGuess("utf-8", "UTF-8", 1.0, "valid UTF-8").label
    'UTF-8'
    """

    encoding: str  # Python codec name actually used
    label: str  # what to show users
    confidence: float  # 0..1
    reason: str  # short English explanation for the import preview


@dataclass
class TableInfo:
    """What a reader found out about a file before the first data row."""

    path: str
    format: str  # "csv" | "tsv" | "xlsx" | "jsonl"
    encoding: EncodingGuess | None  # None for xlsx
    delimiter: str | None
    headers: list[str]  # NFC, BOM removed, trimmed, empty ones named "column_N"
    sheet: str | None
    total_bytes: int
    #: groups of header positions whose names collide after NFKC + casefold + strip,
    #: e.g. ``[[0, 2]]`` for ``email,name,Email``. Not an error here; the mapping step decides.
    duplicate_headers: list[list[int]] = field(default_factory=list)


@dataclass(slots=True)
class RawRow:
    """One record: cell texts by header position.

    ``row_number`` is the 1-based physical line where the record starts (the header is line 1);
    for XLSX the sheet row number; for JSONL the line number. When ``error`` is set, ``values``
    holds whatever could be salvaged and ``raw_text`` the record's original text if known.
    """

    row_number: int
    values: list[str]
    error: str | None = None
    raw_text: str | None = None


@runtime_checkable
class TableReader(Protocol):
    """A context manager and iterator of :class:`RawRow`; see :func:`open_table`."""

    info: TableInfo
    bytes_read: int  # for progress bars; approximate

    def __iter__(self) -> Iterator[RawRow]: ...

    def close(self) -> None: ...

    def __enter__(self) -> TableReader: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class BaseReader:
    """Context-manager plumbing shared by the concrete readers."""

    info: TableInfo
    bytes_read: int = 0

    def __iter__(self) -> Iterator[RawRow]:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> BaseReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def header_key(name: str) -> str:
    """The form two headers are compared in: NFKC, casefolded, trimmed.

    >>> header_key(" ＥＭＡＩＬ ") == header_key("email")
    True
    """
    return unicodedata.normalize("NFKC", name).casefold().strip()


def clean_headers(
    raw: list[str], *, file: str, limits: ReaderLimits
) -> tuple[list[str], list[list[int]]]:
    """Tidy header cells and find colliding ones.

    Trailing empty cells are dropped (spreadsheets often carry them); other empty cells are
    named ``column_N`` (1-based position) so every column can still be mapped.

    >>> clean_headers(["\\ufeffEmail", " name ", "", "email "], file="a.csv", limits=ReaderLimits())
    (['Email', 'name', 'column_3', 'email'], [[0, 3]])
    """
    names = [unicodedata.normalize("NFC", h).lstrip("\ufeff").strip() for h in raw]
    while names and not names[-1]:
        names.pop()
    if len(names) > limits.max_columns:
        raise LimitExceededError(
            f"the header has {len(names)} columns, more than the limit of {limits.max_columns}",
            file=file,
            row=1,
            hint="check the delimiter, or raise max_columns",
        )
    names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(header_key(name), []).append(i)
    return names, [g for g in groups.values() if len(g) > 1]
