"""normalise_text and search_key."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.normalise import normalise_text, search_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  hello   world ", "hello world"),
        ("ＡＢＣ　１２３", "ABC 123"),  # full-width letters, digits and ideographic space
        ("张\u200b伟", "张伟"),  # zero-width space from a web form
        ("\ufeffname", "name"),  # BOM at the start of a cell
        ("a\tb\r\nc", "a b c"),
        ("a\x00b\x07c", "abc"),
        ("soft\u00adhyphen", "softhyphen"),
        ("", ""),
        (" \u3000 ", ""),
        ("ｶﾞ", "ガ"),  # half-width katakana composes under NFKC
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@given(st.text())
def test_normalise_text_is_idempotent(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once


@given(st.text())
def test_normalise_text_output_is_clean(raw: str) -> None:
    out = normalise_text(raw)
    assert out == out.strip()
    assert "  " not in out
    assert not any(unicodedata.category(c) == "Cc" for c in out)
    assert "\u200b" not in out


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("张伟", "zhangwei"),
        ("Zhang Wei", "zhangwei"),
        ("ＺＨＡＮＧ　ＷＥＩ", "zhangwei"),
        ("José Müller", "josemuller"),
        ("重庆", "chongqing"),  # read as a phrase, not zhong+qing
        ("招商银行 95555", "zhaoshangyinhang95555"),
        ("吕布", "lubu"),  # ü written u
        ("!!--", ""),
    ],
)
def test_search_key(text: str, key: str) -> None:
    assert search_key(text) == key


_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@given(st.text(alphabet=st.sampled_from("张伟李小明欧阳 ABCabcxyz019-.·"), max_size=12))
def test_search_key_stable_under_full_width(text: str) -> None:
    wide = "".join(_FULL_WIDTH.get(c, c) for c in text).replace(" ", "\u3000")
    assert search_key(wide) == search_key(text)
