"""The data quality page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from patron.access import Principal
from patron.web.api.quality import quality_body
from patron.web.security import allow
from patron.web.state import State
from patron.web.ui.nav import NavItem, register_nav
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)
register_nav(NavItem("/quality", "Data quality", "quality.read", 40))


@router.get("/quality", response_class=HTMLResponse)
def quality_page(
    request: Request, state: State, who: Annotated[Principal, allow("quality.read")]
) -> Response:
    return page(request, "quality.html", quality_body(state))
