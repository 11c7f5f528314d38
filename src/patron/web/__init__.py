"""Web: the FastAPI app serving the REST API (/api/v1) and the web UI.

Facade::

    from patron.web import create_app, serve
    app = create_app(settings)        # ASGI app for tests or any server
    serve(settings)                   # uvicorn on settings.host:settings.port
"""

from __future__ import annotations

from patron.core import Settings, get_settings
from patron.web.app import create_app


def serve(
    settings: Settings | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    log_level: str = "info",
) -> None:
    """Run the app in uvicorn (one process; imports run in background threads)."""
    import uvicorn

    settings = settings or get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )


__all__ = ["create_app", "serve"]
