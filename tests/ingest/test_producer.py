"""Each parser worker takes every n-th chunk of the file, exactly as the writer expects them."""

from __future__ import annotations

from pathlib import Path

import pytest

from patron.ingest.producer import _own_chunks, raw_chunks
from patron.ingest.readers import open_table


@pytest.mark.parametrize("rows", [1, 9, 10, 11, 30, 31])
def test_own_chunks_are_every_nth_chunk(tmp_path: Path, rows: int) -> None:
    path = tmp_path / "m.csv"
    lines = ["id,name"] + [f"{i},n{i}" if i % 7 else f'{i},"a\nb"' for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_table(path) as reader:
        expected = list(enumerate(raw_chunks(reader, 5)))
    for workers in (1, 2, 3):
        for index in range(workers):
            with open_table(path) as reader:
                got = list(_own_chunks(reader, 5, index, workers))
            assert got == [(n, c) for n, c in expected if n % workers == index]
