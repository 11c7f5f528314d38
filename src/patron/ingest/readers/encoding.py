"""Find a file's text encoding, or say honestly that it can't be told.

Order of evidence: byte-order marks; UTF-16 without BOM (NUL byte pattern); pure ASCII; valid
UTF-8 (multi-byte UTF-8 is structured enough that legacy text almost never passes by accident);
then the legacy Chinese charsets, each decoded *strictly* and scored (see ``_scoring``). When
the two best readings are close, :class:`EncodingUncertainError` lists them instead of guessing,
because a wrong legacy reading produces plausible-looking but wrong names.
"""

from __future__ import annotations

import codecs
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import chardet

from patron.core.errors import EncodingUncertainError, InputError
from patron.ingest.readers._scoring import latin_score, text_score, utf8_score
from patron.ingest.readers.base import EncodingGuess, ReaderLimits

SAMPLE_BYTES = 64 * 1024
#: how far into a file to look for the first non-ASCII byte when the head is pure ASCII
MAX_SCAN_BYTES = 256 * 1024 * 1024
#: log-likelihood margin (nats) the best legacy reading must have over the runner-up
MIN_MARGIN = 8.0

# cp936 (what Chinese Windows/Excel writes as "ANSI") maps the lone byte 0x80 to the euro sign;
# GB18030 does not, so reading GBK files with gb18030 needs this one extra mapping.
GBK_STRICT = "patron.gbk-strict"  # 0x80 -> €, anything else invalid raises
GBK_MARK = "patron.gbk-mark"  # 0x80 -> €, anything else invalid -> U+FFFD (row gets an error)


def _gbk_handler(strict: bool) -> Callable[[UnicodeError], tuple[str, int]]:
    def handle(exc: UnicodeError) -> tuple[str, int]:
        if isinstance(exc, UnicodeDecodeError):
            if exc.object[exc.start] == 0x80:
                return "€", exc.start + 1
            if not strict:
                return "\ufffd", exc.end
        raise exc

    return handle


codecs.register_error(GBK_STRICT, _gbk_handler(True))
codecs.register_error(GBK_MARK, _gbk_handler(False))

_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE",
    "utf-32-be": "UTF-32 BE",
    "gb18030": "GB18030/GBK",
    "cp950": "Big5",
    "big5hkscs": "Big5-HKSCS",
    "cp1252": "Windows-1252 (Western European)",
}
# names users type (or our own labels) -> the codec we really use
_ALIASES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "gb18030/gbk": "gb18030",
    "big5": "cp950",
    "big-5": "cp950",
    "big5-hkscs": "big5hkscs",
    "utf-8 with bom": "utf-8-sig",
    "utf8": "utf-8",
    "windows-1252": "cp1252",
    "latin-1": "cp1252",
}
_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
]
_LEGACY = [
    ("gb18030", GBK_STRICT),
    ("cp950", "strict"),
    ("big5hkscs", "strict"),
    ("cp1252", "strict"),
]


def errors_for(codec: str) -> str:
    """The decode error handler a reader uses for ``codec``: bad bytes become U+FFFD, which
    the reader turns into an error row instead of silently storing it."""
    return GBK_MARK if codec == "gb18030" else "replace"


@dataclass
class DecodedFile:
    """A file opened for streaming text: the binary handle (for progress), the decoded text,
    the longest record a reader accepts, and the message for bytes invalid in the encoding."""

    raw: BinaryIO
    text: io.TextIOWrapper
    budget: int
    bad_bytes: str


def open_decoded(path: str | Path, encoding: EncodingGuess, limits: ReaderLimits) -> DecodedFile:
    """Open ``path`` as text in ``encoding``; bytes are never split before decoding."""
    raw = open(path, "rb")  # noqa: SIM115 - the reader closes it through ``text``
    text = io.TextIOWrapper(
        raw, encoding=encoding.encoding, errors=errors_for(encoding.encoding), newline=""
    )
    # A whole record may hold several long fields; beyond this it is cut off (memory bound).
    budget = 2 * limits.max_field_chars + 65_536
    return DecodedFile(raw, text, budget, f"contains bytes that are not valid {encoding.label}")


def resolve_encoding(name: str, *, file: str | None = None) -> EncodingGuess:
    """An :class:`EncodingGuess` for an encoding the user chose.

    >>> resolve_encoding("GBK").encoding
    'gb18030'
    """
    key = name.strip().lower().replace("_", "-")
    codec = _ALIASES.get(key, key)
    try:
        codec = codecs.lookup(codec).name if codec not in _LABELS else codec
    except LookupError:
        raise InputError(
            f"unknown encoding {name!r}", file=file, hint="use e.g. utf-8, gbk, big5, utf-16"
        ) from None
    label = codec.upper() if codec in ("utf-16", "utf-32") else _LABELS.get(codec, codec)
    return EncodingGuess(codec, label, 1.0, "chosen by the user")


def read_sample(path: str | Path) -> tuple[bytes, bool]:
    """The bytes to detect the encoding from, and whether they are the whole file.

    Usually the first 64 KiB. When those are pure ASCII (an English header and English names
    first, Chinese later is common) the sample is instead 64 KiB from the line holding the
    first non-ASCII byte, found by a fast scan of up to 256 MiB.
    """
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        if len(head) < SAMPLE_BYTES:
            return head, True
        if not head.isascii() or head.count(0) > len(head) // 8:
            return head, False
        pos = len(head)
        tail = b""
        pattern = re.compile(rb"[\x80-\xff]")
        while pos < MAX_SCAN_BYTES:
            chunk = fh.read(1 << 20)
            if not chunk:
                return head, False  # ASCII throughout
            found = pattern.search(chunk)
            if found:
                # start at a line start: b"\n" is never a trail byte in any candidate charset
                cut = (tail + chunk[: found.start()]).rfind(b"\n") + 1
                start = pos - len(tail) + cut
                fh.seek(start)
                window = fh.read(SAMPLE_BYTES)
                return window, len(window) < SAMPLE_BYTES
            tail = chunk[-4096:]
            pos += len(chunk)
        return head, False


def _decode(sample: bytes, codec: str, errors: str, complete: bool) -> str | None:
    try:
        # incremental + final=False tolerates a character cut at the sample's end
        return codecs.getincrementaldecoder(codec)(errors).decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(sample: bytes) -> str | None:
    head = sample[:4096]
    half = max(len(head) // 2, 1)
    even, odd = head[0::2].count(0) / half, head[1::2].count(0) / half
    # ASCII (digits, commas, newlines) is NUL on one side only; CJK has no NUL bytes at all
    if odd > 0.2 and even < 0.02:
        return "utf-16-le"
    if even > 0.2 and odd < 0.02:
        return "utf-16-be"
    return None


def detect_encoding(
    sample: bytes, *, file: str | None = None, complete: bool | None = None
) -> EncodingGuess:
    """Guess the encoding of ``sample`` (the start of a file, ~64 KiB).

    ``complete`` says whether the sample is the whole file (default: when shorter than 64 KiB);
    if not, a multi-byte character cut at the end is fine.

    >>> detect_encoding("张三,北京市".encode("gbk")).label
    'GB18030/GBK'
    >>> detect_encoding(b"\\xef\\xbb\\xbfname").encoding
    'utf-8-sig'

    Raises :class:`EncodingUncertainError` (with ``candidates``) when readings are too close.
    """
    if complete is None:
        complete = len(sample) < SAMPLE_BYTES
    for bom, codec, label in _BOMS:
        if sample.startswith(bom) and _decode(sample, codec, "strict", complete) is not None:
            return EncodingGuess(
                codec, label, 1.0, f"the file starts with a {label} byte-order mark"
            )
    utf16 = _utf16_without_bom(sample)
    text16 = _decode(sample, utf16, "strict", complete) if utf16 else None
    if utf16 and text16 is not None and text_score(text16)[2] <= len(text16) * 0.05:
        label = _LABELS[utf16]
        return EncodingGuess(utf16, label, 0.9, f"no byte-order mark, but NUL bytes fit {label}")
    if sample.isascii():
        return EncodingGuess("utf-8", "UTF-8", 0.9, "only ASCII characters found; read as UTF-8")
    return _compete(sample, file=file, complete=complete)


def _compete(sample: bytes, *, file: str | None, complete: bool) -> EncodingGuess:
    """Score every strict reading; the best must beat the runner-up by MIN_MARGIN."""
    readings: dict[str, tuple[float, int, int]] = {}
    text = _decode(sample, "utf-8", "strict", complete)
    if text is not None:
        readings["utf-8"] = utf8_score(text)
    for codec, errors in _LEGACY:
        text = _decode(sample, codec, errors, complete)
        if text is not None:
            readings[codec] = latin_score(text) if codec == "cp1252" else text_score(text)
    if "cp950" in readings and "big5hkscs" in readings:
        # same family; keep the better reading (cp950 on a tie: it has € and is what Windows uses)
        worse = "big5hkscs" if readings["cp950"][0] >= readings["big5hkscs"][0] else "cp950"
        del readings[worse]
    if not readings:
        return _fallback(sample, file=file, complete=complete, candidates=[])
    ranked = sorted(readings.items(), key=lambda kv: kv[1][0], reverse=True)
    best, (score, count, bad) = ranked[0]
    if best != "utf-8" and count and (bad > count * 0.2 or score / count < -3.0):
        # even the best Chinese reading is mostly junk: probably another language's charset
        return _fallback(sample, file=file, complete=complete, candidates=[c for c, _ in ranked])
    label = _LABELS[best]
    if len(ranked) == 1:  # the others failed to decode at all, which is strong evidence
        return EncodingGuess(best, label, 0.95, f"only {label} decodes the file without errors")
    runner, (score2, _, bad2) = ranked[1]
    margin = score - score2
    if margin < MIN_MARGIN:
        raise EncodingUncertainError(
            f"the text encoding is ambiguous: it reads as {label} or as {_LABELS[runner]}",
            file=file,
            candidates=[best, runner],
        )
    conf = 1.0 / (1.0 + math.exp(-min(margin, 50.0)))
    if best == "utf-8":
        return EncodingGuess(best, label, round(conf, 4), "valid UTF-8 text")
    odd2 = f"{bad2} invalid-looking and many rare" if bad2 else "many rare"
    return EncodingGuess(
        best,
        label,
        round(conf, 4),
        f"{label} gives common characters; {_LABELS[runner]} would give {odd2} characters",
    )


def _fallback(
    sample: bytes, *, file: str | None, complete: bool, candidates: list[str]
) -> EncodingGuess:
    """Not UTF and not plausibly Chinese: ask chardet, accept only a confident answer."""
    found = chardet.detect(sample)
    name = found.get("encoding")
    conf = float(found.get("confidence") or 0.0)
    if name and conf >= 0.5:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = ""
        if codec and _decode(sample, codec, "strict", complete) is not None:
            return EncodingGuess(
                codec, name, round(conf, 4), f"statistics suggest {name} (not UTF-8 or Chinese)"
            )
        candidates = [codec or name, *candidates]
    raise EncodingUncertainError(
        "could not tell the file's text encoding",
        file=file,
        candidates=candidates[:3] or ["utf-8", "gb18030", "big5"],
    )
