"""High-risk flags: customers who must not be marketed to, or whose contact data fails.

A flag is a fact about a customer, read from everything the store holds about them: the
attributes (unmapped columns, header -> text) of each of their current source records, the
company name those records give, their contact points and their consent history.

- ``deceased``: an attribute named like deceased / death / 死亡 / 已故 / 去世 with a value that is
  not "no" (a date of death counts), or a status-like attribute (status, flag, tag, 状态, 标记,
  标签) whose value says so (deceased, 已故, 身故 ...).
- ``company_closed``: a company-like attribute (company / business / registration status,
  企业状态, 经营状态, 登记状态 ...) saying closed, dissolved, deregistered, revoked, bankrupt,
  in liquidation (注销, 吊销, 破产, 清算, 停业, 歇业 ...); a status-like attribute with one of the
  unambiguous words (吊销, 破产, bankrupt ... but not 注销 or "closed", which on a person's
  record usually mean a closed membership); or a company name with the word in brackets,
  ``某某科技有限公司（已注销）``.
- ``invalid_contact``: a phone or e-mail that failed validation (``contact_points.valid``).
- ``bounced``: a contact point whose ``validation_error`` starts with "bounced" (what a bounce
  handler writes, with ``valid`` false: ``bounced: 550 5.1.1 user unknown``), or an imported
  bounce column (bounced / hard_bounce / 退信 / 空号 with a value that is not "no", or a
  status-like value bounced / undeliverable / 退信 / 空号 / 停机).
- ``do_not_contact``: every current consent (newest per channel and purpose) denied, an
  attribute named like do_not_contact / dnc / 勿扰 / 免打扰 / 黑名单 that is not "no" (or a
  status-like value saying so), or deceased.

Names and values are compared lower-cased without spaces, underscores, hyphens and dots, so
"Do Not Contact", "do_not_contact" and "DoNotContact" meet. Everything runs in the database:
one statement, whatever the store's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from patron.identity.records import current_customer_records
from patron.store import Store
from patron.store.schema import consents, contact_points, customers, source_records, sources

FLAGS = ("deceased", "company_closed", "invalid_contact", "bounced", "do_not_contact")

# Attribute names (squeezed: lower case, no spaces, underscores, hyphens or dots), by meaning.
DECEASED_NAMES = ("deceased", "death", "died", "死亡", "已故", "去世", "身故", "过世", "逝世")
STATUS_NAMES = ("status", "flag", "tag", "状态", "标记", "标签")
COMPANY_NAMES = (
    "company", "business", "enterprise", "corporat", "employer", "organi", "企业", "公司",
    "经营", "登记", "工商", "单位", "营业", "商户",
)  # fmt: skip
DNC_NAMES = (
    "donotcontact", "dnc", "donotcall", "nocontact", "donotmail", "donotemail", "optoutall",
    "blacklist", "blocklist", "勿扰", "禁止联系", "拒绝联系", "不要联系", "黑名单",
)  # fmt: skip
BOUNCE_NAMES = ("bounce", "undeliver", "退信", "退回", "空号")

# Attribute values (squeezed) that mean the flag, on a status-like or company-like attribute.
DECEASED_VALUES = (
    "deceased", "dead", "died", "passedaway", "死亡", "已故", "去世", "身故", "过世", "逝世",
    "已逝",
)  # fmt: skip
CLOSED_VALUES = (
    "revoked", "bankrupt", "insolven", "liquidat", "dissolved", "deregistered", "struckoff",
    "woundup", "吊销", "破产", "清算", "停业", "歇业", "解散", "撤销", "倒闭", "关停",
)  # fmt: skip
CLOSED_COMPANY_VALUES = ("closed", "ceased", "cancel", "defunct", "inactive", "注销", "关闭")
DNC_VALUES = (
    "donotcontact", "dnc", "donotcall", "blacklist", "blocklist", "勿扰", "禁止联系", "拒绝联系",
    "黑名单",
)  # fmt: skip
BOUNCE_VALUES = ("bounce", "undeliverable", "退信", "空号", "停机", "无法送达", "无法投递")
# Values that say "no" (anything else filled in says "yes": a date of death, "是", "Y", "1").
FALSY = (
    "", "0", "false", "f", "no", "n", "none", "null", "nil", "na", "n/a", "off", "否", "无",
    "未", "不", "不是", "没有", "alive", "living", "在世", "健在", "正常",
)  # fmt: skip
# Words that, in brackets in a company name, say it is closed: 某某公司（已注销）.
COMPANY_NAME_MARKERS = (
    "注销", "吊销", "破产", "清算", "停业", "歇业", "解散", "撤销", "closed", "dissolved",
    "liquidation", "bankrupt", "deregistered", "revoked", "struck off",
)  # fmt: skip
BOUNCE_MARKER = "bounced"  # contact_points.validation_error starts with it


@dataclass(frozen=True)
class FlagCounts:
    """How many records (per source) or customers (whole store) carry each flag; ``any``:
    at least one."""

    deceased: int = 0
    company_closed: int = 0
    invalid_contact: int = 0
    bounced: int = 0
    do_not_contact: int = 0
    any: int = 0


@dataclass(frozen=True)
class FlaggedCustomer:
    customer_id: int
    flags: tuple[str, ...]


def _squeezed(expr: ColumnElement[str]) -> ColumnElement[str]:
    for gap in (" ", "\u3000", "_", "-", "."):
        expr = func.replace(expr, gap, "")
    return func.lower(expr)


def _has(expr: ColumnElement[str], words: Iterable[str]) -> ColumnElement[bool]:
    return or_(*(expr.like(f"%{w}%") for w in words))


def _attribute_pairs(dialect: str) -> Select[tuple[int, str, str]]:
    """(customer id, squeezed name, squeezed value) of every attribute of every current
    customer record."""
    sr = source_records.c
    # Both databases expand a JSON object into rows; only the function's name differs, and a
    # function in FROM may use the columns before it on both (PostgreSQL's implicit LATERAL).
    if dialect == "postgresql":
        pairs = func.json_each_text(sr.parsed["attributes"]).table_valued("key", "value")
    else:
        pairs = func.json_each(sr.parsed, "$.attributes").table_valued("key", "value")
    name = _squeezed(pairs.c.key)
    value = _squeezed(func.coalesce(pairs.c.value, ""))
    return (
        select(sr.customer_id, name.label("name"), value.label("value"))
        .select_from(source_records.join(pairs, true()))
        .where(*current_customer_records())
    )


def _attribute_flag(name: ColumnElement[str], value: ColumnElement[str]) -> ColumnElement[str]:
    """The flag one attribute (squeezed name and value) gives, or NULL."""
    status = _has(name, STATUS_NAMES)

    def named_or_status(names: tuple[str, ...], values: tuple[str, ...]) -> ColumnElement[bool]:
        return or_(and_(_has(name, names), value.not_in(FALSY)), and_(status, _has(value, values)))

    closed = or_(
        and_(_has(name, COMPANY_NAMES), _has(value, CLOSED_VALUES + CLOSED_COMPANY_VALUES)),
        and_(status, _has(value, CLOSED_VALUES)),
    )
    return case(
        (named_or_status(DECEASED_NAMES, DECEASED_VALUES), "deceased"),
        (closed, "company_closed"),
        (named_or_status(DNC_NAMES, DNC_VALUES), "dnc"),
        (named_or_status(BOUNCE_NAMES, BOUNCE_VALUES), "bounced"),
        else_=null(),
    )


def flag_evidence(dialect: str, customer_id: int | None = None) -> CompoundSelect:
    """(customer id, flag) for each piece of evidence; ``customer_id`` limits it to one."""
    sr, cp, c = source_records.c, contact_points.c, consents.c

    def only(column: ColumnElement[int]) -> tuple[ColumnElement[bool], ...]:
        return () if customer_id is None else (column == customer_id,)

    # Materialised: otherwise the databases paste the name and value expressions into each of
    # the hundred LIKEs below and compute them again for each (ten times slower).
    attrs = _attribute_pairs(dialect).where(*only(sr.customer_id)).cte("attributes")
    attrs = attrs.prefix_with("MATERIALIZED")
    from_attributes = select(
        attrs.c.customer_id, _attribute_flag(attrs.c.name, attrs.c.value).label("flag")
    ).subquery()
    company = func.lower(
        func.replace(func.replace(sr.parsed["company"].as_string(), "（", "("), "）", ")")
    )
    latest = select(
        c.customer_id,
        c.status,
        func.row_number()
        .over(
            partition_by=(c.customer_id, c.channel, c.purpose),
            order_by=(c.recorded_at.desc(), c.id.desc()),
        )
        .label("newest"),
    ).where(*only(c.customer_id))
    latest_sq = latest.subquery()
    granted = func.sum(case((latest_sq.c.status == "granted", 1), else_=0))
    return union_all(
        select(from_attributes.c.customer_id, from_attributes.c.flag).where(
            from_attributes.c.flag.is_not(None)
        ),
        select(sr.customer_id, literal("company_closed", String)).where(
            *current_customer_records(),
            *only(sr.customer_id),
            company.like("%(%)%"),  # most names have no brackets: one test for them
            or_(*(company.like(f"%(%{w}%)%") for w in COMPANY_NAME_MARKERS)),
        ),
        select(cp.customer_id, literal("invalid_contact", String)).where(
            cp.valid.is_(False), cp.kind.in_(("phone", "email")), *only(cp.customer_id)
        ),
        select(cp.customer_id, literal("bounced", String)).where(
            func.lower(cp.validation_error).like(f"{BOUNCE_MARKER}%"), *only(cp.customer_id)
        ),
        select(latest_sq.c.customer_id, literal("dnc", String))
        .where(latest_sq.c.newest == 1)
        .group_by(latest_sq.c.customer_id)
        .having(granted == 0),
    )


def flagged_table(dialect: str, customer_id: int | None = None) -> Select[tuple[int, ...]]:
    """One row per active customer with at least one flag: customer_id, then 0/1 per flag."""
    evidence = flag_evidence(dialect, customer_id).subquery()
    kinds = {
        "deceased": ("deceased",),
        "company_closed": ("company_closed",),
        "invalid_contact": ("invalid_contact",),
        "bounced": ("bounced",),
        "do_not_contact": ("dnc", "deceased"),  # the dead are not to be contacted either
    }
    return (
        select(
            evidence.c.customer_id,
            *(func.max(case((evidence.c.flag.in_(kinds[f]), 1), else_=0)).label(f) for f in FLAGS),
        )
        .join(customers, customers.c.id == evidence.c.customer_id)
        .where(customers.c.status == "active")
        .group_by(evidence.c.customer_id)
    )


def without_jit(conn: Connection) -> None:
    """Turn PostgreSQL's JIT compiler off for the rest of this transaction. It compiles a query
    whose estimated cost is high, and the flag query's estimate is inflated (the planner counts
    100 attributes per record): compiling its hundred LIKEs took 5 s, longer than running it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL jit = off")


def flag_counts(conn: Connection) -> tuple[dict[str, FlagCounts], FlagCounts]:
    """Per source, its current customer records whose customer carries each flag; and for the
    whole store, the active customers that do."""
    without_jit(conn)
    flagged = flagged_table(conn.dialect.name).cte("flagged")
    sr = source_records.c
    sums = [func.coalesce(func.sum(flagged.c[f]), 0).label(f) for f in FLAGS]
    per_source = (
        select(sources.c.name.label("source"), *sums, func.count().label("any"))
        .select_from(
            source_records.join(flagged, flagged.c.customer_id == sr.customer_id).join(
                sources, sources.c.id == sr.source_id
            )
        )
        .where(*current_customer_records())
        .group_by(sources.c.name)
    )
    whole = select(null().label("source"), *sums, func.count().label("any")).select_from(flagged)
    by_source: dict[str, FlagCounts] = {}
    overall = FlagCounts()
    for row in conn.execute(union_all(per_source, whole)).mappings():
        counts = FlagCounts(**{k: int(row[k] or 0) for k in (*FLAGS, "any")})
        if row["source"] is None:
            overall = counts
        else:
            by_source[row["source"]] = counts
    return by_source, overall


def customer_flags(conn: Connection, customer_id: int) -> tuple[str, ...]:
    """The flags one customer carries, in FLAGS order (their rows only: indexed, quick)."""
    row = conn.execute(flagged_table(conn.dialect.name, customer_id)).mappings().first()
    return tuple(f for f in FLAGS if row and row[f])


def flagged_customers(
    store: Store,
    *,
    flag: str | None = None,
    source: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[FlaggedCustomer]:
    """Customers carrying ``flag`` (any flag when None), optionally only those with a current
    record in ``source``, by id from ``after`` on: a page of at most ``limit``."""
    if flag is not None and flag not in FLAGS:
        raise ValueError(f"unknown flag {flag!r} (known: {', '.join(FLAGS)})")
    flagged = flagged_table(store.dialect).subquery()
    query = select(flagged).where(flagged.c.customer_id > after)
    if flag is not None:
        query = query.where(flagged.c[flag] == 1)
    if source is not None:
        sr = source_records.c
        query = query.where(
            select(sr.id)
            .join(sources, sources.c.id == sr.source_id)
            .where(
                sr.customer_id == flagged.c.customer_id,
                sources.c.name == source,
                *current_customer_records(),
            )
            .exists()
        )
    with store.connect() as conn:
        without_jit(conn)
        rows = conn.execute(query.order_by(flagged.c.customer_id).limit(limit)).mappings().all()
    return [FlaggedCustomer(r["customer_id"], tuple(f for f in FLAGS if r[f])) for r in rows]
