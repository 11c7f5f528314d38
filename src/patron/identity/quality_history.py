"""Data quality over time: a saved report is one row per source and one for the whole store
(source NULL) in ``quality_snapshots``, with the details that make the score."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from patron.identity.quality import QualityReport, SourceQuality, quality_report
from patron.store import Store, record_audit
from patron.store.schema import quality_snapshots


@dataclass(frozen=True)
class QualitySnapshot:
    taken_at: datetime
    source: str | None  # None: the whole store
    records: int
    score: float
    details: dict[str, Any]


def save_quality_snapshot(
    store: Store, *, actor: str, report: QualityReport | None = None
) -> list[QualitySnapshot]:
    """Store ``report`` (a new one when None) as snapshots, audited, in one transaction;
    returns the rows written, the whole store's last.

    >>> rows = save_quality_snapshot(store, actor="admin")  # doctest: +SKIP
    >>> rows[-1].source is None
    True
    """
    report = report or quality_report(store)
    rows = [_source_snapshot(s, report) for s in report.sources]
    overall = report.overall
    rows.append(
        QualitySnapshot(
            report.taken_at,
            None,
            overall.records,
            overall.score,
            {
                "customers": overall.customers,
                "duplicate_share": overall.duplicate_share,
                "flags": dataclasses.asdict(overall.flags),
            },
        )
    )
    with store.begin() as conn:
        conn.execute(insert(quality_snapshots), [dataclasses.asdict(r) for r in rows])
        record_audit(
            conn,
            actor=actor,
            action="quality.snapshot_saved",
            target_type="quality",
            details={"taken_at": report.taken_at.isoformat(), "score": overall.score},
        )
    return rows


def _source_snapshot(s: SourceQuality, report: QualityReport) -> QualitySnapshot:
    fields = {
        f.field: {"filled": f.filled, "valid": f.valid}
        for f in report.fields
        if f.source == s.source
    }
    details = {
        "fields": fields,
        "newest_data": s.newest_data.isoformat() if s.newest_data else None,
        "median_data": s.median_data.isoformat() if s.median_data else None,
        "reliability_now": s.reliability_now,
        "records_reliability": s.records_reliability,
        "duplicate_share": s.duplicate_share,
        "flags": dataclasses.asdict(s.flags),
    }
    return QualitySnapshot(report.taken_at, s.source, s.records, s.score, details)


def quality_history(
    store: Store, *, source: str | None = None, whole_store: bool = False, limit: int = 1000
) -> list[QualitySnapshot]:
    """Saved snapshots, oldest first: the newest ``limit`` rows, of one source, of the whole
    store only, or of everything (the default)."""
    q = quality_snapshots.c
    query = select(q.taken_at, q.source, q.records, q.score, q.details)
    if whole_store:
        query = query.where(q.source.is_(None))
    elif source is not None:
        query = query.where(q.source == source)
    with store.connect() as conn:
        rows = conn.execute(query.order_by(q.taken_at.desc(), q.id.desc()).limit(limit)).all()
    return [QualitySnapshot(*row) for row in reversed(rows)]
