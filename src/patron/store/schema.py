"""The operational store's tables (SQLAlchemy Core).

One metadata for the whole store so Alembic sees every table. Conventions:
- integer surrogate keys; timestamps are timezone-aware UTC;
- every row that came from a file points back at the source record it came from, and every
  source record at its import batch, so any value can be traced to the file and row it came from;
- JSON columns hold raw rows and per-row evidence, never anything a query filters on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# BigInteger primary keys become INTEGER on SQLite so they alias the rowid.
PK = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TS = UtcDateTime()
MONEY = Numeric(18, 4)


# The partial contact lookup index's condition; queries repeat it verbatim (see contact_kind).
LOOKUP_KINDS = "kind IN ('email', 'phone')"


def _pk() -> Column:
    return Column("id", PK, primary_key=True, autoincrement=True)


sources = Table(
    "sources",
    metadata,
    _pk(),
    Column("name", String(100), nullable=False, unique=True),
    Column("external", Boolean, nullable=False, default=False),
    Column("reliability", Float, nullable=False),
    Column("half_life_days", Float, nullable=False),
    Column("description", Text),
    Column("created_at", TS, nullable=False),
)

import_batches = Table(
    "import_batches",
    metadata,
    _pk(),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("format", String(10), nullable=False),
    Column("encoding", String(40)),
    Column("mapping", JSON, nullable=False),
    Column("external", Boolean, nullable=False),
    # Reliability at data_as_of; it halves every half_life_days (see patron.store.reliability).
    Column("reliability", Float, nullable=False),
    Column("half_life_days", Float, nullable=False),
    Column("data_as_of", TS, nullable=False),
    Column("status", String(20), nullable=False),  # running|completed|failed|rolled_back
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_inserted", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    # Last physical row number whose effects are committed; a resume continues after it.
    Column("checkpoint_row", Integer, nullable=False, default=0),
    Column("started_at", TS, nullable=False),
    Column("heartbeat_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("error", Text),
    Column("created_by", String(100)),
    Index("ix_import_batches_file", "source_id", "kind", "file_sha256"),
)

customers = Table(
    "customers",
    metadata,
    _pk(),
    Column("status", String(20), nullable=False, default="active"),  # active|merged|erased
    Column("merged_into_id", ForeignKey("customers.id")),
    Column("full_name", Text),
    Column("given_name", Text),
    Column("family_name", Text),
    Column("name_key", String(200)),  # search key: pinyin for Chinese, casefolded Latin
    Column("gender", String(1)),
    Column("birth_date", Date),
    Column("company", Text),
    Column("member_tier", String(50)),
    Column("primary_email", String(320)),
    Column("primary_phone", String(32)),
    Column("province", String(50)),
    Column("city", String(100)),
    Column("district", String(100)),
    Column("postcode", String(20)),
    Column("external", Boolean, nullable=False, default=False),
    Column("attributes", JSON),
    # For each golden field, the source record it came from: {"full_name": 123, ...}.
    Column("lineage", JSON),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    # Name search uses this index for Chinese and Latin names alike (see customers.search).
    Index("ix_customers_name_key", "name_key", "full_name"),
)

source_records = Table(
    "source_records",
    metadata,
    _pk(),
    Column("batch_id", ForeignKey("import_batches.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source_key", String(200), nullable=False),
    Column("row_number", Integer, nullable=False),
    # Hash of the raw row's content: same key + same hash = unchanged on re-import.
    Column("row_hash", String(32), nullable=False),
    Column("loaded_at", TS, nullable=False),
    Column("external", Boolean, nullable=False),
    Column("raw", JSON, nullable=False),  # header -> text exactly as received
    Column("parsed", JSON, nullable=False),  # canonical field -> normalised value
    Column("customer_id", ForeignKey("customers.id")),
    Column("is_current", Boolean, nullable=False, default=True),
    Index("ix_source_records_key", "source_id", "kind", "source_key"),
    Index("ix_source_records_customer", "customer_id"),
    Index("ix_source_records_batch", "batch_id", "row_number"),
)

contact_points = Table(
    "contact_points",
    metadata,
    _pk(),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # email|phone|address
    Column("value", Text, nullable=False),  # normalised (E.164, lower-case e-mail, address line)
    Column("raw_value", Text),
    Column("valid", Boolean, nullable=False),
    Column("validation_error", Text),
    Column("verified", Boolean, nullable=False, default=False),
    Column("phone_kind", String(10)),
    Column("province", String(50)),
    Column("city", String(100)),
    Column("district", String(100)),
    Column("postcode", String(20)),
    Column("source_record_id", ForeignKey("source_records.id")),
    Column("batch_id", ForeignKey("import_batches.id")),
    Column("created_at", TS, nullable=False),
    # Phones and e-mails only: nobody looks up an address by its exact text. Queries must name
    # the kind as a literal (see contact_kind) for the planner to use this partial index.
    Index(
        "ix_contact_points_lookup",
        "kind",
        "value",
        sqlite_where=text(LOOKUP_KINDS),
        postgresql_where=text(LOOKUP_KINDS),
    ),
    Index("ix_contact_points_customer", "customer_id"),
)

consents = Table(
    "consents",
    metadata,
    _pk(),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("channel", String(20), nullable=False),  # email|sms|phone|mail|...
    Column("purpose", String(50), nullable=False),  # marketing|...
    Column("status", String(10), nullable=False),  # granted|denied
    Column("recorded_at", TS, nullable=False),
    Column("origin", Text, nullable=False),  # e.g. "import pos batch 3 column 接受短信"
    Column("source_record_id", ForeignKey("source_records.id")),
    Column("batch_id", ForeignKey("import_batches.id")),
    Index("ix_consents_customer", "customer_id", "channel", "purpose"),
)

products = Table(
    "products",
    metadata,
    _pk(),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("sku", String(200), nullable=False),
    Column("name", Text),
    Column("category", Text),
    Column("brand", Text),
    Column("price", MONEY),
    Column("currency", String(3)),
    Column("attributes", JSON),
    Column("source_record_id", ForeignKey("source_records.id")),
    Column("batch_id", ForeignKey("import_batches.id")),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("source_id", "sku", name="uq_products_source_sku"),
    Index("ix_products_sku", "sku"),
)

orders = Table(
    "orders",
    metadata,
    _pk(),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("order_key", String(200), nullable=False),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("ordered_at", TS, nullable=False),
    Column("total_amount", MONEY, nullable=False),
    Column("currency", String(3)),
    Column("channel", String(50)),
    Column("store", Text),
    Column("status", String(30)),
    Column("batch_id", ForeignKey("import_batches.id")),
    UniqueConstraint("source_id", "order_key", name="uq_orders_source_key"),
    Index("ix_orders_customer", "customer_id", "ordered_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    _pk(),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", String(50), nullable=False),
    Column("product_id", ForeignKey("products.id")),
    Column("sku", String(200)),
    Column("quantity", Numeric(18, 4), nullable=False),
    Column("unit_price", MONEY),
    Column("amount", MONEY, nullable=False),
    Column("discount", MONEY),
    Column("source_record_id", ForeignKey("source_records.id")),
    Column("batch_id", ForeignKey("import_batches.id")),
    UniqueConstraint("order_id", "line_no", name="uq_order_lines_line"),
)

interactions = Table(
    "interactions",
    metadata,
    _pk(),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("event_key", String(200), nullable=False),
    Column("occurred_at", TS, nullable=False),
    Column("type", String(50), nullable=False),
    Column("channel", String(50)),
    Column("touchpoint", String(100)),
    Column("payload", JSON),
    Column("source_record_id", ForeignKey("source_records.id")),
    Column("batch_id", ForeignKey("import_batches.id")),
    UniqueConstraint("source_id", "event_key", name="uq_interactions_source_key"),
    Index("ix_interactions_customer", "customer_id", "occurred_at"),
)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    _pk(),
    Column("batch_id", ForeignKey("import_batches.id", ondelete="CASCADE"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("category", String(30), nullable=False),  # parse|validation|unresolved_reference
    Column("raw", JSON, nullable=False),
    Column("raw_text", Text),
    Column("problems", JSON, nullable=False),  # [{field, value, reason, fix}]
    Column("created_at", TS, nullable=False),
    Index("ix_rejected_rows_batch", "batch_id", "row_number"),
)

# One row per merge of customer ``merged_id`` into ``survivor_id``. ``moved`` lists the ids of
# every row the merge moved, per table, so an unmerge moves exactly those back; ``before`` keeps
# both customers' golden records as they were.
customer_merges = Table(
    "customer_merges",
    metadata,
    _pk(),
    Column("survivor_id", ForeignKey("customers.id"), nullable=False),
    Column("merged_id", ForeignKey("customers.id"), nullable=False),
    Column("match_probability", Float),  # NULL for a merge a person asked for without a score
    Column("match_weight", Float),
    Column("reason", Text, nullable=False),  # automatic|review|manual, and why
    Column("run_id", ForeignKey("match_runs.id")),
    Column("actor", String(100), nullable=False),
    Column("merged_at", TS, nullable=False),
    Column("moved", JSON, nullable=False),  # {"orders": [ids], ...}
    Column("before", JSON, nullable=False),  # {"survivor": {...}, "merged": {...}}
    Column("undone_at", TS),
    Column("undone_by", String(100)),
    Column("undo_reason", Text),
    Index("ix_customer_merges_survivor", "survivor_id"),
    Index("ix_customer_merges_merged", "merged_id"),
)

# Each `patron unify` run: the model it used (versioned JSON) and the newest source record it
# saw, so the next incremental run matches only records loaded since.
match_runs = Table(
    "match_runs",
    metadata,
    _pk(),
    Column("mode", String(20), nullable=False),  # full|incremental
    Column("status", String(20), nullable=False),  # running|completed|failed
    Column("actor", String(100), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("high", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("model", JSON),  # the trained matching model (patron.identity.LinkageModel JSON)
    Column("watermark", BigInteger),  # the newest source record id this run considered
    Column("records", Integer),
    Column("pairs", Integer),
    Column("merges", Integer),
    Column("reviews", Integer),
    Column("households", Integer),
    Column("error", Text),
    # Where a run is (stage, done of total) and the process running it, with its heartbeat: any
    # process can tell a run still working from one whose process stopped (migration 0008).
    Column("stage", String(40)),
    Column("stage_done", BigInteger),
    Column("stage_total", BigInteger),
    Column("worker_host", String(255)),
    Column("worker_pid", Integer),
    Column("heartbeat_at", TS),
)

# Pairs of source records between the thresholds, for a person to decide. Decisions stay:
# a rejected pair is never proposed again, and labelled pairs calibrate the model.
match_reviews = Table(
    "match_reviews",
    metadata,
    _pk(),
    Column("record_l", ForeignKey("source_records.id"), nullable=False),
    Column("record_r", ForeignKey("source_records.id"), nullable=False),
    Column("customer_l", ForeignKey("customers.id"), nullable=False),
    Column("customer_r", ForeignKey("customers.id"), nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("evidence", JSON, nullable=False),  # per field: both values, level, weight
    Column("status", String(20), nullable=False),  # pending|accepted|rejected|superseded
    Column("run_id", ForeignKey("match_runs.id")),
    Column("created_at", TS, nullable=False),
    Column("decided_at", TS),
    Column("decided_by", String(100)),
    Column("note", Text),
    Column("merge_id", ForeignKey("customer_merges.id")),
    UniqueConstraint("record_l", "record_r", name="uq_match_reviews_pair"),
    Index("ix_match_reviews_status", "status", "match_probability"),
)

# Households: people at one address sharing a surname (or a landline / family mailbox). They
# are linked, never merged: each member stays their own customer.
households = Table(
    "households",
    metadata,
    _pk(),
    Column("address_key", Text, nullable=False),
    Column("label", Text),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

household_members = Table(
    "household_members",
    metadata,
    Column("customer_id", ForeignKey("customers.id"), primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False),
    Column("since", TS, nullable=False),
    Index("ix_household_members_household", "household_id"),
)

# Customer analytics (`patron analyze`): each run, the models it fitted, their checks, and the
# latest scores per customer (what the customer page, the API and segments read; the history
# of features lives in the warehouse).
analytics_runs = Table(
    "analytics_runs",
    metadata,
    _pk(),
    Column("as_of", TS, nullable=False),
    Column("status", String(20), nullable=False),  # running|completed|failed
    Column("actor", String(100), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("summary", JSON),  # counts, grids and backtests the pages chart
    Column("error", Text),
    Index("ix_analytics_runs_as_of", "as_of"),
)

model_registry = Table(
    "model_registry",
    metadata,
    _pk(),
    Column("kind", String(40), nullable=False),  # churn|bgnbd|gamma_gamma|clv_ml|...
    Column("version", Integer, nullable=False),
    Column("run_id", ForeignKey("analytics_runs.id")),
    Column("trained_at", TS, nullable=False),
    Column("as_of", TS, nullable=False),
    Column("window_start", TS),
    Column("window_end", TS),
    Column("params", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("artifact", Text),  # the fitted model where it is more than its parameters (JSON)
    Column("status", String(20), nullable=False),  # active|retired
    UniqueConstraint("kind", "version", name="uq_model_registry_version"),
)

model_checks = Table(
    "model_checks",
    metadata,
    _pk(),
    Column("model_id", ForeignKey("model_registry.id"), nullable=False),
    Column("checked_at", TS, nullable=False),
    Column("as_of", TS, nullable=False),
    Column("score_psi", Float),  # drift of the scores against the training snapshot
    Column("input_psi", JSON),  # per feature
    Column("outcome_auc", Float),  # once the outcomes of an earlier scoring are known
    Column("details", JSON),
    Index("ix_model_checks_model", "model_id", "checked_at"),
)

customer_scores = Table(
    "customer_scores",
    metadata,
    Column("customer_id", ForeignKey("customers.id"), primary_key=True),
    Column("run_id", ForeignKey("analytics_runs.id"), nullable=False),
    Column("as_of", TS, nullable=False),
    Column("rfm_r", Integer),
    Column("rfm_f", Integer),
    Column("rfm_m", Integer),
    Column("rfm_segment", String(40)),
    Column("lifecycle_stage", String(20)),
    Column("customer_class", String(20)),
    Column("value_tier", String(20)),
    Column("clv", Float),
    Column("expected_purchases", Float),
    Column("p_alive", Float),
    Column("churn_probability", Float),
    Column("churn_reasons", Text),
    Column("value_churn_cell", String(40)),
    Column("next_products", JSON),
    Index("ix_customer_scores_cell", "value_churn_cell"),
    Index("ix_customer_scores_churn", "churn_probability"),
)

# The value x churn matrix's strategy per cell, edited by people (defaults in analytics).
value_churn_strategies = Table(
    "value_churn_strategies",
    metadata,
    Column("cell", String(40), primary_key=True),
    Column("strategy", Text, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", TS, nullable=False),
)

# Data quality measured over time: one row per source (and one for the whole store, source
# NULL) each time the quality report is saved.
quality_snapshots = Table(
    "quality_snapshots",
    metadata,
    _pk(),
    Column("taken_at", TS, nullable=False),
    Column("source", String(100)),
    Column("records", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_quality_snapshots_taken", "taken_at"),
)

users = Table(
    "users",
    metadata,
    _pk(),
    Column("name", String(100), nullable=False, unique=True),
    Column("display_name", Text),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text),
    Column("active", Boolean, nullable=False, default=True),
    Column("locale", String(10)),
    Column("password_changed_at", TS),
    Column("created_at", TS, nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("description", Text, nullable=False),
    Column("sees_personal_data", Boolean, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    _pk(),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("label", Text),
    Column("scopes", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("last_used_at", TS),
    Column("revoked_at", TS),
)

sessions = Table(
    "sessions",
    metadata,
    _pk(),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    # Only a hash of the cookie's token is stored: a copied database cannot log anyone in.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("revoked_at", TS),
    Column("client", Text),  # user agent and address, for the user's session list
    Index("ix_sessions_user", "user_id"),
)

# Failed logins per name, kept whether or not the name is a user, so lockout cannot reveal
# which names exist.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_failure_at", TS, nullable=False),
    Column("locked_until", TS),
)

# Login attempts per client address, counted in 10-second buckets: the last six buckets are the
# last minute, whichever server process answered. Rows older than a minute are deleted.
login_rate = Table(
    "login_rate",
    metadata,
    Column("address", String(100), primary_key=True),
    Column("bucket", BigInteger, primary_key=True),  # seconds since the epoch // 10
    Column("attempts", Integer, nullable=False),
)

# Imports started from the web app or API, with their live progress, so every server process
# can answer for them. The process running one (host, pid) refreshes heartbeat_at while it runs.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("file_name", Text, nullable=False),  # the name the user uploaded, for display
    Column("source", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("started_by", String(100), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("status", String(20), nullable=False),  # running|completed|failed
    Column("rows_read", BigInteger, nullable=False, default=0),
    Column("bytes_read", BigInteger, nullable=False, default=0),
    Column("total_bytes", BigInteger, nullable=False, default=0),
    Column("batch_id", ForeignKey("import_batches.id")),  # known after the first chunk
    Column("report", JSON),
    Column("error", Text),
    Column("worker_host", String(255), nullable=False),
    Column("worker_pid", Integer, nullable=False),
    Column("heartbeat_at", TS, nullable=False),
    Column("finished_at", TS),
    Index("ix_import_jobs_started", "started_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("principal", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer),  # NULL while the first request is still running
    Column("response", JSON),
    Column("created_at", TS, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    _pk(),
    Column("at", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target_type", String(50), nullable=False),
    Column("target_id", String(100)),
    Column("details", JSON),
    # Each row's hash covers the previous row's hash, so an edited or deleted row breaks the chain.
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_target", "target_type", "target_id"),
)

ROLE_DEFINITIONS: tuple[tuple[str, str, bool], ...] = (
    ("admin", "Administers users, settings and all data", True),
    ("marketer", "Builds segments, campaigns and journeys", True),
    ("analyst", "Explores data and models; personal data masked", False),
    ("sales", "Works opportunities and accounts", True),
    ("service", "Handles service requests and calls", True),
    ("viewer", "Reads dashboards; personal data masked", False),
)


def contact_kind(kind: str) -> Any:
    """A condition on contact_points.kind that can use the partial lookup index.

    The kind is rendered into the SQL as a literal (it comes from patron's code, never from
    users), because a planner cannot match a bound parameter to a partial index's condition.
    """
    if kind not in ("email", "phone"):
        raise ValueError(f"contact lookups are by email or phone, not {kind!r}")
    # SQLite uses a partial index only when the query contains its WHERE term exactly.
    return and_(
        text(LOOKUP_KINDS), contact_points.c.kind == bindparam(None, kind, literal_execute=True)
    )
