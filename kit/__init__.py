"""The kit's own tool: set-up, tests, exercises and checks for the workshop.

Learners use these functions from a notebook; everything else runs as ``python -m kit ...``
(or ``make ...``, which calls the same thing).

>>> import kit
>>> kit.start(1)       # copy stage 1's exercise templates into your workspace
>>> kit.check(1)       # check your work: one line per exercise, with hints
>>> kit.solution(1, exercise=3)  # stuck? the reference answer of one exercise
>>> kit.catch_up(2)    # fell behind? put stage 2's start state in your workspace
>>> kit.new_files(5)   # the files stage 5 adds and changes, from the stage it builds on
>>> kit.join("http://10.0.0.5:8765", code="K7PQ2", name="ada")  # opt in to the room's board
>>> kit.hand("stuck on exercise 3")  # raise a hand (kit.hand(down=True) lowers it)

Nothing is imported until it is used, so that ``python -m kit`` can refuse an old Python in
one line, before any modern syntax is parsed.
"""

_FUNCTIONS = {
    "start": "kit.workspace",
    "catch_up": "kit.workspace",
    "check": "kit.check",
    "solution": "kit.solution",
    "new_files": "kit.diff",
    "join": "kit.room.learner",
    "leave": "kit.room.learner",
    "hand": "kit.room.learner",
}
__all__ = sorted(_FUNCTIONS)


def __getattr__(name):
    if name not in _FUNCTIONS:
        raise AttributeError("module 'kit' has no attribute " + repr(name))
    import importlib

    importlib.import_module(_FUNCTIONS[name])
    _bind_loaded_functions()
    return globals()[name]


def _bind_loaded_functions():
    """Importing ``kit.check`` makes the name ``kit.check`` the module, which cannot be called:
    put every loaded function back in its place, so ``kit.check(1)`` works a second time."""
    import sys

    for name, module in _FUNCTIONS.items():
        if module in sys.modules:
            globals()[name] = getattr(sys.modules[module], name)
