"""Identity resolution on the demo company at scale: match table, training, scoring and
clusters, timed, with accuracy against the generator's ground truth, next to a plain Splink
model on the same records.

    uv run python bench/identity_demo.py --people 200000

Generates the company once (cached under bench/out by size, seed and generator version;
events off, orders are generated but not imported), imports its three customer sources into a
fresh SQLite store, then runs `patron.identity.propose` and scores the proposed clusters
pairwise against the truth. The baseline is Splink as its tutorials set it up, on the same
match table (the same records and their imported values: E.164 phones, lower-cased e-mails,
ISO birth dates, city keys), with names as written and split naively; its pairs at or above
0.95 are clustered the same way and scored the same way. Peak memory is this process's
(matching runs in it).
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from _common import OUT, record
from patron import identity, ingest
from patron.core import Settings
from patron.demo import DemoConfig, generate_company
from patron.demo.generator import GENERATOR_VERSION
from patron.demo.runner import SOURCE_OF_FILE
from patron.store import open_store

BASELINE_THRESHOLD = 0.95


def naive_name(full: Any) -> tuple[str | None, str | None]:
    """(first name, surname) the way a plain pipeline splits a full name: Latin names by their
    first and last word, Chinese names by their first character."""
    if not isinstance(full, str) or not full.strip():
        return None, None
    words = full.lower().split()
    if len(words) > 1:
        return words[0], words[-1]
    word = words[0]
    if word.isascii() or len(word) < 2:
        return word, None
    return word[1:], word[0]


def plain_splink(records: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs at or above BASELINE_THRESHOLD from a standard Splink 5 model on `records`
    (columns: unique_id, full_name, birth_date, phone, email, city, postcode)."""
    frame = records[["unique_id", "birth_date", "phone", "email", "city", "postcode"]].copy()
    split = [naive_name(n) for n in records.full_name]
    frame["first_name"] = [first for first, _ in split]
    frame["surname"] = [surname for _, surname in split]
    frame["name"] = [" ".join(n.lower().split()) if isinstance(n, str) else None
                     for n in records.full_name]  # fmt: skip
    frame = frame.astype(object).where(frame.notna(), None)
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("phone"),
            block_on("email"),
            block_on("surname", "birth_date"),
            block_on("name", "postcode"),
        ],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("phone"),
            cl.ExactMatch("email"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("city"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    # No extension downloads (the machines are offline); the comparisons need none.
    api = DuckDBAPI(connection=duckdb.connect(config={"autoinstall_known_extensions": False}))
    linker = Linker(api.register(frame), settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5_000_000, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "birth_date")
    )
    pairs = linker.inference.predict(
        threshold_match_probability=BASELINE_THRESHOLD
    ).as_pandas_dataframe()
    return list(zip(pairs.unique_id_l, pairs.unique_id_r, strict=True))


def plain_splink_scores(
    records: pd.DataFrame, person: dict[tuple[str, str], str]
) -> tuple[identity.PairwiseScores, float]:
    """The plain Splink model's pairs on ``records``, clustered, scored against the truth
    (``person`` of each (source, key)); and the seconds it took."""
    started = time.perf_counter()
    head = identity.clusters_of(records.unique_id.tolist(), plain_splink(records))
    seconds = time.perf_counter() - started
    found: dict[int, list[int]] = {}
    people: dict[str, list[int]] = {}
    ids = zip(records.unique_id, records.source, records.source_key, strict=True)
    for uid, source, key in ids:
        found.setdefault(head[uid], []).append(int(uid))
        people.setdefault(person[(source, key)], []).append(int(uid))
    found_pairs = identity.pairs_within(found.values())
    return identity.pairwise_scores(found_pairs, identity.pairs_within(people.values())), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--high", type=float, default=identity.DEFAULT_HIGH)
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain Splink model")
    args = parser.parse_args()
    folder = OUT / f"company-{args.people}-{args.seed}-g{GENERATOR_VERSION}"
    started = time.perf_counter()
    if not (folder / "ground_truth.csv").is_file():
        generate_company(folder, DemoConfig(people=args.people, seed=args.seed, events=False))
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="patron-identity-") as home:
        settings = Settings(home=Path(home))
        store = open_store(settings)
        t0 = time.perf_counter()
        for name, source in SOURCE_OF_FILE.items():
            path = next(folder.glob(f"{name}.*"))
            ingest.run_import(
                ingest.ImportOptions(path=path, source=source, kind="customers"),
                store=store, settings=settings,
            )  # fmt: skip
        imported = time.perf_counter() - t0
        t1 = time.perf_counter()
        proposal = identity.propose(store, high=args.high, low=0.5)
        matched = time.perf_counter() - t1
        links = identity.links(proposal)
        if not args.no_baseline:
            with store.connect() as conn:
                records = identity.match_records(conn)
    with (folder / "ground_truth.csv").open(encoding="utf-8") as fh:
        person = {(SOURCE_OF_FILE[r["source"]], r["source_record_key"]): r["person_id"]
                  for r in csv.DictReader(fh)}  # fmt: skip
    clusters: dict[int, list[str]] = {}
    people: dict[str, list[str]] = {}
    for source, key, customer_id in links:
        clusters.setdefault(customer_id, []).append(f"{source}/{key}")
        people.setdefault(person[(source, key)], []).append(f"{source}/{key}")
    truth = identity.pairs_within(people.values())
    scores = identity.pairwise_scores(identity.pairs_within(clusters.values()), truth)
    result: dict[str, Any] = {
        "people": args.people, "generator": GENERATOR_VERSION, "records": len(links),
        "true_pairs": scores.actual, "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4), "f1": round(scores.f1, 4), "high": args.high,
        "review_pairs": len(proposal.review), "generate_s": round(generated, 1),
        "import_s": round(imported, 1), "match_s": round(matched, 1),
    }  # fmt: skip
    if not args.no_baseline:
        base, baseline_s = plain_splink_scores(records, person)
        result.update({
            "splink_precision": round(base.precision, 4), "splink_recall": round(base.recall, 4),
            "splink_f1": round(base.f1, 4), "splink_s": round(baseline_s, 1),
        })  # fmt: skip
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    record("identity_demo", result)


if __name__ == "__main__":
    main()
