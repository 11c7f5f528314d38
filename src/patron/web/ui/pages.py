"""The web app's pages. Each route parses, authorises (allow / signed_in), calls a facade and
renders a template; nothing else happens here."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from patron import access, customers, ingest
from patron.access import Principal
from patron.core import AuthenticationError, PatronError, PermissionDeniedError
from patron.web.api.schemas import Id
from patron.web.api.uploads import save_upload, stored_upload
from patron.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    allow,
    check_same_origin,
    current_principal,
    signed_in,
)
from patron.web.state import AppState, app_state
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)
State = Annotated[AppState, Depends(app_state)]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- sign in / out -----------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> Response:
    if await current_principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", {"login_csrf": token, "next": _safe_next(next)})
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.patron.settings.cookie_secure,
    )
    return response


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    state: State,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_same_origin(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise PermissionDeniedError("the sign-in form expired", hint="reload the page")
    client_ip = request.client.host if request.client else "?"
    request.app.state.login_throttle.check(client_ip)
    client = f"{request.headers.get('user-agent', '')[:200]} from {client_ip}"
    try:
        token, _who = await run_in_threadpool(
            access.login, state.store, state.settings, name, password, client
        )
    except AuthenticationError as exc:
        fresh = secrets.token_urlsafe(32)
        response = page(
            request,
            "login.html",
            {"login_csrf": fresh, "next": _safe_next(next), "error": exc.message, "name": name},
            status=401,
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            fresh,
            httponly=True,
            samesite="strict",
            secure=state.settings.cookie_secure,
        )
        return response
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=state.settings.cookie_secure,
        samesite="lax",
        max_age=state.settings.session_max_hours * 3600,
        path="/",
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/logout")
async def logout(
    request: Request, state: State, who: Annotated[Principal, signed_in()]
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(access.logout, state.store, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: Annotated[Principal, signed_in()]) -> Response:
    return page(request, "account.html")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    state: State,
    who: Annotated[Principal, signed_in()],
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        access.change_own_password(state.store, state.settings, who, current, new)
    except PatronError as exc:
        return page(request, "account.html", {"error": str(exc)}, status=422)
    return page(request, "account.html", {"done": True})


# --- home --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, state: State, who: Annotated[Principal, allow("dashboard.read")]
) -> Response:
    figures = customers.overview(state.store)
    recent: list[dict[str, Any]] = []
    if who.can("imports.read"):
        with state.store.connect() as conn:
            recent = ingest.list_batches(conn, 8)
    chart = {
        "labels": [s["source"] for s in figures["sources"]],
        "values": [s["records"] for s in figures["sources"]],
    }
    return page(request, "home.html", {"figures": figures, "recent": recent, "chart": chart})


# --- customers ---------------------------------------------------------------------------


def _search(state: AppState, who: Principal, q: str) -> tuple[list[Any], str | None]:
    if not q.strip():
        return customers.list_customers(
            state.store, limit=50, masked=not who.sees_personal_data
        ), None
    try:
        hits = customers.search_customers(
            state.store,
            q,
            limit=50,
            region=state.settings.default_region,
            masked=not who.sees_personal_data,
        )
    except PatronError as exc:
        return [], exc.message
    return hits, None


@router.get("/customers", response_class=HTMLResponse)
def customer_search(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("customers.read")],
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    hits, error = _search(state, who, q)
    template = "_customer_results.html" if request.headers.get("hx-request") else "customers.html"
    return page(request, template, {"q": q, "hits": hits, "error": error})


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request,
    state: State,
    customer_id: Id,
    who: Annotated[Principal, allow("customers.read")],
) -> Response:
    masked = not who.sees_personal_data
    view = customers.get_customer(
        state.store, customer_id, masked=masked, viewed_by=None if masked else who.actor
    )
    records = {r.id: r for r in view.source_records}
    lineage = {
        name: records.get(rid) if rid is not None else None
        for name in (
            "full_name",
            "gender",
            "birth_date",
            "company",
            "member_tier",
            "primary_phone",
            "primary_email",
            "city",
        )
        if (rid := view.source_record_of(name)) is not None
    }
    return page(
        request,
        "customer.html",
        {"c": view, "masked": masked, "lineage": lineage, "channels": ingest.CONSENT_CHANNELS},
    )


@router.post("/customers/{customer_id}/consent")
def customer_consent(
    state: State,
    customer_id: Id,
    who: Annotated[Principal, allow("consent.write")],
    channel: Annotated[str, Form(max_length=20)],
    status: Annotated[str, Form(max_length=10)],
    purpose: Annotated[str, Form(max_length=50)] = "marketing",
) -> Response:
    ingest.record_consent(state.store, customer_id, channel, purpose, status, actor=who.actor)
    return RedirectResponse(f"/customers/{customer_id}#consent", status_code=303)


# --- imports -----------------------------------------------------------------------------


@router.get("/imports", response_class=HTMLResponse)
def imports_page(
    request: Request, state: State, who: Annotated[Principal, allow("imports.read")]
) -> Response:
    with state.store.connect() as conn:
        batches = ingest.list_batches(conn, 100)
    return page(request, "imports.html", {"batches": batches, "jobs": state.jobs.recent()[:10]})


@router.get("/imports/new", response_class=HTMLResponse)
def import_new(request: Request, who: Annotated[Principal, allow("imports.write")]) -> Response:
    return page(request, "import_new.html", {"kinds": ingest.KINDS})


@router.post("/imports/preview", response_class=HTMLResponse)
def import_preview(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("imports.write")],
    file: Annotated[UploadFile | None, File()] = None,
    upload: Annotated[str, Form(max_length=100)] = "",
    display: Annotated[str, Form(max_length=200)] = "",
    source: Annotated[str, Form(max_length=100)] = "",
    kind: Annotated[str, Form(max_length=20)] = "customers",
    encoding: Annotated[str, Form(max_length=40)] = "",
    external: Annotated[bool, Form()] = False,
) -> Response:
    """Step 2: the file is stored, then read with the detected encoding and column mapping."""
    if kind not in ingest.KINDS:
        kind = "customers"
    form: dict[str, Any] = {
        "source": source.strip(),
        "kind": kind,
        "encoding": encoding,
        "external": external,
        "kinds": ingest.KINDS,
    }
    try:
        if file is not None and file.filename:
            path, display = save_upload(state.settings, file)
        else:
            path = stored_upload(state.settings, upload)
        form |= {"upload": path.name, "display": display}
        if not form["source"]:
            raise PatronError("name the source this file comes from", hint="e.g. pos, webshop")
        preview = ingest.preview_file(
            ingest.ImportOptions(
                path=path, source=source.strip(), kind=kind, encoding=encoding or None
            ),
            settings=state.settings,
        )
    except PatronError as exc:
        return page(request, "import_new.html", form | {"error": str(exc)}, status=422)
    return page(request, "import_preview.html", form | {"preview": preview})


@router.post("/imports/start")
def import_start(
    state: State,
    who: Annotated[Principal, allow("imports.write")],
    upload: Annotated[str, Form(max_length=100)],
    source: Annotated[str, Form(min_length=1, max_length=100)],
    display: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "customers",
    encoding: Annotated[str, Form(max_length=40)] = "",
    external: Annotated[bool, Form()] = False,
) -> Response:
    path = stored_upload(state.settings, upload)
    options = ingest.ImportOptions(
        path=path,
        source=source.strip(),
        kind=kind if kind in ingest.KINDS else "customers",
        external=external,
        encoding=encoding or None,
        actor=who.actor,
    )
    job = state.jobs.start(state.store, state.settings, options, display_name=display or path.name)
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}", response_class=HTMLResponse)
def import_job(
    request: Request, state: State, job_id: str, who: Annotated[Principal, allow("imports.read")]
) -> Response:
    job = state.jobs.get(job_id)
    if job is None:
        from patron.core import NotFoundError

        raise NotFoundError(
            "this import job is not running on this server", hint="see the list of imports"
        )
    fragment = bool(request.headers.get("hx-request"))
    return page(request, "_job_progress.html" if fragment else "import_job.html", {"job": job})


@router.get("/imports/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request, state: State, batch_id: Id, who: Annotated[Principal, allow("imports.read")]
) -> Response:
    with state.store.connect() as conn:
        batch = ingest.get_batch(conn, batch_id)
        counts = ingest.count_rejects(conn, batch_id)
        rejects = ingest.list_rejects(conn, batch_id, limit=200) if who.sees_personal_data else []
    return page(request, "batch.html", {"batch": batch, "counts": counts, "rejects": rejects})


# --- administration ----------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, state: State, who: Annotated[Principal, allow("users.manage")]
) -> Response:
    return page(
        request,
        "users.html",
        {
            "users": access.list_users(state.store),
            "tokens": access.list_tokens(state.store),
            "roles": access.ROLES,
            "permissions": access.PERMISSIONS,
            "role_permissions": access.ROLE_PERMISSIONS,
        },
    )


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("users.manage")],
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    message = None
    try:
        access.add_user(state.store, name, role, password, actor=who.actor)
    except PatronError as exc:
        message = str(exc)
    return _users_result(request, state, message)


@router.post("/admin/users/{name}/active")
def set_active(
    state: State,
    name: str,
    who: Annotated[Principal, allow("users.manage")],
    active: Annotated[bool, Form()] = False,
) -> Response:
    access.set_user_active(state.store, name, active, actor=who.actor)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/role")
def set_role(
    state: State,
    name: str,
    who: Annotated[Principal, allow("users.manage")],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    access.set_user_role(state.store, name, role, actor=who.actor)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("users.manage")],
    user: Annotated[str, Form(max_length=100)],
    scopes: Annotated[str, Form(max_length=500)] = "read",
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        secret, _info = access.create_token(
            state.store,
            user,
            scopes.replace(",", " ").split(),
            actor=who.actor,
            label=label or None,
        )
    except PatronError as exc:
        return _users_result(request, state, str(exc))
    return _users_result(request, state, None, new_token=secret)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    state: State, token_id: Id, who: Annotated[Principal, allow("users.manage")]
) -> Response:
    access.revoke_token(state.store, token_id, actor=who.actor)
    return RedirectResponse("/admin/users", status_code=303)


def _users_result(
    request: Request, state: AppState, error: str | None, new_token: str | None = None
) -> Response:
    return page(
        request,
        "users.html",
        {
            "users": access.list_users(state.store),
            "tokens": access.list_tokens(state.store),
            "roles": access.ROLES,
            "permissions": access.PERMISSIONS,
            "role_permissions": access.ROLE_PERMISSIONS,
            "error": error,
            "new_token": new_token,
        },
        status=422 if error else 200,
    )


def as_dict(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)
