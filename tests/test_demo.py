"""``make demo`` runs every stage, narrates it, and leaves no process or temporary file behind."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from kit.background import run_whole
from kit.paths import ROOT
from kit.ports import port_is_free


def test_the_demo_runs_every_stage_and_cleans_up(tmp_path: Path, leaves_no_process) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    # Stopped whole if it hangs (its servers run in sessions of their own, and
    # leaves_no_process finds any of them left running).
    demo = run_whole([sys.executable, "-m", "kit", "demo"], 300, cwd=ROOT, env=env)
    stdout = demo.stdout
    assert demo.returncode == 0, stdout[-2000:] + demo.stderr[-2000:]
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
