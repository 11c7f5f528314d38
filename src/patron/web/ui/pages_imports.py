"""The import wizard (upload, check, import with progress) and import batches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from patron import ingest, jobs
from patron.access import Principal
from patron.core import NotFoundError, PatronError
from patron.web.api.schemas import Id
from patron.web.api.uploads import save_upload, stored_upload
from patron.web.security import (
    allow,
)
from patron.web.state import State
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)


# --- imports -----------------------------------------------------------------------------


@router.get("/imports", response_class=HTMLResponse)
def imports_page(
    request: Request, state: State, who: Annotated[Principal, allow("imports.read")]
) -> Response:
    with state.store.connect() as conn:
        batches = ingest.list_batches(conn, 100)
    recent = jobs.recent_import_jobs(state.store, 10)
    return page(request, "imports.html", {"batches": batches, "jobs": recent})


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
    job = jobs.start_import_job(
        state.store, state.settings, options, display_name=display or path.name
    )
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}", response_class=HTMLResponse)
def import_job(
    request: Request, state: State, job_id: str, who: Annotated[Principal, allow("imports.read")]
) -> Response:
    job = jobs.get_import_job(state.store, job_id)
    if job is None:
        raise NotFoundError(f"no import job {job_id[:40]}", hint="see the list of imports")
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
