"""Find customers by name (Chinese or pinyin), phone, e-mail, patron id or source-system id.

The query is normalised the same way imports normalise data, so "138 0013 8000",
"+86 13800138000" and "ＺＨＡＮＧ@QQ.COM" find what was imported in any format. User text is
only ever a bound parameter, never SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from patron.core import InputError
from patron.normalise import (
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_text,
    search_key,
)
from patron.store.schema import (
    contact_kind,
    contact_points,
    customers,
    source_records,
    sources,
)

_ID = re.compile(r"^#?(\d{1,12})$")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")


@dataclass
class CustomerSummary:
    id: int
    full_name: str | None
    primary_phone: str | None
    primary_email: str | None
    city: str | None
    member_tier: str | None
    matched_on: str


def search_customers(
    conn: Connection, query: str, *, limit: int = 50, region: str = "CN", contacts: bool = True
) -> list[CustomerSummary]:
    """Customers matching ``query``, best kind of match first.

    Digits are tried as a patron id, a phone number and a source id; text with "@" as an
    e-mail; anything else as a name prefix (Chinese characters, or pinyin / Latin letters,
    so 张伟, "zhang wei" and "Zhang" all find 张伟).
    """
    text = normalise_text(query)
    if not text:
        raise InputError("empty search", hint="type a name, phone number, e-mail or id")
    found: dict[int, str] = {}

    def add(ids: list[int], how: str) -> None:
        for cid in ids:
            found.setdefault(cid, how)

    c = customers.c
    if m := _ID.match(text):
        add([r[0] for r in conn.execute(select(c.id).where(c.id == int(m.group(1))))], "id")
    add(_by_source_key(conn, text, limit), "source id")
    if contacts and "@" in text:
        email = normalise_email(text).normalised or text.casefold()
        add(_by_contact(conn, "email", email, limit, prefix=False), "e-mail")
        if len(found) < limit:
            add(_by_contact(conn, "email", text.casefold(), limit, prefix=True), "e-mail")
    digits = re.sub(r"\D", "", text)
    if contacts and len(digits) >= 5 and len(digits) >= len(re.sub(r"[\s\-+().]", "", text)) - 1:
        phone = normalise_phone(text, region)
        if phone.e164:
            add(_by_contact(conn, "phone", phone.e164, limit, prefix=False), "phone")
        else:
            add(
                _by_contact(
                    conn,
                    "phone",
                    "+" + digits if text.startswith("+") else _national_prefix(digits, region),
                    limit,
                    prefix=True,
                ),
                "phone",
            )
    if not found or not any(ch.isdigit() for ch in text):
        # Every name search goes through the pinyin key index: "zhang wei" finds 张伟 and its
        # homophones; Chinese input (whose pinyin prefixes the stored key) is then filtered on
        # the name as written, so 张伟 does not list 章伟. Surname readings (单 → shan) are in
        # normalise_name's key, the plain reading in search_key's.
        keys = {search_key(text), normalise_name(text).pinyin_key or ""} - {""}
        if keys:
            query_ = select(c.id).where(
                or_(*[starts_with(c.name_key, key) for key in sorted(keys)]),
                c.status == "active",
            )
            if _HAN.search(text):
                query_ = query_.where(c.full_name.startswith(text, autoescape=True))
            # In the name index's own order (key, name) matches come out already sorted, so
            # the database stops at the limit instead of sorting every "wang..." first.
            query_ = query_.order_by(c.name_key, c.full_name, c.id).limit(limit)
            add([r[0] for r in conn.execute(query_)], "name")
    ids = list(found)[:limit]
    if not ids:
        return []
    rows = {
        r.id: r
        for r in conn.execute(
            select(
                c.id, c.full_name, c.primary_phone, c.primary_email, c.city, c.member_tier
            ).where(c.id.in_(ids))
        )
    }
    return [
        CustomerSummary(
            r.id, r.full_name, r.primary_phone, r.primary_email, r.city, r.member_tier, found[r.id]
        )
        for cid in ids
        if (r := rows.get(cid))
    ]


def starts_with(column: Any, prefix: str) -> Any:
    """``column`` begins with ``prefix``, as a range both SQLite and PostgreSQL answer from an
    index (their LIKE optimisations need case-sensitive or C-collated columns). Wildcards in
    the prefix are plain characters here."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def _national_prefix(digits: str, region: str) -> str:
    # A partial number typed without country code: CN numbers are stored as +86...
    return ("+86" + digits) if region == "CN" else "+" + digits


def _by_contact(conn: Connection, kind: str, value: str, limit: int, *, prefix: bool) -> list[int]:
    cp = contact_points.c
    match = starts_with(cp.value, value) if prefix else cp.value == value
    query = select(cp.customer_id).where(contact_kind(kind), match).distinct().limit(limit)
    return [r[0] for r in conn.execute(query)]


def source_key_query(source_ids: list[int], key: str, limit: int) -> Any:
    """Customers whose record in any source has this key. Naming every source lets the
    (source_id, kind, source_key) index answer; a condition on the key alone would scan."""
    sr = source_records.c
    return (
        select(sr.customer_id)
        .where(
            sr.source_id.in_(source_ids),
            sr.kind == "customers",
            sr.source_key == key,
            sr.customer_id.is_not(None),
        )
        .distinct()
        .limit(limit)
    )


def _by_source_key(conn: Connection, text: str, limit: int) -> list[int]:
    source_ids = [r[0] for r in conn.execute(select(sources.c.id))]
    return [r[0] for r in conn.execute(source_key_query(source_ids, text, limit))]
