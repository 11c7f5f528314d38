"""`patron serve --workers N` as a real subprocess, and requests sent to a chosen worker.

The workers share one listening socket; the kernel hands each new connection to one of them.
To send a request to a given worker, connections are opened until one is accepted by that
worker's process (seen in the process's open sockets), so a test can alternate between the
workers instead of hoping the kernel does.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from browser_server import free_port


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    worker: int  # the process id of the worker that answered

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    """A running `patron serve` with its worker processes."""

    process: subprocess.Popen[bytes]
    port: int
    workers: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The live worker processes (the supervisor's children that serve requests)."""
        children = psutil.Process(self.process.pid).children()
        return sorted(c.pid for c in children if "spawn_main" in " ".join(_cmdline(c)))

    def request(
        self,
        worker: int,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        deadline: float = 20.0,
    ) -> Answer:
        """Send one request over a connection accepted by the worker ``worker``."""
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.connect()
                assert conn.sock is not None
                if self._owner(conn.sock.getsockname()[1]) != worker:
                    continue
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                return Answer(
                    response.status,
                    {k.lower(): v for k, v in response.getheaders()},
                    response.read(),
                    worker,
                )
            finally:
                conn.close()
        raise AssertionError(f"no connection reached worker {worker} in {deadline} s")

    def _owner(self, client_port: int, wait: float = 2.0) -> int | None:
        """The worker that accepted the connection from ``client_port`` (None: nobody yet)."""
        give_up = time.monotonic() + wait
        while time.monotonic() < give_up:
            for pid in self.worker_pids():
                try:
                    sockets = psutil.Process(pid).net_connections(kind="tcp")
                except psutil.NoSuchProcess:
                    continue
                if any(s.raddr and s.raddr.port == client_port for s in sockets):
                    return pid
            time.sleep(0.01)
        return None


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def server_env(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a test server: none of the caller's PATRON_* settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATRON_")}
    return env | {"PATRON_HOME": str(home)} | settings


@contextmanager
def patron_serve(env: dict[str, str], cwd: Path, workers: int = 2) -> Iterator[Served]:
    """Run `patron serve --workers N` on a free port until every worker answers."""
    port = free_port()
    log = (cwd / "serve.log").open("wb")
    cmd = [sys.executable, "-m", "patron", "serve", "--workers", str(workers), "--port", str(port)]
    process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    served = Served(process, port)
    try:
        _wait_for_workers(served, workers, cwd / "serve.log")
        yield served
    finally:
        _stop(process)
        log.close()


def _wait_for_workers(served: Served, workers: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if served.process.poll() is not None:
            raise RuntimeError(f"patron serve exited:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"patron serve did not start:\n{log.read_text(errors='replace')}")
        pids = served.worker_pids()
        if len(pids) == workers and _answers(served.url):
            # Each worker answers (a worker still importing the app would not accept).
            for pid in pids:
                served.request(pid, "GET", "/healthz", deadline=30)
            served.workers = pids
            return
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server as Ctrl+C would; kill what is left after 15 seconds."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.send_signal(signal.SIGINT)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    for child in children:
        with suppress(psutil.NoSuchProcess):
            child.kill()
