"""Import a customer CSV with full normalisation; report rows/s and peak memory.

    uv run python bench/import_customers.py --rows 1000000 --backend sqlite postgresql

The import runs as `patron import` in a child process, exactly as a user runs it; peak memory
is the largest resident size of that process tree (main process + parser worker), sampled
every 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

from _common import bench_store, customer_csv, record


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def run_import(path: Path, env: dict[str, str]) -> dict[str, float]:
    cmd = [sys.executable, "-m", "patron", "import", str(path), "--source", "bench"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(proc))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    # CPU of the whole tree: the import and its parser workers (reaped, so counted here).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"import failed:\n{output}")
    return {
        "wall_seconds": round(seconds, 1),
        "peak_rss_mib": round(peak / 2**20),
        "cpu_seconds": round(cpu, 1),
        "report": " ".join(line.strip("│ ") for line in output.splitlines() if "rows/s" in line),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    path = customer_csv(args.rows)
    for backend in args.backend:
        with bench_store(backend, "patron_bench_import") as (env, _url):
            result = run_import(path, env)
        rows_per_second = round(args.rows / result["wall_seconds"])
        record(
            "import_customers",
            {
                "backend": backend,
                "rows": args.rows,
                "rows_per_second_wall": rows_per_second,
                "cpu_us_per_row": round(result["cpu_seconds"] * 1e6 / args.rows, 1),
                **result,
            },
        )


if __name__ == "__main__":
    main()
