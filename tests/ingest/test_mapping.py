from __future__ import annotations

import pytest

from patron.core import InputError
from patron.ingest.fields import fold_header
from patron.ingest.mapping import ColumnMapping, build_mapping


def test_chinese_headers_are_recognised() -> None:
    headers = [
        "会员编号",
        "姓名",
        "性别",
        "手机",
        "电话",
        "邮箱",
        "地址",
        "生日",
        "会员等级",
        "接受短信",
        "备注",
    ]
    m = build_mapping("customers", headers)
    assert m.fields["source_key"] == [0]
    assert m.fields["full_name"] == [1]
    assert m.fields["gender"] == [2]
    assert m.fields["phone"] == [3, 4]  # several phone columns all become contact points
    assert m.fields["email"] == [5]
    assert m.fields["address"] == [6]
    assert m.fields["birth_date"] == [7]
    assert m.fields["member_tier"] == [8]
    assert m.consent == {9: ("sms", "marketing")}
    assert m.extra == [10]


def test_english_headers_fold_case_space_and_width() -> None:
    m = build_mapping(
        "customers",
        ["Record ID", "First Name", "LAST_NAME", "E-Mail", "ＭＯＢＩＬＥ", "Accepts Email"],
    )
    assert m.fields == {
        "source_key": [0],
        "given_name": [1],
        "family_name": [2],
        "email": [3],
        "phone": [4],
    }
    assert m.consent == {5: ("email", "marketing")}
    assert fold_header(" E-Mail ") == fold_header("e_mail")


def test_same_header_means_different_fields_per_kind() -> None:
    assert build_mapping("orders", ["order_id", "customer_id", "amount", "date"]).fields == {
        "order_key": [0],
        "customer_key": [1],
        "amount": [2],
        "ordered_at": [3],
    }
    assert build_mapping("customers", ["customer_id"]).fields == {"source_key": [0]}


@pytest.mark.parametrize("headers", [["email", "name", "email"], ["Email", "email ", "ＥＭＡＩＬ"]])
def test_confusable_headers_are_refused_until_mapped(headers: list[str]) -> None:
    groups = [[i for i, h in enumerate(headers) if fold_header(h) == "email"]]
    with pytest.raises(InputError, match="same or confusable headers") as err:
        build_mapping("customers", headers, groups)
    assert "#1" in str(err.value) and "mapping file" in str(err.value)
    spec = {"columns": {f"#{c + 1}": ("email" if c == groups[0][0] else None) for c in groups[0]}}
    m = build_mapping("customers", headers, groups, spec)
    assert m.fields["email"] == [groups[0][0]]


def test_two_columns_for_one_single_valued_field_are_refused() -> None:
    with pytest.raises(InputError, match="all map to 'full_name'"):
        build_mapping("customers", ["name", "姓名"])


def test_mapping_file_overrides_and_validates() -> None:
    spec = {
        "key": "卡号",
        "columns": {"客户": "full_name", "备注": None},
        "consent": {"营销": "sms/promotions"},
        "codes": {"gender": {"1": "M", "2": "F"}},
        "day_first": True,
    }
    m = build_mapping("customers", ["卡号", "客户", "备注", "营销", "性别"], spec=spec)
    assert m.fields["source_key"] == [0] and m.fields["full_name"] == [1]
    assert 2 not in m.extra and m.consent == {3: ("sms", "promotions")}
    assert m.codes == {"gender": {"1": "M", "2": "F"}} and m.day_first
    assert ColumnMapping.from_dict(m.as_dict()) == m
    with pytest.raises(InputError, match="unknown field 'nmae'"):
        build_mapping("customers", ["a"], spec={"columns": {"a": "nmae"}})
    with pytest.raises(InputError, match="does not have"):
        build_mapping("customers", ["a"], spec={"columns": {"b": "full_name"}})
    with pytest.raises(InputError, match="unknown consent channel"):
        build_mapping("customers", ["a"], spec={"consent": {"a": "pigeon"}})
    with pytest.raises(InputError, match="kind 'orders'"):
        build_mapping("customers", ["a"], spec={"kind": "orders"})
