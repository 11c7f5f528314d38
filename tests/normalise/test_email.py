"""normalise_email, including proof that the ASCII fast path agrees with email-validator."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patron.normalise import EmailResult, email_match_key, normalise_email
from patron.normalise import emails as email_mod


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhang.wei@qq.com", "zhang.wei@qq.com"),
        ("  Zhang.Wei@QQ.COM ", "zhang.wei@qq.com"),
        ("ＺＨＡＮＧ＠ＱＱ.ＣＯＭ", "zhang@qq.com"),
        ("zhang @ qq .com", "zhang@qq.com"),
        ("mailto:Zhang@163.com", "zhang@163.com"),
        ("张伟 <ZW@qq.com>", "zw@qq.com"),
        ("<ZW@qq.com>", "zw@qq.com"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("user@bücher.de", "user@bücher.de"),
        ("user@xn--bcher-kva.de", "user@bücher.de"),
        ("USER@BÜCHER.DE", "user@bücher.de"),
        ("first+tag@sub.example.co.uk", "first+tag@sub.example.co.uk"),
    ],
)
def test_valid(raw: str, expected: str) -> None:
    assert normalise_email(raw) == EmailResult(expected, True, None)


def test_idn_and_punycode_agree() -> None:
    assert normalise_email("user@bücher.de") == normalise_email("user@xn--bcher-kva.de")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("a@@b", "invalid characters"),
        ("a@b", "should have a period"),
        ("zhang@qqcom", "should have a period"),
        ("zhang.qq.com", "@-sign"),
        ("a..b@qq.com", "two periods"),
        ("x@host.local", "special-use"),
        ("x@a.123", "top-level domain"),
        ("", "blank"),
    ],
)
def test_invalid(raw: str, reason: str) -> None:
    result = normalise_email(raw)
    assert result.normalised is None
    assert result.valid is False
    assert result.error is not None
    assert reason in result.error


_LOCAL_CHARS = "abcXYZ09._+-=!#$%&'*/?^`{|}~\"é "
_DOMAIN_CHARS = "abcXYZ09-._"


@st.composite
def ascii_like_address(draw: st.DrawFn) -> str:
    local = draw(st.text(alphabet=_LOCAL_CHARS, min_size=0, max_size=70))
    labels = draw(st.lists(st.text(alphabet=_DOMAIN_CHARS, max_size=66), min_size=1, max_size=5))
    tld = draw(st.sampled_from(["com", "cn", "C0M", "local", "test", "x", "a1", "onion", "co"]))
    return f"{local}@{'.'.join([*labels, tld])}"


@given(ascii_like_address())
@example("a@b.com")
@example("a-b@xn--bcher-kva.de")
@example("x@a-.com")
@example("x@" + "a" * 64 + ".com")
@example("x@foo.localhost")
@example("x@foo.arpa")
@example("_@a.b.co")
def test_fast_path_equals_email_validator(raw: str) -> None:
    fast = email_mod._fast(raw.lower())
    if fast is not None:
        assert fast == email_mod._full(raw)


@given(
    st.from_regex(
        r"[a-z0-9_+-]{1,20}(\.[a-z0-9]{1,8}){0,2}@([a-z0-9]{1,10}\.){1,3}[a-z]{2,6}", fullmatch=True
    )
)
def test_fast_path_covers_plain_addresses(raw: str) -> None:
    full = email_mod._full(raw)
    if full.valid:
        assert email_mod._fast(raw) == full


@given(st.one_of(ascii_like_address(), st.text(max_size=40)))
def test_idempotent_on_output(raw: str) -> None:
    result = normalise_email(raw)
    if result.valid:
        assert result.normalised is not None
        assert normalise_email(result.normalised) == result
    else:
        assert result.normalised is None
        assert result.error


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Zhang.Wei@@163.con", "zhang.wei@163.com"),
        (" li_li75@126.cmo ", "li_li75@126.com"),
        ("wang@qq.com", "wang@qq.com"),
        ("wang@example.co", "wang@example.co"),  # a real top-level domain: left alone
        ("Not An Address", "not an address"),  # beyond repair: compared as written
        (None, None),
        ("", None),
    ],
)
def test_email_match_key_repairs_obvious_slips(value: str | None, key: str | None) -> None:
    assert email_match_key(value) == key
