"""Stage 5 check: each step refuses bad input, the DAG is the one DVC draws and re-runs only
what changed, experiments are named as DVC names them, and the outputs go to the object store
the text names (with no secret in a tracked file) and come back.

The learner's folder is copied once, given a git repository of its own, and run with DVC
there; the tests below read what each run did, in the order a learner would try it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kit import dvc_project, warm_python
from kit.object_store import running_object_store

INPUT_CHECK = pytest.mark.exercise(
    1,
    "A schema check between steps: cli.read_input",
    hint="the TODO in cli.read_input; notebook: 'Exercise 1 — Refuse bad data at the step "
    "that reads it'; stage 2's data.read_table and its schemas",
)
DEPS_AND_OUTS = pytest.mark.exercise(
    2,
    "What train reads and writes: its deps, params and outs in dvc.yaml",
    hint="the TODO under the train stage in dvc.yaml; notebook: 'Exercise 2 — Say what each "
    "step reads and writes'; DVC's 'dvc.yaml' reference page (deps, params, outs) and 'dvc dag'",
    needs=(1,),
)
EXPERIMENTS = pytest.mark.exercise(
    3,
    "A parameter patched, runs compared: experiments.run_experiment, experiment_table",
    hint="the TODOs in experiments.py; notebook: 'Exercise 3 — Try a parameter, compare the "
    "runs'; DVC's Python API page (exp_show) and 'dvc exp run' (--set-param)",
    needs=(1, 2),
)
STORE = pytest.mark.exercise(
    4,
    "Outputs pushed to the object store the text names, and pulled back: .dvc/config",
    hint="the TODO in .dvc/config; notebook: 'Exercise 4 — Storage that is not this laptop'; "
    "DVC's 'remote add' page (default remote, url), its S3 page and 'remote modify --local'",
    needs=(1, 2),
)

ALL_STEPS = ["prepare", "validate", "train", "evaluate", "predict"]
TRAIN_EDGES = {
    ("prepare", "train"): "train reads runs/prepared/train.csv, which prepare writes",
    ("validate", "train"): "train waits for validate: it reads runs/validation.json",
    ("train", "evaluate"): "evaluate reads the model folder, which train writes",
    ("train", "predict"): "predict reads the model folder, which train writes",
}
"""The edges of ``dvc dag`` that exercise 2's lists make, and why each must be there."""
REMOTE_URL = "s3://iris-kit/pipeline"
"""Where the text says the outputs go: the bucket, then a folder inside it."""
RUN_OUTPUTS = "runs"
MODEL_KEYS = ["C", "max_iter"]
"""The keys under ``model`` in the stage's params.yaml, every one read by train."""
ACCURACY = "accuracy"
PATCHED_C = 0.25
"""The value of model.C both the parameter test and the experiment try: the experiment finds
that run in DVC's run cache and restores it instead of training again (when both are checked)."""


@pytest.fixture(scope="session")
def project(workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the learner's folder with no earlier run, in a git repository of its own."""
    copy = Path(shutil.copytree(workdir, tmp_path_factory.mktemp("pipeline") / "stage5"))
    for leftover in ("dvc.lock", ".dvc/cache", ".dvc/tmp", ".git", RUN_OUTPUTS):
        path = copy / leftover
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    dvc_project.init_repository(copy)
    return copy


@pytest.fixture(scope="session")
def env(project: Path) -> Iterator[dict[str, str]]:
    """DVC's environment, with a warm Python first on ``PATH``: each step DVC starts is a fork
    of one that imported pandas and scikit-learn once (kit/warm_python.py), not a new
    interpreter importing them again."""
    environment = dvc_project.environment(project)
    with warm_python.running(project, environment) as warm:
        first = [str(warm)] if warm else []  # none but on Linux
        yield {**environment, "PATH": os.pathsep.join([*first, environment["PATH"]])}


@pytest.fixture(scope="session")
def first_run(project: Path, env: dict[str, str]):
    """The first ``dvc repro``: every step runs."""
    done = dvc_project.dvc(project, "repro", env=env)
    if done.returncode == 0:
        dvc_project.commit(project, "the first run")
    return done


@pytest.fixture
def repro(project: Path, env: dict[str, str], first_run) -> Callable[[], object]:
    def run():
        return dvc_project.dvc(project, "repro", env=env)

    return run


@pytest.fixture
def planned(project: Path, env: dict[str, str], first_run) -> Callable[[], object]:
    """The steps ``dvc repro`` would run now, and those downstream of them, without running."""

    def plan():
        return dvc_project.dvc(project, "repro", "--dry", "--force-downstream", env=env)

    return plan


@pytest.fixture
def edited(
    project: Path, env: dict[str, str], first_run
) -> Iterator[Callable[[str, Callable[[str], str]], None]]:
    """``edited("params.yaml", change)`` rewrites a file of the project; after the test, the
    project is put back as the first run left it (files from git, outputs from DVC's cache)."""

    def edit(name: str, change: Callable[[str], str]) -> None:
        path = project / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    yield edit
    dvc_project.reset(project, env)


def _ran_ok(done, what: str) -> None:
    """A DVC command that failed says why: the step's own error, then DVC's line."""
    assert done.returncode == 0, f"expected {what} to succeed, got:\n{dvc_project.failure(done)}"


def _outputs(project: Path) -> dict[str, str]:
    """Every output file DVC tracks (DVC's own .gitignore files left out), by its SHA-256."""
    root = project / RUN_OUTPUTS
    return {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != ".gitignore" and "logs" not in path.parts
    }


@DEPS_AND_OUTS
def test_the_first_repro_runs_every_step(first_run):
    _ran_ok(first_run, "the first `dvc repro`")
    ran = dvc_project.stages_run(first_run.stdout)
    assert sorted(ran) == sorted(ALL_STEPS), f"expected the steps {ALL_STEPS} to run, got {ran}"
    assert ran.index("train") < ran.index("evaluate"), (
        f"expected train to run before evaluate (evaluate reads the model), got the order {ran}"
    )


@DEPS_AND_OUTS
def test_the_dag_dvc_draws_has_train_in_its_place(project, env):
    edges = dvc_project.dag_edges(project, env)
    assert not isinstance(edges, str), f"expected `dvc dag` to draw the pipeline, got:\n{edges}"
    missing = [why for edge, why in TRAIN_EDGES.items() if edge not in edges]
    drawn = ", ".join(f"{upstream} → {downstream}" for upstream, downstream in sorted(edges))
    assert not missing, f"expected `dvc dag` to draw an edge where {missing[0]}; it draws: {drawn}"


@DEPS_AND_OUTS
def test_dvc_tracks_every_file_the_steps_write(project, first_run):
    _ran_ok(first_run, "the first `dvc repro`")
    tracked = _tracked_outputs(project)
    untracked = [
        name
        for name in _outputs(project)
        if not any(name == out or name.startswith(f"{out}/") for out in tracked)
    ]
    assert not untracked, (
        f"expected DVC to track every file the steps write, got {untracked[0]} written but "
        f"in no stage's outs (DVC tracks {sorted(tracked)}): a step that reads it would not "
        "re-run when it changes, and `dvc pull` would not bring it back; name the whole "
        "folder a step writes"
    )


@DEPS_AND_OUTS
def test_a_change_to_the_code_reruns_every_step(project, env, first_run, edited):
    _ran_ok(first_run, "the first `dvc repro`")
    edited("src/iris_model/__init__.py", lambda text: text + "\n# a change to the package\n")
    done = dvc_project.dvc(project, "status", "--json", env=env)
    _ran_ok(done, "`dvc status` after a change to src/iris_model")
    changed = sorted(json.loads(done.stdout or "{}"))
    assert changed == sorted(ALL_STEPS), (
        f"expected a change to src/iris_model to make every step out of date ({ALL_STEPS}), "
        f"got {changed}: a step re-runs only for the deps it names"
    )


@DEPS_AND_OUTS
def test_a_second_repro_runs_nothing(repro):
    done = repro()
    _ran_ok(done, "a second `dvc repro`")
    ran = dvc_project.stages_run(done.stdout)
    assert ran == [], f"expected no step to run when nothing changed, got {ran} run again"


@DEPS_AND_OUTS
def test_a_parameter_change_reruns_exactly_the_steps_that_read_it(repro, edited):
    edited("params.yaml", _another_model_c)
    done = repro()
    _ran_ok(done, "`dvc repro` after changing model.C")
    ran = sorted(dvc_project.stages_run(done.stdout))
    expected = sorted(["train", "evaluate", "predict"])
    assert ran == expected, f"expected model.C to re-run {expected}, got {ran}"


@DEPS_AND_OUTS
@pytest.mark.parametrize("key", MODEL_KEYS)
def test_each_model_parameter_would_rerun_train_and_what_reads_its_model(planned, edited, key):
    edited("params.yaml", lambda params: _another_value(params, key))
    done = planned()
    _ran_ok(done, f"`dvc repro --dry` after changing model.{key}")
    ran = sorted(dvc_project.stages_run(done.stdout))
    expected = sorted(["train", "evaluate", "predict"])
    assert ran == expected, (
        f"expected a change to model.{key} to re-run {expected}, got {ran}: train reads every "
        "key under model, so its params name them all"
    )


@DEPS_AND_OUTS
def test_new_flowers_rerun_only_the_prediction(planned, edited):
    edited("data/new_flowers.csv", lambda text: text + "5.0,3.4,1.5,0.2\n")
    done = planned()
    _ran_ok(done, "`dvc repro --dry` after adding a flower to data/new_flowers.csv")
    ran = dvc_project.stages_run(done.stdout)
    assert ran == ["predict"], f"expected only predict to run for a new flower, got {ran}"


def _corrupt(column: str, row: int, value: float) -> Callable[[str], str]:
    def change(text: str) -> str:
        from io import StringIO

        frame = pd.read_csv(StringIO(text))
        frame.loc[row, column] = value
        return frame.to_csv(index=False)

    return change


def _read_input(load, path: Path, table_schema: str, step: str):
    """The target's ``read_input`` on ``path``; what it raised, or the table it returned."""
    cli, schema = load("cli"), load("schema")
    try:
        return cli.read_input(str(path), getattr(schema, table_schema), step)
    except NotImplementedError:  # the template's "Exercise 1 not done yet", said once
        raise
    except Exception as error:  # reported as what the learner's code raised
        return error


@INPUT_CHECK
@pytest.mark.parametrize(
    ("table", "schema", "column", "value", "step", "check"),
    [
        ("data/iris.csv", "LABELLED", "petal_length", -1.4, "prepare", "greater_than(0)"),
        (
            "data/new_flowers.csv",
            "MEASUREMENTS",
            "sepal_width",
            250.0,
            "predict",
            "less_than(100.0)",
        ),
    ],
)
def test_a_step_refuses_bad_data_naming_the_step_column_check_and_value(
    load, workdir, tmp_path, table, schema, column, value, step, check
):
    broken = tmp_path / Path(table).name
    broken.write_text(_corrupt(column, 1, value)((workdir / table).read_text()))
    said = _read_input(load, broken, schema, step)
    assert isinstance(said, Exception), (
        f"expected StepInputError when {table} has {column} = {value}, got a table of "
        f"{len(said)} rows: bad data would reach {step} and every step after it"
    )
    refused = load("cli").StepInputError
    assert isinstance(said, refused), (
        f"expected StepInputError when {table} has {column} = {value}, got "
        f"{type(said).__name__}: {said}"
    )
    message = str(said)
    assert message.startswith(f"{step} stopped: "), (
        f"expected the error to start with the step that refused its input ('{step} stopped: "
        f"…'): the log and DVC show this one line, so it must say which step stopped; got: "
        f"{message!r}"
    )
    for part in (column, check, str(value)):
        assert part in message, (
            f"expected the error to name the step, the column, the check and the value "
            f"({part!r}), got: {message!r}"
        )


@INPUT_CHECK
def test_a_step_reads_a_good_table_whole(load, workdir):
    table = workdir / "data" / "iris.csv"
    read = _read_input(load, table, "LABELLED", "prepare")
    assert not isinstance(read, Exception), f"expected the table of a good file, got: {read}"
    expected = pd.read_csv(table)
    assert isinstance(read, pd.DataFrame) and read.shape == expected.shape, (
        f"expected a DataFrame of {expected.shape[0]} rows and {expected.shape[1]} columns, got "
        f"{getattr(read, 'shape', type(read).__name__)}"
    )


@INPUT_CHECK
def test_a_step_refuses_a_table_with_a_missing_column(load, tmp_path):
    cli, schema = load("cli"), load("schema")
    broken = tmp_path / "train.csv"
    broken.write_text("sepal_length,sepal_width,petal_length,species\n5.1,3.5,1.4,setosa\n")
    with pytest.raises(cli.StepInputError) as error:
        cli.read_input(str(broken), schema.LABELLED, "train")
        pytest.fail("expected StepInputError for a table without petal_width, got none")
    message = str(error.value)
    assert message.startswith("train stopped") and "petal_width" in message, (
        f"expected 'train stopped: …' naming petal_width, got {message!r}"
    )


def _said_by(call: Callable[[], object], what: str) -> object:
    """``call()``; an error from inside it (DVC's, pandas') becomes one line saying which of the
    learner's functions it came from, and what DVC said."""
    try:
        return call()
    except NotImplementedError:
        raise
    except Exception as error:
        said = (str(error).strip().splitlines() or [""])[0][:200]
        pytest.fail(f"expected {what}, got {type(error).__name__} from inside it: {said}")


@EXPERIMENTS
# Raised inside DVC's experiment run (its git layer), not by the learner's code.
@pytest.mark.filterwarnings("ignore:_NoneStep.value:DeprecationWarning")
def test_an_experiment_patches_one_parameter_and_the_table_compares_it(
    load, project, env, first_run, monkeypatch
):
    _ran_ok(first_run, "the first `dvc repro`")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    experiments = load("experiments")
    # The learner's own experiments may have left another model.C than 1.0 in params.yaml.
    baseline = _model_c((project / "params.yaml").read_text(encoding="utf-8"))
    patched = PATCHED_C if baseline != PATCHED_C else PATCHED_C * 2
    _said_by(
        lambda: experiments.run_experiment(project, [f"model.C={patched}"]),
        f"run_experiment to run the pipeline with model.C={patched}",
    )
    table = _said_by(
        lambda: experiments.experiment_table(project, ["model.C", ACCURACY]),
        "experiment_table to read DVC's table of runs",
    )
    assert isinstance(table, pd.DataFrame), f"expected a DataFrame, got {type(table).__name__}"
    assert list(table.columns) == ["name", "model.C", ACCURACY], (
        f"expected the columns ['name', 'model.C', 'accuracy'], got {list(table.columns)}"
    )
    values = sorted(table["model.C"].dropna().unique().tolist())
    assert patched in values and baseline in values, (
        f"expected a run with model.C = {patched} beside the baseline's {baseline}, got {values}"
    )
    experiment = table[table["model.C"] == patched]
    assert experiment[ACCURACY].notna().all(), "expected the experiment's accuracy, got none"
    listed = dvc_project.dvc(project, "exp", "ls", "--name-only", env=env)
    _ran_ok(listed, "`dvc exp ls`")
    shown_as = {"workspace", "main", *listed.stdout.split()}
    names = set(table["name"].astype(str))
    assert names == shown_as, (
        f"expected the rows named as `dvc exp show` names them ({sorted(shown_as)}: the "
        f"workspace, the branch, each experiment by its name), got {sorted(names)}"
    )


CREDENTIAL = re.compile(
    r"(?i)\b(?:aws_)?(?:access_key_id|secret_access_key|session_token|password)\b['\"]?\s*[=:]"
    r"\s*['\"]?[A-Za-z0-9/+_-]{4,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|[a-z0-9]+://[^/\s:@]+:[^/\s@]+@"
)
"""A credential however it is written: ``secret_access_key = …`` (what `dvc remote modify`
writes), ``AWS_SECRET_ACCESS_KEY=…``, an AWS key id, a URL with ``user:password@``."""


@STORE
def test_no_tracked_file_holds_a_credential(project):
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    found = []
    for name in filter(None, tracked):
        try:
            text = (project / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [
            f"{name}, line {number}"
            for number, line in enumerate(text.splitlines(), start=1)
            if CREDENTIAL.search(line)
        ]
    assert not found, (
        f"expected no credential in a file git tracks, got one in {', '.join(found[:3])}: "
        "anyone with the repository would have the store's keys; they belong in the "
        "environment, or in .dvc/config.local, which git ignores"
    )


@pytest.fixture(scope="session")
def pushed_and_pulled(project: Path, env: dict[str, str], first_run) -> dict:
    """The outputs pushed to a fresh store and pulled back: their fingerprints both times, and
    the keys the store holds."""
    _ran_ok(first_run, "the first `dvc repro`")
    with running_object_store() as store:
        store_env = {**env, **store.environment()}
        _ran_ok(dvc_project.dvc(project, "checkout", "--force", env=store_env), "`dvc checkout`")
        pushed = _outputs(project)
        _ran_ok(dvc_project.dvc(project, "push", env=store_env), "`dvc push`")
        keys = _keys(store)
        shutil.rmtree(project / RUN_OUTPUTS)
        shutil.rmtree(project / ".dvc" / "cache")
        _ran_ok(dvc_project.dvc(project, "pull", env=store_env), "`dvc pull` with no local cache")
        pulled = _outputs(project)
    return {"pushed": pushed, "pulled": pulled, "keys": keys, "bucket": store.bucket}


def _keys(store) -> list[str]:
    """Every key in the store's bucket (a few dozen here: one page of the listing)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=store.endpoint,
        aws_access_key_id=store.environment()["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=store.environment()["AWS_SECRET_ACCESS_KEY"],
        region_name=store.environment()["AWS_DEFAULT_REGION"],
    )
    listed = client.list_objects_v2(Bucket=store.bucket)
    return [entry["Key"] for entry in listed.get("Contents", [])]


@STORE
def test_pulled_outputs_equal_pushed_ones(pushed_and_pulled):
    pushed, pulled = pushed_and_pulled["pushed"], pushed_and_pulled["pulled"]
    assert pushed, "expected the pipeline's outputs in runs/, got none"
    assert pulled == pushed, (
        f"expected the pulled outputs to equal the pushed ones; missing or different: "
        f"{sorted(set(pushed.items()) ^ set(pulled.items()))[:3]}"
    )


@STORE
def test_the_outputs_go_where_the_text_says(pushed_and_pulled):
    bucket, keys = pushed_and_pulled["bucket"], pushed_and_pulled["keys"]
    folder = REMOTE_URL.removeprefix(f"s3://{bucket}/")
    elsewhere = [key for key in keys if not key.startswith(f"{folder}/")]
    assert keys and not elsewhere, (
        f"expected the pushed outputs under {REMOTE_URL}/, got "
        f"{f's3://{bucket}/{elsewhere[0]}' if elsewhere else 'nothing in the bucket'}"
    )


def _model_line(key: str) -> re.Pattern:
    """The line of ``params.yaml`` that sets ``model.KEY``: the key, indented under ``model:``,
    then its value."""
    return re.compile(rf"(?m)^(\s+{key}:\s*)(\S+)")


def _model_c(params: str) -> float | None:
    """The ``model.C`` that ``params.yaml``'s text holds, if it names one."""
    current = _model_line("C").search(params)
    return float(current[2]) if current else None


def _another_model_c(params: str) -> str:
    """``params.yaml`` with ``model.C`` set to a value it does not hold now: the learner's
    experiments may have left another value than the stage's 1.0 in their workspace."""
    new = PATCHED_C if _model_c(params) != PATCHED_C else PATCHED_C * 2
    return _model_line("C").sub(rf"\g<1>{new}", params, count=1)


def _another_value(params: str, key: str) -> str:
    """``params.yaml`` with ``model.KEY`` doubled (a number under ``model``)."""
    line = _model_line(key)
    current = float(line.search(params)[2])
    return line.sub(rf"\g<1>{current * 2:g}", params, count=1)


def _tracked_outputs(project: Path) -> list[str]:
    """Every path ``dvc.lock`` records as a stage's output (outs, metrics and plots alike)."""
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    return [out["path"] for stage in lock["stages"].values() for out in stage.get("outs", [])]
