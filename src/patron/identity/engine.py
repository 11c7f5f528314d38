"""The matching engine: a Splink model over DuckDB, trained without labels (EM), saved as JSON.

The model is described by a :class:`LinkageSpec` (fields by kind, blocking rules, training
passes); fitting estimates the prior match probability from a strict deterministic rule, the
u probabilities from random pairs and the m probabilities by expectation maximisation, one pass
per training block (each pass cannot learn about the columns it blocks on, so passes must
cover each other). Splink runs the same settings on Spark, for stores that outgrow one machine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_analysis import count_comparisons_from_blocking_rules

from patron.core import PatronError
from patron.identity.fields import LinkageField, comparison

MODEL_FORMAT = 1  # bump when a saved model's layout changes
LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]


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
    link_type: LinkType = "dedupe_only"
    unique_id: str = "unique_id"
    source_column: str | None = None  # which dataset a record is from (link types)

    def settings(self) -> SettingsCreator:
        extra: dict[str, Any] = {}
        if self.source_column is not None:
            extra["source_dataset_column_name"] = self.source_column
        return SettingsCreator(
            link_type=self.link_type,
            unique_id_column_name=self.unique_id,
            blocking_rules_to_generate_predictions=[block_on(*r) for r in self.blocking],
            comparisons=[comparison(f) for f in self.fields],
            retain_intermediate_calculation_columns=False,
            **extra,
        )


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


@dataclass
class LinkageModel:
    """``LinkageModel(spec).fit(df)`` then ``.predict(df)``: scored candidate pairs."""

    spec: LinkageSpec
    limits: DuckDBLimits = field(default_factory=DuckDBLimits)
    settings_: dict[str, Any] | None = None

    def fit(self, frames: pd.DataFrame | Sequence[pd.DataFrame]) -> LinkageModel:
        linker = self._linker(frames, self.spec.settings())
        s = self.spec
        training = linker.training
        training.estimate_probability_two_random_records_match(
            [block_on(*s.prior_rule)], recall=s.prior_recall
        )
        training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=1)
        for rule in s.training_blocks:
            training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
        self.settings_ = linker.misc.save_model_to_json()
        return self

    def predict(
        self, frames: pd.DataFrame | Sequence[pd.DataFrame], threshold: float = 0.5
    ) -> pd.DataFrame:
        """Candidate pairs scoring at least ``threshold``: ``unique_id_l``, ``unique_id_r``
        (and ``source_dataset_l/_r`` when linking), ``match_weight``, ``match_probability``."""
        if self.settings_ is None:
            raise PatronError("the matching model is not trained", hint="call fit() first")
        self._check_size(frames)
        linker = self._linker(frames, self.settings_)
        result = linker.inference.predict(threshold_match_probability=threshold)
        return result.as_pandas_dataframe()

    def to_json(self) -> str:
        if self.settings_ is None:
            raise PatronError("the matching model is not trained", hint="call fit() first")
        return json.dumps({"format": MODEL_FORMAT, "splink": self.settings_})

    @classmethod
    def from_json(cls, spec: LinkageSpec, text: str) -> LinkageModel:
        saved = json.loads(text)
        if saved.get("format") != MODEL_FORMAT:
            raise PatronError(
                f"saved matching model has format {saved.get('format')}, this patron reads "
                f"{MODEL_FORMAT}",
                hint="train the model again with this version",
            )
        return cls(spec, settings_=saved["splink"])

    def _linker(self, frames: pd.DataFrame | Sequence[pd.DataFrame], settings: Any) -> Linker:
        api = DuckDBAPI(connection=self.limits.connect())
        tables = [frames] if isinstance(frames, pd.DataFrame) else list(frames)
        registered = [api.register(t) for t in tables]
        return Linker(
            registered if len(registered) > 1 else registered[0],
            settings,
            log_level=logging.WARNING,
        )

    def _check_size(self, frames: pd.DataFrame | Sequence[pd.DataFrame]) -> None:
        """Count the pairs the blocking rules would score before scoring them: a loose rule on
        a big table can ask for billions."""
        api = DuckDBAPI(connection=self.limits.connect())
        tables = [frames] if isinstance(frames, pd.DataFrame) else list(frames)
        registered = [api.register(t) for t in tables]
        counts = count_comparisons_from_blocking_rules(
            registered if len(registered) > 1 else registered[0],
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
