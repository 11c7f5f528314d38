"""normalise_phone, including proof that the CN-mobile fast path agrees with phonenumbers."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patron.normalise import PhoneResult, normalise_phone
from patron.normalise import phone as phone_mod
from patron.normalise.text import normalise_text

MOBILE = PhoneResult("+8613800138000", True, "mobile", None, None)


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "１３８００１３８０００",
        "+86 138-0013-8000",
        "0086 13800138000",
        "86 13800138000",
        "+86 (138) 0013 8000",
        "138.0013.8000",
        " 138 0013 8000 ",
        "＋８６　１３８－００１３－８０００",
    ],
)
def test_cn_mobile_variants(raw: str) -> None:
    assert normalise_phone(raw) == MOBILE


@pytest.mark.parametrize(
    ("raw", "e164", "kind", "extension"),
    [
        ("(010) 6552 9988 转 123", "+861065529988", "fixed", "123"),
        ("010-65529988", "+861065529988", "fixed", None),
        ("021-12345678", "+862112345678", "fixed", None),
        ("(021)1234-5678", "+862112345678", "fixed", None),
        ("0755 8888 8888", "+8675588888888", "fixed", None),
        ("010-65529988-分机 12", "+861065529988", "fixed", "12"),
        ("010-65529988 ext. 12", "+861065529988", "fixed", "12"),
        ("010-65529988 x12", "+861065529988", "fixed", "12"),
        ("13800138000转8", "+8613800138000", "mobile", "8"),
        ("+44 20 7946 0958", "+442079460958", "fixed", None),
        ("+44 7911 123456", "+447911123456", "mobile", None),
        ("+1 650-253-0000", "+16502530000", "unknown", None),  # US: fixed or mobile
    ],
)
def test_valid_numbers(raw: str, e164: str, kind: str, extension: str | None) -> None:
    assert normalise_phone(raw) == PhoneResult(e164, True, kind, extension, None)


def test_other_default_region() -> None:
    assert normalise_phone("020 7946 0958", "GB").e164 == "+442079460958"
    assert normalise_phone("+86 13800138000", "GB") == MOBILE
    assert normalise_phone("13800138000", "gb").valid is False


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("1234", "too few digits"),
        ("1380013800012345678", "too many digits"),
        ("1380013800", "not a valid number for CN"),  # a digit short
        ("23800138000", "not a valid number for CN"),
        ("+86 12345678901", "not a valid number for CN"),  # 12x is not a mobile range
        ("abc", "not a phone number"),
        ("+999 1234567", "unknown country calling code"),
        ("13800138000 / 13900139000", "more than one number in the field"),
    ],
)
def test_invalid_numbers(raw: str, error: str) -> None:
    result = normalise_phone(raw)
    assert result.e164 is None
    assert result.valid is False
    assert result.error == error


def _reference(raw: str) -> PhoneResult:
    """The slow path alone: phonenumbers on the cleaned text."""
    return phone_mod._slow(normalise_text(raw), "CN", None)


_SEP = st.sampled_from(["", "", "", " ", "-", ".", "(", ")", " - ", "\u00a0"])
_PREFIX = st.sampled_from(["", "+86", "0086", "86", "+86 ", "0086-", "(+86)", "+ 86", "86-", "+8"])


@st.composite
def cn_mobile_like(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet="0123456789", min_size=9, max_size=12))
    second = draw(st.sampled_from("0123456789"))
    body = "1" + second + digits
    out = draw(_PREFIX)
    for ch in body:
        out += draw(_SEP) + ch
    if draw(st.booleans()):
        out = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in out)
    return out


@given(cn_mobile_like())
@example("+8613800138000")
@example("86 13800138000")
@example("8613800138000")
@example("(+86)13800138000")
@example("0086 1740 0000000")
@example("14012345678")
def test_fast_path_equals_phonenumbers(raw: str) -> None:
    fast = phone_mod._fast_cn_mobile(normalise_text(raw), "CN")
    if fast is not None:
        assert fast == _reference(raw)
    assert normalise_phone(raw) == _reference(raw)


@given(st.integers(min_value=3, max_value=9), st.integers(min_value=0, max_value=999_999_999))
def test_fast_path_taken_for_every_valid_cn_mobile(second: int, rest: int) -> None:
    national = f"1{second}{rest:09d}"
    reference = _reference(national)
    fast = phone_mod._fast_cn_mobile(national, "CN")
    if reference.valid and reference.kind == "mobile":
        assert fast == reference
    else:
        assert fast is None


@given(st.text(alphabet="0123456789+-() 转x分机ext.", max_size=24))
def test_never_raises_and_e164_round_trips(raw: str) -> None:
    result = normalise_phone(raw)
    if result.valid:
        assert result.e164 is not None
        again = normalise_phone(result.e164)
        assert again == dataclasses.replace(result, extension=None)
    else:
        assert result.e164 is None
        assert result.error
