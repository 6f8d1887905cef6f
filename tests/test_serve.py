"""``kit serve``: trains a model when there is none, serves stage 4 (or a learner's stage folder),
and Ctrl-C ends it cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kit.background import stop, wait_until_ready
from kit.example_flowers import VIRGINICA
from kit.paths import ROOT, copy_stage, reference_dir
from kit.ports import free_port

pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups and SIGINT are POSIX")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One runs/ folder for the module: the first test trains the model, the next reuses it."""
    return tmp_path_factory.mktemp("runs")


def test_serve_trains_serves_and_stops_cleanly_on_ctrl_c(runs, tmp_path, leaves_no_process):
    """Started as a shell starts a background job, with SIGINT ignored: Ctrl-C still counts."""
    log = tmp_path / "kit-serve.log"
    with kit_serve(runs, log, sigint_ignored=True) as (server, url):
        answer = requests.post(f"{url}/predict", json=VIRGINICA, timeout=5)
        assert answer.json()["species"] == "virginica"
        os.killpg(server.pid, signal.SIGINT)
        assert server.wait(30) == 0
    output = log.read_text()
    assert "training the model" in output and "stopped." in output and "Traceback" not in output
    assert (runs / "serve" / "model" / "metadata.json").is_file()


def test_sigterm_stops_gunicorn_too(runs, tmp_path, leaves_no_process):
    """A supervisor's ``kill`` must not leave gunicorn running without its parent."""
    with kit_serve(runs, tmp_path / "kit-serve.log") as (server, url):
        server.terminate()
        assert server.wait(30) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/health", timeout=5)


def test_serve_trains_and_serves_a_learners_stage_folder(tmp_path, leaves_no_process):
    """Stage 7's card route proves the folder given is served, not the reference stage 4."""
    mine = copy_stage(reference_dir(7), tmp_path / "workspace" / "stage7")
    log = tmp_path / "kit-serve.log"
    with kit_serve(tmp_path / "runs", log, "--target", str(mine)) as (server, url):
        card = requests.get(f"{url}/model/card", timeout=5)
        server.terminate()
        assert server.wait(30) == 0
    assert card.status_code == 200, card.text
    assert (mine / "runs" / "serve" / "model" / "model_card.md").is_file()
    assert "training the model from" in log.read_text()


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda tmp_path: tmp_path / "nowhere", "does not exist"),
        (lambda tmp_path: copy_stage(reference_dir(3), tmp_path / "stage3"), "has no Dockerfile"),
    ],
    ids=["missing folder", "stage 3"],
)
def test_a_target_it_cannot_serve_is_one_line_saying_what_to_give(make, said, tmp_path):
    command = [sys.executable, "-m", "kit", "serve", "--target", str(make(tmp_path))]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


@contextlib.contextmanager
def kit_serve(
    runs: Path, log: Path, *options: str, sigint_ignored: bool = False
) -> Iterator[tuple[subprocess.Popen, str]]:
    """``kit serve`` until the block ends, once it answers; then it is stopped, if still there.

    It gets a process group of its own, as a terminal gives a command: Ctrl-C (SIGINT to the
    group) reaches kit serve alone, since gunicorn runs in a session of its own, and kit serve
    must stop it. The clean-up asks kit serve to stop (SIGTERM) for the same reason: killed, it
    could not stop gunicorn.
    """
    port = free_port()
    command = [sys.executable, "-m", "kit", "serve", "--port", str(port), "--runs", str(runs)]
    command += options
    with log.open("wb") as output:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=output,
            stderr=output,
            start_new_session=True,
            preexec_fn=_ignore_sigint if sigint_ignored else None,
        )
        try:
            wait_until_ready(server, f"http://127.0.0.1:{port}/health", timeout=90)
            yield server, f"http://127.0.0.1:{port}"
        finally:
            stop(server)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
