"""The data quality page: scores, staleness and flags per source, the score history drawn as
an inline SVG (no script), and a button for admins to save today's scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from patron.access import Principal
from patron.web.api.quality import quality_body
from patron.web.security import allow
from patron.web.state import State
from patron.web.ui.i18n import N_
from patron.web.ui.nav import NavItem, register_nav
from patron.web.ui.render import page

if TYPE_CHECKING:
    from patron.identity import QualitySnapshot

router = APIRouter(include_in_schema=False)
register_nav(NavItem("/quality", "Data quality", "quality.read", 40))
# The quality permissions' descriptions, shown on the users page, for the catalog extractor.
PERMISSION_MESSAGES = (
    N_("See data quality per source and field"),
    N_("Save data quality snapshots (the score history)"),
)

CHART_WIDTH, CHART_HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 28
COLOURS = ("#1d2730", "#1f5f8b", "#c0622b", "#2e7d32", "#7b3f9e", "#a4262c", "#8a7300")
HISTORY_ROWS = 12  # saves listed in the table under the chart


@dataclass(frozen=True)
class Series:
    name: str | None  # None: the whole store
    colour: str
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, str]]  # x, y, tooltip


def score_chart(history: list[QualitySnapshot]) -> dict[str, Any]:
    """Coordinates for a line per source (and the whole store) of score over time, 0-100."""
    times = sorted({s.taken_at for s in history})
    if not times:
        return {"series": [], "times": []}
    first, span = times[0], (times[-1] - times[0]).total_seconds()
    inner_w = CHART_WIDTH - LEFT - RIGHT
    inner_h = CHART_HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        if not span:
            return LEFT + inner_w / 2
        return round(LEFT + inner_w * (at - first).total_seconds() / span, 1)

    def y(score: float) -> float:
        return round(TOP + inner_h * (1 - max(0.0, min(score, 100.0)) / 100), 1)

    by_source: dict[str | None, list[QualitySnapshot]] = {}
    for snapshot in history:
        by_source.setdefault(snapshot.source, []).append(snapshot)
    names = [None, *sorted(n for n in by_source if n is not None)]
    series = []
    for i, name in enumerate(n for n in names if n in by_source):
        rows = by_source[name]
        dots = [
            (x(r.taken_at), y(r.score), f"{r.taken_at:%Y-%m-%d %H:%M}: {r.score:.1f}") for r in rows
        ]
        points = " ".join(f"{px},{py}" for px, py, _ in dots)
        series.append(Series(name, COLOURS[i % len(COLOURS)], points, dots))
    return {
        "series": series,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": LEFT,
        "right": CHART_WIDTH - RIGHT,
        "bottom": CHART_HEIGHT - BOTTOM,
        "grid": [(score, y(score)) for score in (0, 25, 50, 75, 100)],
        "first": times[0],
        "last": times[-1],
    }


def history_table(history: list[QualitySnapshot]) -> dict[str, Any]:
    """The newest saves as rows (newest first), one score column per source."""
    sources = sorted({s.source for s in history if s.source is not None})
    saves: dict[datetime, dict[str | None, float]] = {}
    for snapshot in history:
        saves.setdefault(snapshot.taken_at, {})[snapshot.source] = snapshot.score
    rows = sorted(saves.items(), reverse=True)[:HISTORY_ROWS]
    return {"sources": sources, "rows": rows}


@router.get("/quality", response_class=HTMLResponse)
def quality_page(
    request: Request, state: State, who: Annotated[Principal, allow("quality.read")]
) -> Response:
    from patron import identity

    history = identity.quality_history(state.store)
    context = quality_body(state) | {
        "chart": score_chart(history),
        "history": history_table(history),
        "can_save": "quality.write" in who.permissions,
    }
    return page(request, "quality.html", context)


@router.post("/quality/snapshots")
def save_snapshot(state: State, who: Annotated[Principal, allow("quality.write")]) -> Response:
    from patron import identity

    identity.save_quality_snapshot(state.store, actor=who.actor)
    return RedirectResponse("/quality#history", status_code=303)
