"""Pairwise precision, recall and F1 of predicted matches against known truth."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PairwiseScores:
    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pair_key(a: Hashable, b: Hashable) -> tuple[Hashable, Hashable]:
    """The same key for (a, b) and (b, a)."""
    return (a, b) if str(a) <= str(b) else (b, a)


def pairwise_scores(
    predicted: Iterable[tuple[Hashable, Hashable]], actual: Iterable[tuple[Hashable, Hashable]]
) -> PairwiseScores:
    found = {pair_key(a, b) for a, b in predicted}
    truth = {pair_key(a, b) for a, b in actual}
    return PairwiseScores(len(found & truth), len(found), len(truth))


def pairs_within(groups: Iterable[Iterable[Hashable]]) -> set[tuple[Hashable, Hashable]]:
    """Every pair of members within each group (clusters, or the records of one person)."""
    return {
        pair_key(a, b)
        for group in groups
        for a, b in itertools.combinations(sorted(group, key=str), 2)
    }
