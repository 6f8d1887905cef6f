"""On native Windows, what cannot run there says so in one line and names what to use instead."""

from __future__ import annotations

import pytest

from kit import native
from kit.cli import main


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "on_windows", lambda: True)


@pytest.mark.parametrize(
    ("command", "starts"),
    [
        (["serve"], "kit serve: gunicorn does not run on native Windows"),
        (["serve", "--target", "workspace/stage7"], "kit serve: gunicorn does not run"),
        (["bench"], "kit bench loads gunicorn with wrk, and neither runs on native Windows"),
    ],
    ids=["serve", "serve a target", "bench"],
)
def test_a_command_that_needs_gunicorn_says_in_one_line_to_use_wsl2(
    windows, capsys, command, starts
):
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert out == "", out
    assert err.startswith(starts) and err.count("\n") == 1, err
    assert "WSL2" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("missing", "instead"),
    [
        (native.gunicorn_missing, "flask --app iris_model.app run"),
        (native.hadolint_missing, "docker run --rm -i hadolint/hadolint"),
    ],
    ids=["gunicorn", "hadolint"],
)
def test_the_stage_4_checks_lines_name_wsl2_and_a_fallback(windows, missing, instead):
    line = missing()
    assert "\n" not in line and "WSL2" in line and instead in line, line


@pytest.mark.parametrize(
    "missing", [native.gunicorn_missing, native.hadolint_missing, native.bench_missing]
)
def test_nothing_is_said_where_the_tools_run(missing):
    assert not native.on_windows()
    assert missing() == ""
