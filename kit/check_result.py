"""A check's result, read: what each exercise's status is.

``kit.check_plugin`` writes the result (a dict per exercise: its failures, what it needs, what
could not run here); the report and the room's message both read it through these functions,
so "waiting" means the same on the learner's screen and on the instructor's board. This module
imports no pytest: a learner's check sends its message from ``kit check``'s own process.
"""

from __future__ import annotations


def status(exercise: dict, failed: set[int]) -> str:
    """``passed``, ``failed``, ``waiting`` (for a failed exercise it needs) or ``not checked``
    (nothing failed, but a part could not run on this machine)."""
    if exercise["failures"]:
        waiting = any(number in failed for number in exercise["needs"])
        return "waiting" if waiting else "failed"
    return "not checked" if exercise.get("not_checked") else "passed"


def with_what_they_need(asked: set[int], needs: dict[int, set[int]]) -> set[int]:
    """``asked`` and every exercise they need, however indirectly (``needs``: each number's
    own). An exercise checked alone runs with them, so it WAITs for a failing one it needs, as
    in the whole check, instead of failing for a mistake that is not its own."""
    chosen: set[int] = set()
    todo = list(asked)
    while todo:
        number = todo.pop()
        if number not in chosen:
            chosen.add(number)
            todo.extend(needs.get(number, ()))
    return chosen


def statuses(result: dict) -> dict[int, str]:
    """Each checked exercise's ``status``, by number."""
    failed = {each["number"] for each in result["exercises"] if each["failures"]}
    return {each["number"]: status(each, failed) for each in result["exercises"]}
