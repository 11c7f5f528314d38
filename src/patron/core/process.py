"""Which process runs a piece of background work (an import, a matching run), so that any
other process can tell whether it is still there."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Worker:
    """The process running a job: its host and process id."""

    host: str
    pid: int

    @classmethod
    def this_process(cls) -> Worker:
        return cls(socket.gethostname(), os.getpid())

    def is_gone(self) -> bool:
        """True when this worker is known to have stopped: same host, process not alive."""
        if self.host != socket.gethostname():
            return False  # another machine: only the heartbeat tells
        try:
            os.kill(self.pid, 0)  # signal 0: checks the process exists, sends nothing
        except ProcessLookupError:
            return True
        except PermissionError:  # exists, under another user
            return False
        return False
