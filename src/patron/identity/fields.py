"""What each matching field is, and the Splink comparison that suits it.

A matching run describes its columns by kind rather than by comparison: the same kinds serve the
FEBRL benchmarks and patron's own customer records, and the comparisons (and their parameters)
live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator


class FieldKind(StrEnum):
    GIVEN_NAME = "given_name"
    FAMILY_NAME = "family_name"
    BIRTH_DATE = "birth_date"  # text, YYYYMMDD or YYYY-MM-DD (see LinkageField.date_format)
    IDENTIFIER = "identifier"  # an id typed by people (social security, member number): typos
    STREET_NUMBER = "street_number"
    ADDRESS = "address"  # free address text
    CITY = "city"  # suburb, town or city
    POSTCODE = "postcode"
    REGION = "region"  # state or province
    PHONE = "phone"  # E.164
    EMAIL = "email"


@dataclass(frozen=True)
class LinkageField:
    """One input column and its kind. ``frequency_adjusted``: common values (王伟, Smith, a
    family mailbox) count for less than rare ones."""

    column: str
    kind: FieldKind
    frequency_adjusted: bool = False
    date_format: str = "%Y%m%d"


# Compared for equality only: codes, and phones already normalised to E.164.
_EXACT = frozenset(
    {FieldKind.CITY, FieldKind.STREET_NUMBER, FieldKind.POSTCODE, FieldKind.REGION, FieldKind.PHONE}
)


def comparison(field: LinkageField) -> ComparisonCreator:
    """The Splink comparison for a field of this kind."""
    c, kind = field.column, field.kind
    made: ComparisonCreator
    if kind in (FieldKind.GIVEN_NAME, FieldKind.FAMILY_NAME):
        made = cl.NameComparison(c)
    elif kind is FieldKind.BIRTH_DATE:
        # Levels for exact, one character off (typos and transposed digits), then by distance.
        made = cl.DateOfBirthComparison(c, input_is_string=True, datetime_format=field.date_format)
    elif kind is FieldKind.IDENTIFIER:
        made = cl.DamerauLevenshteinAtThresholds(c, [1, 2])
    elif kind is FieldKind.ADDRESS:
        made = cl.JaroWinklerAtThresholds(c, [0.9, 0.7])
    elif kind is FieldKind.EMAIL:
        made = cl.EmailComparison(c)
    elif kind in _EXACT:
        made = cl.ExactMatch(c)
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(f"no comparison for {kind}")
    if field.frequency_adjusted:
        made = made.configure(term_frequency_adjustments=True)
    return made
