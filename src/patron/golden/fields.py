"""The golden record's fields and the values one parsed source record gives them."""

from __future__ import annotations

from datetime import date
from typing import Any

# Columns of customers that come from the record, in the order prepared rows carry them.
GOLDEN_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "name_key",
    "gender",
    "birth_date",
    "company",
    "member_tier",
    "province",
    "city",
    "district",
    "postcode",
)
# Every customer column survivorship sets (lineage names the record each came from).
GOLDEN_COLUMNS = (*GOLDEN_FIELDS, "primary_email", "primary_phone", "attributes")


def primary(points: list[dict[str, Any]], prefer_kind: str | None = None) -> str | None:
    """The first valid value, preferring a kind (mobile phones over landlines)."""
    valid = [p for p in points if p.get("valid")]
    if prefer_kind:
        preferred = [p for p in valid if p.get("kind") == prefer_kind]
        valid = preferred or valid
    return valid[0]["value"] if valid else None


def golden_values(parsed: dict[str, Any], source_record_id: int | None) -> dict[str, Any]:
    """The customer columns a parsed record gives (Python values), with its lineage."""
    values: dict[str, Any] = {name: parsed.get(name) for name in GOLDEN_FIELDS}
    if values["birth_date"]:
        values["birth_date"] = date.fromisoformat(values["birth_date"])
    values["primary_email"] = primary(parsed.get("emails") or [])
    values["primary_phone"] = primary(parsed.get("phones") or [], prefer_kind="mobile")
    values["attributes"] = parsed.get("attributes") or None
    # Every field of a single-record customer comes from that record: "*" says so in a few
    # bytes. Field-by-field entries ({"full_name": 12, ...}) appear once records are merged.
    values["lineage"] = {"*": source_record_id} if source_record_id is not None else None
    return values
