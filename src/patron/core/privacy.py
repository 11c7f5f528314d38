"""Masking of personal data for roles that must not see it.

Masks keep just enough to recognise a value on the phone with its owner ("the number ending
8000"), never enough to contact anyone. They are pure functions so every place that shows a
value (API, pages, exports, search results) masks the same way.
"""

from __future__ import annotations

from datetime import date

MASK = "****"


def mask_phone(value: str | None) -> str | None:
    """Keep the country code, the first three and the last four digits.

    >>> mask_phone("+8613800138000")
    '+86138****8000'
    >>> mask_phone("010-6552")
    '****'
    """
    if not value:
        return value
    digits = sum(ch.isdigit() for ch in value)
    if digits < 9:
        return MASK
    prefix = "+86" if value.startswith("+86") else ("+" if value.startswith("+") else "")
    body = value[len(prefix) :]
    return f"{prefix}{body[:3]}{MASK}{body[-4:]}"


def mask_email(value: str | None) -> str | None:
    """Keep the first character of the local part and the domain.

    >>> mask_email("zhang.wei@qq.com")
    'z****@qq.com'
    """
    if not value:
        return value
    local, at, domain = value.rpartition("@")
    if not at:
        return MASK
    return f"{local[:1]}{MASK}@{domain}"


def mask_address(value: str | None) -> str | None:
    """Keep the first six characters (province and city in a Chinese address).

    >>> mask_address("广东省深圳市南山区科技园路1号")
    '广东省深圳市****'
    """
    if not value:
        return value
    return f"{value[:6]}{MASK}"


def mask_birth_date(value: date | str | None) -> str | None:
    """Keep the year only.

    >>> mask_birth_date(date(1985, 3, 5))
    '1985-**-**'
    """
    if not value:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"{text[:4]}-**-**"


def mask_contact(kind: str, value: str | None) -> str | None:
    """Mask a contact point's value by its kind (phone, email, address)."""
    if kind == "phone":
        return mask_phone(value)
    if kind == "email":
        return mask_email(value)
    return mask_address(value)
