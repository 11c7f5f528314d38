"""Personal names: split into family/given, a pinyin key for matching, the script used."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from patron.normalise._surnames import (
    COMMON_SURNAME_PINYIN,
    COMPOUND_SURNAMES,
    SURNAME_READINGS,
)
from patron.normalise.text import char_pinyin, is_han, normalise_text, search_key


@dataclass(frozen=True, slots=True)
class NameResult:
    """A normalised name. ``given``/``family`` are None when they cannot be told apart."""

    full: str
    given: str | None
    family: str | None
    pinyin_key: str | None
    script: str  # "han" | "latin" | "mixed" | "empty"


_EMPTY = NameResult("", None, None, None, "empty")
_PREFIX = re.compile(
    r"^(?:(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mme|mlle|herr|frau)\b\.?\s*)+", re.IGNORECASE
)
_HAN_SUFFIXES = ("先生", "女士", "小姐", "太太", "夫人", "博士", "教授")
_WESTERN_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "md"})
_PARTICLES = frozenset(
    {"van", "von", "de", "da", "di", "del", "della", "der", "den", "la", "le", "du", "dos", "bin"}
)
# Interpuncts used in transliterated and minority names (爱新觉罗·溥仪, 约翰·史密斯).
_DOTS = str.maketrans(dict.fromkeys("•・．‧∙⋅•.·", "·"))
# Loose shape of a run of pinyin syllables; only used to spot "Zhang Wei"-style names.
_PINYIN_WORD = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo"
    r"|ue|ui|er|a|o|e|i|u|v))+"
)


def _strip_honorifics(text: str) -> str:
    for suffix in _HAN_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)].rstrip()
            break
    stripped = _PREFIX.sub("", text)
    return stripped if stripped else text


_ALL_HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+")


def _script(text: str) -> str:
    if _ALL_HAN.fullmatch(text):  # fast paths for the two overwhelmingly common cases
        return "han"
    if text.isascii():
        return "latin" if any(ch.isalpha() for ch in text) else "empty"
    han = latin = other = False
    for ch in text:
        if is_han(ch):
            han = True
        elif ch.isalpha():
            cp = ord(ch)
            if cp <= 0x24F or 0x1E00 <= cp <= 0x1EFF:
                latin = True
            else:
                other = True
    if not (han or latin or other):
        return "empty"
    if han and not (latin or other):
        return "han"
    if latin and not (han or other):
        return "latin"
    return "mixed"


def _han_name(text: str) -> NameResult:
    full = text.replace(" ", "").translate(_DOTS)
    if "·" in full:
        # Transliterated/minority names: which part is the family name depends on the origin.
        key = "".join(char_pinyin(c) for c in full if c != "·")
        return NameResult(full, None, None, key, "han")
    if len(full) >= 3 and full[:2] in COMPOUND_SURNAMES:
        family, given = full[:2], full[2:]
    else:
        family, given = full[0], full[1:]
    family_key = SURNAME_READINGS.get(family) or "".join(char_pinyin(c) for c in family)
    key = family_key + "".join(char_pinyin(c) for c in given)
    return NameResult(full, given or None, family, key, "han")


def _case(token: str, first: bool) -> str:
    if not (token.isupper() or token.islower()):
        return token  # mixed case as written (McDonald, DeVito) is kept
    if not first and token.lower() in _PARTICLES:
        return token.lower()
    return token.title()


def _fold(text: str) -> str:
    return search_key(text)


def _latin_name(text: str) -> NameResult:
    family_part: list[str] | None = None
    given_part: list[str] | None = None
    if "," in text:
        head, _, tail = text.partition(",")
        tail = tail.strip()
        if tail and tail.lower() not in _WESTERN_SUFFIXES:
            family_part, given_part = head.split(), tail.replace(",", " ").split()
            text = f"{tail} {head}"
        else:
            text = head
    tokens = text.split()
    if family_part is None:
        while len(tokens) > 1 and tokens[-1].lower() in _WESTERN_SUFFIXES:
            tokens.pop()
        caps = [t for t in tokens if t.isupper() and len(t) > 1]
        if caps and len(caps) < len(tokens):
            # "John SMITH" / "ZHANG Wei": the upper-case word is the family name.
            family_part = caps
            given_part = [t for t in tokens if t not in caps]
        elif (
            1 < len(tokens) <= 3
            and tokens[0].lower() in COMMON_SURNAME_PINYIN
            and all(_PINYIN_WORD.fullmatch(t.lower()) for t in tokens)
        ):
            family_part = given_part = None  # "Zhang Wei": order unknown, don't guess
        elif len(tokens) == 1:
            family_part, given_part = [], tokens
        else:
            cut = len(tokens) - 1
            while cut > 1 and tokens[cut - 1].lower() in _PARTICLES:
                cut -= 1
            family_part, given_part = tokens[cut:], tokens[:cut]
    full = " ".join(_case(t, i == 0) for i, t in enumerate(text.split()))
    if family_part is None or given_part is None:
        return NameResult(full, None, None, _fold(full), "latin")
    given = " ".join(_case(t, i == 0) for i, t in enumerate(given_part)) or None
    family = " ".join(_case(t, not given and i == 0) for i, t in enumerate(family_part)) or None
    return NameResult(full, given, family, _fold(f"{given or ''}{family or ''}"), "latin")


# Common names recur thousands of times in a customer file; results are immutable. (Each
# entry holds six strings: the cache stays small to keep parser workers' memory flat.)
@lru_cache(maxsize=1 << 14)
def normalise_name(raw: str) -> NameResult:
    """Normalise a personal name and split it into family and given name.

    Chinese names keep their characters; the family name is the first character or a
    compound surname (欧阳, 司马 ...); ``pinyin_key`` reads heteronym surnames as surnames
    (单 → shan). Latin names accept "Given Family", "Family, Given" and "Given FAMILY"; a
    pinyin name such as "Zhang Wei" is left unsplit because its order cannot be known.
    Honorifics (Mr, Dr, 先生, 女士 ...) are removed; all-upper/all-lower words are title-cased.

    >>> normalise_name("单田芳")
    NameResult(full='单田芳', given='田芳', family='单', pinyin_key='shantianfang', script='han')
    >>> normalise_name("Smith, John").given
    'John'
    """
    text = normalise_text(raw)
    if not text:
        return _EMPTY
    text = _strip_honorifics(text)
    script = _script(text)
    if script == "han":
        return _han_name(text)
    if script == "latin":
        return _latin_name(text)
    if script == "empty":
        return NameResult(text, None, None, None, "empty")
    return NameResult(text, None, None, search_key(text) or None, "mixed")
