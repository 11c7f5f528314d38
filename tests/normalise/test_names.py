"""normalise_name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.normalise import NameResult, normalise_name, search_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张伟", NameResult("张伟", "伟", "张", "zhangwei", "han")),
        (" 张　伟 ", NameResult("张伟", "伟", "张", "zhangwei", "han")),
        ("欧阳娜娜", NameResult("欧阳娜娜", "娜娜", "欧阳", "ouyangnana", "han")),
        ("司马光", NameResult("司马光", "光", "司马", "simaguang", "han")),
        ("单田芳", NameResult("单田芳", "田芳", "单", "shantianfang", "han")),
        ("曾志伟", NameResult("曾志伟", "志伟", "曾", "zengzhiwei", "han")),
        ("解缙", NameResult("解缙", "缙", "解", "xiejin", "han")),
        ("仇英", NameResult("仇英", "英", "仇", "qiuying", "han")),
        ("区家麟", NameResult("区家麟", "家麟", "区", "oujialin", "han")),
        ("朴树", NameResult("朴树", "树", "朴", "piaoshu", "han")),
        ("万俟卨", NameResult("万俟卨", "卨", "万俟", "moqixie", "han")),
        ("尉迟恭", NameResult("尉迟恭", "恭", "尉迟", "yuchigong", "han")),
        ("李小明先生", NameResult("李小明", "小明", "李", "lixiaoming", "han")),
        ("王女士", NameResult("王", None, "王", "wang", "han")),
        ("爱新觉罗·溥仪", NameResult("爱新觉罗·溥仪", None, None, "aixinjueluopuyi", "han")),
        ("John Smith", NameResult("John Smith", "John", "Smith", "johnsmith", "latin")),
        ("Smith, John", NameResult("John Smith", "John", "Smith", "johnsmith", "latin")),
        ("Mr. John SMITH", NameResult("John Smith", "John", "Smith", "johnsmith", "latin")),
        ("dr jane doe", NameResult("Jane Doe", "Jane", "Doe", "janedoe", "latin")),
        ("ZHANG Wei", NameResult("Zhang Wei", "Wei", "Zhang", "weizhang", "latin")),
        # Pinyin names in one case: family-first or given-first cannot be told.
        ("ZHANG WEI", NameResult("Zhang Wei", None, None, "zhangwei", "latin")),
        ("Wei Zhang", NameResult("Wei Zhang", None, None, "weizhang", "latin")),
        ("Xiaoming Zhang",
         NameResult("Xiaoming Zhang", "Xiaoming", "Zhang", "xiaomingzhang", "latin")),
        ("Ludwig van Beethoven",
         NameResult("Ludwig van Beethoven", "Ludwig", "van Beethoven", "ludwigvanbeethoven",
                    "latin")),
        ("McDonald, RONALD",
         NameResult("Ronald McDonald", "Ronald", "McDonald", "ronaldmcdonald", "latin")),
        ("Madonna", NameResult("Madonna", "Madonna", None, "madonna", "latin")),
        ("张Wei", NameResult("张Wei", None, None, "zhangwei", "mixed")),
        ("", NameResult("", None, None, None, "empty")),
        ("  ", NameResult("", None, None, None, "empty")),
    ],
)  # fmt: skip
def test_normalise_name(raw: str, expected: NameResult) -> None:
    assert normalise_name(raw) == expected


def test_pinyin_key_matches_search_key_for_common_names() -> None:
    assert normalise_name("张伟").pinyin_key == search_key("张伟") == search_key("Zhang Wei")


_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@given(st.text(alphabet=st.sampled_from("张伟欧阳单曾 JohnSmithZW,."), max_size=10))
def test_name_key_stable_under_full_width(raw: str) -> None:
    wide = "".join(_FULL_WIDTH.get(c, c) for c in raw).replace(" ", "\u3000")
    assert normalise_name(wide) == normalise_name(raw)
    assert search_key(normalise_name(wide).full) == search_key(normalise_name(raw).full)


@given(st.text(max_size=20))
def test_never_raises(raw: str) -> None:
    result = normalise_name(raw)
    assert result.script in {"han", "latin", "mixed", "empty"}
