"""The model shipped as SQL: its learnt numbers written into a query the database runs.

orbital reads the fitted pipeline (through ONNX) and writes one ``SELECT`` that scales the
four measurements, applies the regression's weights and the softmax, and names the species.
The query needs no Python where it runs: DuckDB here, over the same parquet files as the
other engines, or PostgreSQL and SQLite (``model_as_sql(pipeline, dialect)``).

orbital 0.6 writes SQL that only DuckDB runs as it is (docs/orbital-dialects.md): the species
are bytes, in a literal PostgreSQL rejects (one ``\\x`` per byte) and through ``UNHEX``, which
SQLite has only from 3.41; and PostgreSQL, unlike the others, fails on an ``EXP`` too small
for a float (a softmax far from its winner) instead of giving 0. ``portable`` rewrites those
few places, so one query runs in all three and every database names the species.

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
import sqlglot
from sklearn.pipeline import Pipeline
from sqlglot import exp

from iris_model.data import FEATURES
from iris_model.flowers import ID

TABLE = "flowers"
DIALECTS = ("duckdb", "postgres", "sqlite")


def model_as_sql(pipeline: Pipeline, dialect: str = "duckdb", table: str = TABLE) -> str:
    """One ``SELECT`` over ``table`` (columns named as ``FEATURES``) giving the model's answer.

    Its outputs are named, not numbered: ``output_label`` (the species, as text) and
    ``output_probability.<species>`` for each species.
    """
    # TODO Exercise 3: describe the pipeline's inputs to `orbital.parse_pipeline`: a dict
    # naming each column of `FEATURES` with the type `orbital.types.DoubleColumnType()`. Then
    # take `orbital.export_sql` of `table`, the parsed pipeline and `dialect`, and return it
    # made `portable` (below, with the same `dialect`).
    raise NotImplementedError("Exercise 3 not done yet: sql.model_as_sql")


def portable(query: str, dialect: str) -> str:
    """orbital's ``query`` rewritten where ``dialect``'s database would reject it.

    - Each species is a text literal (``'setosa'``…), not orbital's bytes:
      ``CAST('\\x73\\x65…' AS BLOB)`` is no valid ``bytea`` for PostgreSQL, and
      ``UNHEX('7365…')`` needs SQLite 3.41.
    - In PostgreSQL, ``EXP(x)`` becomes ``EXP(GREATEST(x, -700))``: it raises "value out of
      range: underflow" where the others give 0, and ``EXP(-700)``, about 1e-304, changes no
      probability by more than that.

    The query is parsed with sqlglot (which orbital writes SQL with), and written back.
    """
    tree = sqlglot.parse_one(query, dialect=dialect).transform(_as_text)
    if dialect == "postgres":
        tree = tree.transform(_bounded_exp)
    return tree.sql(dialect=dialect)


def _as_text(node: exp.Expression) -> exp.Expression:
    """A text literal for a byte literal orbital wrote; any other node as it is."""
    if isinstance(node, exp.Cast) and node.to.is_type("varbinary", "binary", "blob"):
        literal, hex_digits = node.this, str(node.this.this).replace("\\x", "")
    elif isinstance(node, exp.Unhex):
        literal, hex_digits = node.this, str(node.this.this)
    else:
        return node
    if not (isinstance(literal, exp.Literal) and literal.is_string):
        return node
    return exp.Literal.string(bytes.fromhex(hex_digits).decode("utf-8"))


SMALLEST_EXPONENT = -700.0
"""``EXP`` of anything below this is taken as ``EXP`` of this (about 1e-304) in PostgreSQL."""


def _bounded_exp(node: exp.Expression) -> exp.Expression:
    """``EXP(GREATEST(x, SMALLEST_EXPONENT))`` for ``EXP(x)``; any other node as it is."""
    if not isinstance(node, exp.Exp):
        return node
    floor = exp.Literal.number(SMALLEST_EXPONENT)
    return exp.Exp(this=exp.Greatest(this=node.this, expressions=[floor]))


def carrying(query: str, column: str, dialect: str) -> str:
    """``query`` with ``column`` of its table passed through every step, as its last output.

    orbital's query is a chain of steps (``WITH t1 AS (… FROM flowers AS t0), t2 AS (… FROM
    t1)…``), each reading the one before. Adding the id to every step lets a database with no
    ``POSITIONAL JOIN`` (PostgreSQL, SQLite) give each answer beside its own flower's id.
    """
    tree = sqlglot.parse_one(query, dialect=dialect)
    for step in tree.find_all(exp.Select):
        source = step.args["from_"].this.alias_or_name
        step.select(exp.column(column, table=source, quoted=True), copy=False)
    return tree.sql(dialect=dialect)


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
    # TODO Exercise 3: select the model's outputs by their names, never by position:
    # `output_label` as `predicted_species`, and the `greatest` of the
    # `"output_probability.<species>"` columns (one per `pipeline.classes_`) as `probability`,
    # beside `flowers.flower_id`, from `flowers POSITIONAL JOIN (<the model's SQL>) AS model`.
    raise NotImplementedError("Exercise 3 not done yet: sql.scores_query")


def scores_query_in(pipeline: Pipeline, dialect: str) -> str:
    """The scores as ``scores_query`` gives them, for any dialect: the id carried by the model.

    For a database that keeps no row order through a query (PostgreSQL, SQLite), each answer
    comes with its own ``flower_id``; order the rows by it where the order matters.
    """
    model = carrying(model_as_sql(pipeline, dialect), ID, dialect)
    probabilities = [
        exp.column(f"output_probability.{name}", "model", quoted=True) for name in pipeline.classes_
    ]
    return (
        sqlglot.select(
            exp.column(ID, "model", quoted=True),
            exp.column("output_label", "model", quoted=True).as_("predicted_species"),
            exp.Greatest(this=probabilities[0], expressions=probabilities[1:]).as_("probability"),
        )
        .from_(exp.Subquery(this=sqlglot.parse_one(model, dialect=dialect)).as_("model"))
        .sql(dialect=dialect)
    )
