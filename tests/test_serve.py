"""``kit serve``: trains a model when there is none, serves stage 4, and Ctrl-C ends it cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from kit.paths import ROOT
from kit.servers import free_port, wait_until_ready

pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups and SIGINT are POSIX")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One runs/ folder for the module: the first test trains the model, the next reuses it."""
    return tmp_path_factory.mktemp("runs")


def test_serve_trains_serves_and_stops_cleanly_on_ctrl_c(runs, tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "kit", "serve", "--port", str(port), "--runs", str(runs)]
    log = tmp_path / "kit-serve.log"
    with log.open("wb") as output:
        # A process group of its own, as a terminal gives a command: Ctrl-C reaches every
        # process in it (kit serve, gunicorn and its workers), and so does the clean-up.
        kit_serve = subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=output, start_new_session=True
        )
        try:
            wait_until_ready(kit_serve, f"http://127.0.0.1:{port}/health", timeout=90)
            flower = {
                "sepal_length": 6.7,
                "sepal_width": 3.0,
                "petal_length": 5.8,
                "petal_width": 2.2,
            }
            answer = requests.post(f"http://127.0.0.1:{port}/predict", json=flower, timeout=5)
            assert answer.json()["species"] == "virginica"
            os.killpg(kit_serve.pid, signal.SIGINT)
            assert kit_serve.wait(30) == 0
        finally:
            _kill_group(kit_serve)
    output = log.read_text()
    assert "training the model" in output and "stopped." in output and "Traceback" not in output
    assert (runs / "serve" / "model" / "metadata.json").is_file()


def test_sigterm_stops_gunicorn_too(runs):
    """A supervisor's ``kill`` must not leave gunicorn running without its parent."""
    port = free_port()
    command = [sys.executable, "-m", "kit", "serve", "--port", str(port), "--runs", str(runs)]
    kit_serve = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_ready(kit_serve, f"http://127.0.0.1:{port}/health", timeout=90)
        kit_serve.terminate()
        assert kit_serve.wait(30) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
    finally:
        _kill_group(kit_serve)


def _kill_group(process: subprocess.Popen) -> None:
    """Whatever happened, no process of the group outlives the test."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
