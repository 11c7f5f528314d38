"""The golden record: one value per field from a customer's source records, and its lineage.

Facade::

    from patron.golden import golden_values, recompute_golden
    values = golden_values(parsed, record_id)      # what one record gives a customer
    recompute_golden(conn, [customer_id])          # survivorship over all its current records

Used by ``ingest`` (a changed record of a customer with several records) and ``identity``
(merges and unmerges); it sits between those and the store so both can share it.
"""

from patron.golden.consent import Consents, latest_consents
from patron.golden.fields import GOLDEN_COLUMNS, GOLDEN_FIELDS, golden_values, primary
from patron.golden.redirect import resolve_customer
from patron.golden.survivorship import (
    DEFAULT_RULES,
    FIELD_GROUPS,
    MANUAL_SOURCE,
    RULES,
    Candidate,
    golden_snapshot,
    load_candidates,
    recompute_golden,
    restore_snapshot,
    survive,
    write_golden,
)

__all__ = [
    "DEFAULT_RULES",
    "FIELD_GROUPS",
    "GOLDEN_COLUMNS",
    "GOLDEN_FIELDS",
    "MANUAL_SOURCE",
    "RULES",
    "Candidate",
    "Consents",
    "golden_snapshot",
    "golden_values",
    "latest_consents",
    "load_candidates",
    "primary",
    "recompute_golden",
    "resolve_customer",
    "restore_snapshot",
    "survive",
    "write_golden",
]
