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
    report = quality_report(store)                   # completeness, validity, freshness

The engine is Splink on DuckDB (see ``engine``); fields are described by kind (``fields``).
"""

from patron.identity.customer_model import customer_spec
from patron.identity.engine import MODEL_FORMAT, DuckDBLimits, LinkageModel, LinkageSpec
from patron.identity.evaluation import PairwiseScores, pair_key, pairs_within, pairwise_scores
from patron.identity.fields import FieldKind, LinkageField
from patron.identity.proposal import (
    DEFAULT_HIGH,
    DEFAULT_LOW,
    LINK_HEADER,
    Proposal,
    clusters_of,
    links,
    propose,
)
from patron.identity.quality import FieldQuality, QualityReport, SourceQuality, quality_report
from patron.identity.records import MATCH_COLUMNS, match_records

__all__ = [
    "DEFAULT_HIGH",
    "DEFAULT_LOW",
    "LINK_HEADER",
    "MATCH_COLUMNS",
    "MODEL_FORMAT",
    "DuckDBLimits",
    "FieldKind",
    "FieldQuality",
    "LinkageField",
    "LinkageModel",
    "LinkageSpec",
    "PairwiseScores",
    "Proposal",
    "QualityReport",
    "SourceQuality",
    "clusters_of",
    "customer_spec",
    "links",
    "match_records",
    "pair_key",
    "pairs_within",
    "pairwise_scores",
    "propose",
    "quality_report",
]
