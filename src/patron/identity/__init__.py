"""Identity resolution: find the records that describe the same customer.

Facade::

    from patron.identity import FieldKind, LinkageField, LinkageModel, LinkageSpec
    model = LinkageModel(spec).fit(records)          # unsupervised (EM), no labels needed
    pairs = model.predict(records, threshold=0.9)    # unique_id_l, unique_id_r, match_probability
    scores = pairwise_scores(found_pairs, true_pairs)  # precision, recall, f1

The engine is Splink on DuckDB (see ``engine``); fields are described by kind (``fields``).
"""

from patron.identity.engine import MODEL_FORMAT, DuckDBLimits, LinkageModel, LinkageSpec
from patron.identity.evaluation import PairwiseScores, pair_key, pairwise_scores
from patron.identity.fields import FieldKind, LinkageField

__all__ = [
    "MODEL_FORMAT",
    "DuckDBLimits",
    "FieldKind",
    "LinkageField",
    "LinkageModel",
    "LinkageSpec",
    "PairwiseScores",
    "pair_key",
    "pairwise_scores",
]
