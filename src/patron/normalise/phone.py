"""Phone numbers to E.164, with a fast path for Chinese mobiles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from patron.normalise.text import normalise_text


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A normalised phone number; ``e164`` is None when the number is not valid."""

    e164: str | None
    valid: bool
    kind: str  # "mobile" | "fixed" | "unknown"
    extension: str | None
    error: str | None


# Extension markers seen in Chinese and English data: 转123, 轉123, 分机12, -分机 12, ext. 12,
# x12, #12. They are cut off first so phonenumbers only sees the main number.
_EXTENSION = re.compile(
    r"\s*[-,;]?\s*(?:转|轉|分机号?|分機號?|ext\.?|extn\.?|extension|x|#)\s*[:：.]?\s*(\d{1,7})\s*$",
    re.IGNORECASE,
)
# Two numbers in one field ("138... / 139..."): phonenumbers would glue them together.
_SEVERAL = re.compile(r"\d[\d\s\-.()]{5,}\d\s*(?:[/,;、，；]|\bor\b|或)\s*\+?\d[\d\s\-.()]{5,}\d")

# The fast path: a Chinese mobile (11 digits, 1[3-9]...) with an optional +86 / 0086 / 86
# prefix and the usual separators. Validity comes from phonenumbers' own metadata pattern so
# the fast path can only agree with the slow one (tests/normalise check this).
_SEPARATORS = str.maketrans("", "", " -.()\u00a0")
_CN_MOBILE_SHAPE = re.compile(r"(?:\+86|0086|86)?(1[3-9]\d{9})")
_CN_INTL_MOBILE_SHAPE = re.compile(r"\+86(1[3-9]\d{9})")
_CN_MOBILE_VALID = re.compile(
    str(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)  # type: ignore[union-attr]
)
_FAST_SHAPE = re.compile(r"[+(]?[\d() .\-\u00a0+]{11,24}")

_KIND = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
}
_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country calling code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too few digits after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too few digits",
    NumberParseException.TOO_LONG: "too many digits",
}
_POSSIBLE_ERRORS = {
    ValidationResult.TOO_SHORT: "too few digits",
    ValidationResult.TOO_LONG: "too many digits",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
}


def _fast_cn_mobile(raw: str, default_region: str) -> PhoneResult | None:
    if not _FAST_SHAPE.fullmatch(raw):
        return None
    compact = raw.translate(_SEPARATORS)
    shape = _CN_MOBILE_SHAPE if default_region == "CN" else _CN_INTL_MOBILE_SHAPE
    m = shape.fullmatch(compact)
    if m is None or not _CN_MOBILE_VALID.fullmatch(m.group(1)):
        return None
    return PhoneResult("+86" + m.group(1), True, "mobile", None, None)


def _length_error(number: phonenumbers.PhoneNumber, reason: int, region: str) -> str:
    if reason != ValidationResult.INVALID_LENGTH:
        return _POSSIBLE_ERRORS.get(reason, f"invalid length for {region}")
    # INVALID_LENGTH also covers "shorter than any number there": say which way it is off.
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    lengths = meta.general_desc.possible_length if meta and meta.general_desc else ()
    digits = len(phonenumbers.national_significant_number(number))
    if lengths and digits < min(lengths):
        return "too few digits"
    if lengths and digits > max(lengths):
        return "too many digits"
    return f"invalid length for {region}"


def _invalid(error: str, extension: str | None = None) -> PhoneResult:
    return PhoneResult(None, False, "unknown", extension, error)


@lru_cache(maxsize=4096)
def _slow(main: str, default_region: str, extension: str | None) -> PhoneResult:
    try:
        number = phonenumbers.parse(main, default_region)
    except NumberParseException as exc:
        return _invalid(_PARSE_ERRORS.get(exc.error_type, "not a phone number"), extension)
    if number.extension:
        extension = extension or number.extension
    reason = phonenumbers.is_possible_number_with_reason(number)
    region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    if reason != ValidationResult.IS_POSSIBLE:
        return _invalid(_length_error(number, reason, region), extension)
    if not phonenumbers.is_valid_number(number):
        return _invalid(f"not a valid number for {region}", extension)
    number.extension = None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    kind = _KIND.get(phonenumbers.number_type(number), "unknown")
    return PhoneResult(e164, True, kind, extension, None)


def normalise_phone(raw: str, default_region: str = "CN") -> PhoneResult:
    """Normalise a phone number to E.164; numbers without ``+`` are read in ``default_region``.

    Handles +86/0086/86 prefixes, separators, full-width digits, Chinese area codes and
    extensions (转123, 分机 12, ext. 12, x12). Invalid input never raises: it gives
    ``e164=None, valid=False`` and a short reason in ``error``.

    >>> normalise_phone("+86 138-0013-8000").e164
    '+8613800138000'
    >>> normalise_phone("(010) 6552 9988 转 123")
    PhoneResult(e164='+861065529988', valid=True, kind='fixed', extension='123', error=None)
    """
    default_region = default_region.upper()
    if raw.isascii():
        fast = _fast_cn_mobile(raw.strip(), default_region)
        if fast is not None:
            return fast
    text = normalise_text(raw)
    if not text:
        return _invalid("blank")
    fast = _fast_cn_mobile(text, default_region)
    if fast is not None:
        return fast
    if _SEVERAL.search(text):
        return _invalid("more than one number in the field")
    extension = None
    m = _EXTENSION.search(text)
    if m is not None and m.start() > 0:
        extension = m.group(1)
        text = text[: m.start()]
    return _slow(text, default_region, extension)
