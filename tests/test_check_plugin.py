"""The check report: one line per exercise, expected/got and a hint, before any traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

FAKE_CHECK = """
import pytest

@pytest.mark.exercise(1, "add numbers", hint="look at add() in calc.py")
def test_add(target):
    assert (target / "calc.py").exists(), "expected calc.py in the target, got none"

@pytest.mark.exercise(2, "say hello", hint="hello() returns a string")
def test_hello(target):
    raise NotImplementedError("Exercise 2: write hello()")

@pytest.mark.exercise(2, "say hello")
def test_hello_again(target):
    pass
"""


def run_fake_check(
    tmp_path, check_source: str = FAKE_CHECK, *options: str
) -> subprocess.CompletedProcess:
    (tmp_path / "check").mkdir()
    (tmp_path / "check" / "test_fake.py").write_text(textwrap.dedent(check_source))
    (tmp_path / "target").mkdir()
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path / "check"),
            "-p",
            "kit.check_plugin",
            "--target",
            str(tmp_path / "target"),
            "--stage",
            "9",
            "-p",
            "no:terminal",
            "-p",
            "no:cacheprovider",
            "--disable-plugin-autoload",
            "--rootdir",
            str(tmp_path),
            *options,
        ],
        capture_output=True,
        text=True,
    )


def test_the_report_names_each_exercise_with_its_failure_and_hint(tmp_path):
    report = run_fake_check(tmp_path).stdout
    assert report.splitlines()[1:] == [
        "  FAIL  Exercise 1: add numbers",
        "          expected calc.py in the target, got none",
        "          hint: look at add() in calc.py",
        "  FAIL  Exercise 2: say hello",
        "          NotImplementedError: Exercise 2: write hello()",
        "          hint: hello() returns a string",
        "0 of 2 exercises pass.",
        "Stuck? `make solution STAGE=9 EXERCISE=1` shows the reference answer.",
    ]
    assert report.startswith("Stage 9 check of ")
    assert "Traceback" not in report


def test_each_exercise_passes_or_fails_on_its_own(tmp_path):
    result = run_fake_check(tmp_path, FAKE_CHECK.replace("raise NotImplementedError", "str"))
    assert "FAIL  Exercise 1" in result.stdout and "pass  Exercise 2" in result.stdout
    assert "`make solution STAGE=9 EXERCISE=1`" in result.stdout


def test_a_check_that_passes_offers_no_answer(tmp_path):
    passing = FAKE_CHECK.replace('(target / "calc.py").exists()', "True")
    report = run_fake_check(tmp_path, passing.replace("raise NotImplementedError", "str")).stdout
    assert report.splitlines()[-1] == "2 of 2 exercises pass."


def test_a_check_test_without_an_exercise_marker_is_an_error(tmp_path):
    result = run_fake_check(tmp_path, "def test_unmarked(target):\n    pass\n")
    assert result.returncode != 0 and "no @pytest.mark.exercise marker" in result.stderr


def test_one_exercise_can_be_checked_alone(tmp_path):
    report = run_fake_check(tmp_path, FAKE_CHECK, "--exercise", "1").stdout
    assert "Exercise 2" not in report
    assert report.splitlines()[-2] == "0 of 1 exercises pass (only exercise 1 was checked)."


def test_an_exercise_checked_alone_waits_for_a_failing_one_it_needs(tmp_path):
    chained = WAITING_CHECK.replace('hint="look at cli.py"', 'hint="look at cli.py", needs=(3,)')
    chained += """
@pytest.mark.exercise(3, "the schema", hint="look at schema.py")
def test_schema(target):
    raise NotImplementedError("Exercise 3 not done yet")
"""
    report = run_fake_check(tmp_path, chained, "--exercise", "1").stdout
    assert "WAIT  Exercise 1: write the DAG" in report and "FAIL  Exercise 3" in report
    assert report.splitlines()[-2] == (
        "0 of 3 exercises pass (only exercise 1 was checked, with exercises 2, 3 it needs)."
    )
    assert report.splitlines()[-1].endswith(
        "`make solution STAGE=9 EXERCISE=3` shows the reference answer."
    )


def test_an_exercise_the_check_does_not_have_is_a_usage_error(tmp_path):
    done = run_fake_check(tmp_path, FAKE_CHECK, "--exercise", "7")
    assert done.returncode == 4
    assert "there is no exercise 7 in this check; its exercises are 1, 2" in done.stderr


NOTED_CHECK = """
import pytest

@pytest.mark.exercise(1, "serve it", hint="look at the CMD")
def test_served(target, note):
    note("ran the image's CMD locally: no container engine (docker info failed)")

@pytest.mark.exercise(2, "build it", hint="look at the Dockerfile")
def test_built(target, note):
    note("built the image in an engine")
    pytest.fail("expected a healthy container, got one that stopped")
"""


def test_a_note_shows_under_its_exercise_whether_it_passes_or_fails(tmp_path):
    report = run_fake_check(tmp_path, NOTED_CHECK).stdout
    assert report.splitlines()[1:6] == [
        "  pass  Exercise 1: serve it",
        "          ran the image's CMD locally: no container engine (docker info failed)",
        "  FAIL  Exercise 2: build it",
        "          expected a healthy container, got one that stopped",
        "          built the image in an engine",
    ]


UNCHECKED_CHECK = """
import pytest

@pytest.mark.exercise(1, "render the page", hint="look at the report")
def test_page_bytes(target):
    pass

@pytest.mark.exercise(1, "render the page")
def test_page_in_a_browser(target):
    pytest.skip("no Chromium here: install Chromium or Chrome, then check again")

@pytest.mark.exercise(2, "write the card", hint="look at card.py")
def test_card(target):
    pass
"""


def test_a_part_that_cannot_run_here_is_not_checked_never_passed(tmp_path):
    done = run_fake_check(tmp_path, UNCHECKED_CHECK)
    assert done.stdout.splitlines()[1:] == [
        "  NOT CHECKED  Exercise 1: render the page",
        "          NOT CHECKED: no Chromium here: install Chromium or Chrome, then check again",
        "          the rest passed",
        "  pass  Exercise 2: write the card",
        "1 of 2 exercises pass, 1 NOT CHECKED on this machine (see above).",
    ]
    assert done.returncode == 0, "nothing failed: the learner's work is not at fault"


WAITING_CHECK = """
import pytest

@pytest.mark.exercise(1, "write the DAG", hint="look at dvc.yaml", needs=(2,))
def test_dag(target):
    raise NotImplementedError("the step needs exercise 2")

@pytest.mark.exercise(2, "read the input", hint="look at cli.py")
def test_read(target):
    raise NotImplementedError("Exercise 2 not done yet")
"""


def test_stuck_names_the_first_exercise_that_fails_on_its_own_not_one_that_waits(tmp_path):
    report = run_fake_check(tmp_path, WAITING_CHECK).stdout
    assert "WAIT  Exercise 1: write the DAG" in report and "FAIL  Exercise 2" in report
    assert report.splitlines()[-1] == (
        "Stuck? `make solution STAGE=9 EXERCISE=2` shows the reference answer."
    )
