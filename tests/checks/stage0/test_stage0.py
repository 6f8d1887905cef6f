"""Stage 0 check: the exploratory notebook's code exercises, from the variables they make.

The target holds ``answers.json``, which the notebook's check cell writes from the notebook's
variables (``kit/notebook_answers.py``). The expected values are computed here from the data,
as the exercise text asks for them.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from kit import notebook_answers
from kit.paths import DATA

SKEW = pytest.mark.exercise(
    2,
    "Measure the skew: `comparison`, Part 1's predictions beside one Pipeline's",
    hint="notebook: 'Exercise 2 — measure the skew' names the DataFrame and its three columns; "
    "scikit-learn's make_pipeline and LogisticRegression.predict_proba pages",
)
HELD_OUT = pytest.mark.exercise(
    3,
    "Evaluate on flowers the model has not seen: `test` and `test_accuracy`",
    hint="notebook: 'Exercise 3 — evaluate on flowers the model has not seen'; scikit-learn's "
    "train_test_split page (test_size, stratify, random_state) and the score method of a Pipeline",
)

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
COLUMNS = ["notebook's path", "pipeline", "pipeline's probability"]
TEST_SIZE, SEED = 0.3, 42


@pytest.fixture(scope="session")
def answers(target) -> dict[str, object]:
    return notebook_answers.load(target)


@pytest.fixture(scope="session")
def new_flowers() -> pd.DataFrame:
    return pd.read_csv(DATA / "new_flowers.csv")


@pytest.fixture(scope="session")
def fitted_once(iris) -> Pipeline:
    """The pipeline exercise 2 asks for: scaled by the training flowers, fitted once."""
    return _fitted(iris)


def _fitted(rows: pd.DataFrame) -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(
        rows[FEATURES], rows["species"]
    )


def answer(answers: dict[str, object], name: str, exercise: int, kind: type) -> object:
    """The notebook's variable ``name``, once it is there and of the right kind."""
    assert name in answers, (
        f"expected a variable `{name}` in the notebook, got none: run exercise {exercise}'s "
        "cell, then the check cell again"
    )
    value = answers[name]
    wanted = "a DataFrame" if kind is pd.DataFrame else "a number"
    assert isinstance(value, kind), (
        f"expected `{name}` to be {wanted}, got a {getattr(value, 'kind', type(value).__name__)}"
    )
    return value


@pytest.fixture
def comparison(answers) -> pd.DataFrame:
    frame = answer(answers, "comparison", 2, pd.DataFrame)
    missing = [column for column in COLUMNS if column not in frame.columns]
    assert not missing, (
        f"expected `comparison` to have the columns {COLUMNS}, got {list(frame.columns)}"
    )
    return frame


@SKEW
def test_comparison_has_a_row_per_new_flower_in_the_files_order(comparison, new_flowers):
    assert list(comparison.index) == list(new_flowers.index), (
        f"expected one row per new flower, in new_flowers.csv's order (index "
        f"{list(new_flowers.index)}), got the index {list(comparison.index)}"
    )


@SKEW
def test_the_notebooks_column_holds_part_1s_predictions(comparison, new_flowers, fitted_once):
    refitted_scaler = StandardScaler().fit_transform(new_flowers[FEATURES])
    notebook = fitted_once[-1].predict(refitted_scaler).tolist()
    got = comparison["notebook's path"].tolist()
    assert got == notebook, (
        f"expected the column \"notebook's path\" to hold Part 1's species for the new flowers "
        f"(`names`), {notebook}, got {got}"
    )


@SKEW
def test_the_pipeline_column_holds_a_pipeline_fitted_once_on_the_flowers(
    comparison, new_flowers, fitted_once
):
    expected = fitted_once.predict(new_flowers[FEATURES]).tolist()
    got = comparison["pipeline"].tolist()
    assert got == expected, (
        f'expected the column "pipeline" to hold the species a StandardScaler + '
        f"LogisticRegression pipeline fitted on `flowers` predicts, {expected}, got {got}"
    )


@SKEW
def test_the_probability_is_the_pipelines_for_its_predicted_species(
    comparison, new_flowers, fitted_once
):
    expected = fitted_once.predict_proba(new_flowers[FEATURES]).max(axis=1).round(3).tolist()
    got = pd.to_numeric(comparison["pipeline's probability"], errors="coerce").round(3).tolist()
    assert got == expected, (
        f"expected the column \"pipeline's probability\" to hold the pipeline's probability "
        f"for the species it predicts, {expected}, got {got}"
    )


@pytest.fixture
def held_out(answers, iris) -> pd.DataFrame:
    test = answer(answers, "test", 3, pd.DataFrame)
    stray = sorted(set(test.index) - set(iris.index))
    assert not stray, f"expected `test` to hold rows of `flowers`, got the index {stray[:5]}"
    return test


@HELD_OUT
def test_test_holds_30_percent_of_the_flowers_with_each_species_share(held_out, iris):
    expected = round(len(iris) * TEST_SIZE)
    assert len(held_out) == expected, (
        f"expected {expected} of the {len(iris)} flowers in `test` (30 % test), got {len(held_out)}"
    )
    counts = iris.loc[held_out.index, "species"].value_counts().sort_index().to_dict()
    share = expected // 3
    assert set(counts.values()) == {share}, (
        f"expected {share} flowers of each species in `test` (stratified by species), got {counts}"
    )


@HELD_OUT
def test_test_is_the_split_random_state_42_makes(held_out, iris):
    _, expected = train_test_split(
        iris, test_size=TEST_SIZE, stratify=iris["species"], random_state=SEED
    )
    shared = set(held_out.index) & set(expected.index)
    assert sorted(held_out.index) == sorted(expected.index), (
        f"expected `test` to hold the {len(expected)} flowers train_test_split picks with "
        f"random_state={SEED}, got {len(held_out)} flowers, {len(shared)} of them among those"
    )


@HELD_OUT
def test_test_accuracy_is_a_fresh_pipelines_accuracy_on_test(answers, held_out, iris):
    got = answer(answers, "test_accuracy", 3, float)
    train, test = iris.drop(index=held_out.index), iris.loc[held_out.index]
    expected = _fitted(train).score(test[FEATURES], test["species"])
    seen = _fitted(iris).score(test[FEATURES], test["species"])
    why = " (the accuracy of a model fitted on the test flowers too)" if got == seen else ""
    assert abs(got - expected) < 1e-9, (
        f"expected `test_accuracy` to be the accuracy on `test` of a pipeline fitted on the "
        f"other {len(train)} flowers only, {expected:.3f}, got {got:.3f}{why}"
    )
