"""``make demo`` runs every stage, narrates it, and leaves no process or temporary file behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from kit.paths import ROOT
from kit.ports import port_is_free


def test_the_demo_runs_every_stage_and_cleans_up(tmp_path: Path, leaves_no_process) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    # A process group of its own, so a hung demo can be killed whole; its servers run in
    # sessions of their own, and leaves_no_process finds any of them left running.
    demo = subprocess.Popen(
        [sys.executable, "-m", "kit", "demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = demo.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(demo.pid, signal.SIGKILL)  # leaves_no_process then kills what it started
        raise
    assert demo.returncode == 0, stdout[-2000:] + stderr[-2000:]
    for stage in (0, 1, 2, 3, 4, 6, 7):
        assert f"Stage {stage}:" in stdout
    assert "422" in stdout and '"field": "petal_width"' in stdout
    assert "400" in stdout and "malformed JSON" in stdout
    assert stdout.count("flowers scored otherwise than by pandas: 0") == 2
    ports = set(re.findall(r"(?:--port |PORT=)(\d+)", stdout))
    assert len(ports) == 3, "expected the demo to show the port of each server it started"
    assert "drift in petal_length" in stdout and "exit status 1" in stdout
    assert all(map(port_is_free, map(int, ports))), "expected the demo's servers gone, one answers"
    assert list(tmp_path.iterdir()) == [], "the demo left files in its temporary folder"
