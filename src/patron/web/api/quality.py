"""/api/v1/quality: data quality per source and field."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter

from patron.access import Principal
from patron.web.api.schemas import QualityOut
from patron.web.security import allow
from patron.web.state import State

router = APIRouter(tags=["quality"])


def quality_body(state: State) -> dict[str, Any]:
    # Imported here: identity brings Splink, DuckDB and pandas, which only this route needs.
    from patron import identity

    report = identity.quality_report(state.store)
    return {
        "sources": [dataclasses.asdict(s) for s in report.sources],
        "fields": [
            dataclasses.asdict(f) | {"completeness": f.completeness, "validity": f.validity}
            for f in report.fields
        ],
    }


@router.get("/quality", response_model=QualityOut, summary="Data quality per source and field")
def quality(who: Annotated[Principal, allow("quality.read")], state: State) -> dict[str, Any]:
    """Completeness and validity per source and field; per source the newest data, its
    reliability decayed to now, the share of records sharing a phone or e-mail with another
    customer, and a 0-100 score."""
    return quality_body(state)
