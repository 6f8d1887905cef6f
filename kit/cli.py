"""``python -m kit COMMAND``: one sub-command per job; the Makefile calls these.

Each command lives in its own module, which exposes ``add_arguments(parser)`` and
``run(args) -> int``. A command that needs the kit's dependencies runs inside ``.venv``: started
from another Python, it sets the kit up if needed and runs itself again there. Only the chosen
command's module is imported, so ``setup`` works before anything is installed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

from kit import stages
from kit.errors import KitError
from kit.paths import VENV, venv_python

# name: (module, one-line summary, needs the kit's .venv). `make help` prints this list too.
COMMANDS = {
    "setup": ("kit.setup", "create .venv from the lock, with the Jupyter kernel inside", False),
    "lab": ("kit.lab", "set up, then open JupyterLab on the first notebook", False),
    "test": ("kit.suite", "set up if needed, then run the whole test suite", False),
    "start": ("kit.workspace", "copy a stage's exercise templates into your workspace", True),
    "check": ("kit.check", "check a stage's exercises in your workspace (or another folder)", True),
    "solution": ("kit.solution", "show the reference answer of one exercise of a stage", True),
    "catch-up": ("kit.workspace", "reset a stage to its start (or end), your work backed up", True),
    "diff": (
        "kit.diff",
        "show a stage's lesson: its reference against the stage it builds on",
        True,
    ),
    "serve": (
        "kit.serve",
        "serve the reference stage-4 API (or your stage 4 or 7) with gunicorn",
        True,
    ),
    "bench": (
        "kit.bench",
        "load the stage-4 API and a bare Flask ceiling with wrk (6: at scale)",
        True,
    ),
    "slides": ("kit.slides", "build every deck into one offline HTML file in slides/build/", True),
    "demo": ("kit.demo", "run every stage end to end, narrated, for a live demo", True),
    "doctor": (
        "kit.doctor",
        "check this machine is ready for the workshop day (run it before)",
        False,
    ),
    "generate": (
        "kit.generate",
        "regenerate every derived file: templates, carried code, notebooks",
        True,
    ),
    "notebooks": ("kit.notebooks", "re-execute the solutions, regenerate learner notebooks", True),
    "lock": ("kit.lock", "regenerate the locks for every platform, check their wheels", True),
    "link": ("kit.link", "make this Python (conda, Binder) run the kit's notebooks", False),
    "room": (
        "kit.room.server",
        "instructor: open the room (live board, wheels) on the network",
        True,
    ),
    "join": (
        "kit.room.learner",
        "join the room (--room URL --code C --name N; --show: a dry run)",
        False,
    ),
    "leave": ("kit.room.learner", "leave the room: checks send nothing any more", False),
    "hand": ("kit.room.learner", "raise a hand in the room (--text '…'; --down lowers it)", False),
    "wheelhouse": (
        "kit.room.wheelhouse",
        "instructor, online: fetch the lock's wheels for the room",
        True,
    ),
}
MAKE_VARIABLES = {
    "setup": "[ROOM=url] [MAINTAINER=1]",
    "lab": "[PORT=n]",
    "test": "[ARGS=...]",
    "start": "STAGE=N",
    "check": "STAGE=N [TARGET=dir] [EXERCISE=n]",
    "solution": "STAGE=N EXERCISE=n",
    "catch-up": "STAGE=N [STATE=end]",
    "diff": "STAGE=N",
    "serve": "[PORT=n] [TARGET=dir]",
    "bench": "[STAGE=6]",
    "slides": "",
    "demo": "",
    "doctor": "",
    "generate": "",
    "notebooks": "",
    "lock": "",
    "room": "[PORT=n] [HOST=addr] [CODE=code]",
    "join": "ROOM=url CODE=code NAME=nickname [SHOW=1]",
    "leave": "",
    "hand": "[TEXT=...] [DOWN=1]",
    "wheelhouse": "",
}
"""The commands the Makefile has a target for, with the variables each takes (the Makefile
passes them on as the command's arguments); the others run as ``python -m kit NAME``."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(_usage(), file=sys.stderr if argv and argv[0] not in ("-h", "--help") else None)
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    name, arguments = argv[0], argv[1:]
    module_name, summary, needs_venv = COMMANDS[name]
    try:
        if needs_venv and not _running_in_venv():
            return _run_in_venv(argv)
        module = importlib.import_module(module_name)
        parser = argparse.ArgumentParser(prog=f"python -m kit {name}", description=summary)
        module.add_arguments(parser)
        args, others = parser.parse_known_args(arguments)
        if others and not getattr(module, "PASSES_ON_OTHER_ARGUMENTS", False):
            parser.error(f"unrecognized arguments: {' '.join(others)}")
        args.other_arguments = others
        args.command = name
        return module.run(args)
    except KitError as error:
        print(f"kit {name}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kit {name}: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Its reader stopped early (`make check | head`): what it had, it got. Python would
        # flush stdout again at exit, fail again and print a traceback: point it at nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _usage() -> str:
    """Every command in both forms, and the stages a STAGE=N may name (``make help``)."""
    lines = [
        "usage: make COMMAND [VARIABLE=value ...]",
        "   or: python -m kit COMMAND [options]   (python -m kit COMMAND --help: its options)",
        "",
        "commands:",
    ]
    for name, (_, summary, _) in COMMANDS.items():
        form = (
            f"make {name} {MAKE_VARIABLES[name]}"
            if name in MAKE_VARIABLES
            else f"python -m kit {name}"
        )
        lines += [f"  {form.rstrip()}", f"      {summary}"]
    lines += ["", "stages (STAGE=N):"]
    lines += [f"  {stage.number}  {stage.title}" for stage in stages.REGISTRY]
    return "\n".join(lines)


def _running_in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _run_in_venv(argv: list[str]) -> int:
    from kit.setup import ensure_environment

    ensure_environment(quiet=True)
    return subprocess.run([str(venv_python()), "-m", "kit", *argv]).returncode
