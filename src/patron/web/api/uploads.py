"""Uploaded files: streamed to the data directory under a random name, size-capped, with
only the extensions imports read. They never live under the web root and are never served."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import UploadFile

from patron.core import InputError, LimitExceededError, Settings

ALLOWED = (".csv", ".tsv", ".txt", ".xlsx", ".jsonl", ".ndjson")
CHUNK = 1 << 20


def upload_dir(settings: Settings) -> Path:
    path = settings.home / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_display_name(name: str | None) -> str:
    """The client's file name for display only: no directories, no control characters."""
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200] or "upload"


def save_upload(settings: Settings, upload: UploadFile) -> tuple[Path, str]:
    """Store an upload; returns (server path, display name)."""
    display = safe_display_name(upload.filename)
    suffix = Path(display.lower()).suffix
    if suffix not in ALLOWED:
        raise InputError(
            f"cannot import a '{suffix or 'no extension'}' file",
            file=display,
            hint=f"upload one of {', '.join(ALLOWED)}",
        )
    target = upload_dir(settings) / f"{secrets.token_hex(16)}{suffix}"
    limit = settings.max_upload_mib * CHUNK
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise LimitExceededError(
                    f"the file is larger than {settings.max_upload_mib} MiB",
                    file=display,
                    hint="split it, or raise max_upload_mib in patron.toml",
                )
            out.write(chunk)
    return target, display


def stored_upload(settings: Settings, token: str) -> Path:
    """The path of an upload by its random name (from a form), refusing anything else."""
    name = Path(token).name
    if name != token or not name[:32].isalnum() or Path(name).suffix not in ALLOWED:
        raise InputError("unknown upload", hint="upload the file again")
    path = upload_dir(settings) / name
    if not path.is_file():
        raise InputError("the upload has expired", hint="upload the file again")
    return path
