"""Stage 6 check: scoring by partition, on a Dask cluster and as SQL, and the written comparison.

The check scores its own flowers with its own pipeline: three parquet files of unequal sizes
whose ids are not 0, 1, 2, …, so a score matched to its flower by position alone is caught.
The Dask exercise runs on a real cluster: a ``dask scheduler`` and a ``dask worker`` started
as commands, as on machines of their own, and stopped with every worker when the test ends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from kit.paths import DATA, import_path_with
from kit.ports import free_port
from kit.servers import running_server

PARTITIONED = pytest.mark.exercise(
    1,
    "Score file by file, keeping ids and order: batch.score_by_partition",
    hint="the TODO in batch.score_by_partition; notebook: 'Exercise 1 — One partition at a "
    "time'; pandas' concat page (ignore_index)",
)
ON_DASK = pytest.mark.exercise(
    2,
    "The same on a Dask cluster: on_dask.score_on_dask",
    hint="the TODO in on_dask.score_on_dask; notebook: 'Exercise 2 — The same code on a "
    "cluster'; distributed's 'Client.map' and 'Client.gather' pages",
)
AS_SQL = pytest.mark.exercise(
    3,
    "The model as SQL, equal to scikit-learn: sql.model_as_sql, sql.scores_query",
    hint="the TODOs in sql.py; notebook: 'Exercise 3 — The model as SQL'; orbital's README "
    "(parse_pipeline, export_sql) and DuckDB's 'Positional Joins' page",
)
COMPARED = pytest.mark.exercise(
    4,
    "The three ways to ship, compared with your own figures: COMPARISON.md",
    hint="the TODOs in COMPARISON.md; notebook: 'Exercise 4 — Three ways to ship, compared'; "
    "your figures come from the notebook's measurements or `make bench STAGE=6`",
)

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SIZES = (700, 450, 850)
TOLERANCE = 1e-12
"""How far SQL's probabilities may be from scikit-learn's: rounding in a different order."""
SECTIONS = ("Latency", "Throughput per core", "When the model changes", "Who can run it")
WAYS = {
    "the artifact": ("artifact", "artefact", "package", "file"),
    "the API": ("api", "container", "service", "image"),
    "SQL": ("sql", "database", "query"),
}
FIGURES = ("cores", "rows", "baseline rows/s", "dask rows/s", "duckdb rows/s")
MIN_WORDS = 25


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    iris = pd.read_csv(DATA / "iris.csv")
    model = Pipeline([("scale", StandardScaler()), ("classify", LogisticRegression())])
    return model.fit(iris[FEATURES].to_numpy(), iris["species"].to_numpy())


@pytest.fixture(scope="module")
def flower_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three parquet files of flowers near iris's, ids shuffled and starting far from 0."""
    iris = pd.read_csv(DATA / "iris.csv")[FEATURES].to_numpy()
    generator = np.random.default_rng(6)
    ids = generator.permutation(np.arange(10_000, 10_000 + sum(SIZES)))
    folder, paths, first = tmp_path_factory.mktemp("flowers"), [], 0
    for part, size in enumerate(SIZES):
        rows = iris[generator.integers(len(iris), size=size)]
        rows = np.abs(rows + generator.normal(0, 0.15, rows.shape))
        frame = pd.DataFrame(rows, columns=FEATURES)
        frame.insert(0, "flower_id", ids[first : first + size])
        paths.append(folder / f"part-{part:03d}.parquet")
        frame.to_parquet(paths[-1], index=False)
        first += size
    return paths


@pytest.fixture(scope="module")
def expected(pipeline: Pipeline, flower_files: list[Path]) -> pd.DataFrame:
    flowers = pd.concat(map(pd.read_parquet, flower_files), ignore_index=True)
    probabilities = pipeline.predict_proba(flowers[FEATURES].to_numpy())
    return pd.DataFrame(
        {
            "flower_id": flowers["flower_id"],
            "predicted_species": pipeline.classes_[probabilities.argmax(axis=1)],
            "probability": probabilities.max(axis=1),
        }
    )


def assert_same_scores(scores: object, expected: pd.DataFrame, engine: str) -> None:
    """Expected: a DataFrame with the same ids in the same order, the same labels exactly,
    and probabilities within TOLERANCE."""
    assert isinstance(scores, pd.DataFrame), (
        f"expected {engine} to return a pandas DataFrame, got {type(scores).__name__}"
    )
    columns = ["flower_id", "predicted_species", "probability"]
    missing = [column for column in columns if column not in scores.columns]
    assert not missing, f"expected the columns {columns}, got {list(scores.columns)}"
    assert len(scores) == len(expected), (
        f"expected {len(expected)} scores from {engine} (one per flower), got {len(scores)}"
    )
    ids, wanted = scores["flower_id"].to_numpy(), expected["flower_id"].to_numpy()
    if not (ids == wanted).all():
        first = int(np.argmax(ids != wanted))
        kept = "the same ids" if set(ids) == set(wanted) else "other ids"
        raise AssertionError(
            f"expected {engine}'s rows in the files' order with their own flower_id; row "
            f"{first} has flower_id {ids[first]}, expected {wanted[first]} ({kept}, "
            "so the order or the ids changed)"
        )
    labels = scores["predicted_species"].astype(str).to_numpy()
    differ = labels != expected["predicted_species"].to_numpy()
    assert not differ.any(), (
        f"expected scikit-learn's species for every flower, got {int(differ.sum())} "
        f"different from {engine}, e.g. {labels[differ][0]!r} for flower_id "
        f"{ids[differ][0]}"
    )
    gap = np.abs(scores["probability"].to_numpy(dtype="float64") - expected["probability"])
    assert gap.max() <= TOLERANCE, (
        f"expected each probability within {TOLERANCE} of scikit-learn's, got one "
        f"{gap.max():.3g} away from {engine}"
    )


@PARTITIONED
def test_scoring_by_partition_keeps_ids_and_order(load, pipeline, flower_files, expected):
    scores = load("batch").score_by_partition(pipeline, flower_files)
    assert_same_scores(scores, expected, "score_by_partition")


@PARTITIONED
def test_scoring_by_partition_numbers_rows_from_0(load, pipeline, flower_files):
    scores = load("batch").score_by_partition(pipeline, flower_files)
    assert scores.index.equals(pd.RangeIndex(sum(SIZES))), (
        f"expected the rows numbered 0 to {sum(SIZES) - 1}, as in the baseline, got an index "
        f"starting {scores.index[:4].tolist()}: each file's rows were numbered from 0 again"
    )


@pytest.fixture
def cluster(source: Path) -> Iterator[str]:
    """A scheduler and a worker (two threads), started as commands as on machines of their own;
    stopped the kit's way (``kit.servers``), and every process of theirs gone (``pgrep``)."""
    scheduler_port, http_port = free_port(), free_port()
    address = f"tcp://127.0.0.1:{scheduler_port}"
    health = f"http://127.0.0.1:{http_port}/health"
    env = {**os.environ, "PYTHONPATH": import_path_with(source)}
    scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
    scheduler += ["--port", str(scheduler_port), "--dashboard-address", f"127.0.0.1:{http_port}"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--host", "127.0.0.1"]
    worker += ["--nworkers", "1", "--nthreads", "2", "--no-nanny", "--no-dashboard"]
    with (
        running_server(scheduler, health, env=env, timeout=60) as first,
        running_server(worker, health, env=env, timeout=60) as second,
    ):
        yield address
    left = [pid for process in (first, second) for pid in _session(process.pid)]
    assert not left, f"expected every Dask process stopped, found {left} still running"


def _session(session: int) -> list[str]:
    """The processes still running in ``session`` (``pgrep -s``)."""
    found = subprocess.run(["pgrep", "-s", str(session)], capture_output=True, text=True)
    return found.stdout.split()


@ON_DASK
def test_dask_scores_on_the_cluster_given_keeping_ids_and_order(
    load, pipeline, flower_files, expected, cluster
):
    from dask.distributed import Client, get_task_stream

    with Client(cluster, timeout=60) as client:
        client.wait_for_workers(1, timeout=60)
        with get_task_stream(client) as tasks:
            scores = load("on_dask").score_on_dask(pipeline, flower_files, client)
    assert tasks.data, (
        "expected the scoring to run on the cluster whose client was given; its scheduler "
        "saw no task: were the files scored on this machine instead (a loop here rather "
        "than client.map)?"
    )
    assert_same_scores(scores, expected, "score_on_dask")


@AS_SQL
def test_the_sql_gives_scikit_learns_scores(load, pipeline, flower_files, expected):
    import duckdb

    with duckdb.connect() as connection:
        scores = load("sql").score_in_duckdb(pipeline, flower_files, connection)
    assert_same_scores(scores, expected, "the model's SQL in DuckDB")


@AS_SQL
@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_the_sql_is_written_for_the_dialect_asked(load, pipeline, dialect):
    sql = load("sql")
    query = sql.model_as_sql(pipeline, dialect)
    assert isinstance(query, str) and "output_label" in query, (
        f"expected model_as_sql(pipeline, {dialect!r}) to return SQL naming output_label, "
        f"got {str(query)[:80]!r}"
    )
    assert query != sql.model_as_sql(pipeline, "duckdb"), (
        f"expected {dialect}'s SQL to differ from DuckDB's (its types and functions), got "
        "the same query: is the dialect passed on to orbital?"
    )


def comparison(target: Path) -> dict[str, str]:
    """COMPARISON.md's sections, ``{heading: text}``, the TODO comments left out."""
    path = target / "COMPARISON.md"
    assert path.is_file(), f"expected {path.name} in your stage 6 folder, found none"
    sections, heading = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            sections[heading] = ""
        elif heading and not line.startswith("#"):
            sections[heading] += line + "\n"
    return sections


@COMPARED
@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_compares_the_three_ways(target, section):
    sections = comparison(target)
    assert section in sections, (
        f"expected a section '## {section}' in COMPARISON.md, got {list(sections)}"
    )
    text = sections[section]
    words = len(text.split())
    assert words >= MIN_WORDS, (
        f"expected a paragraph of at least {MIN_WORDS} words under '## {section}', got {words}"
    )
    lower = text.lower()
    unnamed = [way for way, names in WAYS.items() if not any(name in lower for name in names)]
    assert not unnamed, (
        f"expected '## {section}' to say something about each way, got nothing about "
        f"{', '.join(unnamed)}"
    )


@COMPARED
def test_the_figures_are_numbers_measured(target):
    text = comparison(target).get("Measured on my machine", "")
    figures = {}
    for name in FIGURES:
        found = re.search(rf"^- {re.escape(name)}:\s*(\S*)\s*$", text, flags=re.MULTILINE)
        assert found, f"expected a line '- {name}: <number>' under '## Measured on my machine'"
        value = found[1]
        assert re.fullmatch(r"\d+(\.\d+)?", value) and float(value) > 0, (
            f"expected {name} as a number above 0 (no units or separators), got {value!r}"
        )
        figures[name] = float(value)
    assert figures["rows"] >= 10_000, (
        f"expected the rows of a real measurement (10,000 or more), got {figures['rows']:.0f}"
    )
