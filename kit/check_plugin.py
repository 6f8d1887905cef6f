"""The pytest plugin behind every stage check (``pytest -p kit.check_plugin --target DIR``).

It gives check suites a ``target`` fixture and an ``exercise`` marker, and replaces pytest's
report with one a learner can act on: one line per exercise, and for each failure what was
expected and a hint, before any traceback.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from kit.paths import display_path


@dataclass
class Exercise:
    number: int
    title: str
    hint: str
    failures: list[str] = field(default_factory=list)
    tests: int = 0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--target", required=True, help="the folder whose code the check tests")
    parser.addoption("--stage", default="", help="the stage number, for the report's title")
    parser.addoption(
        "--result-file",
        default="",
        help="write the result as JSON there (for `kit check`) instead of printing the report",
    )
    parser.addoption(
        "--exercise",
        type=int,
        action="append",
        default=[],
        help="check only this exercise (repeat for several)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "exercise(number, title, hint=''): the exercise a check test belongs to"
    )
    config.stash[_EXERCISES] = {}
    config.stash[_PROBLEMS] = []


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Path:
    """The folder under test: the learner's workspace, the reference, or a template."""
    return Path(pytestconfig.getoption("--target")).resolve()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    exercises = config.stash[_EXERCISES]
    marked = [(item, _exercise_marker(item)) for item in items]
    numbers = {marker.args[0] for _, marker in marked}
    chosen = set(config.getoption("--exercise")) or numbers
    if unknown := sorted(chosen - numbers):
        raise pytest.UsageError(
            f"there is no exercise {', '.join(map(str, unknown))} in this check; "
            f"its exercises are {', '.join(map(str, sorted(numbers)))}"
        )
    kept = [(item, marker) for item, marker in marked if marker.args[0] in chosen]
    if len(kept) < len(marked):
        config.hook.pytest_deselected(
            items=[item for item, marker in marked if marker.args[0] not in chosen]
        )
        items[:] = [item for item, _ in kept]
    for item, marker in kept:
        number, title = marker.args
        exercise = exercises.setdefault(
            number, Exercise(number, title, marker.kwargs.get("hint", ""))
        )
        exercise.tests += 1
        item.stash[_EXERCISE_OF_ITEM] = exercise


def _exercise_marker(item: pytest.Item) -> pytest.Mark:
    marker = item.get_closest_marker("exercise")
    if marker is None:
        raise pytest.UsageError(f"{item.nodeid} has no @pytest.mark.exercise marker")
    return marker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed and call.excinfo is not None:
        item.stash[_EXERCISE_OF_ITEM].failures.append(_explain(call.excinfo))
    return report


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        first_line = str(report.longrepr).strip().splitlines()[-1]
        report.session.config.stash[_PROBLEMS].append(f"{report.nodeid}: {first_line}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    result = {
        "exercises": [
            asdict(exercise)
            for exercise in sorted(config.stash[_EXERCISES].values(), key=lambda each: each.number)
        ],
        "problems": config.stash[_PROBLEMS],
        "only": sorted(set(config.getoption("--exercise"))),
    }
    if result_file := config.getoption("--result-file"):
        Path(result_file).write_text(json.dumps(result), encoding="utf-8")
    else:
        print(
            render_report(config.getoption("--stage"), Path(config.getoption("--target")), result)
        )


def passed(result: dict) -> bool:
    """Every checked exercise passed, and the check itself could run."""
    return not result["problems"] and not any(each["failures"] for each in result["exercises"])


def render_report(stage: int | str, target: Path, result: dict) -> str:
    """The report a learner reads: a line per exercise; for a failure, what and a hint; after
    any failure, how to see the answer."""
    title = f"Stage {stage} check" if stage else "Check"
    lines = [f"{title} of {display_path(target)}"]
    for exercise in result["exercises"]:
        status = "FAIL" if exercise["failures"] else "pass"
        lines.append(f"  {status}  Exercise {exercise['number']}: {exercise['title']}")
        for failure in dict.fromkeys(exercise["failures"]):
            lines.extend(f"          {line}" for line in failure.splitlines())
        if exercise["failures"] and exercise["hint"]:
            lines.append(f"          hint: {exercise['hint']}")
    lines.extend(f"  the check could not run: {problem}" for problem in result["problems"])
    done = sum(1 for exercise in result["exercises"] if not exercise["failures"])
    summary = f"{done} of {len(result['exercises'])} exercises pass."
    if result["only"]:
        summary = (
            f"{summary[:-1]} (only exercise {', '.join(map(str, result['only']))} was checked)."
        )
    return "\n".join([*lines, summary, *_stuck(stage, result)])


def _stuck(stage: int | str, result: dict) -> list[str]:
    """After a failure, how to ask for the answer of the first failed exercise: the hints
    only say where to look, so the answer is one command away, and only on request."""
    failed = [exercise["number"] for exercise in result["exercises"] if exercise["failures"]]
    if not (stage and failed):
        return []
    command = f"make solution STAGE={stage} EXERCISE={failed[0]}"
    return [f"Stuck? `{command}` shows the reference answer."]


def _explain(excinfo: pytest.ExceptionInfo) -> str:
    """The first lines of the failure's message; pytest's own assertion detail is dropped."""
    message = str(excinfo.value).split("\nassert ")[0].strip()
    if excinfo.errisinstance(AssertionError) and message:
        return message
    return f"{excinfo.typename}: {message}" if message else excinfo.typename


_EXERCISES = pytest.StashKey[dict]()
_PROBLEMS = pytest.StashKey[list]()
_EXERCISE_OF_ITEM = pytest.StashKey[Exercise]()
