"""The matching engine on the FEBRL benchmarks, against their published truth."""

from __future__ import annotations

import pytest
from febrl_data import febrl3, febrl4, spec

from patron.core import PatronError
from patron.identity import DuckDBLimits, LinkageModel, pairwise_scores


def test_febrl3_dedupe_finds_the_duplicates() -> None:
    records, truth = febrl3()
    model = LinkageModel(spec()).fit(records)
    pairs = model.predict(records, threshold=0.9)
    scores = pairwise_scores(zip(pairs.unique_id_l, pairs.unique_id_r, strict=True), truth)
    assert scores.precision >= 0.99 and scores.recall >= 0.98, scores
    assert scores.f1 >= 0.99


def test_febrl4_links_the_two_files() -> None:
    files, truth = febrl4()
    model = LinkageModel(spec(link=True)).fit(files)
    pairs = model.predict(files, threshold=0.9)
    found = [
        (left, right) if side == "a" else (right, left)
        for left, right, side in zip(
            pairs.unique_id_l, pairs.unique_id_r, pairs.source_dataset_l, strict=True
        )
    ]
    scores = pairwise_scores(found, truth)
    assert scores.f1 >= 0.99, scores


def test_a_saved_model_predicts_the_same_and_refuses_another_format() -> None:
    records, _ = febrl3()
    sample = records.head(1500)
    model = LinkageModel(spec()).fit(sample)
    again = LinkageModel.from_json(spec(), model.to_json())
    first = model.predict(sample, threshold=0.5).sort_values(["unique_id_l", "unique_id_r"])
    second = again.predict(sample, threshold=0.5).sort_values(["unique_id_l", "unique_id_r"])
    assert len(first) > 0
    assert first.match_weight.round(9).tolist() == second.match_weight.round(9).tolist()
    with pytest.raises(PatronError, match="format"):
        LinkageModel.from_json(spec(), '{"format": 999, "splink": {}}')


def test_too_many_candidate_pairs_are_refused_before_scoring() -> None:
    records, _ = febrl3()
    model = LinkageModel(spec(), DuckDBLimits(max_comparisons=1000)).fit(records.head(1500))
    with pytest.raises(PatronError, match="would score"):
        model.predict(records)
