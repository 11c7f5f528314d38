"""The FastAPI application: REST API under /api/v1, web pages, static files, security headers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from patron import __version__
from patron.core import Settings, get_settings
from patron.store import Store, open_store
from patron.web import problems
from patron.web.api import api_router
from patron.web.state import AppState
from patron.web.ui.pages import router as pages_router

STATIC = Path(__file__).parent / "ui" / "static"
# `patron serve --workers N` hands its settings to the worker processes in this variable.
SERVE_SETTINGS_ENV = "PATRON_SERVE_SETTINGS"

# Scripts only from patron itself: injected markup cannot run code even if it got through.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The API docs page (Swagger UI) is served from patron's own static files too.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
)


class SecurityHeaders:
    """Security headers on every response (a plain ASGI middleware: no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = [
            (b"content-security-policy", (DOCS_CSP if path == "/api/v1/docs" else CSP).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]
        if not path.startswith("/static/"):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The whole web app for one store."""
    settings = settings or get_settings()
    store = store or open_store(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Store calls run in worker threads; how many run at once is a setting.
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield

    app = FastAPI(
        title="patron",
        lifespan=lifespan,
        version=__version__,
        description="patron's REST API: customers, imports, consent, products, orders, events, "
        "identity, analytics. "
        "Authenticate with `Authorization: Bearer <token>` (`patron token create`).",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.patron = AppState(store, settings)
    problems.install(app)
    app.add_middleware(SecurityHeaders)
    app.include_router(api_router())
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/v1/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="patron API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_worker_app() -> FastAPI:
    """The app in one worker process of ``serve(workers=N)``, with the settings the server was
    started with (uvicorn imports this factory in every worker it spawns)."""
    passed = os.environ.get(SERVE_SETTINGS_ENV)
    return create_app(Settings.model_validate_json(passed) if passed else get_settings())
