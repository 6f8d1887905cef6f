"""``make demo`` runs every stage, narrates it, and leaves no process or temporary file behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from kit.paths import ROOT


def test_the_demo_runs_every_stage_and_cleans_up(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    # A process group of its own: whatever the demo starts stays in it, unless it is left behind.
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
        os.killpg(demo.pid, signal.SIGKILL)  # a hung demo takes nothing with it past the test
        raise
    assert demo.returncode == 0, stdout[-2000:] + stderr[-2000:]
    for stage in range(5):
        assert f"Stage {stage}:" in stdout
    assert "422" in stdout and '"field": "petal_width"' in stdout
    assert "400" in stdout and "malformed JSON" in stdout
    ports = set(re.findall(r"(?:--port |PORT=)(\d+)", stdout))
    assert len(ports) == 2, "expected the demo to show the port of each server it started"
    assert not _group_still_running(demo.pid), "a process the demo started still runs"
    assert list(tmp_path.iterdir()) == [], "the demo left files in its temporary folder"


def _group_still_running(group: int, patience: float = 5.0) -> bool:
    """Whether a process of ``group`` is still there after ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True
