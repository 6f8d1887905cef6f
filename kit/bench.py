"""``python -m kit bench``: how close the reference service comes to a bare Flask app.

(``--stage 6`` measures stage 6's scoring at scale instead: ``kit.bench_scale``.)

Both run the same way (stage 4's CMD and gunicorn config, on this machine); wrk loads each with
16 and 64 clients sending one flower, then one 10,000-flower batch is timed against each. The
ceiling (``kit.ceiling``) parses the JSON and answers a constant: the difference is what
validation, the model and the answer cost. Then stage 7's service is loaded the same way with
its input recording off and on, taking turns, to show what recording costs ``/predict``.
Figures and findings: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from kit import bench_scale
from kit.background import running_server
from kit.example_flowers import SETOSA
from kit.image import LOCAL_COMMANDS, read_dockerfile, serve_locally
from kit.native import bench_missing
from kit.paths import ROOT, import_path_with, reference_dir
from kit.ports import free_port
from kit.serve import add_runs_argument, reference_model

INSTALL_WRK = "wrk is not installed: sudo apt-get install wrk (Debian, Ubuntu) or brew install wrk"
TARGETS = "targets: predict >= 0.8 x ceiling, 0 errors, p99 <= 20 ms at 16 clients; batch <= 2.0 x"
# Monitoring that slows the service it watches gets switched off: recording what /predict is
# asked may cost it at most a tenth of its throughput.
RECORDING_TARGET = "target: recording on >= 0.9 x off (/predict at most 10 % slower when recording)"
TURNS = 2
"""wrk runs per setting and client count for the recording comparison, off and on in turn."""


@dataclass(frozen=True)
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stage",
        type=int,
        choices=(4, 6),
        default=4,
        help="4: the API under load (default); 6: scoring millions of flowers three ways",
    )
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (5)")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[16, 64], help="concurrent clients (16 64)"
    )
    parser.add_argument("--batch-runs", type=int, default=15, help="timed batch requests (15)")
    add_runs_argument(parser)
    bench_scale.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.stage == 6:
        return bench_scale.run(args)
    if why := bench_missing():
        print(why, file=sys.stderr)
        return 2
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    folder = args.runs / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    model = reference_model(args.runs / "serve")
    api_port, ceiling_port = free_port(), free_port()
    with (
        serve_locally(reference_dir(4), api_port, model, log=folder / "api.log"),
        _serve_ceiling(ceiling_port, folder / "ceiling.log"),
        tempfile.TemporaryDirectory() as scratch,
    ):
        script = Path(scratch) / "predict.lua"
        script.write_text(_wrk_script(json.dumps(SETOSA)), encoding="utf-8")
        servers = {"ceiling": ceiling_port, "iris API": api_port}
        print(
            f"{'clients':>7}  {'server':<9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'errors':>6} {'ratio':>6}"
        )
        for clients in args.clients:
            loads = {
                name: _wrk(port, clients, args.duration, script) for name, port in servers.items()
            }
            for name, load in loads.items():
                ratio = load.requests_per_s / loads["ceiling"].requests_per_s
                print(
                    f"{clients:>7}  {name:<9} {load.requests_per_s:>8.0f} {load.p50_ms:>7.2f} "
                    f"{load.p99_ms:>7.2f} {load.errors:>6} {ratio:>6.2f}"
                )
        body = json.dumps({"instances": [SETOSA] * 10_000}).encode()
        times = _batch_ms(servers, body, args.batch_runs)
        print(
            f"10,000-flower batch, median of {args.batch_runs}: "
            f"ceiling {times['ceiling']:.1f} ms, iris API {times['iris API']:.1f} ms "
            f"({times['iris API'] / times['ceiling']:.2f} x)"
        )
    print(TARGETS)
    _recording_cost(args, model, folder)
    return 0


def _recording_cost(args: argparse.Namespace, model: Path, folder: Path) -> None:
    """Stage 7's /predict with input recording off and on: the mean of ``TURNS`` wrk runs each,
    taken in turn (off, on, off, on), so a slow moment of the machine slows both alike."""
    stage = reference_dir(7)
    ports = {"off": free_port(), "on": free_port()}
    with tempfile.TemporaryDirectory() as scratch:
        records = Path(scratch) / "records"
        settings = {"off": {"IRIS_RECORDS_DIR": ""}, "on": {"IRIS_RECORDS_DIR": str(records)}}
        script = Path(scratch) / "predict.lua"
        script.write_text(_wrk_script(json.dumps(SETOSA)), encoding="utf-8")
        with (
            serve_locally(
                stage, ports["off"], model, log=folder / "records-off.log", settings=settings["off"]
            ),
            serve_locally(
                stage, ports["on"], model, log=folder / "records-on.log", settings=settings["on"]
            ),
        ):
            print(
                f"\nstage 7, recording served inputs  {'clients':>7} {'off req/s':>10} "
                f"{'on req/s':>9} {'ratio':>6}"
            )
            for clients in args.clients:
                rates: dict[str, list[float]] = {"off": [], "on": []}
                for _ in range(TURNS):
                    for name, port in ports.items():
                        rates[name].append(
                            _wrk(port, clients, args.duration, script).requests_per_s
                        )
                off, on = statistics.mean(rates["off"]), statistics.mean(rates["on"])
                print(f"{'':34}{clients:>7} {off:>10.0f} {on:>9.0f} {on / off:>6.2f}")
        recorded = sum(
            len(file.read_text().splitlines()) for file in records.glob("served-*.jsonl")
        )
        print(f"lines recorded while on: {recorded}")
    print(RECORDING_TARGET)


def _serve_ceiling(port: int, log: Path):
    """The bare app under the same gunicorn config and environment as the service."""
    stage = reference_dir(4)
    recipe = read_dockerfile(stage / "Dockerfile")
    env = {**os.environ, **{k: v for k, v in recipe.env.items() if k != "PATH"}}
    env |= {"PORT": str(port), "HOST": "127.0.0.1"}
    env["PYTHONPATH"] = import_path_with(ROOT)
    config = stage / recipe.copies[recipe.cmd[recipe.cmd.index("--config") + 1]]
    command = [*LOCAL_COMMANDS["gunicorn"], "--config", str(config), "kit.ceiling:create_app()"]
    return running_server(command, f"http://127.0.0.1:{port}/health", env=env, log=log)


def _wrk_script(body: str) -> str:
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(body)}\n"
    )


def _wrk(port: int, clients: int, duration: float, script: Path) -> Load:
    command = ["wrk", "--threads", "2", "--connections", str(clients), "--latency"]
    command += ["--duration", f"{max(1, round(duration))}s", "--script", str(script)]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}/predict"], capture_output=True, text=True, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Load:
    """Requests/s, p50 and p99 (ms) and the errors (socket errors and non-2xx) of a wrk run."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return Load(rate, _percentile(output, "50"), _percentile(output, "99"), errors)


def _percentile(output: str, which: str) -> float:
    value, unit = re.search(rf"\s{which}%\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _batch_ms(ports: dict[str, int], body: bytes, runs: int) -> dict[str, float]:
    """The median time of one batch request to each server, in ms.

    The servers take turns, request by request, so a machine that slows down for a moment
    (another process, a shared CPU) slows both alike and the ratio stays fair.
    """
    headers = {"Content-Type": "application/json"}
    times: dict[str, list[float]] = {name: [] for name in ports}
    with requests.Session() as session:
        for attempt in range(runs + 2):
            for name, port in ports.items():
                start = time.perf_counter()
                response = session.post(
                    f"http://127.0.0.1:{port}/predict/batch", data=body, headers=headers, timeout=30
                )
                elapsed = time.perf_counter() - start
                response.raise_for_status()
                if attempt >= 2:  # the first two warm the workers up
                    times[name].append(elapsed * 1000)
    return {name: statistics.median(measured) for name, measured in times.items()}
