"""Read and parse a file in a worker process, handing parsed chunks to the writer.

On two cores the writer (the process holding the database transaction) is the bottleneck, so
everything else moves out of it: the worker opens the file itself, parses and prepares rows,
and sends chunks through a bounded queue. The bound keeps memory flat for any file size.
Small files, or ``workers=0``, are parsed inline.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import multiprocessing
import queue as queue_module
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.core import InputError, PatronError
from patron.ingest.prepare import prepare_customer
from patron.ingest.readers import ReaderLimits, TableReader, open_table
from patron.ingest.rows import (
    ParsedRow,
    RejectedRow,
    RowContext,
    pack_chunk,
    parse_chunk,
    unpack_chunk,
)
from patron.ingest.staging import StageLayout, can_stage, write_stage

Chunk = list[ParsedRow | RejectedRow]


@dataclass(frozen=True)
class StagedChunk:
    """A chunk whose accepted rows wait in a staging file (see ``staging``)."""

    path: Path
    rejected: list[RejectedRow]
    last_row: int
    accepted: int

    def __len__(self) -> int:
        return self.accepted + len(self.rejected)


RawChunk = list[tuple[int, list[str], str | None, str | None]]
QUEUE_DEPTH = 2  # chunks in flight per worker: memory is bounded by this times the chunk size
# Staged chunks travel as file names (their rows wait on disk), so a worker can run further
# ahead: while the writer applies one group of chunks, the workers stage most of the next
# instead of stopping after two chunks each and leaving a core idle.
STAGED_QUEUE_DEPTH = 6


@dataclass(frozen=True)
class ReadSpec:
    """Everything needed to open the file again in another process, as it was detected."""

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    limits: ReaderLimits
    skip_to_row: int

    def open(self) -> TableReader:
        return open_table(
            self.path,
            format=self.format,
            encoding=self.encoding,
            delimiter=self.delimiter,
            sheet=self.sheet,
            limits=self.limits,
            skip_to_row=self.skip_to_row,
        )


def raw_chunks(reader: TableReader, size: int) -> Iterator[RawChunk]:
    chunk: RawChunk = []
    for row in reader:
        chunk.append((row.row_number, row.values, row.error, row.raw_text))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parsed_chunks(
    reader: TableReader,
    spec: ReadSpec,
    ctx: RowContext,
    size: int,
    workers: int,
    stage_dir: Path | None = None,
) -> Iterator[tuple[Chunk | StagedChunk, int]]:
    """(parsed chunk, bytes read so far), parsed inline or in a worker process; with
    ``stage_dir`` the worker hands customer chunks over as staging files."""
    if workers <= 0:
        for chunk in raw_chunks(reader, size):
            yield parse_chunk(ctx, chunk), reader.bytes_read
        return
    reader.close()  # the workers open their own
    mp = multiprocessing.get_context("spawn")
    # Each worker reads the whole file but parses only every workers-th chunk; taking chunks
    # from the workers in turn restores file order, so checkpoints stay exact.
    depth = QUEUE_DEPTH if stage_dir is None else STAGED_QUEUE_DEPTH
    channels: list[Any] = [mp.Queue(maxsize=depth) for _ in range(workers)]
    processes = [
        mp.Process(
            target=_produce,
            args=(spec, ctx, size, channel, stage_dir, index, workers),
            daemon=True,
            name=f"patron-import-parser-{index}",
        )
        for index, channel in enumerate(channels)
    ]
    for process in processes:
        process.start()
    try:
        for number in itertools.count():
            channel, process = channels[number % workers], processes[number % workers]
            kind, payload, bytes_read = _receive(channel, process)
            if kind == "done":
                return
            if kind == "error":
                error_type, message = payload
                raise (InputError if error_type == "InputError" else PatronError)(message)
            if kind == "staged":
                path, rejected, last_row, accepted = payload
                staged = StagedChunk(
                    Path(path), [RejectedRow(*r) for r in rejected], last_row, accepted
                )
                yield staged, bytes_read
                continue
            yield unpack_chunk(payload), bytes_read
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)


def _receive(channel: Any, process: Any) -> tuple[str, Any, int]:
    while True:
        try:
            message: tuple[str, Any, int] = channel.get(timeout=5)
            return message
        except queue_module.Empty:
            if not process.is_alive():
                raise PatronError(
                    "the import's parser process stopped unexpectedly",
                    hint="resume the batch; see `patron import list`",
                ) from None


FULL_COLLECT_EVERY = 32  # chunks


def _produce(
    spec: ReadSpec,
    ctx: RowContext,
    size: int,
    channel: Any,
    stage_dir: Path | None,
    index: int,
    workers: int,
) -> None:
    """A worker process: read, parse its share, send; errors travel as text (exceptions may not
    pickle)."""
    # Parsing allocates millions of short-lived containers that form no reference cycles; the
    # cyclic collector kept scanning them (and the normalisers' large import-time tables), a
    # fifth of the worker's time. Collect the young generation once per chunk instead, when
    # little is alive, and everything (the normalisers' memo caches included) now and then.
    gc.freeze()
    gc.disable()
    if stage_dir is not None and ctx.plan is not None:
        ctx = dataclasses.replace(ctx, stage=True)  # customer rows: build staged values
    try:
        with spec.open() as reader:
            for number, chunk in _own_chunks(reader, size, index, workers):
                message = _parse_one(ctx, chunk, number, stage_dir)
                channel.put((*message, reader.bytes_read))
                del message, chunk
                gc.collect(0 if number % FULL_COLLECT_EVERY else 2)
        channel.put(("done", None, 0))
    except KeyboardInterrupt:
        pass  # the main process handles the interrupt
    except BaseException as exc:
        kind = "InputError" if isinstance(exc, InputError) else type(exc).__name__
        channel.put(("error", (kind, str(exc)), 0))


def _own_chunks(
    reader: TableReader, size: int, index: int, workers: int
) -> Iterator[tuple[int, RawChunk]]:
    """(number, rows) of every ``workers``-th chunk from ``index`` on: the chunks
    :func:`raw_chunks` would give, but the other workers' rows are only counted past."""
    rows = iter(reader)
    for number in itertools.count():
        if number % workers != index:
            if sum(1 for _ in itertools.islice(rows, size)) < size:
                return  # end of file
            continue
        chunk = [
            (r.row_number, r.values, r.error, r.raw_text) for r in itertools.islice(rows, size)
        ]
        if not chunk:
            return
        last = len(chunk) < size
        # Hold no reference while the consumer works: its chunk is freed as soon as it is done
        # with it, before the worker's collection (which would otherwise scan its 2 x size
        # containers).
        held = [chunk]
        del chunk
        yield number, held.pop()
        if last:
            return


def _parse_one(
    ctx: RowContext, chunk: RawChunk, number: int, stage_dir: Path | None
) -> tuple[str, Any]:
    """Parse one chunk into the message for the writer: a staging file or the packed rows."""
    rows = parse_chunk(ctx, chunk)
    accepted = [r for r in rows if isinstance(r, ParsedRow)]
    if stage_dir is not None and can_stage(accepted):
        path = stage_dir / f"chunk-{number:07d}.db"
        write_stage(path, accepted, StageLayout.of(ctx))
        rejected = pack_chunk(rows)[1] if len(accepted) < len(rows) else []
        last_row = max(r.row_number for r in rows)
        return "staged", (str(path), rejected, last_row, len(accepted))
    for r in accepted:
        if r.prepared is None and r.staged is not None:
            # Parsed for staging, but this chunk cannot be staged: the writer needs the
            # prepared values, derived from the record as for changed records.
            r.prepared = prepare_customer(r.parsed)
            r.staged = None
    return "chunk", pack_chunk(rows)
