"""Errors as RFC 9457 problem details (application/problem+json) for the API, and as pages
for the browser. Nothing internal (stack traces, SQL) ever reaches a response body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from patron.core import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PatronError,
    PermissionDeniedError,
    RateLimitedError,
)

log = logging.getLogger("patron.web")

PROBLEM = "application/problem+json"


class HTTPProblem(Exception):
    """A problem raised by a route itself (412 stale version, 428 missing If-Match ...)."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


_STATUS: list[tuple[type[PatronError], int, str]] = [
    (AuthenticationError, 401, "Not authenticated"),
    (PermissionDeniedError, 403, "Forbidden"),
    (NotFoundError, 404, "Not found"),
    (ConflictError, 409, "Conflict"),
    (RateLimitedError, 429, "Too many requests"),
    (InputError, 422, "Invalid input"),
]


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": 'Bearer realm="patron"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _patron_error(request: Request, exc: PatronError) -> Response:
    status, title = next(((s, t) for cls, s, t in _STATUS if isinstance(exc, cls)), (400, "Error"))
    if not _is_api(request):
        if status == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        from patron.web.ui.render import error_page

        return error_page(request, status, exc.message, exc.hint)
    extra: dict[str, Any] = {}
    if exc.hint:
        extra["hint"] = exc.hint
    if isinstance(exc, InputError) and exc.field:
        extra["field"] = exc.field
    response = problem(status, title, exc.message, **extra)
    if isinstance(exc, RateLimitedError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem or an error page."""

    @app.exception_handler(PatronError)
    async def on_patron_error(request: Request, exc: PatronError) -> Response:
        return _patron_error(request, exc)

    @app.exception_handler(HTTPProblem)
    async def on_problem(request: Request, exc: HTTPProblem) -> Response:
        if not _is_api(request):
            from patron.web.ui.render import error_page

            return error_page(request, exc.status, exc.detail, None)
        return problem(exc.status, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg", "")}
            for e in exc.errors()
        ]
        if not _is_api(request):
            from patron.web.ui.render import error_page

            return error_page(
                request, 422, "; ".join(f"{e['field']}: {e['reason']}" for e in errors), None
            )
        return problem(
            422, "Invalid request", "the request does not match the API schema", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if not _is_api(request) and exc.status_code == 404:
            from patron.web.ui.render import error_page

            return error_page(request, 404, "page not found", None)
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "patron hit an unexpected error; it is logged")
