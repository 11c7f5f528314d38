"""Errors a person can act on.

Every error patron raises for bad input names *where* (file, row, field), *what* was expected
and *how to fix it*, so a CLI or API can show it verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class PatronError(Exception):
    """Base class of every error patron raises on purpose.

    >>> str(PatronError("store not initialised", hint="run `patron init`"))
    'store not initialised (fix: run `patron init`)'
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.hint})" if self.hint else self.message


class InputError(PatronError):
    """A problem with data a user supplied: a file, a row, a field.

    >>> str(InputError("duplicate header 'email'", file="a.csv", row=1, hint="map it explicitly"))
    "a.csv, row 1: duplicate header 'email' (fix: map it explicitly)"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.row = row
        self.field = field

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} (fix: {self.hint})" if self.hint else text


class EncodingUncertainError(InputError):
    """The file's text encoding could not be told apart with confidence; the user must choose."""

    def __init__(self, message: str, *, file: str | None = None, candidates: list[str]) -> None:
        super().__init__(
            message,
            file=file,
            hint="re-run with --encoding " + " or --encoding ".join(candidates)
            if candidates
            else "re-run with --encoding NAME",
        )
        self.candidates = candidates


class LimitExceededError(InputError):
    """A safety limit (file size, field size, columns, XLSX expansion) was exceeded."""


class NotFoundError(PatronError):
    """A thing asked for by id or key does not exist."""


class ConflictError(PatronError):
    """A change was based on an outdated version of a record (lost-update guard)."""


class AuthenticationError(PatronError):
    """No valid credentials: wrong name or password, an expired session, a revoked token."""


class PermissionDeniedError(PatronError):
    """The user is known but their role does not allow this."""


class RateLimitedError(PatronError):
    """Too many attempts; ``retry_after`` says how many seconds to wait."""

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


@dataclass(frozen=True)
class FieldProblem:
    """Why one field of one row was rejected, and what would fix it."""

    field: str
    value: str | None
    reason: str
    fix: str = ""

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "value": self.value, "reason": self.reason, "fix": self.fix}


@dataclass
class RowProblems:
    """All problems of one row; empty means the row is fine."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, field_name: str, value: str | None, reason: str, fix: str = "") -> None:
        self.problems.append(FieldProblem(field_name, value, reason, fix))

    def __bool__(self) -> bool:
        return bool(self.problems)
