"""How the API and the pages present analytics results: churn reasons split into parts, the
drift level of a PSI, names masked in target lists. Small pure functions the analytics facade
does not offer (yet); nothing here computes a score.

>>> [r.feature for r in parse_reasons("recency_days = 210 (+1.32); monetary = 80 (+0.20)")]
['recency_days', 'monetary']
>>> drift_level(0.12)
'watch'
>>> mask_name("张伟"), mask_name("John Smith")
('张*', 'J*** S****')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# The usual reading of the population stability index (as patron.analytics.monitoring).
PSI_WATCH, PSI_ALERT = 0.1, 0.25
_REASON = re.compile(
    r"^\s*(?P<feature>[A-Za-z_]\w*) = (?P<value>.*?) \((?P<weight>[+-]?[\d.]+)\)\s*$"
)


@dataclass(frozen=True)
class Reason:
    feature: str
    value: str
    weight: float


def parse_reasons(text: str | None) -> list[Reason]:
    """The parts of a churn model's reasons text (``"recency_days = 210 (+1.32); ..."``);
    parts in another shape are left out."""
    out = []
    for part in (text or "").split("; "):
        found = _REASON.match(part)
        if found:
            out.append(Reason(found["feature"], found["value"], float(found["weight"])))
    return out


def drift_level(psi: float | None) -> str:
    """stable, watch or alert for a population stability index (unknown counts as stable)."""
    if psi is None or not math.isfinite(psi) or psi < PSI_WATCH:
        return "stable"
    return "watch" if psi < PSI_ALERT else "alert"


def worst_input(input_psi: dict[str, Any] | None) -> tuple[str | None, float | None]:
    """The feature whose distribution moved most, and its PSI."""
    finite = {
        k: float(v)
        for k, v in (input_psi or {}).items()
        if isinstance(v, int | float) and math.isfinite(v)
    }
    if not finite:
        return None, None
    name = max(finite, key=lambda k: finite[k])
    return name, finite[name]


def check_body(check: dict[str, Any]) -> dict[str, Any]:
    """A model check with its worst input and its drift level (the worse of scores and
    inputs)."""
    name, value = worst_input(check.get("input_psi"))
    levels = [drift_level(check.get("score_psi")), drift_level(value)]
    order = ("stable", "watch", "alert")
    return check | {
        "worst_input": name,
        "worst_input_psi": value,
        "level": max(levels, key=order.index),
    }


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None (JSON has no such numbers)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def mask_name(name: str | None) -> str | None:
    """A name for lists shown to roles without the personal-data right: the first character
    of each word (the surname of a Chinese name) and stars for the rest."""
    if not name:
        return name
    words = name.split()
    if len(words) == 1 and not name.isascii():
        return name[0] + "*" * max(1, len(name) - 1)
    return " ".join(w[0] + "*" * max(1, len(w) - 1) for w in words)
