"""The words of the analytics pages that reach the templates as data (segments, stages,
classes, tiers, the churn model's features, the matrix's levels), as English msgids the
catalog translates; a value not listed shows as it is."""

from __future__ import annotations

from patron.web.ui.i18n import N_

SEGMENTS = {
    "Champions": N_("Champions"),
    "Loyal": N_("Loyal"),
    "Potential loyalists": N_("Potential loyalists"),
    "New customers": N_("New customers"),
    "Promising": N_("Promising"),
    "Need attention": N_("Need attention"),
    "About to sleep": N_("About to sleep"),
    "At risk": N_("At risk"),
    "Can't lose them": N_("Can't lose them"),
    "Hibernating": N_("Hibernating"),
    "Lost": N_("Lost"),
    "No purchase": N_("No purchase"),
    "Other": N_("Other"),
}
STAGES = {
    "awareness": N_("Awareness"),
    "exploration": N_("Exploration"),
    "familiarity": N_("Familiarity"),
    "loyalty": N_("Loyalty"),
    "separation": N_("Separation"),
}
CLASSES = {
    "doubtful": N_("Doubtful customers"),
    "potential": N_("Potential customers"),
    "actual": N_("Actual customers"),
    "lost": N_("Lost customers"),
}
TIERS = {
    "gold": N_("Gold customers"),
    "key": N_("Key customers"),
    "quality": N_("Quality customers"),
    "general": N_("General customers"),
    "restricted": N_("Restricted customers"),
    "eliminated": N_("Eliminated customers"),
}
FEATURES = {
    "frequency": N_("Orders"),
    "monetary": N_("Spent in total"),
    "avg_order_value": N_("Average order value"),
    "recency_days": N_("Days since the last order"),
    "tenure_days": N_("Days as a customer"),
    "first_order_days": N_("Days since the first order"),
    "ipt_mean_days": N_("Average days between orders"),
    "ipt_cv": N_("Irregularity of orders"),
    "purchase_rate_30d": N_("Orders per 30 days"),
    "frequency_90d": N_("Orders in the last 90 days"),
    "monetary_90d": N_("Spent in the last 90 days"),
    "category_breadth": N_("Product categories bought"),
    "discount_share": N_("Share of discounts"),
    "returns": N_("Returns"),
    "online_share": N_("Share of orders online"),
    "service_contacts": N_("Service contacts"),
    "complaints": N_("Complaints"),
    "campaign_opens": N_("Campaign messages opened"),
    "campaign_responses": N_("Campaign responses"),
    "web_sessions_90d": N_("Web visits in the last 90 days"),
}
VALUE_LEVELS = {"high": N_("High value"), "medium": N_("Medium value"), "low": N_("Low value")}
CHURN_LEVELS = {"high": N_("High churn risk"), "medium": N_("Medium churn risk"),
                "low": N_("Low churn risk")}  # fmt: skip
DRIFT = {"stable": N_("stable"), "watch": N_("watch"), "alert": N_("alert")}
MODEL_KINDS = {"churn": N_("Churn model"), "clv_bgnbd_gg": N_("CLV model (BG/NBD + Gamma-Gamma)")}
MISSING_VALUE = {"missing": N_("missing")}

# The analytics permissions' descriptions, shown on the users page, and the navigation.
MESSAGES = (
    N_("Analytics"),
    N_("See analytics: RFM, lifecycle, CLV, churn, the value x churn matrix, models"),
    N_("Run the analysis (patron analyze)"),
    N_("Edit the strategies of the value x churn matrix"),
    N_("active"), N_("retired"), N_("starting"),
)  # fmt: skip

ALL = {
    "segments": SEGMENTS, "stages": STAGES, "classes": CLASSES, "tiers": TIERS,
    "features": FEATURES, "value_levels": VALUE_LEVELS, "churn_levels": CHURN_LEVELS,
    "drift": DRIFT, "kinds": MODEL_KINDS, "missing": MISSING_VALUE,
}  # fmt: skip
