"""``kit serve``: trains a model when there is none, serves stage 4, and Ctrl-C ends it cleanly."""

from __future__ import annotations

import signal
import sys

import requests

from kit.paths import ROOT
from kit.servers import free_port, running_server


def test_serve_trains_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "kit", "serve", "--port", str(port), "--runs", str(tmp_path)]
    log = tmp_path / "kit-serve.log"
    with running_server(
        command, f"http://127.0.0.1:{port}/health", cwd=ROOT, timeout=90, log=log
    ) as kit_serve:
        flower = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}
        answer = requests.post(f"http://127.0.0.1:{port}/predict", json=flower, timeout=5)
        assert answer.json()["species"] == "virginica"
        kit_serve.send_signal(signal.SIGINT)
        assert kit_serve.wait(30) == 0
    output = log.read_text()
    assert "stopped." in output and "Traceback" not in output
    assert (tmp_path / "serve" / "model" / "metadata.json").is_file()
