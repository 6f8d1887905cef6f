"""What the room knows, in memory: each learner's last result per exercise, and the raised hands.

Pure Python, no web framework: the app (``kit.room.app``) validates a message and hands it
here; the projector's aggregates, the helper view and the end-of-day CSV are read from here.
Durations use the room's own clock (``clock``, seconds), never the time a laptop says it is:
thirty laptops have thirty clocks.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

STATUSES = ("passed", "failed", "waiting", "not checked")
"""A learner's status for one exercise, as their check found it (``waiting``: it needs an
exercise that fails first; ``not checked``: this machine could not check it)."""


@dataclass(frozen=True)
class Exercise:
    """An exercise of the course, as its stage check declares it."""

    title: str
    hint: str


Course = Mapping[int, Mapping[int, Exercise]]
"""Stage number -> exercise number -> exercise: what a message may name."""


@dataclass
class Progress:
    """One learner on one exercise."""

    status: str
    first_failure: str | None
    started: float
    """When the room first heard of this learner on this exercise's stage."""
    failing_since: float | None = None
    passed_at: float | None = None
    earliest_failure: str | None = None
    """The first failing test this learner ever met here: what the day's timings count."""


@dataclass
class Learner:
    nickname: str
    joined: float
    progress: dict[tuple[int, int], Progress] = field(default_factory=dict)
    stage_started: dict[int, float] = field(default_factory=dict)
    last_check: dict | None = None


@dataclass
class Hand:
    nickname: str
    text: str
    raised: float


class Board:
    """The room's state. Every method is safe to call from the server's threads at once."""

    def __init__(
        self, course: Course, stuck_minutes: float = 10, clock: Callable[[], float] = time.time
    ) -> None:
        self.course = course
        self.stuck_minutes = stuck_minutes
        self.clock = clock
        self.version = 0
        """Grows with every change: the page asks for the new board only when it moved."""
        self.learners: dict[str, Learner] = {}
        self.hands: dict[str, Hand] = {}
        self._lock = threading.Lock()

    @contextmanager
    def _changing(self) -> Iterator[float]:
        with self._lock:
            yield self.clock()
            self.version += 1

    def join(self, nickname: str) -> None:
        with self._changing() as now:
            self._learner(nickname, now)

    def record_check(
        self, nickname: str, stage: int, checked_at: float, exercises: list[dict]
    ) -> None:
        """A learner's check of ``stage``: one entry per exercise it checked."""
        with self._changing() as now:
            learner = self._learner(nickname, now)
            started = learner.stage_started.setdefault(stage, now)
            for entry in exercises:
                key = (stage, entry["exercise"])
                before = learner.progress.get(key)
                progress = Progress(entry["status"], entry.get("first_failure"), started)
                if before is not None:
                    progress.failing_since = before.failing_since
                    progress.passed_at = before.passed_at
                    progress.earliest_failure = before.earliest_failure
                progress.earliest_failure = progress.earliest_failure or progress.first_failure
                if progress.status == "failed":
                    progress.failing_since = progress.failing_since or now
                else:
                    progress.failing_since = None
                if progress.status == "passed" and progress.passed_at is None:
                    progress.passed_at = now
                learner.progress[key] = progress
            learner.last_check = {
                "stage": stage,
                "checked_at": checked_at,
                "received": now,
                "exercises": {entry["exercise"]: entry["status"] for entry in exercises},
            }

    def raise_hand(self, nickname: str, text: str) -> None:
        with self._changing() as now:
            self._learner(nickname, now)
            earlier = self.hands.pop(nickname, None)
            self.hands[nickname] = Hand(nickname, text, earlier.raised if earlier else now)

    def lower_hand(self, nickname: str) -> None:
        with self._changing() as now:
            self._learner(nickname, now)
            self.hands.pop(nickname, None)

    def _learner(self, nickname: str, now: float) -> Learner:
        return self.learners.setdefault(nickname, Learner(nickname, now))

    def projector(self) -> dict:
        """The anonymous aggregates: counts per exercise, its most common first failure with
        the hint, how many are stuck, how many hands are up. No nickname appears."""
        with self._lock:
            now = self.clock()
            stuck_after = self.stuck_minutes * 60
            stuck = sum(
                any(
                    progress.failing_since is not None
                    and now - progress.failing_since > stuck_after
                    for progress in learner.progress.values()
                )
                for learner in self.learners.values()
            )
            return {
                "version": self.version,
                "learners": len(self.learners),
                "stuck": stuck,
                "stuck_minutes": self.stuck_minutes,
                "hands": len(self.hands),
                "stages": [
                    {"stage": stage, "exercises": self._exercise_rows(stage, exercises)}
                    for stage, exercises in self.course.items()
                ],
            }

    def _exercise_rows(self, stage: int, exercises: Mapping[int, Exercise]) -> list[dict]:
        rows = []
        for number, exercise in exercises.items():
            progress = [
                learner.progress[(stage, number)]
                for learner in self.learners.values()
                if (stage, number) in learner.progress
            ]
            counts = Counter(each.status for each in progress)
            failures = Counter(
                each.first_failure
                for each in progress
                if each.status == "failed" and each.first_failure
            )
            common = failures.most_common(1)
            rows.append(
                {
                    "exercise": number,
                    "title": exercise.title,
                    "counts": {status: counts[status] for status in STATUSES}
                    | {"not started": len(self.learners) - len(progress)},
                    "common_failure": (
                        {"test": common[0][0], "learners": common[0][1], "hint": exercise.hint}
                        if common
                        else None
                    ),
                }
            )
        return rows

    def helper(self) -> dict:
        """For a helper walking the room: raised hands in order, each learner's last check."""
        with self._lock:
            hands = sorted(self.hands.values(), key=lambda hand: hand.raised)
            return {
                "version": self.version,
                "hands": [
                    {"nickname": hand.nickname, "text": hand.text, "raised": hand.raised}
                    for hand in hands
                ],
                "learners": [
                    {"nickname": learner.nickname, "last_check": learner.last_check}
                    for learner in sorted(self.learners.values(), key=lambda each: each.nickname)
                ],
            }

    def timings(self) -> list[dict]:
        """Per exercise: learners who passed, median minutes from their first check of the
        stage to their first pass, the most common first failure. For the instructor guide."""
        with self._lock:
            rows = []
            for stage, exercises in self.course.items():
                for number, exercise in exercises.items():
                    progress = [
                        learner.progress[(stage, number)]
                        for learner in self.learners.values()
                        if (stage, number) in learner.progress
                    ]
                    minutes = [
                        (each.passed_at - each.started) / 60
                        for each in progress
                        if each.passed_at is not None
                    ]
                    failures = Counter(
                        each.earliest_failure for each in progress if each.earliest_failure
                    )
                    rows.append(
                        {
                            "stage": stage,
                            "exercise": number,
                            "title": exercise.title,
                            "passed": len(minutes),
                            "median_minutes_to_pass": (
                                round(statistics.median(minutes), 1) if minutes else ""
                            ),
                            "most_common_first_failure": (
                                failures.most_common(1)[0][0] if failures else ""
                            ),
                        }
                    )
            return rows
