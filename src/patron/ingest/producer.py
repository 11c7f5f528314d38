"""Read and parse a file in a worker process, handing parsed chunks to the writer.

On two cores the writer (the process holding the database transaction) is the bottleneck, so
everything else moves out of it: the worker opens the file itself, parses and prepares rows,
and sends chunks through a bounded queue. The bound keeps memory flat for any file size.
Small files, or ``workers=0``, are parsed inline.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.core import InputError, PatronError
from patron.ingest.readers import ReaderLimits, TableReader, open_table
from patron.ingest.rows import (
    ParsedRow,
    RejectedRow,
    RowContext,
    pack_chunk,
    parse_chunk,
    unpack_chunk,
)

Chunk = list[ParsedRow | RejectedRow]
RawChunk = list[tuple[int, list[str], str | None, str | None]]
QUEUE_DEPTH = 3  # chunks in flight between the processes


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
    reader: TableReader, spec: ReadSpec, ctx: RowContext, size: int, workers: int
) -> Iterator[tuple[Chunk, int]]:
    """(parsed chunk, bytes read so far), parsed inline or in a worker process."""
    if workers <= 0:
        for chunk in raw_chunks(reader, size):
            yield parse_chunk(ctx, chunk), reader.bytes_read
        return
    reader.close()  # the worker opens its own
    mp = multiprocessing.get_context("spawn")
    channel: Any = mp.Queue(maxsize=QUEUE_DEPTH)
    worker = mp.Process(
        target=_produce, args=(spec, ctx, size, channel), daemon=True, name="patron-import-parser"
    )
    worker.start()
    try:
        while True:
            try:
                kind, payload, bytes_read = channel.get(timeout=5)
            except queue_module.Empty:
                if not worker.is_alive():
                    raise PatronError(
                        "the import's parser process stopped unexpectedly",
                        hint="resume the batch; see `patron import list`",
                    ) from None
                continue
            if kind == "done":
                return
            if kind == "error":
                error_type, message = payload
                raise (InputError if error_type == "InputError" else PatronError)(message)
            yield unpack_chunk(payload), bytes_read
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join(timeout=10)


def _produce(spec: ReadSpec, ctx: RowContext, size: int, channel: Any) -> None:
    """The worker process: read, parse, send; errors travel as text (exceptions may not pickle)."""
    try:
        with spec.open() as reader:
            for chunk in raw_chunks(reader, size):
                channel.put(("chunk", pack_chunk(parse_chunk(ctx, chunk)), reader.bytes_read))
        channel.put(("done", None, 0))
    except KeyboardInterrupt:
        pass  # the main process handles the interrupt
    except BaseException as exc:
        kind = "InputError" if isinstance(exc, InputError) else type(exc).__name__
        channel.put(("error", (kind, str(exc)), 0))
