"""The import pipeline: read → parse (in a worker process) → write in committed chunks.

Guarantees:
- accepted (inserted + updated + unchanged) + rejected = rows read, at every checkpoint;
- each chunk's rows, rejects, counters and checkpoint commit together, so a crash leaves the
  batch resumable from its last checkpoint and never half-applies a chunk;
- an unfinished batch of the same file blocks a new import until it is resumed or rolled back.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from patron.core import InputError, PatronError, Settings, get_settings, utcnow
from patron.ingest import batches, staging
from patron.ingest.apply_customers import apply_change, apply_customers
from patron.ingest.apply_facts import apply_events, apply_orders, apply_products
from patron.ingest.mapping import ColumnMapping, build_mapping, load_mapping_file
from patron.ingest.producer import ReadSpec, StagedChunk, parsed_chunks
from patron.ingest.readers import ReaderLimits, TableReader, open_table
from patron.ingest.rows import ParsedRow, RejectedRow, RowContext
from patron.ingest.versions import BatchContext
from patron.store import MMAP_BYTES, Store, hold_customer_links, open_store, record_audit

PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, a worker process costs more than it saves


@dataclass
class ImportOptions:
    """What to import and how. ``mapping_file`` overrides automatic column matching."""

    path: Path
    source: str
    kind: str
    mapping_file: Path | None = None
    mapping: dict[str, Any] | None = None  # the same as a mapping file's content
    external: bool = False
    encoding: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    data_as_of: datetime | None = None
    actor: str = "cli"
    workers: int | None = None  # None: automatic


@dataclass
class ImportProgress:
    rows_read: int
    bytes_read: int
    total_bytes: int


@dataclass
class ImportReport:
    """The outcome of one import batch."""

    batch_id: int
    status: str
    file: str
    source: str
    kind: str
    encoding: str | None
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    seconds: float
    resumed_from_row: int = 0
    reject_categories: dict[str, int] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


ProgressFn = Callable[[ImportProgress], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def reader_limits(settings: Settings) -> ReaderLimits:
    return ReaderLimits(
        max_field_chars=settings.max_field_chars,
        max_columns=settings.max_columns,
        max_xlsx_uncompressed_bytes=settings.max_xlsx_uncompressed_bytes,
        max_xlsx_compression_ratio=settings.max_xlsx_compression_ratio,
    )


def open_source_file(
    options: ImportOptions, settings: Settings, skip_to_row: int = 0
) -> TableReader:
    if not options.path.is_file():
        raise InputError("file not found", file=str(options.path), hint="check the path")
    return open_table(
        options.path,
        encoding=options.encoding,
        delimiter=options.delimiter,
        sheet=options.sheet,
        limits=reader_limits(settings),
        skip_to_row=skip_to_row,
    )


def mapping_for(reader: TableReader, options: ImportOptions) -> ColumnMapping:
    spec = load_mapping_file(options.mapping_file) if options.mapping_file else options.mapping
    return build_mapping(
        options.kind,
        reader.info.headers,
        getattr(reader.info, "duplicate_headers", None),
        spec,
        file=str(options.path),
    )


def run_import(
    options: ImportOptions,
    *,
    store: Store | None = None,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import one file as a new batch (see module docstring for the guarantees)."""
    settings = settings or get_settings()
    store = store or open_store(settings)
    path = options.path
    if not path.is_file():
        raise InputError("file not found", file=str(path), hint="check the path")
    sha = file_sha256(path)
    reader = open_source_file(options, settings)
    try:
        mapping = mapping_for(reader, options)
        with store.begin() as conn:
            source = batches.ensure_source(conn, settings, options.source, options.external)
            pending = batches.unfinished_batch(conn, source.id, options.kind, sha)
            if pending is not None:
                raise PatronError(
                    f"batch {pending['id']} imported this file before and did not finish "
                    f"(status {pending['status']}, "
                    f"committed up to row {pending['checkpoint_row']})",
                    hint=f"resume it with `patron import resume {pending['id']}` or undo it with "
                    f"`patron import rollback {pending['id']}`",
                )
            customer_source = _customer_source(conn, settings, mapping, options)
            batch_id = batches.create_batch(
                conn,
                source_id=source.id,
                kind=options.kind,
                file_name=str(path.resolve()),
                file_sha256=sha,
                file_size=path.stat().st_size,
                format=reader.info.format,
                encoding=reader.info.encoding.encoding if reader.info.encoding else None,
                mapping=mapping.as_dict()
                | {"customer_source_id": customer_source[0], "customer_source": customer_source[1]},
                external=options.external or source.external,
                reliability=source.reliability,
                half_life_days=source.half_life_days,
                data_as_of=options.data_as_of or datetime.fromtimestamp(path.stat().st_mtime, UTC),
                created_by=options.actor,
            )
        return _execute(store, settings, batch_id, reader, mapping, options, progress)
    finally:
        reader.close()


def resume_import(
    batch_id: int,
    *,
    path: Path | None = None,
    store: Store | None = None,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    actor: str = "cli",
    workers: int | None = None,
) -> ImportReport:
    """Continue an unfinished batch from its last committed checkpoint."""
    settings = settings or get_settings()
    store = store or open_store(settings)
    with store.connect() as conn:
        batch = batches.get_batch(conn, batch_id)
    if batch["status"] == "completed":
        raise PatronError(f"batch {batch_id} already completed", hint="nothing to resume")
    if batch["status"] == "rolled_back":
        raise PatronError(f"batch {batch_id} was rolled back", hint="import the file again")
    file_path = Path(path or batch["file_name"])
    if not file_path.is_file() or file_sha256(file_path) != batch["file_sha256"]:
        raise InputError(
            "the file is missing or has changed since the batch started",
            file=str(file_path),
            hint=f"pass the original file, or `patron import rollback {batch_id}`",
        )
    mapping = ColumnMapping.from_dict(batch["mapping"])
    options = ImportOptions(
        path=file_path,
        source=batch["source"],
        kind=batch["kind"],
        encoding=batch["encoding"],
        actor=actor,
        workers=workers,
    )
    reader = open_source_file(options, settings, skip_to_row=batch["checkpoint_row"])
    try:
        with store.begin() as conn:
            batches.finish_batch(conn, batch_id, "running")
        return _execute(
            store,
            settings,
            batch_id,
            reader,
            mapping,
            options,
            progress,
            resumed_from=batch["checkpoint_row"],
        )
    finally:
        reader.close()


def _customer_source(
    conn: Any, settings: Settings, mapping: ColumnMapping, options: ImportOptions
) -> tuple[int, str]:
    name = mapping.customer_source or options.source
    if name == options.source:
        source = batches.ensure_source(conn, settings, name, options.external)
    else:
        found = batches.source_by_name(conn, name)
        if found is None:
            raise InputError(
                f"mapping says customer_source '{name}', which is not a known source",
                file=str(options.mapping_file),
                hint="import that source's customers first or fix the name",
            )
        source = found
    return source.id, name


def _execute(
    store: Store,
    settings: Settings,
    batch_id: int,
    reader: TableReader,
    mapping: ColumnMapping,
    options: ImportOptions,
    progress: ProgressFn | None,
    resumed_from: int = 0,
) -> ImportReport:
    started = utcnow()
    with store.connect() as conn:
        batch = batches.get_batch(conn, batch_id)
    ctx = BatchContext(
        batch_id=batch_id,
        source_id=batch["source_id"],
        source_name=batch["source"],
        kind=batch["kind"],
        external=batch["external"],
        loaded_at=started,
        customer_source_id=batch["mapping"]["customer_source_id"],
    )
    row_ctx = RowContext(mapping, settings.default_region)
    customer_source = batch["mapping"]["customer_source"]
    workers = options.workers
    if workers is None:
        # Two parser processes keep SQLite's single writer busy on a 2-core machine.
        cores = os.cpu_count() or 1
        workers = min(2, cores) if cores > 1 and batch["file_size"] > PARALLEL_MIN_BYTES else 0
    rows_read = batch["rows_read"]
    spec = ReadSpec(
        options.path,
        reader.info.format,
        reader.info.encoding.encoding if reader.info.encoding else None,
        reader.info.delimiter,
        reader.info.sheet,
        reader_limits(settings),
        resumed_from,
    )
    total_bytes = reader.info.total_bytes
    # Everything alive now (the normalisers' tables, SQLAlchemy's metadata ...) stays alive:
    # keep the cyclic collector from rescanning it for every chunk written.
    gc.freeze()
    staged = _StagedWriter(store, ctx)
    try:
        stage_dir = _stage_dir(store, settings, ctx, workers)
        chunk_rows = settings.import_chunk_rows
        chunks = parsed_chunks(reader, spec, row_ctx, chunk_rows, workers, stage_dir)
        group: list[StagedChunk] = []
        # The first groups are small (1, 2, 4, 8 chunks): the writer, the bottleneck, starts
        # while the workers parse instead of waiting for a full group, and commits into a
        # small store are cheap.
        group_size = 1
        for parsed, bytes_read in chunks:
            if isinstance(parsed, StagedChunk):
                group.append(parsed)
                if len(group) < group_size:
                    continue
                group_size = min(2 * group_size, STAGED_PER_COMMIT)
                staged.write(group)
                rows_read += sum(len(c) for c in group)
                group = []
            else:
                if group:
                    staged.write(group)
                    rows_read += sum(len(c) for c in group)
                    group = []
                _write_chunk(store, ctx, parsed, customer_source)
                rows_read += len(parsed)
            if progress:
                progress(ImportProgress(rows_read, bytes_read, total_bytes))
        if group:
            staged.write(group)
    except KeyboardInterrupt:
        _mark(store, batch_id, "interrupted", "stopped by the user", options.actor)
        raise
    except Exception as exc:
        _mark(store, batch_id, "failed", f"{exc.__class__.__name__}: {exc}", options.actor)
        raise
    finally:
        staged.close()
        gc.unfreeze()
    with store.begin() as conn:
        batches.finish_batch(conn, batch_id, "completed")
        final = batches.get_batch(conn, batch_id)
        counts = {
            k: final[f"rows_{k}"] for k in ("read", "inserted", "updated", "unchanged", "rejected")
        }
        record_audit(
            conn,
            actor=options.actor,
            action="import.completed",
            target_type="import_batch",
            target_id=batch_id,
            details={
                "file": final["file_name"],
                "source": ctx.source_name,
                "kind": ctx.kind,
                **counts,
            },
        )
        categories = batches.count_rejects(conn, batch_id)
    assert (
        counts["read"]
        == counts["inserted"] + counts["updated"] + counts["unchanged"] + counts["rejected"]
    )
    return ImportReport(
        batch_id=batch_id,
        status="completed",
        file=final["file_name"],
        source=ctx.source_name,
        kind=ctx.kind,
        encoding=final["encoding"],
        rows_read=counts["read"],
        inserted=counts["inserted"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        rejected=counts["rejected"],
        seconds=(utcnow() - started).total_seconds(),
        resumed_from_row=resumed_from,
        reject_categories=categories,
    )


def _mark(store: Store, batch_id: int, status: str, error: str, actor: str) -> None:
    with store.begin() as conn:
        batches.finish_batch(conn, batch_id, status, error)
        record_audit(
            conn,
            actor=actor,
            action=f"import.{status}",
            target_type="import_batch",
            target_id=batch_id,
            details={"error": error},
        )


def _stage_dir(store: Store, settings: Settings, ctx: BatchContext, workers: int) -> Path | None:
    """Where the parser worker stages customer chunks (SQLite only; see ``staging``)."""
    if workers <= 0 or ctx.kind != "customers" or store.dialect != "sqlite":
        return None
    folder = settings.home / "tmp" / f"import-{ctx.batch_id}"
    shutil.rmtree(folder, ignore_errors=True)  # leftovers of a crashed run of this batch
    folder.mkdir(parents=True)
    return folder


STAGED_PER_COMMIT = 10  # staged chunks per transaction: fewer commits rewrite fewer index pages


# SQLite page cache (KiB) of the connection writing staged chunks. The default (see
# patron.store.engine) holds too little of the randomly inserted indexes (contact lookup, name
# key) once a store has about a million customers, and misses were re-read from the file for
# every chunk; 128 MiB keeps them cached (larger measured no faster) for the import only.
IMPORT_CACHE_KIB = 131_072


class _StagedWriter:
    """Writes groups of staged chunks over one connection, opened at the first group, whose
    page cache is enlarged for the import and set back when it ends."""

    def __init__(self, store: Store, ctx: BatchContext) -> None:
        self._store = store
        self._ctx = ctx
        self._stack = ExitStack()
        self._conn: Connection | None = None

    def write(self, group: list[StagedChunk]) -> None:
        if self._conn is None:
            self._conn = self._stack.enter_context(_import_connection(self._store))
        _write_staged(self._conn, self._ctx, group)

    def close(self) -> None:
        self._stack.close()


@contextmanager
def _import_connection(store: Store) -> Iterator[Connection]:
    with store.engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
        # The writer appends; a memory map would only add the file's pages to its footprint.
        conn.exec_driver_sql("PRAGMA mmap_size=0")
        conn.commit()
        try:
            yield conn
        finally:
            try:
                conn.rollback()  # a failed group may have left its transaction open
                conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")
                conn.exec_driver_sql(f"PRAGMA mmap_size={MMAP_BYTES}")
                conn.commit()
            except SQLAlchemyError:
                conn.invalidate()  # never hand a connection with the big cache back to the pool


def _write_staged(conn: Connection, ctx: BatchContext, group: list[StagedChunk]) -> None:
    """Apply staged chunks, their rejects, counters and checkpoint in one transaction."""
    schemas = [f"stage{i}" for i in range(len(group))]
    attached: list[str] = []
    try:
        for chunk, schema in zip(group, schemas, strict=True):
            staging.attach(conn, chunk.path, schema)
            attached.append(schema)
        with conn.begin():
            batches.touch(conn, ctx.batch_id)
            hold_customer_links(conn, exclusive=False)  # no merge between reads and writes
            for chunk, schema in zip(group, schemas, strict=True):
                counts = _apply_staged(conn, ctx, chunk, schema)
                batches.insert_rejects(conn, ctx.batch_id, chunk.rejected, ctx.loaded_at)
                batches.checkpoint(conn, ctx.batch_id, chunk.last_row, counts)
    finally:
        for schema in attached:
            staging.detach(conn, schema)
        for chunk in group:
            chunk.path.unlink(missing_ok=True)


def _apply_staged(conn: Any, ctx: BatchContext, chunk: StagedChunk, schema: str) -> dict[str, int]:
    existing = staging.existing_rows(conn, ctx, schema)
    changed = [e for e in existing if e.new_hash != e.row_hash]
    rows = staging.staged_rows(conn, schema, [e.idx for e in changed])
    for e in changed:
        apply_change(conn, ctx, rows[e.idx], e.id, e.customer_id)
    return {
        "read": len(chunk),
        "inserted": staging.copy_new(conn, ctx, schema, [e.idx for e in existing]),
        "updated": len(changed),
        "unchanged": len(existing) - len(changed),
        "rejected": len(chunk.rejected),
    }


def _write_chunk(
    store: Store, ctx: BatchContext, rows: list[ParsedRow | RejectedRow], customer_source: str
) -> dict[str, int]:
    """Apply one parsed chunk, its rejects, counters and checkpoint in one transaction."""
    counts = {"read": len(rows), "inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    rejected = [r for r in rows if isinstance(r, RejectedRow)]
    with store.begin() as conn:
        batches.touch(conn, ctx.batch_id)
        hold_customer_links(conn, exclusive=False)  # no merge between reads and writes
        # Keys are unique within a chunk (parse_chunk quarantines earlier duplicates).
        accepted = [r for r in rows if isinstance(r, ParsedRow)]
        applied, unresolved = _apply(conn, ctx, accepted, customer_source)
        counts.update(applied)
        rejected.extend(unresolved)
        counts["rejected"] = len(rejected)
        batches.insert_rejects(conn, ctx.batch_id, rejected, ctx.loaded_at)
        batches.checkpoint(conn, ctx.batch_id, max(r.row_number for r in rows), counts)
    return counts


def _apply(
    conn: Any, ctx: BatchContext, rows: list[ParsedRow], customer_source: str
) -> tuple[dict[str, int], list[RejectedRow]]:
    if ctx.kind == "customers":
        return apply_customers(conn, ctx, rows), []
    if ctx.kind == "products":
        return apply_products(conn, ctx, rows)
    if ctx.kind == "orders":
        return apply_orders(conn, ctx, rows, customer_source)
    return apply_events(conn, ctx, rows, customer_source)
