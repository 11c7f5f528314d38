"""Text clean-up shared by every normaliser, and the search key."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Controls that are really whitespace become a space; every other control character and the
# invisible format characters that sneak in via copy-paste from web pages, Word and WeChat
# (zero-width space/joiners, BOM, soft hyphen, bidi marks) are dropped.
_WHITESPACE_CONTROLS = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85"
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
)


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[cp] = " " if chr(cp) in _WHITESPACE_CONTROLS else None
    for ch in _INVISIBLE:
        table[ord(ch)] = None
    return table


_CLEAN = _build_table()


def normalise_text(raw: str) -> str:
    """NFKC, drop invisible/control characters, trim and collapse whitespace to single spaces.

    >>> normalise_text("  ＡＢＣ\u3000１２３\u200b  x\\n y ")
    'ABC 123 x y'
    """
    # Fast path: printable ASCII is already NFKC and has no controls or invisible characters.
    if raw.isascii() and raw.isprintable():
        return raw.strip() if "  " not in raw else " ".join(raw.split())
    # Most Chinese text is printable (no U+3000, no zero-width or control characters) and
    # already NFKC; the C-level quick check is far cheaper than normalising.
    if raw.isprintable() and unicodedata.is_normalized("NFKC", raw):
        return " ".join(raw.split())
    # Remove invisibles *before* NFKC: removing them afterwards can bring a base letter and a
    # combining mark together and the result would no longer be NFKC (not idempotent).
    text = unicodedata.normalize("NFKC", raw.translate(_CLEAN))
    # NFKC can itself produce characters from the table (rare compatibility mappings).
    text = text.translate(_CLEAN)
    return " ".join(text.split())


_HAN_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)


def is_han(ch: str) -> bool:
    """True for a CJK unified (or compatibility) ideograph, 〇 included."""
    cp = ord(ch)
    if cp == 0x3007:
        return True
    return any(lo <= cp <= hi for lo, hi in _HAN_RANGES)


_HAN_RUN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+")


@lru_cache(maxsize=65536)
def han_pinyin(run: str) -> str:
    """Toneless pinyin of a run of Han characters, phrase-aware (重庆 → chongqing).

    ü is written ``u`` (lü → lu) as in most Latin-script renderings of Chinese names.
    """
    return "".join(lazy_pinyin(run, style=Style.NORMAL, errors="ignore")).replace("v", "u")


@lru_cache(maxsize=8192)
def char_pinyin(ch: str) -> str:
    """Toneless pinyin of one Han character in its most common reading (cached)."""
    return han_pinyin(ch)


def _fold_latin(text: str) -> str:
    # Strip accents (José → jose) and keep only ASCII letters and digits.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


@lru_cache(maxsize=65536)
def search_key(text: str) -> str:
    """The key a search box compares: Han → toneless pinyin, Latin → casefolded letters.

    Digits are kept; spaces, punctuation and anything else are dropped. Han runs are read
    phrase-aware (银行 → yinhang) but not as names, so 单田芳 gives "dantianfang"; compare a
    query against both this key and :class:`NameResult.pinyin_key`.

    >>> search_key("张伟") == search_key("Zhang Wei") == "zhangwei"
    True
    """
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    pos = 0
    for m in _HAN_RUN.finditer(text):
        out.append(_fold_latin(text[pos : m.start()]))
        out.append(han_pinyin(m.group()))
        pos = m.end()
    out.append(_fold_latin(text[pos:]))
    return "".join(out)
