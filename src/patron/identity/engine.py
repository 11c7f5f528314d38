"""The matching engine: a Splink model over DuckDB, trained without labels (EM), saved as JSON.

The model is described by a :class:`LinkageSpec` (fields by kind, blocking rules, training
passes); fitting estimates the prior match probability from a strict deterministic rule, the
u probabilities from random pairs and the m probabilities by expectation maximisation, one pass
per training block (each pass cannot learn about the columns it blocks on, so passes must
cover each other). The same model runs on Spark (:class:`SparkBackend`), for stores that
outgrow one machine; pyspark is an optional extra, imported only when Spark is used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal, Protocol, TypeAlias

import duckdb
import numpy as np
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.database_api import DatabaseAPI

from patron.core import PatronError
from patron.identity.fields import LinkageField, comparison

MODEL_FORMAT = 1  # bump when a saved model's layout changes
U_SAMPLE_PAIRS = 2_000_000  # random pairs sampled to estimate u
LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]
# Records to match: one table, or one per source when linking. pandas frames; a SparkBackend
# also takes Spark DataFrames, so the records need not fit on one machine.
Frames: TypeAlias = pd.DataFrame | Sequence[pd.DataFrame]


@dataclass(frozen=True)
class LinkageSpec:
    """What to compare and how to find candidate pairs.

    ``blocking``: a pair is scored when it agrees exactly on every column of at least one rule.
    ``training_blocks``: one EM pass per rule. ``prior_rule``: columns that, when all equal,
    almost surely mean the same entity (estimates how often two random records match, given
    that the rule finds ``prior_recall`` of the true matches).
    """

    fields: tuple[LinkageField, ...]
    blocking: tuple[tuple[str, ...], ...]
    training_blocks: tuple[tuple[str, ...], ...]
    prior_rule: tuple[str, ...]
    prior_recall: float = 0.8
    # Re-estimate the prior from the trained model's own scores (see LinkageModel.fit), given
    # the share of true matches the blocking rules are assumed to reach. Off: keep the
    # deterministic rule's estimate.
    calibrate_prior: bool = False
    # Levels (comparison, level label) that send a pair to review whatever its score: signs
    # that two records are of two people who share much else (a household's members).
    review_levels: tuple[tuple[str, str], ...] = ()
    assumed_blocking_recall: float = 0.95
    link_type: LinkType = "dedupe_only"
    unique_id: str = "unique_id"
    source_column: str | None = None  # which dataset a record is from (link types)

    def settings(self, dialect: str = "duckdb") -> SettingsCreator:
        """Splink's settings for a backend. Date formats are written for DuckDB (``%Y%m%d``);
        Spark parses dates with Java patterns (``yyyyMMdd``)."""
        extra: dict[str, Any] = {}
        if self.source_column is not None:
            extra["source_dataset_column_name"] = self.source_column
        fields = self.fields
        if dialect == "spark":
            fields = tuple(replace(f, date_format=_java_date(f.date_format)) for f in fields)
        return SettingsCreator(
            link_type=self.link_type,
            unique_id_column_name=self.unique_id,
            blocking_rules_to_generate_predictions=[block_on(*r) for r in self.blocking],
            comparisons=[comparison(f) for f in fields],
            retain_intermediate_calculation_columns=False,
            **extra,
        )


def _fill_unobserved_u(settings: dict[str, Any]) -> None:
    """Give levels that no sampled random pair reached (two records sharing a landline, among
    millions) a u of one in the sample's size: an upper bound, instead of Splink's default,
    which would treat such agreement as common."""
    for comparison_ in settings["comparisons"]:
        for level in comparison_["comparison_levels"]:
            if level.get("is_null_level") or "u_probability" in level:
                continue
            level["u_probability"] = 1 / U_SAMPLE_PAIRS


def _remove_matches_from_u(settings: dict[str, Any], prior: float) -> None:
    """Correct u probabilities for the matches among the random pairs they were counted on.

    Random sampling counts how often two random records agree at each level and calls that u,
    as if random pairs never matched. With a quarter of records duplicated, true matches make
    up most random pairs that share a mobile number or an e-mail, so u came out about ten
    times too high and sure evidence too weak. A level's share among random pairs is
    prior * m + (1 - prior) * u, which gives u once m and the prior are known."""
    settings["probability_two_random_records_match"] = prior
    for comparison_ in settings["comparisons"]:
        for level in comparison_["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is None or u is None or level.get("fix_u_probability"):
                continue
            # Never below a thousandth of what was observed: the correction is an estimate.
            level["u_probability"] = max((u - prior * m) / (1 - prior), u / 1000)


def _bits(probability: float) -> float:
    """A probability as log2 odds (Splink's match weight of a prior)."""
    return float(np.log2(probability / (1 - probability)))


def _record_count(frames: Frames) -> int:
    tables: list[Any] = list(frames) if isinstance(frames, list | tuple) else [frames]
    # pandas frames have a length; Spark DataFrames count their rows.
    return sum(len(t) if isinstance(t, pd.DataFrame) else int(t.count()) for t in tables)


def _java_date(strftime: str) -> str:
    """``%Y-%m-%d`` -> ``yyyy-MM-dd``: the directives a birth date uses."""
    for directive, pattern in (("%Y", "yyyy"), ("%m", "MM"), ("%d", "dd")):
        strftime = strftime.replace(directive, pattern)
    return strftime


@dataclass
class DuckDBLimits:
    """Resources one matching run may use: nothing is downloaded (the machines are offline),
    and DuckDB spills to disk rather than exceeding ``memory_limit``."""

    memory_limit: str = "4GB"
    threads: int | None = None
    max_comparisons: int = 200_000_000  # refuse to score more pairs than this

    def connect(self) -> duckdb.DuckDBPyConnection:
        config: dict[str, Any] = {
            "autoinstall_known_extensions": False,
            "memory_limit": self.memory_limit,
        }
        if self.threads:
            config["threads"] = self.threads
        return duckdb.connect(config=config)

    def api(self) -> DatabaseAPI[Any]:
        return DuckDBAPI(connection=self.connect())


class MatchingBackend(Protocol):
    """Where a model runs: a fresh Splink database API per run, and the most pairs it may
    score."""

    max_comparisons: int

    def api(self) -> DatabaseAPI[Any]: ...


@dataclass
class SparkBackend:
    """Run matching on Spark: ``LinkageModel(spec, SparkBackend(spark))``.

    ``session``: the caller's SparkSession (a cluster), which must have Splink's similarity
    jar on its classpath (``spark.jars``: ``splink.backends.spark.similarity_jar_location()``);
    without one, a local session for this machine (:func:`local_spark_session`). Needs the
    ``spark`` extra and Java 17+. A model trained on DuckDB scores the same here, except that
    Splink's Jaro-Winkler on Spark counts transpositions differently, so a pair of similar
    names can land one level apart. Intermediate tables are persisted (memory, spilling to
    disk); on a big cluster Splink's ``"parquet"`` with a checkpoint directory cuts lineage
    for good.
    """

    session: Any = None  # pyspark.sql.SparkSession; typed loosely so pyspark stays optional
    max_comparisons: int = 200_000_000  # the count runs on Spark too, before any scoring
    break_lineage: str = "persist"

    def api(self) -> DatabaseAPI[Any]:
        if self.session is None:
            self.session = local_spark_session()
        api_class = _releasing_spark_api()
        return api_class(spark_session=self.session, break_lineage_method=self.break_lineage)


@cache
def _releasing_spark_api() -> Any:  # a DatabaseAPI subclass; pyspark stays optional
    """Splink's SparkAPI, also freeing the data it cached for a table when it drops the table:
    dropping a Spark view leaves that data behind, and the session outlives the run."""
    from splink.backends.spark import SparkAPI  # imports pyspark

    class ReleasingSparkAPI(SparkAPI):
        def delete_table_from_database(self, name: str) -> None:
            if self.spark.catalog.tableExists(name):
                self.spark.table(name).unpersist()
            super().delete_table_from_database(name)

    return ReleasingSparkAPI


def local_spark_session(cores: int = 2, driver_memory: str = "4g") -> Any:
    """A Spark session on this machine, for matching and its tests: few shuffle partitions
    (Spark's 200 suit a cluster, not two cores), no web UI, bound to the loopback address
    (nothing listens on the network), UTC, and Splink's similarity functions (jaro_winkler,
    damerau_levenshtein) registered from the jar it ships. Returns the running one if any.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder: Any = SparkSession.builder
    session = (
        builder.master(f"local[{cores}]")
        .appName("patron-matching")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.default.parallelism", str(cores * 2))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.jars", similarity_jar_location())
        .getOrCreate()
    )
    # Splink re-registers its functions for every run, and Spark warns each time.
    session.sparkContext.setLogLevel("ERROR")
    return session


@dataclass
class LinkageModel:
    """``LinkageModel(spec).fit(df)`` then ``.predict(df)``: scored candidate pairs.

    ``limits``: where it runs and what it may use, DuckDB (:class:`DuckDBLimits`, the default)
    or Spark (:class:`SparkBackend`); a saved model does not remember it.
    """

    spec: LinkageSpec
    limits: MatchingBackend = field(default_factory=DuckDBLimits)
    settings_: dict[str, Any] | None = None

    def fit(self, frames: Frames) -> LinkageModel:
        s = self.spec
        with self._linker(frames, trained=False) as linker:
            training = linker.training
            training.estimate_probability_two_random_records_match(
                [block_on(*s.prior_rule)], recall=s.prior_recall
            )
            training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=1)
            for rule in s.training_blocks:
                training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
            self.settings_ = linker.misc.save_model_to_json()
            _fill_unobserved_u(self.settings_)
            if not (s.calibrate_prior and s.link_type == "dedupe_only"):
                return self
            records = _record_count(frames)
            prior = self._calibrated_prior(linker, records)
        _remove_matches_from_u(self.settings_, prior)
        with self._linker(frames, trained=True) as linker:
            self.settings_["probability_two_random_records_match"] = self._calibrated_prior(
                linker, records
            )
        return self

    def _calibrated_prior(self, linker: Linker, records: int) -> float:
        """The prior (chance that two random records match) as the model's own scores imply
        it: the expected number of matches among the candidate pairs (the sum of their match
        probabilities), over all pairs, allowing for matches blocking misses. The deterministic
        rule's estimate depends on how complete its fields are (records without a birth date
        or phone cannot satisfy it) and came out four times too low on customer data, which
        kept sure pairs below the merge threshold. Changing the prior shifts every pair's
        match weight by the same amount, so the fixed point is found from a histogram of the
        weights, with one scoring pass."""
        assert self.settings_ is not None
        scored = linker.inference.predict()
        histogram = linker.misc.query_sql(
            f"select round(match_weight, 2) as w, count(*) as n from {scored.physical_name} "
            "group by 1",
            output_type="pandas",
        )
        scored.drop_table_from_database_and_remove_from_cache()
        total = records * (records - 1) / 2
        prior = float(self.settings_["probability_two_random_records_match"])
        if histogram.empty or total <= 0:
            return prior
        weights = histogram.w.to_numpy(dtype=float) - _bits(prior)
        counts = histogram.n.to_numpy(dtype=float)
        estimate = prior
        for _ in range(50):
            odds = np.exp2(weights + _bits(estimate))
            expected = float((counts * odds / (1 + odds)).sum())
            updated = min(expected / self.spec.assumed_blocking_recall / total, 0.5)
            if abs(updated - estimate) <= 1e-3 * estimate:
                return updated
            estimate = updated
        return estimate

    def predict(self, frames: Frames, threshold: float = 0.5) -> pd.DataFrame:
        """Candidate pairs scoring at least ``threshold``: ``unique_id_l``, ``unique_id_r``
        (and ``source_dataset_l/_r`` when linking), ``match_weight``, ``match_probability``."""
        if self.settings_ is None:
            raise PatronError("the matching model is not trained", hint="call fit() first")
        self._check_size(frames)
        with self._linker(frames, trained=True) as linker:
            result = linker.inference.predict(threshold_match_probability=threshold)
            return result.as_pandas_dataframe()

    def to_json(self) -> str:
        if self.settings_ is None:
            raise PatronError("the matching model is not trained", hint="call fit() first")
        return json.dumps({"format": MODEL_FORMAT, "splink": self.settings_})

    @classmethod
    def from_json(
        cls, spec: LinkageSpec, text: str, limits: MatchingBackend | None = None
    ) -> LinkageModel:
        saved = json.loads(text)
        if saved.get("format") != MODEL_FORMAT:
            raise PatronError(
                f"saved matching model has format {saved.get('format')}, this patron reads "
                f"{MODEL_FORMAT}",
                hint="train the model again with this version",
            )
        return cls(spec, limits or DuckDBLimits(), settings_=saved["splink"])

    @contextmanager
    def _tables(self, frames: Frames) -> Iterator[tuple[Any, str]]:
        """The frames as tables of a fresh database API (one, or a list when linking), and
        the API's SQL dialect. The tables Splink derives from them are dropped afterwards: a
        Spark session outlives the run and would keep them cached."""
        api = self.limits.api()
        # A list or tuple is one table per source; anything else (pandas, Spark) is one table.
        tables = list(frames) if isinstance(frames, list | tuple) else [frames]
        registered = [api.register(t) for t in tables]
        try:
            yield (
                (registered if len(registered) > 1 else registered[0]),
                api.sql_dialect.sql_dialect_str,
            )
        finally:
            api.delete_tables_created_by_splink_from_db()

    @contextmanager
    def _linker(self, frames: Frames, trained: bool) -> Iterator[Linker]:
        with self._tables(frames) as (tables, dialect):
            settings = self._trained_settings(dialect) if trained else self.spec.settings(dialect)
            # Splink warns about every level training did not observe (expected on customer
            # data, and handled in fit); errors still show.
            yield Linker(tables, settings, log_level=logging.ERROR)

    def _trained_settings(self, dialect: str) -> dict[str, Any]:
        """The trained model in ``dialect``'s SQL. Splink saves its conditions as SQL text of
        the backend that trained it (DuckDB quotes names with ", Spark with `, and their
        similarity functions have other names), so for another backend the comparisons are
        built again from the spec and given the trained probabilities, level by level."""
        assert self.settings_ is not None
        saved = self.settings_
        if saved.get("sql_dialect") == dialect:
            return saved
        ported = self.spec.settings(dialect).create_settings_dict(dialect)
        new_levels = [lv for c in ported["comparisons"] for lv in c["comparison_levels"]]
        old_levels = [lv for c in saved["comparisons"] for lv in c["comparison_levels"]]
        if [lv["label_for_charts"] for lv in new_levels] != [
            lv["label_for_charts"] for lv in old_levels
        ]:
            raise PatronError(
                "the saved matching model compares other fields or levels than its spec",
                hint="load the model with the spec it was trained with, or train it again",
            )
        ported["probability_two_random_records_match"] = saved[
            "probability_two_random_records_match"
        ]
        for new, old in zip(new_levels, old_levels, strict=True):
            for key in ("m_probability", "u_probability"):
                if key in old:
                    new[key] = old[key]
        return ported

    def _check_size(self, frames: Frames) -> None:
        """Count the pairs the blocking rules would score before scoring them: a loose rule on
        a big table can ask for billions."""
        with self._tables(frames) as (tables, _):
            counts = count_comparisons_from_blocking_rules(
                tables,
                blocking_rules=[block_on(*r) for r in self.spec.blocking],
                link_type=self.spec.link_type,
                unique_id_column_name=self.spec.unique_id,
                source_dataset_column_name=self.spec.source_column,
                record_sample_proportion=1.0,  # equality rules count exactly from key frequencies
            )
        total = int(counts[-1]["cumulative_comparison_count"]) if counts else 0
        if total > self.limits.max_comparisons:
            raise PatronError(
                f"the blocking rules would score {total:,} pairs (limit "
                f"{self.limits.max_comparisons:,})",
                hint="tighten the blocking rules or raise the limit",
            )
