"""``python -m kit check N``: run stage N's check against a folder and report per exercise."""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kit import suite_cache
from kit.check_plugin import Exercise, passed, render_report
from kit.errors import KitError
from kit.paths import (
    ROOT,
    check_dir,
    check_python,
    display_path,
    learner_copy_of,
    notebook_of,
    parse_stage,
    stages_with,
    workspace_dir,
)
from kit.room.learner import send_check

PYTEST_USAGE_ERROR = 4


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    report: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", nargs="?", default="", help="the stage to check, e.g. 1")
    parser.add_argument("--target", default="", help="the folder to check (your workspace)")
    parser.add_argument(
        "--exercise",
        type=int,
        action="append",
        default=[],
        help="check only this exercise and those it needs (repeat for several); default: all",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="also show pytest's output and tracebacks"
    )


def run(args: argparse.Namespace) -> int:
    stage = parse_stage(args.stage, "check", stages_with(check_dir))
    target = Path(args.target) if args.target else None
    result = run_check(stage, target, exercises=args.exercise, verbose=args.verbose)
    print(result.report)
    return 0 if result.passed else 1


def check(
    stage: int,
    target: str | Path | None = None,
    exercise: int | None = None,
    namespace: Mapping[str, object] | None = None,
) -> None:
    """Check your work on ``stage`` (or one ``exercise`` of it); print a line per exercise.

    Stage 0's work is the notebook's variables, not files: ``kit.check(0,
    namespace=globals())`` saves the ones its exercises name into ``workspace/stage0`` (see
    ``kit.notebook_answers``), then checks them there.
    """
    stage = parse_stage(str(stage), "check", stages_with(check_dir))
    if namespace is not None:
        if stage != 0:
            raise KitError(
                f"only stage 0 checks a notebook's variables: stage {stage} checks the files "
                f"in workspace/stage{stage}, so call kit.check({stage}) without namespace."
            )
        from kit import notebook_answers  # pandas: imported by stage 0's check cell alone

        notebook_answers.save(namespace, Path(target) if target else workspace_dir() / "stage0")
    print(run_check(stage, target, exercises=[exercise] if exercise else []).report)


def exercises_of(stage: int) -> dict[int, Exercise]:
    """Stage ``stage``'s exercises as its check declares them (number, title, hint), read from
    its ``pytest.mark.exercise(...)`` markers without running it: the first marker of a
    number gives its title and hint, as in the report."""
    exercises: dict[int, Exercise] = {}
    for path in sorted(check_dir(stage).glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for call in (node for node in ast.walk(tree) if _is_exercise_marker(node)):
            number, title = (ast.literal_eval(argument) for argument in call.args[:2])
            keywords = {word.arg: ast.literal_eval(word.value) for word in call.keywords}
            exercises.setdefault(number, Exercise(number, title, keywords.get("hint", "")))
    return dict(sorted(exercises.items()))


def _is_exercise_marker(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.exercise"


def run_check(
    stage: int,
    target: str | Path | None = None,
    exercises: Sequence[int] = (),
    verbose: bool = False,
) -> CheckResult:
    """Run stage ``stage``'s check suite against ``target`` (default: ``workspace/stageN``).

    ``exercises`` limits it to those exercises (all when empty).
    """
    workspace_stage = workspace_dir() / f"stage{stage}"
    target = Path(target) if target else workspace_stage
    if not target.is_dir() and target.resolve() != workspace_stage.resolve():
        raise KitError(
            f"the folder {target} does not exist (looked for {target.resolve()}): give the "
            "folder that holds your code, as a path from where you run this, or an absolute one."
        )
    if not target.is_dir():
        raise KitError(f"{display_path(target)} does not exist yet: {_how_to_begin(stage)} first.")
    if verbose:
        return CheckResult(_run_pytest(stage, target, exercises, verbose=True) == 0, report="")
    kept_at = suite_cache.report_file(stage, target, exercises)
    with suite_cache.claimed(kept_at):
        result = suite_cache.read(kept_at) or suite_cache.read_part(stage, target, exercises)
        if result is None:
            result = _checked(stage, target, exercises)
            suite_cache.write(kept_at, result)
    send_check(stage, target, result)  # only once joined: `make join`, see kit/room/learner.py
    return CheckResult(passed(result), render_report(stage, target.resolve(), result))


def _how_to_begin(stage: int) -> str:
    """What makes the folder a stage's check reads: its start state, or stage 0's answers."""
    if stage == 0:
        return (
            f"run the check cell of {display_path(learner_copy_of(notebook_of(0)))}, "
            "kit.check(0, namespace=globals()), which saves your answers there,"
        )
    return f"run `make start STAGE={stage}` (or kit.start({stage}) in a notebook)"


def _checked(stage: int, target: Path, exercises: Sequence[int]) -> dict:
    """The check's result as the plugin writes it (see ``kit.check_plugin``)."""
    with tempfile.TemporaryDirectory(prefix="kit-check-") as scratch:
        result_file = Path(scratch, "result.json")
        said = _run_pytest(stage, target, exercises, result_file=result_file)
        if result_file.is_file():
            return json.loads(result_file.read_text(encoding="utf-8"))
    return {"exercises": [], "problems": [said], "only": list(exercises)}


def _run_pytest(
    stage: int,
    target: Path,
    exercises: Sequence[int],
    verbose: bool = False,
    result_file: Path | None = None,
) -> int | str:
    """pytest on ``tests/checks/stageN`` with the kit's plugin: with ``verbose``, pytest's own
    output on the terminal and its exit status; else what pytest said, the result in
    ``result_file``."""
    command = [
        *(check_python(), "-m", "pytest", str(check_dir(stage))),
        *("-p", "kit.check_plugin", "--target", str(target.resolve()), "--stage", str(stage)),
        *(f"--exercise={number}" for number in exercises),
        # The checks need no installed plugin but the kit's: loading the others (notebooks,
        # hypothesis, API fuzzing, hydra's) would cost about a second of CPU per check.
        *("-p", "no:cacheprovider", "--disable-plugin-autoload"),
        *("--rootdir", str(ROOT), "-o", "addopts="),
        # Stop conftest discovery at the checks: the kit suite's own conftest is not for them.
        *("--confcutdir", str(check_dir(stage).parent)),
        *(("--tb=short", "-q") if verbose else ("-p", "no:terminal")),
        *(("--result-file", str(result_file)) if result_file else ()),
    ]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    completed = subprocess.run(command, capture_output=not verbose, text=True, env=environment)
    if completed.returncode == PYTEST_USAGE_ERROR:
        raise KitError(completed.stderr.strip().removeprefix("ERROR: "))
    if verbose:
        return completed.returncode
    return "\n".join(filter(None, [completed.stdout.strip(), completed.stderr.strip()]))
