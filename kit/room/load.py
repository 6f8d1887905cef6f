"""The room under a class's load: ``python -m kit.room.load [--learners 40] [--minutes 60]``.

It starts the room as ``make room`` does, then one process per simulated learner. Each joins
(keeping the token the room gives its nickname), works through the course's stages, checks
every one to four minutes (a check sends what ``make check`` sends: ``learner.check_message``),
and now and then raises a hand and lowers it later, over ``--minutes`` of class compressed
``--speed`` times. Meanwhile a projector polls ``/room.json`` every second, as the board does.
At the end it prints: requests and errors, the room's latency (median, p99, max), whether the
board's counts equal what the learners last sent, and how many of the processes it started are
left (none, or it failed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kit.background import running_server
from kit.paths import ROOT
from kit.ports import free_port
from kit.room import learner

CODE, KEY = "LOAD1", "load-test-key"
MARK = "KIT_ROOM_LOAD_MARK"
"""Every process the test starts carries this in its environment, so leftovers are found."""


@dataclass
class LoadResult:
    requests: int
    errors: list[str]
    latencies: list[float]
    board_matches: bool
    mismatches: list[str]
    processes_left: int
    seconds: float

    def summary(self) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        return (
            f"{self.requests} requests in {self.seconds:.1f} s, {len(self.errors)} errors; "
            f"latency median {statistics.median(ordered) * 1000:.1f} ms, p99 {p99:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms; board equals what was sent: "
            f"{'yes' if self.board_matches else 'NO: ' + '; '.join(self.mismatches[:5])}; "
            f"processes left: {self.processes_left}"
        )


def run_load(
    learners: int, minutes: float, speed: float, course: dict[int, list[int]]
) -> LoadResult:
    """Run the room and ``learners`` learner processes for ``minutes`` of class, ``speed``
    times faster than real time."""
    mark = uuid.uuid4().hex
    environment = {**os.environ, MARK: mark}
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "kit", "room", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--code", CODE, "--key", KEY]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kit-room-load-") as scratch:
        with running_server(command, f"{address}/room.json", env=environment, cwd=ROOT):
            projector = _Projector(address)
            projector.start()
            outputs = _run_learners(
                address, learners, minutes, speed, course, Path(scratch), environment
            )
            projector.stop()
            room = _get(f"{address}/room.json")
        sent = [json.loads(path.read_text()) for path in outputs]
    requests = sum(len(each["latencies"]) for each in sent) + len(projector.latencies)
    errors = [error for each in sent for error in each["errors"]] + projector.errors
    latencies = [latency for each in sent for latency in each["latencies"]] + projector.latencies
    mismatches = _board_mismatches(room, sent, course)
    return LoadResult(
        requests,
        errors,
        latencies,
        not mismatches,
        mismatches,
        len(processes_marked(mark)),
        time.monotonic() - started,
    )


def _run_learners(address, learners, minutes, speed, course, scratch, environment) -> list[Path]:
    course_file = scratch / "course.json"
    course_file.write_text(json.dumps(course))
    processes, outputs = [], []
    for index in range(learners):
        output = scratch / f"learner{index}.json"
        workspace = scratch / f"workspace{index}"
        command = [sys.executable, "-m", "kit.room.load", "--as-learner", str(index)]
        command += ["--room", address, "--minutes", str(minutes), "--speed", str(speed)]
        command += ["--course", str(course_file), "--output", str(output)]
        processes.append(
            subprocess.Popen(
                command, env={**environment, "KIT_WORKSPACE": str(workspace)}, cwd=ROOT
            )
        )
        outputs.append(output)
    for process in processes:
        process.wait()
    return outputs


class _Projector(threading.Thread):
    """The board's page: ``/room.json`` once a second."""

    def __init__(self, address: str) -> None:
        super().__init__(daemon=True)
        self.address = address
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(1.0):
            started = time.monotonic()
            try:
                _get(f"{self.address}/room.json")
                self.latencies.append(time.monotonic() - started)
            except OSError as error:
                self.errors.append(f"projector: {error}")

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def _board_mismatches(room: dict, sent: list[dict], course: dict[int, list[int]]) -> list[str]:
    """Where the board's counts differ from what the learners' last messages said."""
    expected: Counter[tuple[int, int, str]] = Counter()
    for each in sent:
        for key, status in each["last"].items():
            stage, exercise = map(int, key.split("."))
            expected[(stage, exercise, status)] += 1
    mismatches = []
    if room["learners"] != len(sent):
        mismatches.append(f"learners {room['learners']} != {len(sent)}")
    hands = sum(each["hand_up"] for each in sent)
    if room["hands"] != hands:
        mismatches.append(f"hands {room['hands']} != {hands}")
    for stage_row in room["stages"]:
        for row in stage_row["exercises"]:
            for status, count in row["counts"].items():
                if status == "not started":
                    continue
                want = expected[(stage_row["stage"], row["exercise"], status)]
                if count != want:
                    where = f"stage {stage_row['stage']} exercise {row['exercise']}"
                    mismatches.append(f"{where} {status}: board {count}, sent {want}")
    return mismatches


def simulate_learner(
    index: int, room: str, minutes: float, speed: float, course: dict[int, list[int]]
) -> dict:
    """One learner's class: join, check, raise and lower a hand; what it sent, how long each
    request took, and what failed."""
    chance = random.Random(index)
    joined = {"room": room, "code": CODE, "nickname": f"learner-{index:02d}"}
    record: dict = {"latencies": [], "errors": [], "last": {}, "hand_up": False}

    def send(path: str, message: dict) -> dict | None:
        """The room's answer, or None (the error recorded)."""
        started = time.monotonic()
        try:
            answer = learner.post(joined, path, message, timeout=10)
        except learner.KitError as error:
            record["errors"].append(f"{joined['nickname']} {path}: {error}")
            return None
        record["latencies"].append(time.monotonic() - started)
        return answer

    answer = send("/join", {"code": CODE, "nickname": joined["nickname"]})
    if answer is None:
        return record
    joined["token"] = answer["token"]
    stages = sorted(course)
    stage, done = stages[0], 0
    end = time.monotonic() + minutes * 60 / speed
    while True:
        time.sleep(chance.uniform(1, 4) * 60 / speed)
        if time.monotonic() > end:
            break
        exercises = course[stage]
        if chance.random() < 0.4:
            done += 1
        result = {
            "exercises": [_simulated_exercise(n, i, done, chance) for i, n in enumerate(exercises)]
        }
        message = learner.check_message(joined, stage, result)
        if send("/results", message) is not None:
            for entry in message["exercises"]:
                record["last"][f"{stage}.{entry['exercise']}"] = entry["status"]
        if done >= len(exercises) and stage != stages[-1]:
            stage, done = stages[stages.index(stage) + 1], 0
        if chance.random() < 0.15:
            raised = not record["hand_up"]
            text = "stuck on a test" if raised else ""
            hand = learner.identity(joined) | {"raised": raised, "text": text}
            if send("/hands", hand) is not None:
                record["hand_up"] = raised
    return record


def _simulated_exercise(number: int, position: int, done: int, chance: random.Random) -> dict:
    """An exercise as the check plugin reports it: passed before ``done``, the one being
    worked on failing (one of two tests first), the later ones failing or waiting."""
    if position < done:
        return {"number": number, "needs": [], "failures": [], "tests": 1}
    test = chance.choice(["test_shape", "test_values"]) if position == done else "test_not_done"
    needs = [number - 1] if position > done and chance.random() < 0.5 else []
    return {"number": number, "needs": needs, "failures": ["…"], "failed_tests": [test]}


def processes_marked(mark: str) -> list[int]:
    """Processes (on Linux) whose environment holds ``MARK=mark``: what the run left behind."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit.room.load", description=__doc__)
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=60, help="minutes of class (60)")
    parser.add_argument(
        "--speed",
        type=float,
        default=30,
        help="compressed this many times (30: an hour in 2 minutes, each learner under the "
        "room's limit of 30 messages a minute)",
    )
    parser.add_argument("--as-learner", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--room", help=argparse.SUPPRESS)
    parser.add_argument("--course", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.as_learner is not None:
        course = {
            int(stage): numbers for stage, numbers in json.loads(args.course.read_text()).items()
        }
        record = simulate_learner(args.as_learner, args.room, args.minutes, args.speed, course)
        args.output.write_text(json.dumps(record))
        return 0
    from kit.room.server import course as full_course

    course = {stage: sorted(exercises) for stage, exercises in full_course().items()}
    result = run_load(args.learners, args.minutes, args.speed, course)
    compressed = args.minutes * 60 / args.speed
    print(f"{args.learners} learners, {args.minutes:g} minutes of class in {compressed:.0f} s:")
    print(result.summary())
    return 0 if not result.errors and result.board_matches and not result.processes_left else 1


if __name__ == "__main__":
    sys.exit(main())
