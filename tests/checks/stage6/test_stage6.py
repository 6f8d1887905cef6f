"""Stage 6 check: scoring by partition, on a Dask cluster and as SQL, and the written comparison.

The check scores its own flowers with its own pipeline: three parquet files of unequal sizes
whose ids are not 0, 1, 2, …, so a score matched to its flower by position alone is caught.
Scoring by partition is watched as it reads: no more than one partition may be held while the
next is read. The Dask exercise runs on a real cluster: a ``dask scheduler`` and two ``dask
worker`` processes started as commands, as on machines of their own, reading the flowers from
an S3-compatible store (``s3://``, credentials from the environment), and the first file is
much the largest, so the workers finish out of order on purpose. The SQL runs in DuckDB, in
SQLite (Python's) and in a real PostgreSQL server, over the check's flowers and over hostile
rows (the schema's bounds, near-ties between two species, a million rows in DuckDB); where no
server can be had, that part is reported NOT CHECKED.
"""

from __future__ import annotations

import gc
import itertools
import os
import re
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from kit.background import ServerDidNotStart
from kit.dask_cluster import running_dask_cluster
from kit.object_store import ObjectStore, running_object_store
from kit.paths import IRIS, check_python, import_path_with
from kit.postgres import NoPostgres, Postgres, running_postgres

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
STORED_SIZES = (120_000, 300, 300, 300)
"""The files the cluster reads from the store: the first much the largest, so it finishes last."""
LARGE_TABLE = 1_000_000
SCHEMA_BOUNDS = (np.finfo("float64").tiny, np.nextafter(100.0, 0.0))
"""The smallest measurement above 0 and the largest below 100 cm the schema lets in."""
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
def pipeline(iris: pd.DataFrame) -> Pipeline:
    model = Pipeline([("scale", StandardScaler()), ("classify", LogisticRegression())])
    return model.fit(iris[FEATURES].to_numpy(), iris["species"].to_numpy())


def _flowers(sizes: tuple[int, ...], seed: int) -> list[pd.DataFrame]:
    """Tables of flowers near iris's, one per size, ids shuffled and starting far from 0."""
    iris = pd.read_csv(IRIS)[FEATURES].to_numpy()
    generator = np.random.default_rng(seed)
    ids = generator.permutation(np.arange(10_000, 10_000 + sum(sizes)))
    frames, first = [], 0
    for size in sizes:
        rows = iris[generator.integers(len(iris), size=size)]
        rows = np.abs(rows + generator.normal(0, 0.15, rows.shape))
        frame = pd.DataFrame(rows, columns=FEATURES)
        frame.insert(0, "flower_id", ids[first : first + size])
        frames.append(frame)
        first += size
    return frames


@pytest.fixture(scope="module")
def flower_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three parquet files of flowers near iris's, ids shuffled and starting far from 0."""
    folder, paths = tmp_path_factory.mktemp("flowers"), []
    for part, frame in enumerate(_flowers(SIZES, seed=6)):
        paths.append(folder / f"part-{part:03d}.parquet")
        frame.to_parquet(paths[-1], index=False)
    return paths


def scikit_learns_scores(pipeline: Pipeline, flowers: pd.DataFrame) -> pd.DataFrame:
    probabilities = pipeline.predict_proba(flowers[FEATURES].to_numpy())
    return pd.DataFrame(
        {
            "flower_id": flowers["flower_id"].to_numpy(),
            "predicted_species": pipeline.classes_[probabilities.argmax(axis=1)],
            "probability": probabilities.max(axis=1),
        }
    )


@pytest.fixture(scope="module")
def expected(pipeline: Pipeline, flower_files: list[Path]) -> pd.DataFrame:
    return scikit_learns_scores(
        pipeline, pd.concat(map(pd.read_parquet, flower_files), ignore_index=True)
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
    first = scores["predicted_species"].iloc[0] if len(scores) else ""
    assert not isinstance(first, bytes | bytearray), (
        f"expected each species as text from {engine}, got bytes ({bytes(first)!r}): orbital "
        "writes them so; is model_as_sql's query made portable?"
    )
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


def assert_numbered_from_0(scores: pd.DataFrame, rows: int) -> None:
    """Expected: the rows numbered 0, 1, … as the baseline's, not again from 0 in each file."""
    if scores.index.equals(pd.RangeIndex(rows)):
        return
    numbers = scores.index.to_numpy()
    assert len(numbers) == rows, f"expected {rows} rows, one per flower, got {len(numbers)}"
    first = int(np.argmax(numbers != np.arange(rows)))
    raise AssertionError(
        f"expected the rows numbered 0 to {rows - 1}, as in the baseline, got row {first} "
        f"numbered {numbers[first]}: were each file's rows numbered from 0 again?"
    )


@PARTITIONED
def test_scoring_by_partition_keeps_ids_and_order(load, pipeline, flower_files, expected):
    scores = load("batch").score_by_partition(pipeline, flower_files)
    assert_same_scores(scores, expected, "score_by_partition")


@PARTITIONED
def test_scoring_by_partition_numbers_rows_from_0(load, pipeline, flower_files):
    scores = load("batch").score_by_partition(pipeline, flower_files)
    assert_numbered_from_0(scores, sum(SIZES))


@PARTITIONED
def test_scoring_by_partition_holds_one_partition_at_a_time(
    load, pipeline, flower_files, monkeypatch
):
    """Every table read from a file is watched: when a file is read, how many are still held?

    A loop may still hold the last partition while it reads the next (the variable is
    replaced only once the read returns): two at once is one partition at a time.
    """
    held: set[int] = set()
    most = 0
    read_parquet, numbers = pd.read_parquet, itertools.count()

    def watched(*arguments, **keywords) -> pd.DataFrame:
        nonlocal most
        gc.collect()  # only tables still referenced count, not garbage not yet collected
        frame = read_parquet(*arguments, **keywords)
        key = next(numbers)
        held.add(key)
        weakref.finalize(frame, held.discard, key)
        most = max(most, len(held))
        return frame

    monkeypatch.setattr(pd, "read_parquet", watched)
    load("batch").score_by_partition(pipeline, flower_files)
    assert most <= 2, (
        f"expected one partition in memory at a time (the one being scored, and at most the "
        f"last one while the next is read), got {most} of the {len(flower_files)} files' "
        "tables held at once: were all the files read before any was scored?"
    )


@pytest.fixture(scope="module")
def store() -> Iterator[ObjectStore]:
    """The S3-compatible store of stage 5 (moto), its credentials in this process's environment."""
    with running_object_store() as running, pytest.MonkeyPatch.context() as environment:
        for name, value in running.environment().items():
            environment.setenv(name, value)
        yield running


@pytest.fixture(scope="module")
def stored_files(store: ObjectStore) -> list[str]:
    """Flowers in the store, as ``s3://`` paths: no disk is shared with the workers."""
    frames = _flowers(STORED_SIZES, seed=66)
    paths = [f"s3://{store.bucket}/flowers/part-{part:03d}.parquet" for part in range(len(frames))]
    for frame, path in zip(frames, paths, strict=True):
        frame.to_parquet(path, index=False)
    return paths


@pytest.fixture(scope="module")
def cluster(source: Path, store: ObjectStore) -> Iterator[str]:
    """A scheduler and two worker processes, started as commands as on machines of their own,
    the store's credentials in their environment; stopped the kit's way (``kit.background``)."""
    env = {**os.environ, **store.environment(), "PYTHONPATH": import_path_with(source)}
    # The kit's suite runs this check in a warm Python, and the cluster too (kit/warm_python.py).
    with running_dask_cluster(workers=2, env=env, python=check_python()) as address:
        yield address


@ON_DASK
def test_dask_scores_on_two_workers_reading_the_store_keeping_ids_and_order(
    load, pipeline, stored_files, cluster, note
):
    from dask.distributed import Client, get_task_stream

    flowers = pd.concat(map(pd.read_parquet, stored_files), ignore_index=True)
    expected = scikit_learns_scores(pipeline, flowers)
    with Client(cluster, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        with get_task_stream(client) as tasks:
            scores = load("on_dask").score_on_dask(pipeline, stored_files, client)
    assert tasks.data, (
        "expected the scoring to run on the cluster whose client was given; its scheduler "
        "saw no task: were the files scored on this machine instead (a loop here rather "
        "than client.map)?"
    )
    workers = {task["worker"] for task in tasks.data}
    note(f"{len(workers)} workers ran {len(tasks.data)} tasks, reading s3:// paths from the store")
    assert_same_scores(scores, expected, "score_on_dask")
    assert_numbered_from_0(scores, len(expected))


@contextmanager
def what_the_sql_code_did() -> Iterator[None]:
    """orbital's and DuckDB's own errors, said as what the learner's ``sql.py`` gave them."""
    import duckdb

    try:
        yield
    except duckdb.Error as error:
        said = str(error).splitlines()[0]
        if "decode(VARCHAR)" in said:
            raise AssertionError(
                "expected the query to run in DuckDB, got 'decode' given text: the model's "
                "species are text once the query is made portable, so select output_label "
                "as it is"
            ) from None
        raise AssertionError(
            f"expected the query of scores_query to run in DuckDB, got DuckDB's {said!r}: "
            "print the query and look at the part it names"
        ) from None
    except NotImplementedError as error:
        if "not done yet" in str(error):
            raise
        if "Multi-class classification" in str(error):
            raise AssertionError(
                "expected orbital to translate the check's pipeline, got its 'Multi-class "
                "classification is not implemented': orbital says so when the pipeline's "
                "inputs are described with another type than DoubleColumnType (float32 or "
                "integer columns): look at the types in model_as_sql's `features`"
            ) from None
        raise AssertionError(
            f"expected orbital to translate the check's pipeline (a StandardScaler and a "
            f"LogisticRegression), got orbital's NotImplementedError: {error}: was it given "
            "the pipeline as it came?"
        ) from None


@AS_SQL
def test_the_sql_gives_scikit_learns_scores(load, pipeline, flower_files, expected):
    import duckdb

    with duckdb.connect() as connection, what_the_sql_code_did():
        scores = load("sql").score_in_duckdb(pipeline, flower_files, connection)
    assert_same_scores(scores, expected, "the model's SQL in DuckDB")


@AS_SQL
@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_the_sql_is_written_for_the_dialect_asked(load, pipeline, dialect):
    sql = load("sql")
    with what_the_sql_code_did():
        query = sql.model_as_sql(pipeline, dialect)
        duckdbs = sql.model_as_sql(pipeline, "duckdb")
    assert isinstance(query, str) and "output_label" in query, (
        f"expected model_as_sql(pipeline, {dialect!r}) to return SQL naming output_label, "
        f"got {str(query)[:80]!r}"
    )
    assert query != duckdbs, (
        f"expected {dialect}'s SQL to differ from DuckDB's (its types and functions), got "
        "the same query: is the dialect passed on to orbital?"
    )


@pytest.fixture(scope="module")
def hostile(pipeline: Pipeline, iris: pd.DataFrame) -> pd.DataFrame:
    """Rows that test the query's arithmetic: every corner of the schema's bounds, and rows on
    the boundary between two species, their probabilities as near as bisection can make them."""
    corners = np.array(np.meshgrid(*[SCHEMA_BOUNDS] * len(FEATURES))).reshape(len(FEATURES), -1)
    rows = [corners.T]
    generator = np.random.default_rng(60)
    for first, second in (("setosa", "versicolor"), ("versicolor", "virginica")):
        a = iris.loc[iris["species"] == first, FEATURES].to_numpy()
        b = iris.loc[iris["species"] == second, FEATURES].to_numpy()
        starts = a[generator.integers(len(a), size=100)]
        ends = b[generator.integers(len(b), size=100)]
        rows.append(_near_ties(pipeline, starts, ends, first, second))
    table = pd.DataFrame(np.vstack(rows), columns=FEATURES)
    table.insert(0, "flower_id", np.arange(500_000, 500_000 + len(table)))
    return table


def _near_ties(pipeline, starts, ends, first: str, second: str) -> np.ndarray:
    """The points between ``starts`` and ``ends`` where ``first`` and ``second`` tie, as near
    as 60 halvings of each segment get (the last bits of a float)."""
    one, two = (list(pipeline.classes_).index(name) for name in (first, second))
    low, high = np.zeros(len(starts)), np.ones(len(starts))
    for _ in range(60):
        middle = (low + high) / 2
        points = starts + middle[:, None] * (ends - starts)
        probabilities = pipeline.predict_proba(points)
        first_wins = probabilities[:, one] > probabilities[:, two]
        low, high = np.where(first_wins, middle, low), np.where(first_wins, high, middle)
    return starts + low[:, None] * (ends - starts)


def assert_agrees_on_hostile_rows(scores: pd.DataFrame, expected: pd.DataFrame, engine: str) -> str:
    """As ``assert_same_scores``, but a near-tie (the two best probabilities within the
    tolerance) may name either of the two species: rounding decides, in any engine. Returns
    what the note says: the largest gap, and how many near-ties named the other species."""
    probabilities = expected.attrs["probabilities"]
    top_two = np.sort(probabilities, axis=1)[:, -2:]
    tied = (top_two[:, 1] - top_two[:, 0]) <= TOLERANCE
    second = expected.attrs["classes"][np.argsort(probabilities, axis=1)[:, -2]]
    labels = scores["predicted_species"].astype(str).to_numpy()
    either = tied & (labels == second)
    fixed = expected.copy()
    fixed.loc[either, "predicted_species"] = labels[either]
    assert_same_scores(scores, fixed, engine)
    gap = np.abs(scores["probability"].to_numpy() - expected["probability"]).max()
    return (
        f"largest probability gap from scikit-learn {gap:.2g}; {int(either.sum())} of "
        f"{int(tied.sum())} near-ties named the other species"
    )


def scikit_learns_hostile_scores(pipeline: Pipeline, flowers: pd.DataFrame) -> pd.DataFrame:
    expected = scikit_learns_scores(pipeline, flowers)
    expected.attrs = {
        "probabilities": pipeline.predict_proba(flowers[FEATURES].to_numpy()),
        "classes": pipeline.classes_,
    }
    return expected


@AS_SQL
def test_the_sql_in_duckdb_agrees_on_hostile_rows_and_a_million(
    load, pipeline, hostile, tmp_path, note
):
    import duckdb

    many = _flowers((LARGE_TABLE,), seed=61)[0]
    many["flower_id"] += 1_000_000
    flowers = pd.concat([hostile, many], ignore_index=True)
    path = tmp_path / "hostile.parquet"
    flowers.to_parquet(path, index=False)
    expected = scikit_learns_hostile_scores(pipeline, flowers)
    with duckdb.connect() as connection, what_the_sql_code_did():
        scores = load("sql").score_in_duckdb(pipeline, [path], connection)
    said = assert_agrees_on_hostile_rows(scores, expected, "the model's SQL in DuckDB")
    note(f"DuckDB, {len(flowers):,} rows: {said}")


@AS_SQL
def test_the_sql_in_sqlite_gives_scikit_learns_scores(load, pipeline, flower_files, hostile, note):
    flowers = pd.concat([*map(pd.read_parquet, flower_files), hostile], ignore_index=True)
    expected = scikit_learns_hostile_scores(pipeline, flowers)
    with closing(sqlite3.connect(":memory:")) as connection, what_the_sql_code_did():
        flowers.to_sql("flowers", connection, index=False)
        query = load("sql").scores_query_in(pipeline, "sqlite")
        try:
            scores = pd.read_sql_query(f"SELECT * FROM ({query}) ORDER BY flower_id", connection)
        except (sqlite3.Error, pd.errors.DatabaseError) as error:
            raise AssertionError(
                f"expected the model's SQL for SQLite {sqlite3.sqlite_version} to run there, "
                f"got: {error}"
            ) from None
    expected = _by_id(expected)
    engine = f"the model's SQL in SQLite {sqlite3.sqlite_version}"
    said = assert_agrees_on_hostile_rows(scores, expected, engine)
    note(f"SQLite {sqlite3.sqlite_version}: {said}")


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres | str]:
    """A PostgreSQL server for the module, or why there is none."""
    try:
        with running_postgres() as server:
            yield server
    except (NoPostgres, ServerDidNotStart) as why:
        yield str(why)


@AS_SQL
def test_the_sql_in_postgresql_gives_scikit_learns_scores(
    load, pipeline, flower_files, hostile, postgres, note
):
    if isinstance(postgres, str):
        why = f"NOT CHECKED: the SQL in PostgreSQL: {postgres}; then run the check again"
        note(why)
        pytest.skip(why)
    flowers = pd.concat([*map(pd.read_parquet, flower_files), hostile], ignore_index=True)
    expected = _by_id(scikit_learns_hostile_scores(pipeline, flowers))
    postgres.load(flowers, "flowers")
    with what_the_sql_code_did():
        query = load("sql").scores_query_in(pipeline, "postgres")
    try:
        scores = postgres.query(f"SELECT * FROM ({query}) AS scores ORDER BY flower_id")
    except RuntimeError as error:
        raise AssertionError(
            f"expected the model's SQL for PostgreSQL to run there, got: {error}"
        ) from None
    version = postgres.version()
    said = assert_agrees_on_hostile_rows(
        scores, expected, f"the model's SQL in PostgreSQL {version}"
    )
    note(f"PostgreSQL {version}: {said}")


def _by_id(expected: pd.DataFrame) -> pd.DataFrame:
    order = np.argsort(expected["flower_id"].to_numpy(), kind="stable")
    ordered = expected.iloc[order].reset_index(drop=True)
    ordered.attrs = {**expected.attrs, "probabilities": expected.attrs["probabilities"][order]}
    return ordered


def comparison(target: Path) -> dict[str, str]:
    """COMPARISON.md's sections, ``{heading: text}``, its comments (what the page does not
    show: the TODOs) left out."""
    path = target / "COMPARISON.md"
    assert path.is_file(), f"expected {path.name} in your stage 6 folder, found none"
    shown = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    sections, heading = {}, None
    for line in shown.splitlines():
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
def test_no_todo_is_left(target):
    path = target / "COMPARISON.md"
    assert path.is_file(), f"expected {path.name} in your stage 6 folder, found none"
    lines = path.read_text(encoding="utf-8").splitlines()
    left = [number for number, line in enumerate(lines, 1) if re.match(r"<!--\s*TODO", line)]
    assert not left, (
        f"expected every '<!-- TODO Exercise 4' comment answered and removed from COMPARISON.md, "
        f"got {len(left)} left (line {', '.join(map(str, left))})"
    )


@COMPARED
def test_the_figures_are_numbers_measured(target):
    text = comparison(target).get("Measured on my machine", "")
    figures, wrong = {}, []
    for name in FIGURES:
        found = re.search(rf"^- {re.escape(name)}:[ \t]*(.*?)[ \t]*$", text, flags=re.MULTILINE)
        if not found:
            wrong.append(f"no line '- {name}: <number>'")
        elif not (re.fullmatch(r"\d+(\.\d+)?", found[1]) and float(found[1]) > 0):
            wrong.append(f"{name} {found[1]!r}")
        else:
            figures[name] = float(found[1])
    if figures.get("rows", 10_000) < 10_000:
        wrong.append(f"rows {figures['rows']:.0f} (a real measurement has 10,000 or more)")
    assert not wrong, (
        "expected each figure under '## Measured on my machine' as a number above 0 (no units "
        f"or separators), got: {'; '.join(wrong)}"
    )
