"""A fitted churn model as one JSON file: LightGBM's model text plus plain metadata.

JSON rather than pickle because a model file travels (registry, e-mail, another team), and
unpickling a file runs whatever code it names; this format only ever yields numbers, text and
a LightGBM model parsed by LightGBM. The booster text keeps every threshold at full
precision and Python writes floats in round-trip form, so a loaded model scores exactly as
the saved one did.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = "patron.churn_model"
FORMAT_VERSION = 1


def model_document(booster_text: str, state: dict[str, Any]) -> str:
    """``state`` and the booster text as one JSON text (what a file or a registry keeps)."""
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, **state}
    document["booster"] = booster_text
    return json.dumps(document, allow_nan=False, ensure_ascii=False)


def parse_model_document(text: str, source: str = "model") -> tuple[str, dict[str, Any]]:
    """(booster text, state) from :func:`model_document`'s text; refuses anything else.
    ``source`` names where the text came from in errors."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not a patron churn model file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{source}: not a patron churn model file (no format {FORMAT!r})")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{source}: churn model format version {version!r}, this patron reads "
            f"{FORMAT_VERSION}; retrain the model or use the patron release that saved it"
        )
    booster = document.pop("booster")
    return booster, document


def write_model_file(
    path: str | os.PathLike[str], booster_text: str, state: dict[str, Any]
) -> Path:
    """Write ``state`` and the booster text to ``path`` atomically (no half-written files)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = model_document(booster_text, state)
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_model_file(path: str | os.PathLike[str]) -> tuple[str, dict[str, Any]]:
    """(booster text, state) from a file ``write_model_file`` wrote; refuses anything else."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not a patron churn model file ({exc})") from None
    return parse_model_document(text, str(source))
