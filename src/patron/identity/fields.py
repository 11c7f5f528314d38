"""What each matching field is, and the Splink comparison that suits it.

A matching run describes its columns by kind rather than by comparison: the same kinds serve the
FEBRL benchmarks and patron's own customer records, and the comparisons (and their parameters)
live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression
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
    LOCATION = "location"  # address text, with postcode and city as ``parts``: one comparison
    PERSON_NAME = "person_name"  # sorted name keys, with the list of parts as ``parts``


@dataclass(frozen=True)
class LinkageField:
    """One input column and its kind. ``frequency_adjusted``: common values (王伟, Smith, a
    family mailbox) count for less than rare ones."""

    column: str
    kind: FieldKind
    frequency_adjusted: bool = False
    date_format: str = "%Y%m%d"
    # LOCATION: the postcode and city columns; PERSON_NAME: the list of name parts;
    # PHONE: the phone's kind (mobile, landline), when known.
    parts: tuple[str, ...] = ()


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
        made = _email(c)
    elif kind is FieldKind.PERSON_NAME:
        made = _person_name(c, *field.parts)
    elif kind is FieldKind.LOCATION:
        made = _location(c, *field.parts)
    elif kind is FieldKind.PHONE and field.parts:
        made = _phone(c, *field.parts)
    elif kind in _EXACT:
        made = cl.ExactMatch(c)
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(f"no comparison for {kind}")
    if field.frequency_adjusted:
        made = made.configure(term_frequency_adjustments=True)
    return made


def _location(address: str, postcode: str, city: str) -> ComparisonCreator:
    """Address, postcode and city as one piece of evidence. Compared separately they count
    the same fact (living there) three times, and household members then look like one
    person."""
    return cl.CustomComparison(
        [
            cll.And(cll.NullLevel(address), cll.NullLevel(city)),
            cll.ExactMatchLevel(address),
            cll.JaroWinklerLevel(address, 0.9),
            cll.And(cll.ExactMatchLevel(postcode), cll.ExactMatchLevel(city)),
            cll.ExactMatchLevel(city),
            cll.ElseLevel(),
        ],
        output_column_name=address,
        comparison_description="address, then postcode and city, then city",
    )


def _person_name(key: str, parts: str) -> ComparisonCreator:
    """A whole name: the same, nearly the same (typos), one written with only some of the
    other's parts (a surname-only record: 王 and 王慧雨), sharing a part but differing in
    another (王慧雨 and 王慧芳: twins and household members look like this), similar,
    different. Telling "partly written" from "partly different" keeps household members
    apart without losing surname-only records."""
    return cl.CustomComparison(
        [
            cll.NullLevel(key),
            cll.ExactMatchLevel(key).configure(tf_adjustment_column=key),
            cll.JaroWinklerLevel(key, 0.92),
            cll.ArraySubsetLevel(parts),
            cll.ArrayIntersectLevel(parts, 1),
            cll.JaroWinklerLevel(key, 0.8),
            cll.ElseLevel(),
        ],
        output_column_name=key,
        comparison_description="name: exact, typo, partly written, a part differs, similar",
    )


def _phone(phone: str, phone_kind: str) -> ComparisonCreator:
    """A shared mobile number is a person's; a shared landline is often a household's or an
    office's, so the two kinds of agreement are weighed apart (landlines also by how many
    records share the number)."""
    return cl.CustomComparison(
        [
            cll.NullLevel(phone),
            # No frequency adjustment here: Splink scales it by the plain exact level's u
            # (the landline level below, which is tiny), which sank sure mobile matches.
            cll.And(
                cll.ExactMatchLevel(phone), cll.LiteralMatchLevel(phone_kind, "mobile", "string")
            ).configure(label_for_charts="Same mobile number"),
            cll.ExactMatchLevel(phone).configure(
                tf_adjustment_column=phone, label_for_charts="Same landline or other number"
            ),
            cll.ElseLevel(),
        ],
        output_column_name=phone,
        comparison_description="phone: same mobile, same other number, different",
    )


def _email(email: str) -> ComparisonCreator:
    """The same address, or the same user name at another provider (zhangwei1985@qq.com and
    zhangwei1985@163.com). No similar-spelling levels: namesakes' look-alike addresses
    (li_li75@126.com, li_li57@163.com) are common and would count as agreement."""
    column = ColumnExpression(email)
    username = column.regex_extract("^[^@]+")
    return cl.CustomComparison(
        [
            cll.NullLevel(column, valid_string_pattern=None),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=email),
            cll.ExactMatchLevel(username).configure(label_for_charts="Same user name"),
            cll.ElseLevel(),
        ],
        output_column_name=email,
        comparison_description="e-mail: same address, same user name, different",
    )
