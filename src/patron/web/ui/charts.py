"""Geometry for the analytics charts, drawn by the templates as inline SVG (no script, no
chart library: the Content-Security-Policy allows neither inline code nor other sites).

Each function takes what a run's summary holds and returns plain numbers and labels; the
templates only place them and translate the words.

>>> chart = histogram([{"from": 0.0, "to": 0.5, "customers": 3},
...                    {"from": 0.5, "to": 1.0, "customers": 1}])
>>> [round(b.height) for b in chart["bars"]]
[160, 53]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 28
LOW_RGB, HIGH_RGB = (238, 244, 248), (31, 95, 139)  # the page's background and accent


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    tip: str  # the numbers behind it, for <title>


def _rgb(share: float) -> str:
    """A colour from the light background (0) to the accent (1)."""
    share = max(0.0, min(share, 1.0))
    parts = (round(lo + (hi - lo) * share) for lo, hi in zip(LOW_RGB, HIGH_RGB, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*parts)


def histogram(
    bins: list[dict[str, Any]], edge: Callable[[float], str] = "{:,.0f}".format
) -> dict[str, Any]:
    """Bars of customers per bin (``from``, ``to``, ``customers``) with ``edge`` labelling the
    bin edges; empty when there are no bins."""
    if not bins:
        return {"bars": []}
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    most = max(int(b["customers"]) for b in bins) or 1
    step = inner_w / len(bins)
    bars = []
    for i, b in enumerate(bins):
        h = inner_h * int(b["customers"]) / most
        tip = f"{edge(b['from'])} – {edge(b['to'])}: {int(b['customers']):,}"
        bars.append(Bar(round(LEFT + i * step + 1, 1), round(TOP + inner_h - h, 1),
                        round(max(step - 2, 1), 1), round(h, 1), tip))  # fmt: skip
    ticks = [(round(LEFT + i * step, 1), edge(bins[i]["from"])) for i in (0, len(bins) // 2)]
    ticks.append((WIDTH - RIGHT, edge(bins[-1]["to"])))
    return {
        "bars": bars, "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": HEIGHT - BOTTOM, "most": most, "ticks": ticks,
        "total": sum(int(b["customers"]) for b in bins),
    }  # fmt: skip


def rfm_heat(grid: list[dict[str, Any]]) -> dict[str, Any]:
    """The R x F grid as coloured cells: rows R 5 (top) to 1, columns F 1 to 5, as the run's
    summary stores them (one dict per row, keyed by F)."""
    size_w, size_h, left, top = 64, 44, 40, 8
    counts = [[int(row.get(str(f), 0) or 0) for f in range(1, 6)] for row in grid]
    most = max((c for row in counts for c in row), default=0) or 1
    cells = []
    for i, row in enumerate(counts):
        r = 5 - i
        for j, count in enumerate(row):
            share = count / most
            cells.append({
                "x": left + j * size_w, "y": top + i * size_h, "r": r, "f": j + 1,
                "count": count, "fill": _rgb(share), "ink": "#fff" if share > 0.55 else "#1d2730",
            })  # fmt: skip
    return {
        "cells": cells, "w": size_w, "h": size_h, "left": left, "top": top,
        "width": left + 5 * size_w + 8, "height": top + len(counts) * size_h + 36,
        "rows": [(5 - i, top + i * size_h + size_h / 2) for i in range(len(counts))],
        "cols": [(f, left + (f - 1) * size_w + size_w / 2) for f in range(1, 6)],
    }  # fmt: skip


def funnel(stages: list[dict[str, Any]]) -> dict[str, Any]:
    """Centred bars, one per lifecycle stage in order, as wide as its share of the largest."""
    row_h, gap, width, label_w = 34, 6, 640, 170
    most = max((int(s["customers"]) for s in stages), default=0) or 1
    inner = width - label_w - 16
    bars = []
    for i, s in enumerate(stages):
        w = max(inner * int(s["customers"]) / most, 2)
        bars.append({
            "stage": s["stage"], "customers": int(s["customers"]),
            "share": float(s.get("share") or 0.0),
            "x": round(label_w + (inner - w) / 2, 1), "y": i * (row_h + gap),
            "width": round(w, 1), "height": row_h, "mid": label_w + inner / 2,
        })  # fmt: skip
    return {"bars": bars, "width": width, "height": len(stages) * (row_h + gap),
            "label_x": label_w - 10}  # fmt: skip


def auc_bars(auc: float | None, baseline: float | None) -> dict[str, Any]:
    """Two horizontal bars on a 0.5-1 scale: the churn model's backtest AUC and recency's."""
    width, left = 360, 0

    def w(value: float | None) -> float:
        if value is None:
            return 0.0
        return round(width * max(0.0, min((value - 0.5) / 0.5, 1.0)), 1)

    return {"model": w(auc), "baseline": w(baseline), "width": width + left}
