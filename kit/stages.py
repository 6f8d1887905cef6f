"""Reading a stage number the way a learner types it: ``make start STAGE=1``."""

from __future__ import annotations

from kit.errors import KitError


def parse_stage(text: str, command: str, available: list[int]) -> int:
    """The stage number in ``text``, or a KitError that shows how to give a right one."""
    choices = ", ".join(str(stage) for stage in available)
    usage = f"make {command} STAGE=N (or python -m kit {command} N), N one of: {choices}"
    if not text.strip():
        raise KitError(f"which stage? Give one: {usage}.")
    if not text.strip().isdigit() or int(text) not in available:
        raise KitError(f"there is no stage {text!r} to {command}. Use {usage}.")
    return int(text)
