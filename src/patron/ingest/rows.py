"""Turn one raw row into canonical, normalised fields, or into a list of field problems.

Pure and picklable: the pipeline runs these in a worker process while the main process writes
to the store. Policy (documented in docs/user-guide.md):
- a value that cannot be read as its type (a date, a number, a code, a yes/no flag) rejects the
  row, so nothing is silently dropped; the row waits in quarantine with the reason;
- a phone number or e-mail that is not valid is kept, marked invalid with the reason, because a
  typo'd phone is still evidence about a person (data quality reports count them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from patron.core import RowProblems
from patron.ingest.fields import KEY_FIELD, REQUIRED
from patron.ingest.mapping import ColumnMapping
from patron.ingest.prepare import GOLDEN_FIELDS, PreparedCustomer
from patron.normalise import (
    map_code,
    normalise_address,
    normalise_email,
    normalise_gender,
    normalise_name,
    normalise_phone,
    normalise_text,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
)


@dataclass(slots=True)
class ParsedRow:
    """A row that passed validation."""

    row_number: int
    source_key: str
    row_hash: str
    # JSON text travels between processes far cheaper than nested dicts; decoded on demand.
    raw_json: str
    parsed_json: str
    prepared: PreparedCustomer | None = None  # customers: database-ready values
    # Customers parsed for a staging file: the staged row itself, built instead of ``prepared``
    # (see RowContext.stage and staging.StageLayout).
    staged: tuple[Any, ...] | None = None
    _raw: dict[str, str] | None = None
    _parsed: dict[str, Any] | None = None

    @property
    def raw(self) -> dict[str, str]:
        if self._raw is None:
            self._raw = orjson.loads(self.raw_json)
        return self._raw

    @property
    def parsed(self) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = orjson.loads(self.parsed_json)
        return self._parsed


@dataclass(slots=True)
class RejectedRow:
    """A row that failed; kept whole with the reason per field."""

    row_number: int
    category: str  # parse | validation | unresolved_reference
    raw: dict[str, str]
    problems: list[dict[str, str | None]]
    raw_text: str | None = None


@dataclass
class RowContext:
    """What parsing needs besides the row: the mapping and the region for phones."""

    mapping: ColumnMapping
    default_region: str = "CN"
    raw_keys: list[str] = field(default_factory=list)
    # Customer rows go to staging files (a worker on SQLite): build each row's staged values
    # (ParsedRow.staged) directly, in the slots of staging.StageLayout, instead of ``prepared``.
    stage: bool = False

    def __post_init__(self) -> None:
        self.raw_keys = raw_column_keys(self.mapping.headers)
        # Looked up for every field of every row: resolve once.
        self.first_column = {name: cols[0] for name, cols in self.mapping.fields.items() if cols}
        self.region = self.mapping.region or self.default_region
        self.plan = CustomerPlan.of(self) if self.mapping.kind == "customers" else None


@dataclass(frozen=True)
class CustomerPlan:
    """Where each customer field is in a row, and what its problems are called: the customer
    hot path looks nothing up per row."""

    ncols: int
    columns: dict[str, int]  # first column of each mapped field
    headers: dict[str, str]  # field -> its first column's header (how problems name it)
    phones: tuple[int, ...]
    emails: tuple[int, ...]
    consents: tuple[tuple[int, str, str, str], ...]  # column, channel, purpose, header
    extras: tuple[tuple[int, str], ...]  # column, raw key
    gender_codes: dict[str, str] | None
    tier_codes: dict[str, str] | None

    @classmethod
    def of(cls, ctx: RowContext) -> CustomerPlan:
        m = ctx.mapping
        return cls(
            ncols=len(m.headers),
            columns=dict(ctx.first_column),
            headers={name: m.headers[col] for name, col in ctx.first_column.items()},
            phones=tuple(m.fields.get("phone", ())),
            emails=tuple(m.fields.get("email", ())),
            consents=tuple((c, ch, pu, m.headers[c]) for c, (ch, pu) in m.consent.items()),
            extras=tuple((c, ctx.raw_keys[c]) for c in m.extra),
            gender_codes=m.codes.get("gender"),
            tier_codes=m.codes.get("member_tier"),
        )


def raw_column_keys(headers: list[str]) -> list[str]:
    """Keys for a raw row's columns: the header, or "header #N" for a repeated header."""
    seen: set[str] = set()
    keys = []
    for i, header in enumerate(headers):
        key = header if header not in seen else f"{header} #{i + 1}"
        seen.add(key)
        keys.append(key)
    return keys


def compact(parsed: dict[str, Any]) -> dict[str, Any]:
    """Drop empty entries (None, "", [], {}) from parsed fields and from the dicts one level
    down (phones, address ...): every stored byte costs import speed, and an absent key reads as
    None. ``False`` and ``0`` are kept.

    >>> compact({"a": None, "b": [{"x": "", "y": False}], "c": {}, "d": {"e": None, "f": 1}})
    {'b': [{'y': False}], 'd': {'f': 1}}
    """
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        if type(value) is dict:
            value = {k: v for k, v in value.items() if v is not None and v != ""}
        elif type(value) is list:
            value = [
                {k: v for k, v in item.items() if v is not None and v != ""}
                if type(item) is dict
                else item
                for item in value
            ]
        out[key] = value
    return out


def row_hash(values: list[str]) -> str:
    """A stable content hash of a row's values (used as the key where a source has none)."""
    return hashlib.blake2b("\x1f".join(values).encode("utf-8"), digest_size=16).hexdigest()


def parse_row(ctx: RowContext, row_number: int, values: list[str]) -> ParsedRow | RejectedRow:
    """Parse one row of any kind."""
    if ctx.plan is not None:
        return _parse_customer(ctx, ctx.plan, row_number, values)
    raw = dict(zip(ctx.raw_keys, values, strict=False))
    problems = RowProblems()
    kind = ctx.mapping.kind
    parsed = _PARSERS[kind](ctx, values, problems)
    for name in REQUIRED[kind]:
        if parsed.get(name) in (None, "") and not any(
            p.field == _header(ctx, name) for p in problems.problems
        ):
            problems.add(
                _header(ctx, name) or name,
                None,
                f"required field '{name}' is empty",
                "fill it in the source file or map the right column",
            )
    if problems:
        return RejectedRow(row_number, "validation", raw, [p.as_dict() for p in problems.problems])
    parsed = compact(parsed)
    digest = row_hash(values)
    key_field = KEY_FIELD[kind]
    # A product's sku stays in its record (rebuilds need it); other keys live on the record.
    key = (parsed.get(key_field) if kind == "products" else parsed.pop(key_field, None)) or ""
    if kind == "orders":
        key = f"{key}/{parsed['line_no']}" if parsed.get("line_no") else f"{key}/{digest[:12]}"
    elif not key:
        key = f"row:{digest}"
    return ParsedRow(row_number, key, digest, _dumps(raw), _dumps(parsed))


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _header(ctx: RowContext, name: str) -> str | None:
    col = ctx.mapping.column(name)
    return None if col is None else ctx.mapping.headers[col]


def _value(ctx: RowContext, values: list[str], name: str) -> str:
    col = ctx.first_column.get(name)
    if col is None or col >= len(values):
        return ""
    return normalise_text(values[col])


def _typed(
    ctx: RowContext, values: list[str], problems: RowProblems, name: str, parse: Any, fix: str
) -> Any:
    text = _value(ctx, values, name)
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as exc:
        reason, hint = _reason(exc)
        problems.add(_header(ctx, name) or name, text, reason, hint or fix)
        return None


def _reason(exc: ValueError) -> tuple[str, str | None]:
    """The problem and its fix; normalisers' errors carry both separately."""
    return getattr(exc, "message", None) or str(exc), getattr(exc, "hint", None)


def _code(ctx: RowContext, values: list[str], problems: RowProblems, name: str) -> str | None:
    text = _value(ctx, values, name)
    table = ctx.mapping.codes.get(name)
    if not text:
        return None
    if name == "gender":
        return _typed(
            ctx,
            values,
            problems,
            name,
            lambda t: normalise_gender(t, table),
            "add the code under codes.gender in the mapping file",
        )
    if table is None:
        return text
    return _typed(
        ctx,
        values,
        problems,
        name,
        lambda t: map_code(t, table, field=name),
        f"add the code under codes.{name} in the mapping file",
    )


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _parse_customer(
    ctx: RowContext, plan: CustomerPlan, row_number: int, values: list[str]
) -> ParsedRow | RejectedRow:
    """A customer row: its record (only non-empty fields are set) and, built alongside, the
    database-ready values :func:`prepare_customer` would derive from that record.

    The hot path of big imports: every column position is resolved in ``plan``.
    """
    m = ctx.mapping
    cells = values if len(values) >= plan.ncols else values + [""] * (plan.ncols - len(values))
    col = plan.columns.get
    problems = RowProblems()
    out: dict[str, Any] = {}

    def problem(name: str, value: str | None, exc: ValueError, fix: str) -> None:
        reason, hint = _reason(exc)
        problems.add(plan.headers.get(name) or name, value, reason, hint or fix)

    # Raw cells are only trimmed where the normalisers below normalise their input themselves.
    c = col("source_key")
    key = normalise_text(cells[c]) if c is not None else ""
    c = col("full_name")
    full = cells[c].strip() if c is not None else ""
    c = col("given_name")
    given = normalise_text(cells[c]) if c is not None else ""
    c = col("family_name")
    family = normalise_text(cells[c]) if c is not None else ""
    if not full and (given or family):
        # Chinese order is family+given without a space; Western is "given family".
        full = (family + given) if _is_han(family + given) else f"{given} {family}".strip()
    if full:
        name = normalise_name(full)
        if name.full:
            out["full_name"] = name.full
        if value := given or name.given:
            out["given_name"] = value
        if value := family or name.family:
            out["family_name"] = value
        if name.pinyin_key:
            out["name_key"] = name.pinyin_key
    c = col("gender")
    if c is not None and (text := normalise_text(cells[c])):
        try:
            if value := normalise_gender(text, plan.gender_codes):
                out["gender"] = value
        except ValueError as exc:
            problem("gender", text, exc, "add the code under codes.gender in the mapping file")
    c = col("birth_date")
    if c is not None and (text := normalise_text(cells[c])):
        try:
            out["birth_date"] = parse_date(text, day_first=m.day_first).isoformat()
        except ValueError as exc:
            problem("birth_date", text, exc, "write the date as YYYY-MM-DD")
    c = col("registered_at")
    if c is not None and (text := normalise_text(cells[c])):
        try:
            when = parse_datetime(text, day_first=m.day_first, default_tz=m.timezone)
            out["registered_at"] = when.isoformat()
        except ValueError as exc:
            problem("registered_at", text, exc, "write the date as YYYY-MM-DD [HH:MM]")
    c = col("member_tier")
    if c is not None and (text := normalise_text(cells[c])):
        if plan.tier_codes is None:
            out["member_tier"] = text
        else:
            try:
                if value := map_code(text, plan.tier_codes, field="member_tier"):
                    out["member_tier"] = value
            except ValueError as exc:
                fix = "add the code under codes.member_tier in the mapping file"
                problem("member_tier", text, exc, fix)
    c = col("company")
    if c is not None and (text := normalise_text(cells[c])):
        out["company"] = text

    stage = ctx.stage
    points: list[tuple[Any, ...]] = []
    # Staged: the contact point and consent slots of staging.StageLayout, in its column order
    # (each kind's points first, then that kind's unused slots).
    slots: list[Any] = []
    primary_phone = mobile = None
    phones = []
    for c in plan.phones:
        if text := cells[c].strip():
            r = normalise_phone(text, ctx.region)
            number = r.e164 or text
            phone: dict[str, Any] = {"value": number, "raw": text, "valid": r.valid, "kind": r.kind}
            if r.error:
                phone["error"] = r.error
            if r.extension:
                phone["extension"] = r.extension
            phones.append(phone)
            valid = int(bool(r.valid))
            if stage:
                slots += (number, text, valid, r.error or None, r.kind)
            else:
                points.append(("phone", number, text, valid, r.error or None, r.kind, *_NO_PLACE))
            if r.valid:
                if primary_phone is None:
                    primary_phone = number
                if mobile is None and r.kind == "mobile":
                    mobile = number
    if phones:
        out["phones"] = phones
    if stage and len(phones) < len(plan.phones):
        slots += _NO_PHONE * (len(plan.phones) - len(phones))
    primary_email = None
    emails = []
    for c in plan.emails:
        if text := cells[c].strip():
            e = normalise_email(text)
            address = e.normalised or text.lower()
            email: dict[str, Any] = {"value": address, "raw": text, "valid": e.valid}
            if e.error:
                email["error"] = e.error
            emails.append(email)
            valid = int(bool(e.valid))
            if stage:
                slots += (address, text, valid, e.error or None)
            else:
                points.append(("email", address, text, valid, e.error or None, None, *_NO_PLACE))
            if primary_email is None and e.valid:
                primary_email = address
    if emails:
        out["emails"] = emails
    if stage and len(emails) < len(plan.emails):
        slots += _NO_EMAIL * (len(plan.emails) - len(emails))

    c = col("address")
    addr = normalise_address(text) if c is not None and (text := cells[c].strip()) else None
    if addr is not None:
        place = (addr.province or None, addr.city or None, addr.district or None)
        postcode = addr.postcode or None
        out["address"] = {
            k: v
            for k, v in (
                ("line", addr.line),
                ("province", addr.province),
                ("city", addr.city),
                ("district", addr.district),
                ("postcode", addr.postcode),
                ("country", addr.country),
            )
            if v
        }
        if addr.line:
            if stage:
                slots += (addr.line, *place, postcode)
            else:
                points.append(("address", addr.line, addr.line, 1, None, None, *place, postcode))
        elif stage:
            slots += _NO_ADDRESS
    elif stage and c is not None:
        slots += _NO_ADDRESS
    for part in _PLACE_PARTS:
        c = col(part)
        value = normalise_text(cells[c]) if c is not None else ""
        if not value and addr is not None:
            value = getattr(addr, part)
        if value is not None and value != "":
            out[part] = value

    grants = []
    consents: list[tuple[Any, ...]] = []
    for c, channel, purpose, header in plan.consents:
        flag = None
        if text := cells[c].strip():
            try:
                flag = parse_bool(text)
            except ValueError as exc:
                reason, hint = _reason(exc)
                problems.add(header, text, reason, hint or "use yes/no (是/否)")
        if flag is not None:
            status = "granted" if flag else "denied"
            grants.append(
                {"channel": channel, "purpose": purpose, "status": status, "column": header}
            )
            if stage:
                slots.append(status)  # the consent column's slot (the rest is per column)
            else:
                consents.append((channel, purpose, status, f"column '{header}'"))
        elif stage:
            slots.append(None)
    if grants:
        out["consents"] = grants
    extras = {}
    for c, raw_key in plan.extras:
        if c < len(values) and (text := values[c].strip()):
            extras[raw_key] = text
    if extras:
        out["attributes"] = extras
    if not ("full_name" in out or phones or emails or "company" in out):
        problems.add(
            "(row)",
            None,
            "row has no name, phone, e-mail or company",
            "check the column mapping; an empty row identifies nobody",
        )
    raw = dict(zip(ctx.raw_keys, values, strict=False))
    if problems:
        return RejectedRow(row_number, "validation", raw, [p.as_dict() for p in problems.problems])
    digest = row_hash(values)
    get = out.get
    customer = (
        *map(get, GOLDEN_FIELDS),
        primary_email,
        mobile or primary_phone,
        _dumps(extras) if extras else None,
    )
    key = key or f"row:{digest}"
    raw_json = _dumps(raw)
    parsed_json = _dumps(out)
    if stage:
        staged = (row_number, key, digest, raw_json, parsed_json, *customer, *slots)
        return ParsedRow(row_number, key, digest, raw_json, parsed_json, None, staged)
    return ParsedRow(row_number, key, digest, raw_json, parsed_json, (customer, points, consents))


_NO_PLACE = (None, None, None, None)
# An unused contact point slot (value NULL; see staging.StageLayout): phone, e-mail, address.
_NO_PHONE = (None, "", "", "", "")
_NO_EMAIL = (None, "", "", "")
_NO_ADDRESS = (None, "", "", "", "")
_PLACE_PARTS = ("province", "city", "district", "postcode")


def _is_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _extras(ctx: RowContext, values: list[str]) -> dict[str, str]:
    extras = {}
    for col in ctx.mapping.extra:
        if col < len(values) and values[col].strip():
            extras[ctx.raw_keys[col]] = values[col].strip()
    return extras


def _reference(ctx: RowContext, values: list[str]) -> dict[str, Any]:
    ref: dict[str, Any] = {"customer_key": _value(ctx, values, "customer_key") or None}
    email = _value(ctx, values, "customer_email")
    if email:
        ref["customer_email"] = normalise_email(email).normalised or email.lower()
    phone = _value(ctx, values, "customer_phone")
    if phone:
        ref["customer_phone"] = normalise_phone(phone, ctx.region).e164 or phone
    return ref


def _order(ctx: RowContext, values: list[str], problems: RowProblems) -> dict[str, Any]:
    m = ctx.mapping
    out: dict[str, Any] = {"order_key": _value(ctx, values, "order_key") or None}
    out["line_no"] = _value(ctx, values, "line_no") or None
    out.update(_reference(ctx, values))
    if not any(out.get(k) for k in ("customer_key", "customer_email", "customer_phone")):
        problems.add(
            "(customer)",
            None,
            "row names no customer (id, e-mail or phone)",
            "map the column that holds the customer's id",
        )
    when = _typed(
        ctx,
        values,
        problems,
        "ordered_at",
        lambda t: parse_datetime(t, day_first=m.day_first, default_tz=m.timezone),
        "write the time as YYYY-MM-DD HH:MM:SS",
    )
    out["ordered_at"] = _iso(when)
    out["sku"] = _value(ctx, values, "sku") or None
    fix = "write a plain number such as 12.50"
    qty = _typed(ctx, values, problems, "quantity", parse_decimal, fix)
    price = _typed(ctx, values, problems, "unit_price", parse_decimal, fix)
    amount = _typed(ctx, values, problems, "amount", parse_decimal, fix)
    discount = _typed(ctx, values, problems, "discount", parse_decimal, fix)
    if qty is None and not problems:
        qty = 1
    if amount is None and qty is not None and price is not None:
        amount = qty * price
    if qty is not None and qty == 0:
        problems.add(
            _header(ctx, "quantity") or "quantity",
            "0",
            "quantity is zero",
            "remove the line or correct the quantity",
        )
    if qty is not None and amount is not None and qty * amount < 0:
        problems.add(
            _header(ctx, "quantity") or "quantity",
            str(qty),
            f"quantity {qty} and amount {amount} disagree in sign",
            "a return has both negative; correct the wrong one",
        )
    out["quantity"] = None if qty is None else str(qty)
    out["unit_price"] = None if price is None else str(price)
    out["amount"] = None if amount is None else str(amount)
    out["discount"] = None if discount is None else str(discount)
    out["currency"] = (_value(ctx, values, "currency") or m.currency or "CNY").upper()
    for name in ("channel", "store", "status"):
        out[name] = _value(ctx, values, name) or None
    out["attributes"] = _extras(ctx, values)
    return out


def _event(ctx: RowContext, values: list[str], problems: RowProblems) -> dict[str, Any]:
    m = ctx.mapping
    out: dict[str, Any] = {"event_key": _value(ctx, values, "event_key") or None}
    out.update(_reference(ctx, values))
    if not any(out.get(k) for k in ("customer_key", "customer_email", "customer_phone")):
        problems.add(
            "(customer)",
            None,
            "row names no customer (id, e-mail or phone)",
            "map the column that holds the customer's id",
        )
    out["occurred_at"] = _iso(
        _typed(
            ctx,
            values,
            problems,
            "occurred_at",
            lambda t: parse_datetime(t, day_first=m.day_first, default_tz=m.timezone),
            "write the time as YYYY-MM-DD HH:MM:SS",
        )
    )
    out["type"] = _value(ctx, values, "type") or None
    out["channel"] = _value(ctx, values, "channel") or None
    out["touchpoint"] = _value(ctx, values, "touchpoint") or None
    payload: dict[str, Any] = dict(_extras(ctx, values))
    col = m.column("payload")
    if col is not None and col < len(values) and values[col].strip():
        try:
            loaded = orjson.loads(values[col])
        except orjson.JSONDecodeError:
            loaded = values[col].strip()
        payload["payload"] = loaded
    out["payload"] = payload
    return out


def _product(ctx: RowContext, values: list[str], problems: RowProblems) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": _value(ctx, values, "sku") or None}
    for name in ("name", "category", "brand"):
        out[name] = _value(ctx, values, name) or None
    price = _typed(
        ctx, values, problems, "price", parse_decimal, "write a plain number such as 12.50"
    )
    out["price"] = None if price is None else str(price)
    out["currency"] = (_value(ctx, values, "currency") or ctx.mapping.currency or "CNY").upper()
    out["attributes"] = _extras(ctx, values)
    return out


_PARSERS = {"orders": _order, "events": _event, "products": _product}  # customers: _parse_customer


PackedChunk = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]


def pack_chunk(rows: list[ParsedRow | RejectedRow]) -> PackedChunk:
    """Plain tuples for the trip between processes (pickling dataclasses costs 3-4x more)."""
    parsed = [
        (r.row_number, r.source_key, r.row_hash, r.raw_json, r.parsed_json, r.prepared)
        for r in rows
        if isinstance(r, ParsedRow)
    ]
    rejected = [
        (r.row_number, r.category, r.raw, r.problems, r.raw_text)
        for r in rows
        if isinstance(r, RejectedRow)
    ]
    return parsed, rejected, max(r.row_number for r in rows)


def unpack_chunk(packed: PackedChunk) -> list[ParsedRow | RejectedRow]:
    """The inverse of :func:`pack_chunk` (row order: accepted rows, then rejected ones)."""
    parsed, rejected, _ = packed
    rows: list[ParsedRow | RejectedRow] = [ParsedRow(*p) for p in parsed]
    rows.extend(RejectedRow(*r) for r in rejected)
    return rows


def parse_chunk(
    ctx: RowContext, rows: list[tuple[int, list[str], str | None, str | None]]
) -> list[ParsedRow | RejectedRow]:
    """Parse a chunk of (row_number, values, reader_error, raw_text); runs in a worker process."""
    out: list[ParsedRow | RejectedRow] = []
    for row_number, values, error, raw_text in rows:
        if error:
            raw = dict(zip(ctx.raw_keys, values, strict=False))
            out.append(
                RejectedRow(
                    row_number,
                    "parse",
                    raw,
                    [
                        {
                            "field": "(row)",
                            "value": None,
                            "reason": error,
                            "fix": "correct the row in the file and import it again",
                        }
                    ],
                    raw_text,
                )
            )
            continue
        out.append(parse_row(ctx, row_number, values))
    return supersede_duplicates(ctx, out)


def supersede_duplicates(
    ctx: RowContext, rows: list[ParsedRow | RejectedRow]
) -> list[ParsedRow | RejectedRow]:
    """Within a chunk the last row of a key wins; earlier ones are quarantined, not applied.

    Applying both would make every re-import of the file flip the record twice; quarantining
    the earlier row keeps re-imports idempotent and shows the user the duplicate.
    """
    last: dict[str, int] = {}
    for row in rows:
        if isinstance(row, ParsedRow):
            last[row.source_key] = row.row_number
    if len(last) == sum(isinstance(r, ParsedRow) for r in rows):
        return rows
    key_col = ctx.first_column.get(KEY_FIELD[ctx.mapping.kind])
    field_name = ctx.mapping.headers[key_col] if key_col is not None else "(row)"
    out: list[ParsedRow | RejectedRow] = []
    for row in rows:
        if isinstance(row, ParsedRow) and last[row.source_key] != row.row_number:
            problem: dict[str, str | None] = {
                "field": field_name,
                "value": row.source_key,
                "reason": f"the same id appears again at row {last[row.source_key]}; "
                "the later row is used",
                "fix": "remove the duplicate, or give each record its own id",
            }
            out.append(RejectedRow(row.row_number, "duplicate_key", row.raw, [problem]))
        else:
            out.append(row)
    return out
