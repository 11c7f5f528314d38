"""Identity resolution: find the records that describe the same customer.

Facade::

    from patron.identity import FieldKind, LinkageField, LinkageModel, LinkageSpec
    model = LinkageModel(spec).fit(records)          # unsupervised (EM), no labels needed
    pairs = model.predict(records, threshold=0.9)    # unique_id_l, unique_id_r, match_probability
    scores = pairwise_scores(found_pairs, true_pairs)  # precision, recall, f1

    with store.connect() as conn:
        records = match_records(conn)                # the store's current customer records
    model = LinkageModel(customer_spec()).fit(records)
    proposal = propose(store)                        # clusters to merge, pairs to review
    unify(store)                     # merge, queue reviews, link households (incremental)
    with store.begin() as conn:
        decide(conn, review_id, "accept", actor="ana")   # merges the pair's customers
        unmerge(conn, merge_id, actor="ana")             # restores them exactly
        run = start_run(conn, full=False, high=0.95, low=0.5, actor="ana")  # one at a time
    unify(store, run_id=run.id)      # carries on that run (get_run, list_runs: its status)
    rows = current_links(store)      # (source, key, customer id) of every current record
    identity_view(store, 42, masked=True)   # customer_identity for a role, masked or audited
    report = quality_report(store)                   # completeness, validity, freshness, flags
    save_quality_snapshot(store, actor="admin")      # tracked over time: quality_history(store)
    customer_quality(store, 42).score                # one customer, 0-100

The engine is Splink on DuckDB (see ``engine``); fields are described by kind (``fields``).
"""

from patron.golden import resolve_customer
from patron.identity.customer_model import customer_spec
from patron.identity.engine import (
    MODEL_FORMAT,
    DuckDBLimits,
    LinkageModel,
    LinkageSpec,
    SparkBackend,
    local_spark_session,
)
from patron.identity.evaluation import PairwiseScores, pair_key, pairs_within, pairwise_scores
from patron.identity.fields import FieldKind, LinkageField
from patron.identity.lineage import CustomerIdentity, GoldenField, RecordLine, customer_identity
from patron.identity.links import current_links
from patron.identity.merge import (
    MergeRecord,
    get_merge,
    merge_customers,
    merges_of,
    unmerge,
)
from patron.identity.proposal import (
    DEFAULT_HIGH,
    DEFAULT_LOW,
    LINK_HEADER,
    Proposal,
    clusters_of,
    links,
    propose,
)
from patron.identity.quality import (
    FieldQuality,
    QualityReport,
    SourceQuality,
    StoreQuality,
    quality_report,
)
from patron.identity.quality_customer import CustomerQuality, customer_quality
from patron.identity.quality_flags import FLAGS, FlagCounts, FlaggedCustomer, flagged_customers
from patron.identity.quality_history import (
    QualitySnapshot,
    quality_history,
    save_quality_snapshot,
)
from patron.identity.records import MATCH_COLUMNS, match_records
from patron.identity.review import (
    Decision,
    ReviewItem,
    ReviewSide,
    decide,
    get_review,
    labelled_pairs,
    list_reviews,
)
from patron.identity.runs import MatchRun, get_run, list_runs, start_run
from patron.identity.unify import UnifyReport, unify
from patron.identity.views import (
    identity_view,
    mask_evidence,
    mask_identity,
    mask_review,
    review_page,
)

__all__ = [
    "DEFAULT_HIGH",
    "DEFAULT_LOW",
    "FLAGS",
    "LINK_HEADER",
    "MATCH_COLUMNS",
    "MODEL_FORMAT",
    "CustomerIdentity",
    "CustomerQuality",
    "Decision",
    "DuckDBLimits",
    "FieldKind",
    "FieldQuality",
    "FlagCounts",
    "FlaggedCustomer",
    "GoldenField",
    "LinkageField",
    "LinkageModel",
    "LinkageSpec",
    "MatchRun",
    "MergeRecord",
    "PairwiseScores",
    "Proposal",
    "QualityReport",
    "QualitySnapshot",
    "RecordLine",
    "ReviewItem",
    "ReviewSide",
    "SourceQuality",
    "SparkBackend",
    "StoreQuality",
    "UnifyReport",
    "clusters_of",
    "current_links",
    "customer_identity",
    "customer_quality",
    "customer_spec",
    "decide",
    "flagged_customers",
    "get_merge",
    "get_review",
    "get_run",
    "identity_view",
    "labelled_pairs",
    "links",
    "list_reviews",
    "list_runs",
    "local_spark_session",
    "mask_evidence",
    "mask_identity",
    "mask_review",
    "match_records",
    "merge_customers",
    "merges_of",
    "pair_key",
    "pairs_within",
    "pairwise_scores",
    "propose",
    "quality_history",
    "quality_report",
    "resolve_customer",
    "review_page",
    "save_quality_snapshot",
    "start_run",
    "unify",
    "unmerge",
]
