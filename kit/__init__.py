"""The kit's own tool: set-up, tests, exercises and checks for the workshop.

Learners use three functions from a notebook; everything else runs as ``python -m kit …``
(or ``make …``, which calls the same thing).

>>> import kit
>>> kit.start(1)       # copy stage 1's exercise templates into your workspace
>>> kit.check(1)       # check your work: one line per exercise, with hints
>>> kit.catch_up(2)    # fell behind? put stage 2's start state in your workspace

This package imports nothing beyond the standard library at import time, so
``python3 -m kit setup`` runs before any dependency is installed.
"""

from kit.checks import check
from kit.workspace import catch_up, start

__all__ = ["catch_up", "check", "start"]
