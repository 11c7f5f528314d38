"""The behaviour feature set per customer (消费行为特征变量集), point-in-time correct.

Everything a snapshot ``as_of`` a moment computes comes from facts dated before that moment:
orders placed, interactions that happened and customers created before it. Facts loaded later
but dated earlier (a late POS export) do count: they happened before. One row per active
customer created before the moment, buyers or not.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis

from patron.analytics.facts import Facts, Table, as_timestamp, days_before

# Channels of orders placed online; anything else (a store, a call) counts as offline.
ONLINE_CHANNELS = ("web", "app", "wechat_mini_program", "online", "mini_program", "h5")
SERVICE_TYPES = ("service_ticket", "call")
COMPLAINT_TYPES = ("complaint",)
RESPONSE_TYPES = ("email_click", "sms_click", "coupon_redeemed", "campaign_response")
OPEN_TYPES = ("email_open",)
RECENT_DAYS = 90

FEATURES = (
    "frequency",  # orders with a positive total
    "monetary",  # their total
    "avg_order_value",
    "recency_days",  # days since the last order (None: never bought)
    "tenure_days",  # days since the customer was first seen (created or first order)
    "first_order_days",  # days since the first order
    "ipt_mean_days",  # mean days between orders (two or more orders)
    "ipt_cv",  # their coefficient of variation: how regular the customer is
    "purchase_rate_30d",  # orders per 30 days of tenure
    "frequency_90d",
    "monetary_90d",
    "category_breadth",  # distinct product categories bought
    "discount_share",  # discount / (paid + discount)
    "returns",  # orders with a negative total or a returned/refunded status
    "online_share",  # share of orders placed online
    "service_contacts",
    "complaints",
    "campaign_opens",
    "campaign_responses",
    "web_sessions_90d",  # page views in the last 90 days
)
_RETURN_STATUSES = ("returned", "refunded", "return")


def customer_features(facts: Facts, as_of: date | datetime) -> Table:
    """One row per customer: ``customer_id``, ``as_of`` and every name in FEATURES."""
    moment = as_timestamp(as_of)
    stamp = ibis.literal(moment)
    c, o = facts.customers, facts.orders
    people = c.filter((c.status == "active") & (c.first_seen_at < stamp)).select(
        customer_id=c.id, created_at=c.first_seen_at
    )
    past = o.filter(o.ordered_at < stamp)
    bought = past.filter(past.total_amount > 0)
    orders = _order_features(bought, moment)
    gaps = _gap_features(bought)
    lines = _line_features(facts, bought)
    returns = (
        past.filter((past.total_amount < 0) | past.status.lower().isin(_RETURN_STATUSES))
        .group_by(customer_id=past.customer_id)
        .agg(returns=ibis._.count())
    )
    events = _interaction_features(facts.interactions, moment)
    joined = people
    for part in (orders, gaps, lines, returns, events):
        joined = joined.left_join(part, "customer_id").drop("customer_id_right")
    first_seen = ibis.least(joined.created_at, joined.first_order_at)
    tenure = ibis.greatest(days_before(moment, first_seen), 0)
    zero = ibis.literal(0)
    return joined.select(
        customer_id=joined.customer_id,
        as_of=stamp,
        frequency=joined.frequency.fill_null(0),
        monetary=joined.monetary.fill_null(0).cast("float64"),
        avg_order_value=(joined.monetary / joined.frequency).cast("float64"),
        recency_days=days_before(moment, joined.last_order_at),
        tenure_days=tenure,
        first_order_days=days_before(moment, joined.first_order_at),
        ipt_mean_days=joined.ipt_mean_days,
        ipt_cv=joined.ipt_std_days / joined.ipt_mean_days.nullif(0),
        purchase_rate_30d=joined.frequency.fill_null(0) * 30.0 / ibis.greatest(tenure, 1),
        frequency_90d=joined.frequency_90d.fill_null(0),
        monetary_90d=joined.monetary_90d.fill_null(0).cast("float64"),
        category_breadth=joined.category_breadth.fill_null(0),
        discount_share=joined.discount_share,
        returns=joined.returns.fill_null(0),
        online_share=(joined.online_orders / joined.frequency).cast("float64"),
        service_contacts=joined.service_contacts.fill_null(zero),
        complaints=joined.complaints.fill_null(zero),
        campaign_opens=joined.campaign_opens.fill_null(zero),
        campaign_responses=joined.campaign_responses.fill_null(zero),
        web_sessions_90d=joined.web_sessions_90d.fill_null(zero),
    )


def _order_features(bought: Table, moment: datetime) -> Table:
    recent = days_before(moment, bought.ordered_at) <= RECENT_DAYS
    online = bought.channel.lower().isin(ONLINE_CHANNELS)
    return bought.group_by(customer_id=bought.customer_id).agg(
        frequency=bought.id.nunique(),
        monetary=bought.total_amount.sum(),
        first_order_at=bought.ordered_at.min(),
        last_order_at=bought.ordered_at.max(),
        frequency_90d=recent.ifelse(bought.id, ibis.null()).nunique(),
        monetary_90d=recent.ifelse(bought.total_amount, 0).sum(),
        online_orders=online.ifelse(1, 0).sum(),
    )


def _gap_features(bought: Table) -> Table:
    """Mean and spread of the days between a customer's consecutive orders."""
    window = ibis.window(group_by=bought.customer_id, order_by=[bought.ordered_at, bought.id])
    seconds = bought.ordered_at.epoch_seconds()
    gaps = bought.select(
        customer_id=bought.customer_id, gap=(seconds - seconds.lag().over(window)) / 86_400
    ).filter(ibis._.gap.notnull())
    return gaps.group_by("customer_id").agg(
        ipt_mean_days=gaps.gap.mean(), ipt_std_days=gaps.gap.std(how="pop")
    )


def _line_features(facts: Facts, bought: Table) -> Table:
    lines, products = facts.order_lines, facts.products
    buyers = bought.select(oid=bought.id, customer_id=bought.customer_id)
    joined = lines.inner_join(buyers, lines.order_id == buyers.oid)
    categories = products.select(pid=products.id, category=products.category)
    joined = joined.left_join(categories, joined.product_id == categories.pid)
    paid = joined.amount.sum().cast("float64")
    discount = joined.discount.fill_null(0).sum().cast("float64")
    return joined.group_by("customer_id").agg(
        category_breadth=joined.category.nunique(),
        discount_share=discount / (paid + discount).nullif(0),
    )


def _interaction_features(interactions: Table, moment: datetime) -> Table:
    i = interactions.filter(interactions.occurred_at < ibis.literal(moment))
    recent = days_before(moment, i.occurred_at) <= RECENT_DAYS

    def count(condition: Any) -> Any:
        return condition.ifelse(1, 0).sum()

    return i.group_by(customer_id=i.customer_id).agg(
        service_contacts=count(i.type.isin(SERVICE_TYPES)),
        complaints=count(i.type.isin(COMPLAINT_TYPES)),
        campaign_opens=count(i.type.isin(OPEN_TYPES)),
        campaign_responses=count(i.type.isin(RESPONSE_TYPES)),
        web_sessions_90d=count((i.type == "page_view") & recent),
    )


def features_frame(facts: Facts, as_of: date | datetime) -> Any:
    """:func:`customer_features` as a pandas DataFrame."""
    return customer_features(facts, as_of).to_pandas()
