"""The Idempotency-Key header on POST routes (see patron.access.idempotency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from patron import access
from patron.web.security import current_principal
from patron.web.state import AppState, State


class Idempotent:
    def __init__(self, state: AppState, request: Request, key: str | None, principal: str):
        self.state, self.request, self.key, self.principal = state, request, key, principal

    def replay(self, body: Any) -> JSONResponse | None:
        """The stored answer if this key was used before; otherwise claim it."""
        if not self.key:
            return None
        claim = access.claim_idempotency_key(
            self.state.store,
            self.principal,
            self.key,
            self.request.method,
            self.request.url.path,
            body,
        )
        if claim.new:
            return None
        return JSONResponse(
            claim.response,
            status_code=claim.status_code or 200,
            headers={"Idempotent-Replayed": "true"},
        )

    def save(self, status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
        encoded = jsonable_encoder(body)
        if self.key:
            access.save_idempotent_response(
                self.state.store, self.principal, self.key, status, encoded
            )
        return JSONResponse(encoded, status_code=status, headers=headers)

    def release(self) -> None:
        if self.key:
            access.release_idempotency_key(self.state.store, self.principal, self.key)


async def idempotent(
    request: Request,
    state: State,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Idempotent:
    who = await current_principal(request)
    return Idempotent(state, request, idempotency_key, who.actor if who else "anonymous")
