"""How much a batch of data is still worth trusting, given its age.

Data accuracy decays (people move, change phones). Each batch records the reliability it had
when the data was current (``data_as_of``) and a half-life; later merges prefer the record whose
decayed reliability is highest.
"""

from __future__ import annotations

from datetime import datetime


def decayed_reliability(
    reliability: float, half_life_days: float, data_as_of: datetime, at: datetime
) -> float:
    """Reliability of data captured at ``data_as_of``, seen at ``at``.

    >>> from datetime import datetime, UTC
    >>> t0 = datetime(2024, 1, 1, tzinfo=UTC)
    >>> round(decayed_reliability(0.8, 365, t0, datetime(2025, 1, 1, tzinfo=UTC)), 3)
    0.4
    """
    age_days = max((at - data_as_of).total_seconds() / 86400.0, 0.0)
    return reliability * 0.5 ** (age_days / half_life_days)
