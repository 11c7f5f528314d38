"""The REST API under /api/v1: one router per resource, every route guarded (see security)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from patron.access import Principal
from patron.web.api import analytics, catalog, customers, identity, imports, quality
from patron.web.api.schemas import MeOut, Problem
from patron.web.security import signed_in

PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _error(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": PROBLEM_CONTENT}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Not authenticated"),
    403: _error("Not allowed for this role"),
    404: _error("Not found"),
    409: _error("Conflict"),
    412: _error("Changed by someone else"),
    422: _error("Invalid input"),
    428: _error("Precondition required"),
    429: _error("Too many requests"),
}


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=ERRORS)
    router.include_router(customers.router)
    router.include_router(imports.router)
    router.include_router(catalog.router)
    router.include_router(quality.router)
    router.include_router(identity.router)
    router.include_router(analytics.router)

    @router.get("/me", response_model=MeOut, tags=["access"], summary="Who am I")
    def me(who: Annotated[Principal, signed_in()]) -> dict[str, Any]:
        return {
            "name": who.name,
            "role": who.role,
            "permissions": sorted(who.permissions),
            "via": who.via,
        }

    return router
