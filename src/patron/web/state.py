"""What every request handler shares: the store and the settings (nothing else lives in a
server process: with several worker processes, any of them may answer a request)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from patron.core import Settings
from patron.store import Store


@dataclass
class AppState:
    store: Store
    settings: Settings


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.patron
    return state


# ``state: State`` in a route's parameters.
State = Annotated[AppState, Depends(app_state)]
