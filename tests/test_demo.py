"""``make demo`` runs every stage, narrates it, and leaves no process or temporary file behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from kit.paths import ROOT
from kit.servers import port_is_free


def test_the_demo_runs_every_stage_and_cleans_up(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "kit", "demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for stage in range(5):
        assert f"Stage {stage}:" in done.stdout
    assert "422" in done.stdout and '"field": "petal_width"' in done.stdout
    assert "400" in done.stdout and "malformed JSON" in done.stdout
    assert list(tmp_path.iterdir()) == [], "the demo left files in its temporary folder"
    ports = {int(port) for port in re.findall(r"(?:--port |PORT=)(\d+)", done.stdout)}
    assert len(ports) == 2, "expected the demo to show the port of each server it started"
    assert all(port_is_free(port) for port in ports), "a server the demo started still listens"
