"""E-mail addresses: syntax check (no network) and a matching form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from patron.normalise.text import normalise_text


@dataclass(frozen=True, slots=True)
class EmailResult:
    """A normalised address (lower-cased, IDN domain in Unicode) or the reason it is invalid."""

    normalised: str | None
    valid: bool
    error: str | None


# Fast path: a strict subset of what email-validator accepts, for plain ASCII addresses
# (the vast majority). Anything outside the subset - quoted parts, IDN/punycode labels,
# odd characters - takes the full validator. Tests prove fast == full on generated input.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST = re.compile(
    r"(?P<local>[a-z0-9_+=-]+(?:\.[a-z0-9_+=-]+)*)@(?P<domain>(?:" + _LABEL + r"\.)+[a-z]{2,63})"
)
_SPECIAL = tuple(SPECIAL_USE_DOMAIN_NAMES)
_SPACES = re.compile(r"\s+")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_ANGLE = re.compile(r"<([^<>]*@[^<>]*)>\s*$")  # "Zhang Wei <zhang@qq.com>"


def _fast(addr: str) -> EmailResult | None:
    m = _FAST.fullmatch(addr)
    if m is None:
        return None
    local, domain = m.group("local"), m.group("domain")
    if len(local) > 64 or len(domain) > 253 or len(addr) > 254 or "--" in domain:
        return None  # lengths and "xn--"-style labels: let the full validator decide
    last = domain.rsplit(".", 1)[1]
    if last in _SPECIAL or any(domain.endswith("." + d) for d in _SPECIAL):
        return None
    return EmailResult(addr, True, None)


def _full(addr: str) -> EmailResult:
    try:
        info = validate_email(addr, check_deliverability=False)
    except EmailNotValidError as exc:
        return EmailResult(None, False, str(exc))
    # email-validator keeps the local part's case and returns the domain in Unicode even
    # when given punycode; lower-case all of it (and re-NFC: lower() can decompose) so the
    # same mailbox always gives the same key.
    normalised = unicodedata.normalize("NFC", f"{info.local_part}@{info.domain}".lower())
    return EmailResult(normalised, True, None)


@lru_cache(maxsize=8192)
def _cached_full(addr: str) -> EmailResult:
    return _full(addr)


def _prepare(raw: str) -> str:
    text = normalise_text(raw)
    m = _ANGLE.search(text)
    if m is not None:
        text = m.group(1)
    text = _MAILTO.sub("", text.strip())
    # Unquoted addresses cannot contain whitespace, so any is a typo ("zhang @ qq.com").
    return _SPACES.sub("", text)


def normalise_email(raw: str) -> EmailResult:
    """Validate an address's syntax (no DNS) and return its lower-cased matching form.

    Full-width characters and stray spaces are fixed, ``mailto:`` and a display name in
    ``Name <addr>`` are dropped, IDN domains come back in Unicode (punycode input gives the
    same result).

    >>> normalise_email(" ＺＨＡＮＧ＠ＱＱ.ＣＯＭ ").normalised
    'zhang@qq.com'
    >>> normalise_email("user@xn--bcher-kva.de").normalised
    'user@bücher.de'
    """
    if raw.isascii() and raw.isprintable():
        fast = _fast(raw.lower())
        if fast is not None:
            return fast
    addr = _prepare(raw)
    if not addr:
        return EmailResult(None, False, "blank")
    fast = _fast(addr.lower()) if addr.isascii() else None
    return fast if fast is not None else _cached_full(addr)


# Slips of the finger that leave an address undeliverable but obviously meant: a doubled "@"
# and the top-level domain mistyped. Only for matching (the record keeps the address as given
# and stays flagged invalid); a wrong repair here only costs a comparison level.
_DOUBLE_AT = re.compile(r"@{2,}")
_TLD_SLIPS = re.compile(r"\.(?:con|cmo|comm|ocm|c0m|vom|xom)$")


@lru_cache(maxsize=1 << 16)
def email_match_key(value: str | None) -> str | None:
    """The mailbox an address was meant to name, for matching records of one person: the
    normalised form, with a doubled "@" and ".con"-style top-level domains repaired.

    >>> email_match_key("Zhang.Wei@@163.con")
    'zhang.wei@163.com'
    """
    if not value:
        return None
    repaired = _TLD_SLIPS.sub(".com", _DOUBLE_AT.sub("@", value.strip().lower()))
    result = normalise_email(repaired)
    return result.normalised if result.valid else repaired
