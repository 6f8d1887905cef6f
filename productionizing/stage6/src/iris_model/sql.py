"""The model shipped as SQL: its learnt numbers written into a query the database runs.

orbital reads the fitted pipeline (through ONNX) and writes one ``SELECT`` that scales the
four measurements, applies the regression's weights and the softmax, and names the species.
The query needs no Python where it runs: DuckDB here, over the same parquet files as the
other engines, or PostgreSQL and SQLite (``model_as_sql(pipeline, dialect)``).

Which pipelines translate (orbital 0.6, measured: docs/benchmarks.md): scalers, linear and
logistic models, decision trees, random forests and gradient boosting (trees need integer
labels; their probabilities can differ from scikit-learn's at a split's threshold). Not:
nearest neighbours, SVMs with a kernel, naive Bayes, histogram gradient boosting.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import orbital
import orbital.types
import pandas as pd
from sklearn.pipeline import Pipeline

from iris_model.data import FEATURES
from iris_model.flowers import ID

TABLE = "flowers"
DIALECTS = ("duckdb", "postgres", "sqlite")


def model_as_sql(pipeline: Pipeline, dialect: str = "duckdb", table: str = TABLE) -> str:
    """One ``SELECT`` over ``table`` (columns named as ``FEATURES``) giving the model's answer.

    Its outputs are named, not numbered: ``output_label`` (the species, as bytes) and
    ``output_probability.<species>`` for each species.
    """
    # Stage 6, exercise 3: describe the pipeline's inputs to `orbital.parse_pipeline`: a dict
    # naming each column of `FEATURES` with the type `orbital.types.DoubleColumnType()`. Then
    # return `orbital.export_sql` of `table`, the parsed pipeline and `dialect`.
    inputs = {name: orbital.types.DoubleColumnType() for name in FEATURES}
    return orbital.export_sql(table, orbital.parse_pipeline(pipeline, features=inputs), dialect)


def score_in_duckdb(
    pipeline: Pipeline, files: Sequence[Path], connection: duckdb.DuckDBPyConnection
) -> pd.DataFrame:
    """Score ``files`` with the model's SQL in DuckDB; the same table as ``batch.score`` gives.

    The files become the view ``flowers``; the model's query reads it, and a ``POSITIONAL
    JOIN`` puts each answer beside its flower's ``flower_id``: DuckDB keeps the files' row
    order through a query that neither filters nor groups.
    """
    names = ", ".join(f"'{path.as_posix()}'" for path in files)
    connection.execute(f"CREATE OR REPLACE VIEW {TABLE} AS SELECT * FROM read_parquet([{names}])")
    return connection.execute(scores_query(pipeline)).df()


def scores_query(pipeline: Pipeline) -> str:
    """The query giving ``flower_id``, ``predicted_species`` and ``probability`` per flower."""
    # Stage 6, exercise 3: select the model's outputs by their names, never by position:
    # `decode` the `output_label` bytes into text as `predicted_species`, and the `greatest` of
    # the `"output_probability.<species>"` columns (one per `pipeline.classes_`) as
    # `probability`, beside `flowers.flower_id`, from `flowers POSITIONAL JOIN (<the model's
    # SQL>) AS model`.
    probabilities = ", ".join(f'model."output_probability.{name}"' for name in pipeline.classes_)
    return (
        f"SELECT {TABLE}.{ID}, decode(model.output_label) AS predicted_species, "
        f"greatest({probabilities}) AS probability "
        f"FROM {TABLE} POSITIONAL JOIN ({model_as_sql(pipeline)}) AS model"
    )
