"""Rendering pages: the Jinja2 environment (autoescaped), the translations of the request,
and the layout's shared context (user, navigation, CSRF token, language)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from patron.web.ui.i18n import LANG_COOKIE, LOCALES, negotiate, translations
from patron.web.ui.nav import nav_for

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.autoescape = True  # every template, whatever its extension
# tojson still escapes <, >, & and ' (htmlsafe); Chinese stays readable.
TEMPLATES.env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}


def page(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    locale = negotiate(request)
    t = translations(locale)
    who = getattr(request.state, "principal", None)
    full = {
        "_": t.gettext,
        "ngettext": t.ngettext,
        "locale": locale,
        "html_lang": "zh-CN" if locale == "zh_CN" else "en",
        "locales": LOCALES,
        "who": who,
        "nav": nav_for(who),
        "csrf_token": who.csrf_token if who is not None else None,
        "path": request.url.path,
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, template, full, status_code=status)
    if request.query_params.get("lang") in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def error_page(request: Request, status: int, message: str, hint: str | None) -> HTMLResponse:
    return page(
        request, "error.html", {"status": status, "message": message, "hint": hint}, status=status
    )
