"""``kit bench``: it says how to get wrk, reads wrk's report, and runs end to end when it can."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pytest

from kit import bench
from kit.paths import ROOT

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:8000/predict
  Latency Distribution
     50%    2.79ms
     75%    3.01ms
     90%    3.30ms
     99%  812.00us
  27000 requests in 5.00s, 5.1MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   5564.21
"""


def test_parse_wrk_reads_rate_percentiles_and_every_kind_of_error():
    load = bench.parse_wrk(WRK_OUTPUT)
    assert load == bench.Load(requests_per_s=5564.21, p50_ms=2.79, p99_ms=0.812, errors=7)


def test_without_wrk_it_says_how_to_install_it_and_exits_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    assert bench.run(parser.parse_args(["--runs", str(tmp_path)])) == 2
    assert "apt-get install wrk" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)
def test_a_short_bench_runs_both_servers_and_reports(tmp_path, leaves_no_process):
    command = [sys.executable, "-m", "kit", "bench", "--duration", "1", "--clients", "2"]
    command += ["--batch-runs", "1", "--runs", str(tmp_path)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert finished.returncode == 0, finished.stderr
    assert "iris API" in finished.stdout and "ceiling" in finished.stdout
    assert "10,000-flower batch" in finished.stdout


def test_the_stage_6_bench_scores_three_ways_and_leaves_no_worker(tmp_path, leaves_no_process):
    command = [sys.executable, "-m", "kit", "bench", "--stage", "6", "--rows", "2000"]
    command += ["--repeats", "1", "--workers", "2"]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    engines = ("baseline (pandas)", "Dask", "Dask CLI cluster, from store", "rows in DuckDB")
    for engine in (*engines, "DuckDB SQL, from parquet"):
        assert engine in finished.stdout
    assert "10,000" in finished.stdout
    assert "disagreements with the baseline: 0" in finished.stdout
