"""The web app's pages. Each route parses, authorises (allow / signed_in), calls a facade and
renders a template; nothing else happens here. One module per area, one router for all."""

from __future__ import annotations

from fastapi import APIRouter

from patron.web.ui import (
    pages_admin,
    pages_analytics,
    pages_auth,
    pages_customers,
    pages_identity,
    pages_imports,
    pages_quality,
)

router = APIRouter(include_in_schema=False)
for module in (
    pages_auth,
    pages_customers,
    pages_identity,
    pages_imports,
    pages_quality,
    pages_analytics,
    pages_admin,
):
    router.include_router(module.router)
