"""Why a pair scored what it did: per field, both values, the level they reached and its weight.

Splink gives each scored pair one comparison level per field (``gamma_<field>``: -1 when a
value is missing, then 0 for "all other" up to the strictest level). The trained model holds
each level's m and u probabilities; the level's match weight is log2(m/u): positive when
agreeing like this is more common among matches than among random pairs. Weights shown here
are before frequency adjustment (a common phone or e-mail weighs less in the final score).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def field_levels(settings: dict[str, Any]) -> dict[str, list[tuple[int, str, float | None]]]:
    """Per comparison: (level value, label, match weight) from a trained model's settings."""
    out: dict[str, list[tuple[int, str, float | None]]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        ranked = [lv for lv in levels if not lv.get("is_null_level")]
        rows: list[tuple[int, str, float | None]] = []
        for lv in levels:
            value = -1 if lv.get("is_null_level") else len(ranked) - 1 - ranked.index(lv)
            m, u = lv.get("m_probability"), lv.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append((value, lv.get("label_for_charts", ""), weight))
        out[comparison["output_column_name"]] = rows
    return out


def pair_evidence(
    pairs: pd.DataFrame, settings: dict[str, Any], columns: dict[str, tuple[str, ...]]
) -> list[list[dict[str, Any]]]:
    """For each pair (row of a prediction with gamma columns), its field-by-field evidence.
    ``columns`` names the input columns shown per comparison (e.g. address → address, city)."""
    levels = field_levels(settings)
    out: list[list[dict[str, Any]]] = []
    records = pairs.to_dict("records")
    for row in records:
        fields = []
        for name, table in levels.items():
            gamma = row.get(f"gamma_{name}")
            level = next((lv for lv in table if lv[0] == gamma), None)
            shown = columns.get(name, (name,))
            fields.append(
                {
                    "field": name,
                    "left": _values(row, shown, "l"),
                    "right": _values(row, shown, "r"),
                    "level": level[1] if level else None,
                    "weight": None if level is None or level[2] is None else round(level[2], 2),
                }
            )
        out.append(fields)
    return out


def _values(row: dict[str, Any], columns: tuple[str, ...], side: str) -> str | None:
    parts = [row.get(f"{c}_{side}") for c in columns]
    text = " / ".join(str(p) for p in parts if p is not None and not _missing(p))
    return text or None


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays
        return False
