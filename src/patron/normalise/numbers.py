"""Money and quantities as exact Decimals."""

from __future__ import annotations

import re
from decimal import Decimal

from patron.normalise._errors import NormaliseError
from patron.normalise.text import normalise_text

_CURRENCY = re.compile(
    r"^(?:[¥$€£]|rmb|cny|usd|eur|gbp|hkd|us\$|hk\$)\s*|\s*(?:元|rmb|cny|usd|eur|gbp|hkd)$",
    re.IGNORECASE,
)
# A plain number, or one with thousands separators in groups of exactly three digits
# (1,234,567.50 or 1 234 567.50). "1,5" or "1.234,50" are refused: the decimal mark would
# be a guess.
_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+)?(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(?:[. ]\d{3})+,\d+|[+-]?\d+,\d{1,2}")
_MULTIPLIER = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2009": " ", "\u202f": " "})


def parse_decimal(raw: str) -> Decimal:
    """Parse an amount or quantity exactly.

    Accepts currency marks (¥, ￥, $, RMB, 元), thousands commas in groups of three,
    accounting negatives "(12.00)", full-width digits and the Chinese multipliers 万/亿.

    >>> parse_decimal("￥1,234.50"), parse_decimal("(12.00)"), parse_decimal("1.5万")
    (Decimal('1234.50'), Decimal('-12.00'), Decimal('15000.0'))
    """
    text = normalise_text(raw).translate(_MINUS).replace("'", " ")
    if not text:
        raise NormaliseError("blank number", hint="leave the cell empty or write a number")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith("-") and not text[1:2].isdigit():  # "-¥12" as well as "¥-12"
        negative, text = not negative, text[1:].strip()
    text = _CURRENCY.sub("", text, count=2).strip()
    multiplier = _MULTIPLIER.get(text[-1:]) if text else None
    if multiplier is not None:
        text = text[:-1].strip()
    if not text or not any(c.isdigit() for c in text) or not _NUMBER.fullmatch(text):
        hint = "write a plain number such as 1234.50"
        if _DECIMAL_COMMA.fullmatch(text):
            hint = "this looks like a decimal comma; write the number with a decimal point"
        raise NormaliseError(f"not a number: {raw!r}", hint=hint)
    value = Decimal(text.replace(",", "").replace(" ", ""))
    if multiplier is not None:
        value *= multiplier
    return -value if negative else value
