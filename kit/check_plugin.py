"""The pytest plugin behind every stage check (``pytest -p kit.check_plugin --target DIR``).

It gives check suites a ``target`` fixture and an ``exercise`` marker, and replaces pytest's
report with one a learner can act on: one line per exercise, and for each failure what was
expected and a hint, before any traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from kit.check_result import statuses, with_what_they_need
from kit.paths import display_path, stage_files


@dataclass
class Exercise:
    number: int
    title: str
    hint: str
    needs: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    tests: int = 0
    failed_tests: list[str] = field(default_factory=list)
    """The failing tests' names, in order: the room is sent the first (never its message)."""


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
        "markers",
        "exercise(number, title, hint='', needs=()): the exercise a check test belongs to; "
        "needs: the exercises it cannot pass without",
    )
    config.stash[_EXERCISES] = {}
    config.stash[_PROBLEMS] = []
    config.stash[_BROKEN] = files_that_do_not_parse(Path(config.getoption("--target")))


def files_that_do_not_parse(folder: Path) -> list[str]:
    """``path, line N: SyntaxError: …`` for each Python file of ``folder`` that does not parse.

    One such file breaks every exercise that imports it; the report says so once, first,
    instead of a failure with its own hint under each exercise.
    """
    broken = []
    for path in stage_files(folder):
        if path.suffix != ".py":
            continue
        relative = path.relative_to(folder).as_posix()
        try:
            compile(path.read_bytes(), relative, "exec")
        except (SyntaxError, ValueError) as error:  # ValueError: a NUL byte in the source
            line = f", line {error.lineno}" if getattr(error, "lineno", None) else ""
            message = getattr(error, "msg", str(error))
            broken.append(f"{relative}{line}: {type(error).__name__}: {message}")
    return broken


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Path:
    """The folder under test: the learner's workspace, the reference, or a template."""
    return Path(pytestconfig.getoption("--target")).resolve()


@pytest.fixture
def note(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``note("ran the image's CMD locally: …")``: a line the report shows under the test's
    exercise, pass or fail, for what the check did when it could do it more than one way."""
    return request.node.stash[_EXERCISE_OF_ITEM].notes.append


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    exercises = config.stash[_EXERCISES]
    marked = [(item, _exercise_marker(item)) for item in items]
    needs: dict[int, set[int]] = {}
    for _, marker in marked:
        needs.setdefault(marker.args[0], set()).update(marker.kwargs.get("needs", ()))
    asked = set(config.getoption("--exercise"))
    if unknown := sorted(asked - needs.keys()):
        raise pytest.UsageError(
            f"there is no exercise {', '.join(map(str, unknown))} in this check; "
            f"its exercises are {', '.join(map(str, sorted(needs)))}"
        )
    chosen = with_what_they_need(asked, needs) if asked else set(needs)
    kept = [(item, marker) for item, marker in marked if marker.args[0] in chosen]
    if len(kept) < len(marked):
        config.hook.pytest_deselected(
            items=[item for item, marker in marked if marker.args[0] not in chosen]
        )
        items[:] = [item for item, _ in kept]
    for item, marker in kept:
        number, title = marker.args
        exercise = exercises.setdefault(
            number,
            Exercise(number, title, marker.kwargs.get("hint", ""), sorted(needs[number])),
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
    exercise = item.stash[_EXERCISE_OF_ITEM]
    if report.failed and call.excinfo is not None:
        exercise.failures.append(_explain(call.excinfo))
        exercise.failed_tests.append(getattr(item, "originalname", item.name))
    elif report.skipped and isinstance(report.longrepr, tuple):
        # A check skips a part only when this machine lacks what it needs (a browser, a
        # container engine, a database server): the reason says why and how to get it.
        exercise.not_checked.append(report.longrepr[2].removeprefix("Skipped: "))
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
        "broken": config.stash[_BROKEN],
        "only": sorted(set(config.getoption("--exercise"))),
    }
    if result_file := config.getoption("--result-file"):
        Path(result_file).write_text(json.dumps(result), encoding="utf-8")
    else:
        print(
            render_report(config.getoption("--stage"), Path(config.getoption("--target")), result)
        )


def passed(result: dict) -> bool:
    """No checked exercise failed, and the check itself could run.

    A part that could not run here (``not_checked``) fails nothing, so the exit status stays
    0; the report says on its own line that it was not checked, and never counts it as passed.
    """
    return not (
        result["problems"]
        or result.get("broken")
        or any(each["failures"] for each in result["exercises"])
    )


def render_report(stage: int | str, target: Path, result: dict) -> str:
    """The report a learner reads: a line per exercise; for a failure, what and a hint; after
    any failure, how to see the answer."""
    title = f"Stage {stage} check" if str(stage) else "Check"
    lines = [f"{title} of {display_path(target)}"]
    broken = result.get("broken", [])
    if broken:
        lines += [f"  {file}" for file in broken]
        lines.append(
            "  Fix this first: until it parses, the exercises that need it cannot be checked."
        )
    failed = {each["number"] for each in result["exercises"] if each["failures"]}
    for exercise in result["exercises"]:
        lines += _exercise_lines(exercise, failed, blocked=bool(broken))
    lines.extend(f"  the check could not run: {problem}" for problem in result["problems"])
    return "\n".join([*lines, _summary(result), *_stuck(stage, result, blocked=bool(broken))])


def _summary(result: dict) -> str:
    checked = statuses(result)
    counted = list(checked.values())
    summary = f"{counted.count('passed')} of {len(counted)} exercises pass"
    if unchecked := counted.count("not checked"):
        summary += f", {unchecked} NOT CHECKED on this machine (see above)"
    if only := result["only"]:
        summary += f" (only exercise {', '.join(map(str, only))} was checked"
        if needed := sorted(checked.keys() - set(only)):
            summary += (
                f", with exercise{'s' * (len(needed) > 1)} {', '.join(map(str, needed))} it needs"
            )
        summary += ")"
    return summary + "."


def _stuck(stage: int | str, result: dict, blocked: bool) -> list[str]:
    """After a failure, how to ask for the answer of the first exercise that failed on its
    own (not one waiting for another): the hints only say where to look, so the answer is one
    command away, and only on request."""
    failing = [number for number, state in statuses(result).items() if state == "failed"]
    if not (str(stage) and failing) or blocked:
        return []
    command = f"make solution STAGE={stage} EXERCISE={min(failing)}"
    return [f"Stuck? `{command}` shows the reference answer."]


def _exercise_lines(exercise: dict, failed: set[int], blocked: bool) -> list[str]:
    """An exercise's line; for a failure, why: its messages and hint, or what it waits for."""
    heading = f"Exercise {exercise['number']}: {exercise['title']}"
    notes = [f"          {note}" for note in dict.fromkeys(exercise.get("notes", []))]
    if not exercise["failures"]:
        if unchecked := exercise.get("not_checked"):
            parts = [f"          NOT CHECKED: {reason}" for reason in dict.fromkeys(unchecked)]
            return [f"  NOT CHECKED  {heading}", *parts, "          the rest passed", *notes]
        return [f"  pass  {heading}", *notes]
    if blocked:
        return [f"  BLOCKED  {heading} (see the file above)"]
    if waiting_for := [number for number in exercise["needs"] if number in failed]:
        first = ", ".join(map(str, waiting_for))
        return [f"  WAIT  {heading}", f"          needs exercise {first} first"]
    lines = [f"  FAIL  {heading}"]
    for failure in dict.fromkeys(exercise["failures"]):
        lines.extend(f"          {line}" for line in failure.splitlines())
    lines += notes
    if exercise["hint"]:
        lines.append(f"          hint: {exercise['hint']}")
    return lines


def _explain(excinfo: pytest.ExceptionInfo) -> str:
    """The first lines of the failure's message; pytest's own assertion detail is dropped,
    and so is the exception's name where the message says what was expected (an assertion,
    ``pytest.fail``)."""
    message = str(excinfo.value).split("\nassert ")[0].strip()
    if excinfo.errisinstance((AssertionError, pytest.fail.Exception)) and message:
        return message
    return f"{excinfo.typename}: {message}" if message else excinfo.typename


_EXERCISES = pytest.StashKey[dict]()
_PROBLEMS = pytest.StashKey[list]()
_BROKEN = pytest.StashKey[list]()
_EXERCISE_OF_ITEM = pytest.StashKey[Exercise]()
