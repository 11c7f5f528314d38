"""/api/v1/imports: upload a file to import, follow its progress, list batches, get rejects."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from patron import ingest, jobs
from patron.access import Principal
from patron.core import NotFoundError
from patron.web.api.schemas import BatchOut, Id, ImportJobOut
from patron.web.api.uploads import safe_display_name, save_upload
from patron.web.security import allow
from patron.web.state import State

router = APIRouter(prefix="/imports", tags=["imports"])

Kind = Annotated[str, Form(pattern="^(customers|products|orders|events)$")]


def job_body(job: jobs.ImportJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "file_name": job.file_name,
        "source": job.source,
        "kind": job.kind,
        "started_by": job.started_by,
        "started_at": job.started_at,
        "rows_read": job.rows_read,
        "percent": job.percent,
        "batch_id": job.batch_id,
        "report": job.report,
        "error": job.error,
    }


def batch_body(batch: dict[str, Any]) -> dict[str, Any]:
    body = {k: batch.get(k) for k in BatchOut.model_fields}
    body["file_name"] = safe_display_name(str(batch["file_name"]))
    return body


@router.post("", response_model=ImportJobOut, status_code=202, summary="Upload and import a file")
def start_import(
    who: Annotated[Principal, allow("imports.write")],
    state: State,
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX or JSON Lines")],
    source: Annotated[str, Form(min_length=1, max_length=100, pattern=r"^[\w.\- ]+$")],
    kind: Kind = "customers",
    external: Annotated[bool, Form()] = False,
    encoding: Annotated[str | None, Form(max_length=40)] = None,
) -> dict[str, Any]:
    path, display = save_upload(state.settings, file)
    options = ingest.ImportOptions(
        path=path,
        source=source,
        kind=kind,
        external=external,
        encoding=encoding or None,
        actor=who.actor,
    )
    job = jobs.start_import_job(state.store, state.settings, options, display_name=display)
    return job_body(job)


@router.get("/jobs/{job_id}", response_model=ImportJobOut, summary="Progress of an import job")
def import_job(
    job_id: str,
    who: Annotated[Principal, allow("imports.read")],
    state: State,
) -> dict[str, Any]:
    job = jobs.get_import_job(state.store, job_id)
    if job is None:
        raise NotFoundError(f"no import job {job_id[:40]}")
    return job_body(job)


@router.get("", response_model=list[BatchOut], summary="Recent import batches")
def list_batches(
    who: Annotated[Principal, allow("imports.read")],
    state: State,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    with state.store.connect() as conn:
        return [batch_body(b) for b in ingest.list_batches(conn, limit)]


@router.get("/{batch_id}", response_model=BatchOut, summary="One import batch")
def get_batch(
    batch_id: Id,
    who: Annotated[Principal, allow("imports.read")],
    state: State,
) -> dict[str, Any]:
    with state.store.connect() as conn:
        return batch_body(ingest.get_batch(conn, batch_id))


@router.get(
    "/{batch_id}/rejects",
    summary="Rejected rows as CSV (reason per field)",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def rejects(
    batch_id: Id,
    # Rejected rows hold raw personal data as typed: the file needs the personal-data right.
    who: Annotated[Principal, allow("imports.read", "personal_data.read")],
    state: State,
) -> FileResponse:
    tmp = Path(tempfile.mkstemp(suffix=".csv", prefix="rejects-")[1])
    ingest.export_rejects(batch_id, tmp, store=state.store)
    return FileResponse(
        tmp,
        media_type="text/csv",
        filename=f"batch-{batch_id}-rejects.csv",
        background=BackgroundTask(tmp.unlink, missing_ok=True),
    )
