"""REST API under load: GET /api/v1/customers/{id} and searches, with N customers stored.

    uv run python bench/api_load.py --rows 1000000 --backend sqlite postgresql

Loads N customers with `patron import`, starts `patron serve` (`--workers`; by default as a
user runs it: 2 processes on a 2-core machine) and drives it from an open-loop load generator
on loopback: requests are sent on a fixed schedule whatever the answers do, and each latency
counts from the scheduled start, so a slow server cannot hide its queueing (no coordinated
omission). The generator speaks minimal HTTP/1.1 over 64 keep-alive connections: a full HTTP
client in Python costs more CPU per request than the server and would compete with it for the
two cores. For each kind of request p50/p95/p99 and errors at the target rate (200
requests/s), then raises the rate step by step to find the highest rate the server sustains
within the latency target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx  # only to wait for the server to start
from sqlalchemy import func, select

from _common import bench_store, customer_csv, record
from patron import access
from patron.core import ConflictError, Settings
from patron.store import Store, open_store
from patron.store.schema import contact_points, customers

TARGETS_MS = {"by_id": 100.0, "by_phone": 200.0, "by_name": 200.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_customers(path: Path, env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "patron", "import", str(path), "--source", "bench"]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)


def sample_queries(url: str, n: int) -> dict[str, list[str]]:
    """Paths for each kind of request, drawn from the stored customers."""
    store = open_store(Settings(database_url=url))
    rng = random.Random(3)
    with store.connect() as conn:
        max_id = conn.execute(select(func.max(customers.c.id))).scalar_one()
        ids = [rng.randint(1, max_id) for _ in range(n)]
        phones = [
            r[0]
            for r in conn.execute(
                select(contact_points.c.value).where(
                    contact_points.c.kind == "phone", contact_points.c.customer_id.in_(ids[:900])
                )
            )
        ]
        names = [
            r[0]
            for r in conn.execute(
                select(customers.c.full_name).where(
                    customers.c.id.in_(ids[:900]), customers.c.full_name.is_not(None)
                )
            )
        ]
    secret, _ = access.create_token(
        store, _bench_user(store), ["customers.read"], actor="bench", label="load test"
    )
    store.dispose()
    national = [p[3:] if p.startswith("+86") else p for p in phones]
    # A name prefix as people type it: the surname and first given character (张伟 -> 张伟,
    # John Smith -> John).
    prefixes = [n[:2] if ord(n[0]) > 0x2E80 else n.split()[0] for n in names]
    return {
        "token": [secret],
        "by_id": [f"/api/v1/customers/{i}" for i in ids],
        "by_phone": [f"/api/v1/customers?q={quote(p)}&limit=20" for p in national],
        "by_name": [f"/api/v1/customers?q={quote(p)}&limit=20" for p in prefixes],
    }


def _bench_user(store: Store) -> str:
    with contextlib.suppress(ConflictError):  # already there from an earlier run
        access.add_user(store, "bench", "service", "bench-password-long", actor="bench")
    return "bench"


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP for GETs: a generator
    that costs far less CPU than a full client, so it does not steal the server's cores."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nAccept: application/json\r\n\r\n"
        )
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return status


async def open_loop(
    base: str, token: str, paths: list[str], rate: float, seconds: float, connections: int = 64
) -> dict[str, float]:
    """Send ``rate`` requests/s for ``seconds``; latency from each request's scheduled time.

    Requests wait in a queue in schedule order; each of ``connections`` keep-alive connections
    takes the next one when free, so a slow server shows as growing latency, never as a
    slower schedule (no coordinated omission)."""
    host, port = base.removeprefix("http://").split(":")
    total = int(rate * seconds)
    queue: asyncio.Queue[tuple[str, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter() + 0.05

    async def worker() -> None:
        nonlocal errors
        conn = Connection(host, int(port), token)
        while (item := await queue.get()) is not None:
            path, scheduled = item
            try:
                if await conn.get(path) != 200:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                conn = Connection(host, int(port), token)
            latencies.append(time.perf_counter() - scheduled)

    async def schedule() -> None:
        for i in range(total):
            at = started + i / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((paths[i % len(paths)], at))
        for _ in range(connections):
            queue.put_nowait(None)

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    await schedule()
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "rate": rate,
        "sent": total,
        "achieved_rps": round(total / elapsed, 1),
        "errors": errors,
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
    }


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "patron", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("patron serve did not start")


def run_backend(
    backend: str, rows: int, seconds: float, rates: list[float], kinds: list[str], workers: int
) -> None:
    path = customer_csv(rows)
    with bench_store(backend, "patron_bench_api") as (env, url):
        load_customers(path, env)
        queries = sample_queries(url, 5000)
        port = free_port()
        proc = serve(env, port, workers)
        base = f"http://127.0.0.1:{port}"
        token = queries["token"][0]
        try:
            asyncio.run(open_loop(base, token, queries["by_id"][:200], 50, 4))  # warm up
            for kind in kinds:
                at_target = asyncio.run(open_loop(base, token, queries[kind], 200, seconds))
                best = None
                for rate in rates:
                    result = asyncio.run(open_loop(base, token, queries[kind], rate, seconds))
                    ok = result["errors"] == 0 and result["p99_ms"] <= TARGETS_MS[kind]
                    print(f"  {backend} x{workers} {kind} {rate:>5.0f}/s p99 {result['p99_ms']} ms "
                          f"{'ok' if ok else 'over'}", flush=True)  # fmt: skip
                    if not ok:
                        break
                    best = result
                record("api_load", {
                    "backend": backend, "rows": rows, "kind": kind, "workers": workers,
                    "target_p99_ms": TARGETS_MS[kind], "at_200_rps": at_target,
                    "max_sustained_rps": best["achieved_rps"] if best else None,
                    "at_max": best, "seconds_per_step": seconds,
                })  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each step")
    parser.add_argument("--rates", type=float, nargs="+",
                        default=[200, 250, 300, 350, 400, 500, 600, 800])  # fmt: skip
    parser.add_argument("--kinds", nargs="+", default=list(TARGETS_MS), choices=list(TARGETS_MS))
    parser.add_argument("--workers", type=int, default=Settings().web_workers,
                        help="server processes (default: patron's default)")  # fmt: skip
    args = parser.parse_args()
    for backend in args.backend:
        run_backend(backend, args.rows, args.seconds, args.rates, args.kinds, args.workers)


if __name__ == "__main__":
    main()
