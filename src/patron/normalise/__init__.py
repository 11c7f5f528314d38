"""Normalisation of messy customer data: text, phones, e-mails, names, addresses, dates, codes.

Every function is pure and cheap enough to call per field per row (see
``bench/normalise_micro.py``). Functions that return a result object never raise for bad
input (the object says why it is invalid); parsers raise :class:`NormaliseError`, which is
both a ``ValueError`` and a :class:`patron.core.errors.InputError`.
"""

from __future__ import annotations

from patron.normalise._errors import NormaliseError
from patron.normalise._nicknames import FULL_NAME_OF
from patron.normalise.address import AddressResult, address_key, normalise_address
from patron.normalise.codes import map_code, normalise_gender, parse_bool
from patron.normalise.dates import parse_date, parse_datetime
from patron.normalise.emails import EmailResult, email_match_key, normalise_email
from patron.normalise.names import NameResult, normalise_name
from patron.normalise.numbers import parse_decimal
from patron.normalise.phone import PhoneResult, normalise_phone
from patron.normalise.text import normalise_text, search_key

__all__ = [
    "FULL_NAME_OF",
    "AddressResult",
    "EmailResult",
    "NameResult",
    "NormaliseError",
    "PhoneResult",
    "address_key",
    "email_match_key",
    "map_code",
    "normalise_address",
    "normalise_email",
    "normalise_gender",
    "normalise_name",
    "normalise_phone",
    "normalise_text",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "search_key",
]
