"""Code lists: gender, per-source code mappings, yes/no flags."""

from __future__ import annotations

from functools import lru_cache

from patron.normalise._errors import NormaliseError
from patron.normalise.text import normalise_text

_GENDER: dict[str, str | None] = {
    **dict.fromkeys(["男", "男性", "男士", "先生", "m", "male", "man", "mr", "mr.", "boy"], "M"),
    **dict.fromkeys(
        ["女", "女性", "女士", "小姐", "太太", "f", "female", "woman", "mrs", "mrs.", "ms", "ms.",
         "miss", "girl"],
        "F",
    ),
    **dict.fromkeys(
        ["x", "其他", "其它", "other", "diverse", "non-binary", "nonbinary", "divers", "d"], "X"
    ),
    # Recognised "unknown" markers are not errors: they mean "no value".
    **dict.fromkeys(
        ["u", "unknown", "未知", "保密", "不详", "不明", "未填", "未填写", "n/a", "na", "-",
         "--", "?", "null", "none", "prefer not to say", "不愿透露"],
        None,
    ),
}  # fmt: skip
_GENDER_CODES = frozenset({"F", "M", "X"})

_BOOL: dict[str, bool] = {
    **dict.fromkeys(
        ["是", "是的", "y", "yes", "true", "t", "1", "同意", "接受", "√", "✓", "✔", "on", "对",
         "已同意", "允许"],
        True,
    ),
    **dict.fromkeys(
        ["否", "不是", "n", "no", "false", "f", "0", "不同意", "拒绝", "×", "✗", "✘", "off",
         "不接受", "未同意", "不允许"],
        False,
    ),
}  # fmt: skip


def _key(raw: str) -> str:
    return normalise_text(raw).casefold()


@lru_cache(maxsize=256)
def _folded(items: tuple[tuple[object, object], ...]) -> dict[str, str]:
    # Mappings are small and the same dict is passed for every row of a source: fold the
    # keys once per distinct mapping content.
    # str(): mapping files are YAML, where `1: M` gives an int key.
    return {_key(str(k)): str(v) for k, v in items}


@lru_cache(maxsize=4096)
def _builtin_gender(raw: str) -> str | None:
    key = _key(raw)
    if key in _GENDER:
        return _GENDER[key]
    raise NormaliseError(
        f"unknown gender code {raw!r}",
        hint="map it in the source's mapping file under codes.gender",
    )


def normalise_gender(raw: str, mapping: dict[str, str] | None = None) -> str | None:
    """ "F", "M", "X" (other/diverse) or None (blank or an explicit "unknown").

    ``mapping`` (the source's own codes, e.g. ``{"1": "M", "2": "F"}``) is checked first;
    its keys are compared after :func:`normalise_text` and casefolding, and its values may be
    any built-in code (F, 女, male ...). Numeric codes are not built in: they differ per source.

    >>> normalise_gender("女士"), normalise_gender("1", {"1": "男"})
    ('F', 'M')
    """
    if mapping:
        value = _folded(tuple(mapping.items())).get(_key(raw))
        if value is not None:
            try:
                return _builtin_gender(value)
            except NormaliseError:
                raise NormaliseError(
                    f"the gender mapping maps {raw!r} to {value!r}, which is not a gender",
                    hint="map it to F, M or X under codes.gender",
                ) from None
    if not raw or raw.isspace():
        return None
    return _builtin_gender(raw)


def map_code(raw: str, mapping: dict[str, str], *, field: str) -> str | None:
    """Translate a source's code (e.g. member tier 金卡) with its mapping; blank gives None.

    >>> map_code(" 金卡 ", {"金卡": "gold"}, field="tier")
    'gold'
    """
    key = _key(raw)
    if not key:
        return None
    value = _folded(tuple(mapping.items())).get(key)
    if value is None:
        raise NormaliseError(
            f"unknown {field} code {raw!r}",
            hint=f"map it in the source's mapping file under codes.{field}",
        )
    return value


@lru_cache(maxsize=1024)  # consent columns hold a handful of distinct spellings
def parse_bool(raw: str) -> bool | None:
    """Read a consent-style flag (是/否, Y/N, yes/no, 1/0, 同意/拒绝, √/×); blank gives None.

    >>> parse_bool("同意"), parse_bool("N"), parse_bool(" ")
    (True, False, None)
    """
    key = _key(raw)
    if not key:
        return None
    if key in _BOOL:
        return _BOOL[key]
    raise NormaliseError(
        f"not a yes/no value: {raw!r}",
        hint="write 是/否, Y/N, yes/no, true/false or 1/0",
    )
