"""The ingest facade's functions that need more than one module: previews and reject exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.core import Settings, get_settings
from patron.ingest import batches, manual
from patron.ingest.export import write_table
from patron.ingest.pipeline import ImportOptions, mapping_for, open_source_file
from patron.ingest.rows import ParsedRow, RowContext, parse_chunk, raw_column_keys
from patron.store import Store, open_store


@dataclass
class Preview:
    """What an import would do, before it runs: encoding, columns, and the first rows parsed."""

    format: str
    encoding: str | None
    encoding_reason: str | None
    headers: list[str]
    columns: list[tuple[str, str]]
    sample: list[dict[str, Any]]


def preview_file(
    options: ImportOptions, *, settings: Settings | None = None, rows: int = 5
) -> Preview:
    """Read the first rows of a file with the mapping an import would use."""
    settings = settings or get_settings()
    reader = open_source_file(options, settings)
    try:
        mapping = mapping_for(reader, options)
        ctx = RowContext(mapping, settings.default_region)
        chunk = []
        for row in reader:
            chunk.append((row.row_number, row.values, row.error, row.raw_text))
            if len(chunk) >= rows:
                break
        sample = []
        for result in parse_chunk(ctx, chunk):
            if isinstance(result, ParsedRow):
                sample.append(
                    {
                        "row": result.row_number,
                        "key": result.source_key,
                        "ok": True,
                        "parsed": result.parsed,
                    }
                )
            else:
                sample.append({"row": result.row_number, "ok": False, "problems": result.problems})
        enc = reader.info.encoding
        return Preview(
            reader.info.format,
            enc.label if enc else None,
            enc.reason if enc else None,
            reader.info.headers,
            mapping.describe(),
            sample,
        )
    finally:
        reader.close()


def export_rejects(
    batch_id: int, path: str | Path, *, store: Store | None = None, raw: bool = False
) -> int:
    """Write a batch's rejected rows, with the reason per field, to CSV or XLSX."""
    store = store or open_store()
    with store.connect() as conn:
        batch = batches.get_batch(conn, batch_id)
        rejects = batches.list_rejects(conn, batch_id)
    keys = raw_column_keys(list(batch["mapping"]["headers"]))
    header = ["row_number", "category", "problems", *keys]

    def lines() -> Any:
        for r in rejects:
            text = "; ".join(
                f"{p['field']}: {p['reason']}" + (f" (fix: {p['fix']})" if p.get("fix") else "")
                for p in r["problems"]
            )
            yield [r["row_number"], r["category"], text, *[r["raw"].get(k, "") for k in keys]]

    return write_table(path, header, lines(), raw=raw)


def enter_customer(
    store: Store, fields: dict[str, Any], *, actor: str, settings: Settings | None = None
) -> int:
    """Create a customer from a person's entry (see ingest.manual); returns its id."""
    with store.begin() as conn:
        return manual.create_customer(conn, settings or get_settings(), fields, actor=actor)


def edit_customer(
    store: Store,
    customer_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    actor: str,
    settings: Settings | None = None,
) -> int:
    """Apply a person's edits if the customer is still at ``expected_version``; returns the
    new version (raises ConflictError otherwise)."""
    with store.begin() as conn:
        return manual.update_customer(
            conn,
            settings or get_settings(),
            customer_id,
            changes,
            expected_version=expected_version,
            actor=actor,
        )


def record_consent(
    store: Store,
    customer_id: int,
    channel: str,
    purpose: str,
    status: str,
    *,
    actor: str,
    origin: str | None = None,
) -> None:
    """Record consent given ("granted") or withdrawn ("denied") for a channel and purpose."""
    with store.begin() as conn:
        manual.record_consent(
            conn, customer_id, channel, purpose, status, actor=actor, origin=origin
        )
