"""normalise_gender, map_code, parse_bool, parse_decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from patron.core.errors import InputError
from patron.normalise import (
    NormaliseError,
    map_code,
    normalise_gender,
    parse_bool,
    parse_decimal,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("男", "M"),
        ("女", "F"),
        ("男性", "M"),
        ("女性", "F"),
        ("先生", "M"),
        ("女士", "F"),
        ("M", "M"),
        (" f ", "F"),
        ("Male", "M"),
        ("FEMALE", "F"),
        ("Mr", "M"),
        ("Mrs.", "F"),
        ("Ms", "F"),
        ("其他", "X"),
        ("other", "X"),
        ("", None),
        ("   ", None),
        ("未知", None),
        ("保密", None),
        ("N/A", None),
    ],
)
def test_gender_builtin(raw: str, expected: str | None) -> None:
    assert normalise_gender(raw) == expected


def test_numeric_gender_codes_need_a_mapping() -> None:
    with pytest.raises(ValueError, match=r"unknown gender code '1'.*codes\.gender"):
        normalise_gender("1")
    mapping = {"1": "男", "2": "F", "0": "unknown", "Ｆ": "M"}
    assert normalise_gender("1", mapping) == "M"
    assert normalise_gender("２", mapping) == "F"  # keys compared after normalise_text
    assert normalise_gender("0", mapping) is None
    assert normalise_gender("f", mapping) == "M"  # the mapping is checked first
    assert normalise_gender("女", mapping) == "F"  # built-ins still apply


def test_gender_mapping_to_nonsense() -> None:
    with pytest.raises(ValueError, match="not a gender"):
        normalise_gender("9", {"9": "robot"})


def test_errors_are_input_errors() -> None:
    with pytest.raises(NormaliseError) as info:
        normalise_gender("xx")
    assert isinstance(info.value, InputError)
    assert info.value.hint == "map it in the source's mapping file under codes.gender"
    assert str(info.value) == (
        "unknown gender code 'xx'; map it in the source's mapping file under codes.gender"
    )


def test_map_code() -> None:
    tiers = {"金卡": "gold", "银卡": "silver", "VIP": "vip"}
    assert map_code(" 金卡 ", tiers, field="tier") == "gold"
    assert map_code("vip", tiers, field="tier") == "vip"
    assert map_code("", tiers, field="tier") is None
    with pytest.raises(ValueError, match=r"unknown tier code '铜卡'.*codes\.tier"):
        map_code("铜卡", tiers, field="tier")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True), ("否", False), ("Y", True), ("n", False), ("Yes", True), ("NO", False),
        ("true", True), ("False", False), ("1", True), ("0", False), ("同意", True),
        ("不同意", False), ("接受", True), ("拒绝", False), ("√", True), ("×", False),
        ("", None), (" ", None),
    ],
)  # fmt: skip
def test_parse_bool(raw: str, expected: bool | None) -> None:
    assert parse_bool(raw) is expected


def test_parse_bool_unknown() -> None:
    with pytest.raises(ValueError, match="not a yes/no value"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥1234", "1234"),
        ("RMB 1,000", "1000"),
        ("100元", "100"),
        ("$12", "12"),
        ("(12.00)", "-12.00"),
        ("-12.5", "-12.5"),
        ("-¥12", "-12"),
        ("１２３．４", "123.4"),
        ("1 234 567.89", "1234567.89"),
        ("1,234,567", "1234567"),
        ("1.5万", "15000.0"),
        (".5", "0.5"),
    ],
)
def test_parse_decimal(raw: str, expected: str) -> None:
    assert parse_decimal(raw) == Decimal(expected)
    assert str(parse_decimal(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1 234,50", "decimal comma"),
        ("1.234,50", "decimal comma"),
        ("12,5", "decimal comma"),
        ("1,23,456", "not a number"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("1e5", "not a number"),
        ("", "blank"),
    ],
)
def test_parse_decimal_rejects(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_decimal(raw)


def test_mapping_keys_from_yaml_may_be_ints() -> None:
    mapping: dict = {1: "M", 2: "F"}
    assert normalise_gender("1", mapping) == "M"
    assert map_code("2", mapping, field="gender") == "F"
