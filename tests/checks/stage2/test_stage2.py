"""Stage 2 check: a schema, a safe model artifact, tests you wrote, and a suite that passes."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from kit.paths import IRIS, copy_stage

SCHEMA = pytest.mark.exercise(
    1,
    "The data schema: schema.measurement_column, schema.species_column",
    hint="the TODOs in schema.py; notebook: 'Exercise 1 — Declare what valid data is'; pandera's "
    "'DataFrame Schemas' page (nullable) and its 'Checks' page (the built-in checks)",
)
MESSAGE = pytest.mark.exercise(
    2,
    "Errors that name the column and row: data.describe_failure",
    hint="the TODO in data.describe_failure (tests/data/test_schema.py has the wording); notebook: "
    "'Exercise 2 — Name the column and the row'; pandera's 'Lazy Validation'",
    needs=(1,),
)
METADATA = pytest.mark.exercise(
    3,
    "What a saved model says about itself: artifact.build_metadata",
    hint="the TODO in artifact.build_metadata lists every key; notebook: 'Exercise 3 — A model "
    "that says what it is'; Python's datetime page (timezone.utc, strftime)",
)
VERIFY = pytest.mark.exercise(
    4,
    "Refuse a changed or untrusted model file: artifact.verified_types",
    hint="the TODO in artifact.verified_types; notebook: 'Exercise 4 — Refuse a file you cannot "
    "trust'; skops' 'Secure persistence' page (untrusted types)",
)
OWN_TEST = pytest.mark.exercise(
    5,
    "Your test: longer petals push towards virginica",
    hint="the TODO in tests/model/test_behaviour.py; notebook: 'Exercise 5 — Write a test of the "
    "model's behaviour'; scikit-learn's LogisticRegression page (predict_proba, classes_)",
    needs=(1,),
)
SUITE = pytest.mark.exercise(
    6,
    "The package works: its test suite passes and its command runs",
    hint="in your stage 2 folder, run `../../.venv/bin/python -m pytest -m 'not packaging'` "
    "(the kit's Python, whichever your shell has) and read the first failure; "
    "notebook: 'Exercise 6 — The whole suite passes, and the package installs'",
    needs=(1, 2, 3, 4, 5),
)

METADATA_KEYS = {
    *("name", "version", "trained_at", "metrics", "features", "classes"),
    *("versions", "data_sha256", "config", "model_sha256"),
}
# Plain text whatever the terminal; the plugins are the target's pyproject.toml's to choose.
PYTEST_OPTIONS = ("-p", "no:cacheprovider", "--color=no")
OWN_TEST_ID = "tests/model/test_behaviour.py::test_longer_petals_push_towards_virginica"


@pytest.fixture(scope="module")
def fitted(iris: pd.DataFrame) -> Pipeline:
    rows = iris.iloc[:, :4].to_numpy(dtype="float64")
    return Pipeline([("scale", StandardScaler()), ("fit", LogisticRegression())]).fit(
        rows, iris["species"].to_numpy()
    )


def _rejects(schema, frame: pd.DataFrame) -> bool:
    try:
        schema.validate(frame, lazy=True)
    except Exception:  # pandera's SchemaError(s); the type is not what this check is about
        return True
    return False


@SCHEMA
def test_the_schema_accepts_the_iris_data(load, iris):
    schema = load("schema")
    assert not _rejects(schema.LABELLED, iris), "expected iris.csv to pass LABELLED, it failed"


@SCHEMA
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("petal_length", -1.0),
        ("sepal_width", 0.0),
        ("sepal_length", 150.0),
        ("petal_width", None),
        ("species", "rose"),
        ("species", None),
    ],
)
def test_the_schema_rejects_a_bad_value(load, iris, column, value):
    bad = iris.astype({column: object})
    bad.loc[3, column] = value
    assert _rejects(load("schema").LABELLED, bad), (
        f"expected the schema to reject {column} = {value!r}, got it accepted"
    )


@MESSAGE
@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("petal_length", -1.0, "column 'petal_length', row 4: value -1.0"),
        ("species", "rose", "column 'species', row 4: value 'rose'"),
        ("sepal_width", None, "column 'sepal_width', row 4: value is missing"),
    ],
)
def test_the_error_names_the_column_row_and_value(load, iris, column, value, expected):
    data, schema = load("data"), load("schema")
    bad = iris.astype({column: object})
    bad.loc[3, column] = value
    with pytest.raises(data.DataError) as error:
        data.check_table(bad, schema.LABELLED, "flowers.csv")
    assert expected in str(error.value), f"expected a message with {expected!r}, got {error.value}"


@MESSAGE
def test_the_error_names_a_missing_column(load, iris):
    data, schema = load("data"), load("schema")
    with pytest.raises(data.DataError) as error:
        data.check_table(iris.drop(columns="petal_width"), schema.LABELLED, "flowers.csv")
    expected = "column 'petal_width' is missing"
    assert expected in str(error.value), f"expected a message with {expected!r}, got {error.value}"


@METADATA
def test_saved_metadata_describes_the_model(load, fitted, tmp_path):
    artifact = load("artifact")
    artifact.save_model(fitted, tmp_path, data_path=IRIS, metrics={"cv": 0.9}, config={"a": 1})
    metadata = json.loads((tmp_path / "metadata.json").read_text())
    assert set(metadata) == METADATA_KEYS, (
        f"expected the keys {sorted(METADATA_KEYS)}, got {sorted(metadata)}"
    )
    model_bytes = (tmp_path / "model.skops").read_bytes()
    expected = {
        "data_sha256": hashlib.sha256(IRIS.read_bytes()).hexdigest(),
        "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
        "classes": ["setosa", "versicolor", "virginica"],
        "features": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
        "metrics": {"cv": 0.9},
        "config": {"a": 1},
    }
    for key, value in expected.items():
        assert metadata[key] == value, f"expected {key} = {value!r}, got {metadata[key]!r}"


@METADATA
def test_trained_at_is_utc_and_versions_are_recorded(load, fitted, tmp_path):
    artifact = load("artifact")
    artifact.save_model(fitted, tmp_path, data_path=IRIS, metrics={}, config={})
    metadata = json.loads((tmp_path / "metadata.json").read_text())
    stamp = metadata["trained_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp), (
        f"expected trained_at like 2026-01-31T09:30:00Z, got {stamp!r}"
    )
    assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"), f"expected a real date, got {stamp}"
    import sklearn

    versions = metadata["versions"]
    assert versions.get("scikit-learn") == sklearn.__version__, (
        f"expected versions['scikit-learn'] = {sklearn.__version__}, got {versions}"
    )


def _save_by_hand(pipeline: Pipeline, directory: Path) -> Path:
    """A model folder written without build_metadata, so exercise 4 is checked on its own."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / "model.skops"
    skops.io.dump(pipeline, model_path)
    metadata = {"model_sha256": hashlib.sha256(model_path.read_bytes()).hexdigest()}
    (directory / "metadata.json").write_text(json.dumps(metadata))
    return model_path


@VERIFY
def test_an_unchanged_model_loads(load, fitted, tmp_path, iris):
    _save_by_hand(fitted, tmp_path)
    loaded = load("artifact").load_model(tmp_path)
    rows = iris.iloc[:5, :4].to_numpy(dtype="float64")
    assert np.array_equal(loaded.predict_proba(rows), fitted.predict_proba(rows)), (
        "expected the loaded model to predict as the saved one, got other probabilities"
    )


@VERIFY
def test_a_changed_model_file_is_refused(load, fitted, tmp_path):
    model_path = _save_by_hand(fitted, tmp_path)
    with model_path.open("ab") as model_file:
        model_file.write(b"\0")
    artifact = load("artifact")
    with pytest.raises(artifact.ArtifactError):
        artifact.load_model(tmp_path)
        pytest.fail("expected ArtifactError for a model file changed after saving, got none")


@VERIFY
def test_a_model_with_untrusted_types_is_refused(load, iris, tmp_path):
    sneaky = Pipeline(
        [("log", FunctionTransformer(_untrusted)), ("fit", LogisticRegression(max_iter=1000))]
    )
    sneaky.fit(iris.iloc[:, :4].to_numpy(dtype="float64"), iris["species"].to_numpy())
    _save_by_hand(sneaky, tmp_path)
    artifact = load("artifact")
    with pytest.raises(artifact.ArtifactError) as error:
        artifact.load_model(tmp_path)
        pytest.fail("expected ArtifactError for a model holding a custom function, got none")
    assert "_untrusted" in str(error.value), (
        f"expected the message to name the untrusted type, got {error.value}"
    )


@pytest.fixture(scope="module", autouse=True)
def pytest_runs(
    workdir: Path,
    start_python,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[dict]:
    """Start the slow runs at once, side by side, while the quick checks go on.

    ``suite``: the target's own tests (without the slower packaging test).
    ``own``: the learner's own test alone, on their model.
    ``mutant``: the learner's own test, on a copy whose model learnt setosa and virginica
    swapped; a good directional test fails there.
    Each starts only when a test that reads it is checked: ``kit.check(2, exercise=5)`` runs
    the learner's test twice, not the whole suite.
    """
    wanted = {name for item in request.session.items for name in item.fixturenames}
    commands = {
        "suite": ("-m", "pytest", "-m", "not packaging", *PYTEST_OPTIONS, "-q", "-rA"),
        "own": ("-m", "pytest", OWN_TEST_ID, *PYTEST_OPTIONS, "-q", "-rA"),
        "mutant": ("-m", "pytest", OWN_TEST_ID, *PYTEST_OPTIONS),
    }
    runs = {}
    for name in commands.keys() & wanted:
        folder = workdir
        if name == "mutant":
            folder = copy_stage(workdir, tmp_path_factory.mktemp("mutant") / "stage2")
            model_py = folder / "src" / "iris_model" / "model.py"
            model_py.write_text(model_py.read_text() + MIXED_UP_TRAINING)
        runs[name] = start_python(*commands[name], cwd=folder)
    yield runs
    for process in runs.values():
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


@pytest.fixture(scope="module")
def suite(pytest_runs: dict, finish) -> subprocess.CompletedProcess:
    return finish(pytest_runs["suite"])


@pytest.fixture(scope="module")
def own(pytest_runs: dict, finish) -> subprocess.CompletedProcess:
    return finish(pytest_runs["own"])


@pytest.fixture(scope="module")
def mutant(pytest_runs: dict, finish) -> subprocess.CompletedProcess:
    return finish(pytest_runs["mutant"])


@OWN_TEST
def test_your_test_passes_on_your_model(own):
    outcome = [line for line in own.stdout.splitlines() if OWN_TEST_ID in line]
    got = outcome[0] if outcome else f"no result for it ({_summary(own)})"
    assert got.startswith("PASSED"), f"expected {OWN_TEST_ID} to pass, got: {got}"


@OWN_TEST
def test_your_test_fails_on_a_model_that_mixes_up_species(mutant):
    summary = _summary(mutant)
    assert "1 failed" in summary, (
        "expected your test to fail on a model trained with setosa and virginica swapped, "
        f"got: {summary} (a test that cannot fail checks nothing)"
    )


@SUITE
def test_the_test_suite_passes(suite):
    failures = [
        line
        for line in suite.stdout.splitlines()
        if line.startswith(("FAILED ", "ERROR ")) and "::" in line
    ]
    first = f"; first: {failures[0]}" if failures else ""
    assert suite.returncode == 0, f"expected every test to pass, got: {_summary(suite)}{first}"


@SUITE
def test_the_command_trains_and_predicts(run_main, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text("sepal_length,sepal_width,petal_length,petal_width\n6.7,3.0,5.8,2.2\n")
    for step in (
        ("train", "--data", IRIS, "--out", tmp_path / "model"),
        ("predict", "--model", tmp_path / "model", "--data", new, "--out", tmp_path / "p.csv"),
    ):
        done = run_main(*step)
        last = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        assert done.returncode == 0, f"expected `iris-model {step[0]}` to succeed, got: {last}"
    predicted = pd.read_csv(tmp_path / "p.csv")["predicted_species"].tolist()
    assert predicted == ["virginica"], f"expected ['virginica'], got {predicted}"
    assert (tmp_path / "model" / "model.skops").is_file(), "expected model.skops, got no file"


def _summary(done: subprocess.CompletedProcess) -> str:
    """pytest's closing line, or why it could not run (e.g. a conftest that fails to import)."""
    lines = done.stdout.strip().splitlines()
    if lines and re.search(r"\b(passed|failed|errors?|no tests ran)\b", lines[-1]):
        return re.sub(r" in [\d.]+s\b.*", "", lines[-1].strip("= "))
    errors = [line[1:].strip() for line in done.stderr.splitlines() if line.startswith("E ")]
    return errors[-1] if errors else (done.stderr.strip().splitlines() or ["(no output)"])[-1]


def _untrusted(rows: np.ndarray) -> np.ndarray:
    return rows


MIXED_UP_TRAINING = '''

_train_correctly = train


def train(frame, config):
    """Added by the stage 2 check: a model that learnt setosa and virginica swapped."""
    swap = {"setosa": "virginica", "virginica": "setosa"}
    return _train_correctly(frame.assign(species=frame["species"].replace(swap)), config)
'''
