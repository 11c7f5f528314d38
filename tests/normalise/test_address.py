"""normalise_address and the division table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.normalise import AddressResult, address_key, normalise_address
from patron.normalise._divisions import CITIES_BY_PROVINCE, PROVINCES


@pytest.mark.parametrize(
    ("raw", "country", "province", "city", "district", "postcode"),
    [
        ("广东省广州市天河区体育西路103号", "CN", "广东省", "广州市", "天河区", None),
        ("广州天河区体育西路103号", "CN", "广东省", "广州市", "天河区", None),
        ("北京市朝阳区建国路88号", "CN", "北京市", "北京市", "朝阳区", None),
        ("上海浦东新区世纪大道100号", "CN", "上海市", "上海市", "浦东新区", None),
        ("重庆渝中区解放碑", "CN", "重庆市", "重庆市", "渝中区", None),
        ("天津市河北区", "CN", "天津市", "天津市", "河北区", None),
        ("内蒙古呼和浩特市新城区", "CN", "内蒙古自治区", "呼和浩特市", "新城区", None),
        ("新疆乌鲁木齐市天山区解放北路", "CN", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", None),
        ("广西南宁市青秀区", "CN", "广西壮族自治区", "南宁市", "青秀区", None),
        ("吉林市船营区", "CN", "吉林省", "吉林市", "船营区", None),
        ("吉林省长春市朝阳区", "CN", "吉林省", "长春市", "朝阳区", None),
        ("海南藏族自治州共和县", "CN", "青海省", "海南藏族自治州", "共和县", None),
        ("海南省海口市美兰区", "CN", "海南省", "海口市", "美兰区", None),
        ("山东济南市中区", "CN", "山东省", "济南市", "市中区", None),
        ("湖北省仙桃市", "CN", "湖北省", "仙桃市", None, None),
        ("江苏省昆山市玉山镇", "CN", "江苏省", None, "昆山市", None),
        ("中国广东省深圳市南山区科技园 邮编：518057", "CN", "广东省", "深圳市", "南山区", "518057"),
        ("广州市越秀区北京路 510030", "CN", "广东省", "广州市", "越秀区", "510030"),
        ("广州", "CN", "广东省", "广州市", None, None),
        ("香港九龙尖沙咀", "HK", "香港特别行政区", None, None, None),
        ("延边州延吉市", "CN", "吉林省", "延边朝鲜族自治州", "延吉市", None),
        ("广东 广州 天河区", "CN", "广东省", "广州市", "天河区", None),
    ],
)
def test_chinese(
    raw: str,
    country: str | None,
    province: str | None,
    city: str | None,
    district: str | None,
    postcode: str | None,
) -> None:
    result = normalise_address(raw)
    assert (result.country, result.province, result.city, result.district, result.postcode) == (
        country,
        province,
        city,
        district,
        postcode,
    )


@pytest.mark.parametrize(
    "raw",
    [
        "朝阳区建国路88号",  # 朝阳 is a district in Beijing and a city in Liaoning
        "北京路123号",  # a street in Guangzhou
        "四川北路1号",  # a street in Shanghai
        "中山大学",  # in Guangzhou, not 中山市
        "阿里巴巴西溪园区",  # not 阿里地区
    ],
)
def test_no_wrong_province(raw: str) -> None:
    result = normalise_address(raw)
    assert result.province is None
    assert result.city is None


def test_line_is_normalised_text() -> None:
    assert normalise_address("  广州市　天河区  ").line == "广州市 天河区"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "10 Downing St, London SW1A 2AA",
            AddressResult("10 Downing St, London SW1A 2AA", None, None, None, None, "SW1A 2AA"),
        ),
        (
            "1600 Pennsylvania Ave NW, Washington, DC 20500, USA",
            AddressResult(
                "1600 Pennsylvania Ave NW, Washington, DC 20500, USA",
                "US",
                None,
                None,
                None,
                "20500",
            ),
        ),
        (
            "Unter den Linden 77, 10117 Berlin, Germany",
            AddressResult(
                "Unter den Linden 77, 10117 Berlin, Germany", "DE", None, None, None, "10117"
            ),
        ),
        ("", AddressResult("", None, None, None, None, None)),
    ],
)
def test_foreign(raw: str, expected: AddressResult) -> None:
    assert normalise_address(raw) == expected


def test_division_table_shape() -> None:
    assert len(PROVINCES) == 34
    prefectures = [c for p, cs in CITIES_BY_PROVINCE.items() if p != "台湾省" for c in cs]
    assert len(prefectures) == len(set(prefectures))
    assert len(prefectures) >= 333  # 333 prefecture-level + directly administered counties
    assert set(CITIES_BY_PROVINCE) <= set(PROVINCES)


@pytest.mark.parametrize(
    ("province", "city"),
    [(p, c) for p, cs in CITIES_BY_PROVINCE.items() for c in cs],
)
def test_every_city_resolves_to_its_province(province: str, city: str) -> None:
    result = normalise_address(f"{city}某某路1号")
    assert (result.province, result.city) == (province, city)
    result = normalise_address(f"{province}{city}某某路1号")
    assert (result.province, result.city) == (province, city)


@given(st.text(max_size=30))
def test_never_raises(raw: str) -> None:
    normalise_address(raw)


@pytest.mark.parametrize(
    ("raw", "street"),
    [
        ("江苏省南京市秦淮区建康路10号碧桂园3栋2404室", "建康路10号碧桂园3栋2404室"),
        ("南京市秦淮区建康路10号碧桂园3栋2404室", "建康路10号碧桂园3栋2404室"),
        ("济南市中区经十路1号", "经十路1号"),
        ("广州天河区体育西路103号 510620", "体育西路103号"),
        ("广东省东莞市南城街道宏图路360号", "南城街道宏图路360号"),
        ("北京市朝阳区", None),  # nothing after the divisions
        ("中山大学新华学院", None),  # no division recognised: nothing is known to strip
    ],
)
def test_street_follows_the_divisions(raw: str, street: str | None) -> None:
    assert normalise_address(raw).street == street


def test_address_key_ignores_how_divisions_were_written() -> None:
    same = [
        "江苏省南京市秦淮区建康路10号碧桂园3栋2404室",
        "南京市秦淮区建康路10号碧桂园3栋2404室",
        "南京市 建康路10号 碧桂园3栋2404室",
    ]
    assert len({address_key(a) for a in same}) == 1
    assert address_key("南京市秦淮区建康路12号") != address_key("南京市秦淮区建康路10号")
    assert address_key("苏州市姑苏区建康路10号") != address_key("南京市秦淮区建康路10号")
    assert address_key("10 Downing St,  London") == "10 downing st, london"
    assert address_key("") is None
