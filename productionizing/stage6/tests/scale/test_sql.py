"""The model as SQL: the same labels as scikit-learn, and probabilities to rounding error."""

import sqlite3
from contextlib import closing
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from iris_model import sql

TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def scores(pipeline: Pipeline, flower_files: list[Path]) -> pd.DataFrame:
    with duckdb.connect() as connection:
        return sql.score_in_duckdb(pipeline, flower_files, connection)


def test_duckdb_keeps_every_id_in_order(scores: pd.DataFrame, baseline: pd.DataFrame):
    assert scores["flower_id"].tolist() == baseline["flower_id"].tolist()


def test_duckdb_gives_scikit_learns_labels(scores: pd.DataFrame, baseline: pd.DataFrame):
    assert scores["predicted_species"].tolist() == baseline["predicted_species"].tolist()


def test_duckdb_gives_scikit_learns_probabilities(scores: pd.DataFrame, baseline: pd.DataFrame):
    difference = np.abs(scores["probability"].to_numpy() - baseline["probability"].to_numpy())
    assert difference.max() < TOLERANCE


@pytest.mark.parametrize("dialect", sql.DIALECTS)
def test_every_dialect_names_the_outputs(pipeline: Pipeline, dialect: str):
    query = sql.model_as_sql(pipeline, dialect)
    assert query.startswith(("WITH", "SELECT")) and '"output_label"' in query


@pytest.mark.parametrize("dialect", sql.DIALECTS)
def test_every_dialect_names_the_species_as_text(pipeline: Pipeline, dialect: str):
    query = sql.model_as_sql(pipeline, dialect)
    assert all(f"'{name}'" in query for name in pipeline.classes_)
    assert not any(word in query.upper() for word in ("BLOB", "BYTEA", "UNHEX"))


def test_sqlite_gives_scikit_learns_scores_beside_each_id(
    pipeline: Pipeline, flower_files: list[Path], baseline: pd.DataFrame
):
    """SQLite as Python ships it (3.40 here): no POSITIONAL JOIN, so the query carries the id."""
    flowers = pd.concat(map(pd.read_parquet, flower_files), ignore_index=True)
    with closing(sqlite3.connect(":memory:")) as connection:
        flowers.to_sql(sql.TABLE, connection, index=False)
        query = f"{sql.scores_query_in(pipeline, 'sqlite')} ORDER BY flower_id"
        scores = pd.read_sql_query(query, connection)
    expected = baseline.sort_values("flower_id", ignore_index=True)
    assert scores["flower_id"].tolist() == expected["flower_id"].tolist()
    assert scores["predicted_species"].tolist() == expected["predicted_species"].tolist()
    difference = np.abs(scores["probability"].to_numpy() - expected["probability"].to_numpy())
    assert difference.max() < TOLERANCE


def test_postgresqls_exp_is_kept_from_underflowing():
    query = sql.portable("SELECT EXP(x - 1000) FROM flowers", "postgres")
    assert query == f"SELECT EXP(GREATEST(x - 1000, {sql.SMALLEST_EXPONENT})) FROM flowers"
    assert sql.portable("SELECT EXP(x) FROM flowers", "duckdb") == "SELECT EXP(x) FROM flowers"
