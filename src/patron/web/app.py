"""The FastAPI application: REST API under /api/v1, web pages, static files, security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from patron import __version__
from patron.core import Settings, get_settings
from patron.store import Store, open_store
from patron.web import problems
from patron.web.api import api_router
from patron.web.security import LoginThrottle
from patron.web.state import AppState
from patron.web.ui.pages import router as pages_router

STATIC = Path(__file__).parent / "ui" / "static"

# Scripts only from patron itself: injected markup cannot run code even if it got through.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The API docs page (Swagger UI) is served from patron's own static files too.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        docs = request.url.path == "/api/v1/docs"
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The whole web app for one store."""
    settings = settings or get_settings()
    store = store or open_store(settings)
    app = FastAPI(
        title="patron",
        version=__version__,
        description="patron's REST API: customers, imports, consent, products, orders, events. "
        "Authenticate with `Authorization: Bearer <token>` (`patron token create`).",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.patron = AppState(store, settings)
    app.state.login_throttle = LoginThrottle(settings.login_attempts_per_minute)
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
