"""Core: settings, clock, errors, the process running background work. Depends on the
standard library and pydantic only."""

from patron.core.clock import utcnow
from patron.core.errors import (
    AuthenticationError,
    ConflictError,
    EncodingUncertainError,
    FieldProblem,
    InputError,
    LimitExceededError,
    NotFoundError,
    PatronError,
    PermissionDeniedError,
    RateLimitedError,
    RowProblems,
)
from patron.core.process import Worker
from patron.core.settings import Settings, get_settings, load_settings

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "EncodingUncertainError",
    "FieldProblem",
    "InputError",
    "LimitExceededError",
    "NotFoundError",
    "PatronError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RowProblems",
    "Settings",
    "Worker",
    "get_settings",
    "load_settings",
    "utcnow",
]
