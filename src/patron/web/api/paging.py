"""Opaque cursors for keyset pages."""

from __future__ import annotations

import base64

import orjson

from patron.core import InputError


def encode_cursor(**position: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, int]:
    if not cursor:
        return {}
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or not all(
            isinstance(v, int) and 0 <= v < 2**62 for v in data.values()
        ):
            raise ValueError(cursor)
        return {str(k): int(v) for k, v in data.items()}
    except ValueError as exc:
        raise InputError(
            "invalid cursor",
            field="cursor",
            hint="pass next_cursor from the previous page as it is",
        ) from exc
