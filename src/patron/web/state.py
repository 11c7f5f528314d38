"""What every request handler shares: the store, the settings and the running import jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from patron.core import Settings
from patron.store import Store
from patron.web.jobs import ImportJobs


@dataclass
class AppState:
    store: Store
    settings: Settings
    jobs: ImportJobs = field(default_factory=ImportJobs)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.patron
    return state


# ``state: State`` in a route's parameters.
State = Annotated[AppState, Depends(app_state)]
