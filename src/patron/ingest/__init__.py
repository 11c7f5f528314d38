"""Ingest: read files in any common format and encoding, map and validate their columns,
normalise values, and write them to the store in resumable, idempotent batches.

Facade (everything other packages may use)::

    from patron.ingest import ImportOptions, run_import
    report = run_import(ImportOptions(path=Path("members.csv"), source="pos", kind="customers"))
    report.inserted, report.rejected
"""

from patron.ingest.batches import (
    count_rejects,
    get_batch,
    list_batches,
    list_rejects,
    list_sources,
    set_source,
)
from patron.ingest.export import escape_formula, write_table
from patron.ingest.facade import (
    Preview,
    edit_customer,
    enter_customer,
    export_rejects,
    preview_file,
    record_consent,
)
from patron.ingest.fields import CONSENT_CHANNELS, KINDS
from patron.ingest.pipeline import (
    ImportOptions,
    ImportProgress,
    ImportReport,
    resume_import,
    run_import,
)
from patron.ingest.rollback import rollback_batch

__all__ = [
    "CONSENT_CHANNELS",
    "KINDS",
    "ImportOptions",
    "ImportProgress",
    "ImportReport",
    "Preview",
    "count_rejects",
    "edit_customer",
    "enter_customer",
    "escape_formula",
    "export_rejects",
    "get_batch",
    "list_batches",
    "list_rejects",
    "list_sources",
    "preview_file",
    "record_consent",
    "resume_import",
    "rollback_batch",
    "run_import",
    "set_source",
    "write_table",
]
