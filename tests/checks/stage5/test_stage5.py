"""Stage 5 check: the pipeline re-runs only what changed, stops on bad data, runs experiments,
and its outputs go to an object store and come back.

The learner's folder is copied once, given a git repository of its own, and run with DVC
there; the tests below read what each run did, in the order a learner would try it.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from kit import pipeline
from kit.object_store import running_object_store

DEPS_AND_OUTS = pytest.mark.exercise(
    1,
    "What train reads and writes: its deps, params and outs in dvc.yaml",
    hint="the TODO under the train stage in dvc.yaml; notebook: 'Exercise 1 — Say what each "
    "step reads and writes'; DVC's 'dvc.yaml' reference page (deps, params, outs)",
    needs=(2,),
)
INPUT_CHECK = pytest.mark.exercise(
    2,
    "A schema check between steps: steps.read_input",
    hint="the TODO in steps.read_input; notebook: 'Exercise 2 — Refuse bad data at the step "
    "that reads it'; stage 2's data.read_table and its schemas",
)
EXPERIMENTS = pytest.mark.exercise(
    3,
    "A parameter patched, runs compared: experiments.run_experiment, experiment_table",
    hint="the TODOs in experiments.py; notebook: 'Exercise 3 — Try a parameter, compare the "
    "runs'; DVC's Python API page (exp_show) and 'dvc exp run' (--set-param)",
    needs=(2,),
)
STORE = pytest.mark.exercise(
    4,
    "Outputs pushed to the object store and pulled back: the remote in .dvc/config",
    hint="the TODO in .dvc/config; notebook: 'Exercise 4 — Storage that is not this laptop'; "
    "DVC's 'remote add' page (default remote, url) and its S3 page",
    needs=(2,),
)

ALL_STEPS = ["prepare", "validate", "train", "evaluate", "score"]
RUN_OUTPUTS = "runs"
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
    pipeline.init_repository(copy)
    return copy


@pytest.fixture(scope="session")
def env(project: Path) -> dict[str, str]:
    return pipeline.environment(project)


@pytest.fixture(scope="session")
def first_run(project: Path, env: dict[str, str]):
    """The first ``dvc repro``: every step runs."""
    done = pipeline.dvc(project, "repro", env=env)
    if done.returncode == 0:
        pipeline.commit(project, "the first run")
    return done


@pytest.fixture
def repro(project: Path, env: dict[str, str], first_run) -> Callable[[], object]:
    def run():
        return pipeline.dvc(project, "repro", env=env)

    return run


@pytest.fixture
def planned(project: Path, env: dict[str, str], first_run) -> Callable[[], object]:
    """The steps ``dvc repro`` would run now, and those downstream of them, without running."""

    def plan():
        return pipeline.dvc(project, "repro", "--dry", "--force-downstream", env=env)

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
    pipeline.reset(project, env)


def _ran_ok(done, what: str) -> None:
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    last = errors[-1] if errors else (done.stderr.strip().splitlines() or ["no output"])[-1]
    assert done.returncode == 0, f"expected {what} to succeed, got: {last}"


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
    ran = pipeline.stages_run(first_run.stdout)
    assert sorted(ran) == sorted(ALL_STEPS), f"expected the steps {ALL_STEPS} to run, got {ran}"
    assert ran.index("train") < ran.index("evaluate"), (
        f"expected train to run before evaluate (evaluate reads the model), got the order {ran}"
    )


@DEPS_AND_OUTS
def test_a_second_repro_runs_nothing(repro):
    done = repro()
    _ran_ok(done, "a second `dvc repro`")
    ran = pipeline.stages_run(done.stdout)
    assert ran == [], f"expected no step to run when nothing changed, got {ran} run again"


@DEPS_AND_OUTS
def test_a_parameter_change_reruns_exactly_the_steps_that_read_it(repro, edited):
    edited("params.yaml", lambda text: text.replace("C: 1.0", f"C: {PATCHED_C}"))
    done = repro()
    _ran_ok(done, "`dvc repro` after changing model.C")
    ran = sorted(pipeline.stages_run(done.stdout))
    expected = sorted(["train", "evaluate", "score"])
    assert ran == expected, f"expected model.C to re-run {expected}, got {ran}"


@DEPS_AND_OUTS
def test_new_flowers_rerun_only_the_scoring(planned, edited):
    edited("data/new_flowers.csv", lambda text: text + "5.0,3.4,1.5,0.2\n")
    done = planned()
    _ran_ok(done, "`dvc repro --dry` after adding a flower to data/new_flowers.csv")
    ran = pipeline.stages_run(done.stdout)
    assert ran == ["score"], f"expected only score to run for a new flower, got {ran}"


def _corrupt(column: str, row: int, value: float) -> Callable[[str], str]:
    def change(text: str) -> str:
        from io import StringIO

        frame = pd.read_csv(StringIO(text))
        frame.loc[row, column] = value
        return frame.to_csv(index=False)

    return change


@INPUT_CHECK
@pytest.mark.parametrize(
    ("table", "column", "value", "stops_at", "check"),
    [
        ("data/iris.csv", "petal_length", -1.4, "prepare", "greater_than(0)"),
        ("data/new_flowers.csv", "sepal_width", 250.0, "score", "less_than(100.0)"),
    ],
)
def test_bad_data_stops_the_pipeline_at_the_step_that_reads_it(
    repro, edited, table, column, value, stops_at, check
):
    edited(table, _corrupt(column, 1, value))
    done = repro()
    ran = pipeline.stages_run(done.stdout)
    assert done.returncode != 0, (
        f"expected `dvc repro` to stop when {table} has {column} = {value}, got it run "
        f"through ({ran})"
    )
    assert ran and ran[-1] == stops_at, (
        f"expected the pipeline to stop at {stops_at}, the first step that reads {table}; "
        f"the steps that ran were {ran}"
    )
    said = [line for line in done.stderr.splitlines() if "stopped" in line]
    for part in (f"{stops_at} stopped", column, check, str(value)):
        assert said and part in said[0], (
            f"expected the error to name the step, the column, the check and the value "
            f"({part!r}), got: {said[0] if said else done.stderr.strip()[-300:]}"
        )


@INPUT_CHECK
def test_a_step_refuses_a_table_with_a_missing_column(load, tmp_path):
    steps, schema = load("steps"), load("schema")
    broken = tmp_path / "train.csv"
    broken.write_text("sepal_length,sepal_width,petal_length,species\n5.1,3.5,1.4,setosa\n")
    with pytest.raises(steps.StepInputError) as error:
        steps.read_input(str(broken), schema.LABELLED, "train")
        pytest.fail("expected StepInputError for a table without petal_width, got none")
    message = str(error.value)
    assert message.startswith("train stopped") and "petal_width" in message, (
        f"expected 'train stopped: …' naming petal_width, got {message!r}"
    )


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
    experiments.run_experiment(project, [f"model.C={PATCHED_C}"])
    table = experiments.experiment_table(project, ["model.C", ACCURACY])
    assert isinstance(table, pd.DataFrame), f"expected a DataFrame, got {type(table).__name__}"
    assert list(table.columns) == ["name", "model.C", ACCURACY], (
        f"expected the columns ['name', 'model.C', 'accuracy'], got {list(table.columns)}"
    )
    values = sorted(table["model.C"].dropna().unique().tolist())
    assert PATCHED_C in values and 1.0 in values, (
        f"expected a run with model.C = {PATCHED_C} beside the baseline's 1.0, got {values}"
    )
    patched = table[table["model.C"] == PATCHED_C]
    assert patched[ACCURACY].notna().all(), "expected the experiment's accuracy, got none"


@STORE
def test_pulled_outputs_equal_pushed_ones(project, env, first_run):
    _ran_ok(first_run, "the first `dvc repro`")
    with running_object_store() as store:
        store_env = {**env, **store.environment()}
        _ran_ok(pipeline.dvc(project, "checkout", "--force", env=store_env), "`dvc checkout`")
        pushed = _outputs(project)
        _ran_ok(pipeline.dvc(project, "push", env=store_env), "`dvc push`")
        shutil.rmtree(project / RUN_OUTPUTS)
        shutil.rmtree(project / ".dvc" / "cache")
        _ran_ok(pipeline.dvc(project, "pull", env=store_env), "`dvc pull` with no local cache")
        pulled = _outputs(project)
    assert pushed, "expected the pipeline's outputs in runs/, got none"
    assert pulled == pushed, (
        f"expected the pulled outputs to equal the pushed ones; missing or different: "
        f"{sorted(set(pushed.items()) ^ set(pulled.items()))[:3]}"
    )
