"""Web: the FastAPI app serving the REST API (/api/v1) and the web UI.

Facade::

    from patron.web import create_app, serve
    app = create_app(settings)        # ASGI app for tests or any server
    serve(settings)                   # uvicorn on settings.host:settings.port
    serve(settings, workers=4)        # four processes sharing the port
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from patron.core import Settings, get_settings
from patron.store import open_store
from patron.web.app import SERVE_SETTINGS_ENV, create_app


def serve(
    settings: Settings | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    log_level: str = "info",
) -> None:
    """Run the app in uvicorn with ``workers`` processes (default ``settings.web_workers``)
    sharing one port. Imports run in background threads of the process that received them;
    everything a later request may ask about (import jobs, login counts, sessions) is in the
    store, so any process can answer it.
    """
    import uvicorn

    settings = settings or get_settings()
    workers = workers or settings.web_workers
    app: FastAPI | str = "patron.web.app:create_worker_app"
    if workers == 1:
        app = create_app(settings)
    else:
        # Create or upgrade the schema once, before the workers open the store together.
        open_store(settings).dispose()
        # Each worker is a new interpreter that builds its own app; it reads these settings.
        os.environ[SERVE_SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )


__all__ = ["create_app", "serve"]
