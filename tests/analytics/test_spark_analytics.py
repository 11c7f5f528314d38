"""The analytics expressions on Spark: features, RFM and lifecycle computed on a local Spark
session equal DuckDB's (smoke test of the path for stores that outgrow one machine)."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pytest
from test_features import AS_OF, _load, _random_history, _table

from patron.analytics.facts import Facts
from patron.analytics.features import customer_features
from patron.analytics.lifecycle import lifecycle_stages
from patron.analytics.rfm import rfm_scores
from patron.core import Settings
from patron.warehouse import open_warehouse


def _spark_facts(spark: Any, data: dict[str, list[dict[str, Any]]]) -> Facts:
    """The same tables as temporary views (money as double: Ibis' PySpark backend cannot load
    null decimals)."""
    con = ibis.pyspark.connect(spark)
    for name in Facts.__dataclass_fields__:
        table = _table(name, data.get(name, []))
        schema = pa.schema(
            pa.field(f.name, pa.float64() if pa.types.is_decimal(f.type) else f.type)
            for f in table.schema
        )
        frame = table.cast(schema).to_pandas()
        spark.createDataFrame(frame, schema=_spark_schema(schema)).createOrReplaceTempView(name)
    return Facts(*(con.table(n) for n in Facts.__dataclass_fields__))


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    kinds = {pa.int64(): T.LongType(), pa.float64(): T.DoubleType(), pa.string(): T.StringType(),
             pa.bool_(): T.BooleanType(), pa.date32(): T.DateType()}  # fmt: skip
    fields = [
        T.StructField(f.name, T.TimestampType() if pa.types.is_timestamp(f.type) else kinds[f.type])
        for f in schema
    ]
    return T.StructType(fields)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["as_of"], errors="ignore").sort_values(
        "customer_id", ignore_index=True
    )


def test_features_rfm_and_lifecycle_agree_with_duckdb(spark: Any) -> None:
    data = _random_history(21, customers=60)
    with open_warehouse(Settings(), memory=True) as warehouse:
        duck = _load(warehouse.con, data)
        expected = [
            _sorted(customer_features(duck, AS_OF).to_pandas()),
            _sorted(rfm_scores(customer_features(duck, AS_OF)).to_pandas()),
            _sorted(lifecycle_stages(customer_features(duck, AS_OF)).to_pandas()),
        ]
    facts = _spark_facts(spark, data)
    features = customer_features(facts, AS_OF)
    got = [
        _sorted(features.to_pandas()),
        _sorted(rfm_scores(features).to_pandas()),
        _sorted(lifecycle_stages(features).to_pandas()),
    ]
    assert len(got[0]) > 20
    for want, have in zip(expected, got, strict=True):
        # Spark's epoch seconds drop fractions of a second: day counts differ by up to 1e-5.
        pd.testing.assert_frame_equal(
            want, have[want.columns], check_dtype=False, rtol=1e-6, atol=1e-4
        )


@pytest.fixture(autouse=True)
def _utc(spark: Any) -> None:
    spark.conf.set("spark.sql.session.timeZone", "UTC")
