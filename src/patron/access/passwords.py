"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from patron.core import InputError

_HASHER = PasswordHasher()
# Verified when a name is unknown, so a login for a missing user costs the same time.
_DUMMY_HASH = _HASHER.hash("patron-timing-equaliser")

MIN_LENGTH = 10


def check_password_strength(password: str) -> None:
    """Reject passwords too short to resist guessing (length is what matters most)."""
    if len(password) < MIN_LENGTH:
        raise InputError(
            f"the password has {len(password)} characters; at least {MIN_LENGTH} are needed",
            field="password",
            hint="use a passphrase of several words",
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always does the work of one verification."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
