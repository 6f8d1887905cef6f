"""Every shell command the kit shows runs as written, from the folder its text says.

**Where commands are shown**: the decks and the instructor's pages (``slides/*.md``), the
solution notebooks' markdown (``solutions/*.ipynb``; the learner notebooks are made from
them), the READMEs (``README.md``, ``productionizing/stageN/README.md``) and the hints of the
stage checks (``tests/checks/stageN``).

**What is a command** (the rule):

- each line of a fenced block marked ``bash``, ``sh`` or ``shell`` (a line ending in ``\\``
  goes on on the next one; ``#`` comments are dropped);
- an inline code span whose first word is ``make``, ``python``, ``python3``, ``py``,
  ``pytest`` or ``hadolint`` (or a path to one, ``../../.venv/bin/python``), or ``cd folder &&``
  before one, with an argument after the program (after the module, for ``python -m module``):
  ``make check STAGE=1`` is a command, ``pytest`` or ``python -m iris_model`` alone names a tool;
- a command holding a placeholder (``N``, ``n``, ``dir``, ``CONTAINER``, ``<…>``, ``…``) is a
  pattern: counted, never run (its filled-in form is shown somewhere, and runs there).

**Illustrative**: ``<!-- illustrative: why -->`` on the line before a fenced block marks that
block, and inside a paragraph the inline commands after it: they are counted, never run.

**Where it runs**: ``make …`` and ``python3 -m kit …`` in the kit's folder, where the Makefile
is, with the suite's temporary ``KIT_WORKSPACE``. Every other command in the folder its source
is about: stage N's README, deck, notebook and check hints in a copy of
``productionizing/stageN`` placed where a learner's ``workspace/stageN`` is (``../../data`` and
``../../.venv`` lead to the kit's); the rest in the kit's folder. One source's commands run in
order in one copy of the stage, the stage's sources one after the other, as a learner follows
them (``prepare`` makes what ``train`` reads); a command shown twice in one folder runs once
(``same_command``), the hints' forms first.
``make check`` on a stage's start state reports unfinished exercises and exits 1 by design: it
has run when it prints its report.

**With which PATH**: decks, notebooks and stage READMEs are read in JupyterLab, whose terminal
(``make lab``) has ``.venv/bin`` first; README.md, the instructor's pages and the hints, which
``make check`` prints in any shell, run with nothing activated.

**How**: each command in ``bash``, within ``TIMEOUT`` seconds. A server (``make serve``,
``flask … run``, ``gunicorn``, moto's S3 server, ``dask scheduler``, ``dask worker``) runs in
the background until the next server or the end of its source, then it is stopped; the
servers of one fenced block on ports of their own run together (a store, a scheduler and its
workers). An ``export`` line sets its variables for the commands after it, as in one
terminal. A port (a number from 8000 to 9999) is swapped for a free one, so no other server
is met (``make serve`` trains its model into ``runs/serve/`` once, as for a
learner). ``pip install`` is not run, as it would change the kit's ``.venv``: what
follows runs as if it had (``src/`` on ``PYTHONPATH``, an ``iris-model`` command). A command
that needs a container engine or the network, or that the suite runs elsewhere, is skipped
with its reason (``NOT_RUN_HERE``), and so is the rest of its fenced block, which may need it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from kit.background import run_whole, running_server
from kit.check import exercises_of
from kit.dvc_project import init_repository
from kit.notebook_answers import answers_of_notebook
from kit.notebooks import SOLUTIONS
from kit.paths import ROOT, VENV, copy_stage, reference_dir, stages_with, workspace_dir
from kit.ports import free_port

TIMEOUT = 120
FENCE = re.compile(
    r"^(?P<marker><!-- illustrative[^>]*-->\n)?```(?P<info>\w*)[^\n]*\n(?P<body>.*?)^```",
    re.MULTILINE | re.DOTALL,
)
SPAN = re.compile(r"`([^`]+)`")
ILLUSTRATIVE = "<!-- illustrative"
SHELLS = {"bash", "sh", "shell"}
PROGRAMS = {"make", "python", "python3", "py", "pytest", "hadolint"}
PLACEHOLDER = re.compile(r"…|<[^>]*>|(?<![-\w])(?:N|n|dir|CONTAINER)\b")
PORT = re.compile(r"(?<![\d.])[89]\d{3}(?![\d.])")
AT_THE_ROOT = re.compile(r"(make |python3? -m kit )")
SERVER = re.compile(
    r"(make serve|python3 -m kit serve|flask --app \S+ run|gunicorn |python -m moto\.server |"
    r"dask (scheduler|worker) |make room |python3 -m kit room )"
)
HEALTH = re.compile(r"--dashboard-address \S+:(\d+)")
"""Where a Dask scheduler or worker answers ``/health``: its HTTP port, not its first."""
CHECK_REPORT = re.compile(r"\d+ of \d+ exercises pass")
NOT_RUN_HERE = {
    r"(make|python3 -m kit) test": "the kit's whole suite, which this test is part of",
    r"(make|python3 -m kit) setup|PIP_NO_INDEX": "(re)builds .venv, which this suite runs in "
    "(tests/test_setup.py)",
    r"(make|python3 -m kit) lab": "opens JupyterLab in a browser; `make doctor` checks it starts",
    r"python -m kit link": "writes into the Python environment that runs it (conda, Binder)",
    r"make demo": "tests/test_demo.py runs the demo end to end",
    r"(make|python3 -m kit) bench": "tests/test_bench.py runs a short benchmark of each kind",
    r"(make|python3? -m kit) slides|SLIDES_SCREENSHOTS": "tests/test_slides.py builds every "
    "deck and opens it in Chromium",
    r"(make|python3 -m kit) (generate|notebooks)": "rewrites generated files: "
    "tests/test_generated.py and tests/test_notebooks.py compare them",
    r"(make|python3 -m kit) lock": "resolves the locks from the package index: it needs the "
    "network (tests/test_platforms.py checks the locks' wheels)",
    r"(make|python3 -m kit) (join|hand)": "speaks to the instructor's room: tests/test_room.py "
    "joins a running room, checks, raises a hand and lowers it",
    r"(make|python3? -m kit) wheelhouse": "downloads the lock's wheels from the package index: "
    "it needs the network (tests/test_room.py drives it with pip's answers)",
    r"make serve$": "serves on port 8000, which the suite may not take: the forms with PORT= run",
    r"(make|python3 -m kit) room( HOST=\S+)?$": "serves on the room's port 8765, which the suite "
    "may not take: the forms with PORT= run, and tests/test_room*.py drive the room",
    r"docker ": "needs a container engine: tests/test_image.py builds and runs the image",
    r"py -m ": "the Windows launcher: the same command with python3 runs here",
    r"pytest$": "a stage's whole suite, its wheel built and installed: the stage checks run it",
}
"""Commands not run here, by a regular expression matching their start, and why."""


@dataclass(frozen=True)
class Shown:
    """A command as a source shows it, and how a learner runs it."""

    source: str
    text: str
    folder: str
    """``root`` (the kit's folder) or ``stageN`` (a copy of that stage)."""
    activated: bool
    """Whether ``.venv/bin`` comes first on PATH, as in JupyterLab's terminal."""
    block: int | None = None
    """Where its fenced block starts in its source; None for an inline command."""
    illustrative: bool = False

    @property
    def pattern(self) -> bool:
        return bool(PLACEHOLDER.search(self.text))

    def why_not_run(self) -> str | None:
        return next(
            (why for start, why in NOT_RUN_HERE.items() if re.match(start, self.text)), None
        )


def markdown_sources() -> Iterator[tuple[str, str]]:
    """(source, markdown) for every page a learner or an instructor reads."""
    pages = [*sorted((ROOT / "slides").glob("*.md")), ROOT / "README.md"]
    pages += sorted((ROOT / "productionizing").glob("stage*/README.md"))
    for page in pages:
        yield page.relative_to(ROOT).as_posix(), page.read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "solutions").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        markdown = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
        yield notebook.relative_to(ROOT).as_posix(), "\n\n".join(markdown)


def folder_of(source: str, text: str) -> str:
    """Where ``text`` runs: the kit's folder for make and kit commands and for sources about no
    stage; else ``stageN``, for a source about stage N (README, deck, notebook, check)."""
    match = re.search(r"(?:stage|/0)(\d)", source)
    if AT_THE_ROOT.match(text) or not match or match[1] == "0":
        return "root"
    return f"stage{match[1]}"


def read_in_lab(source: str) -> bool:
    """Decks, notebooks and stage READMEs are read in JupyterLab (``.venv/bin`` on PATH)."""
    return bool(re.match(r"solutions/|productionizing/|slides/\d\d_", source))


def commands_in(source: str, markdown: str) -> list[Shown]:
    """The commands ``markdown`` shows, in the order a reader meets them."""
    found: list[tuple[int, Shown]] = []
    for block in FENCE.finditer(markdown):
        if block["info"] in SHELLS:
            for line in block_lines(block["body"]):
                shown = _shown(
                    source, line, block=block.start(), illustrative=bool(block["marker"])
                )
                found.append((block.start(), shown))
    prose = FENCE.sub(lambda block: "\n" * block[0].count("\n"), markdown)
    for paragraph in re.finditer(r"(?:[^\n]+\n?)+", prose):
        marker = paragraph[0].find(ILLUSTRATIVE)
        for span in SPAN.finditer(paragraph[0]):
            text = " ".join(span[1].split())
            if is_command(text):
                marked = 0 <= marker < span.start()
                found.append((paragraph.start() + span.start(), _shown(source, text, None, marked)))
    return [shown for _, shown in sorted(found, key=lambda pair: pair[0])]


def _shown(source: str, text: str, block: int | None, illustrative: bool) -> Shown:
    folder = folder_of(source, text)
    return Shown(source, text, folder, read_in_lab(source), block, illustrative)


def block_lines(body: str) -> list[str]:
    """A fenced block's commands: a line ending in ``\\`` or inside an open quote goes on on
    the next one; comments and blank lines are dropped."""
    commands, pending = [], ""
    for line in body.splitlines():
        pending += without_comment(line).strip() if not pending else " " + line.strip()
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
        elif _quotes_closed(pending):
            commands.append(pending)
            pending = ""
    return [command for command in commands if command]


def _quotes_closed(text: str) -> bool:
    try:
        shlex.split(text)
    except ValueError:
        return False
    return True


def without_comment(line: str) -> str:
    """``line`` without its ``# comment``; a ``#`` inside quotes or inside a word stays."""
    quote = ""
    for index, character in enumerate(line):
        if quote:
            quote = "" if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def is_command(text: str) -> bool:
    """Whether an inline span is a command by the rule above, not a tool's name."""
    words = re.sub(r"^(\w+=\S+ )+", "", re.sub(r"^cd \S+ && ", "", text)).split()
    if not words or Path(words[0]).name not in PROGRAMS:
        return False
    arguments = words[1:]
    if words[0].endswith("python") or words[0].endswith("python3") or words[0] == "py":
        arguments = arguments[2:] if arguments[:1] == ["-m"] else arguments
    return bool(arguments)


def hint_commands() -> Iterator[Shown]:
    """The commands the stage checks' hints name: from the stage folder, in any shell."""
    for stage in stages_with(reference_dir):
        for exercise in exercises_of(stage).values():
            for span in SPAN.finditer(exercise.hint):
                if is_command(span[1]):
                    yield Shown(f"tests/checks/stage{stage}", span[1], f"stage{stage}", False)


SHOWN = [shown for page in markdown_sources() for shown in commands_in(*page)]
SHOWN += hint_commands()


def runs() -> dict[str, list[Shown]]:
    """Per folder (``root``, ``stage1`` …), the commands to run there, in order, each once.

    The hints come first: their commands must work in any shell, so where a page shows the
    same command for JupyterLab's terminal, the stricter run covers both.
    """
    by_folder: dict[str, list[Shown]] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    hints_first = sorted(SHOWN, key=lambda shown: not shown.source.startswith("tests/"))
    for shown in hints_first:
        key = (shown.folder, same_command(shown))
        if shown.pattern or shown.illustrative or key in seen:
            continue
        seen.add(key)
        by_folder.setdefault(shown.folder, []).append(shown)
    return dict(sorted(by_folder.items()))


def same_command(shown: Shown) -> tuple[str, ...]:
    """``shown``'s words, with the kit's pytest written one way: ``pytest`` in JupyterLab's
    terminal, ``python -m pytest`` there and ``../../.venv/bin/python -m pytest`` anywhere run
    the same program with the same arguments; and each ``make`` command as the ``python3 -m
    kit`` command it runs (``make -n`` prints it), so the README's two forms of a command run
    once, by make."""
    try:
        words = shlex.split(shown.text)
    except ValueError:
        return (shown.text,)
    if words[0] == "make":
        return tuple(shlex.split(make_runs(words[1:]))) or tuple(words)
    kits_python = words[0].endswith(".venv/bin/python") or (
        shown.activated and words[0] in ("python", "python3")
    )
    if kits_python and words[1:3] == ["-m", "pytest"]:
        return ("pytest", *words[3:])
    return tuple(words)


def make_runs(arguments: list[str]) -> str:
    """What ``make ARGUMENTS`` would run in the kit's folder, without running it."""
    dry = [
        *("make", "--dry-run", "--no-print-directory", "-C", str(ROOT)),
        *(argument for argument in arguments if argument),
    ]
    return subprocess.run(dry, capture_output=True, text=True, check=True).stdout.strip()


RUNS = runs()


@pytest.mark.parametrize("folder", list(RUNS))
def test_the_commands_shown_run_as_written_from_their_folder(folder, tmp_path, leaves_no_process):
    cwd = ROOT if folder == "root" else stage_copy(folder, tmp_path)
    as_the_notebook_leaves_it(folder, cwd)
    ports: dict[str, str] = {}
    exported: dict[str, str] = {}
    skipped_block: tuple[str, int] | None = None
    serving: tuple[tuple[str, int | None], set[str]] = (("", None), set())
    with ExitStack() as server:
        for shown in RUNS[folder]:
            if shown.block is not None and (shown.source, shown.block) == skipped_block:
                continue
            if shown.why_not_run():
                skipped_block = (shown.source, shown.block) if shown.block is not None else None
                continue
            text = with_free_ports(shown.text, ports)
            if text.startswith("export "):  # for the commands after it, as in one terminal
                exported.update(word.split("=", 1) for word in shlex.split(text)[1:])
                continue
            env = {**environment(cwd, shown.activated, tmp_path), **exported}
            if SERVER.match(text):
                block, url = (shown.source, shown.block), ready_url(text)
                if shown.block is None or block != serving[0] or url in serving[1]:
                    server.close()  # a learner stops a server before starting the next,
                    serving = (block, set())  # but a block's servers on other ports run along
                serving[1].add(url)
                server.enter_context(served(text, url, cwd, env, tmp_path))
                continue
            finished = run_in_bash(text, cwd, env)
            output = finished.stdout + finished.stderr
            ran = finished.returncode == 0 or bool(CHECK_REPORT.search(output))
            assert ran, (
                f"{shown.source}: expected `{shown.text}` to run from {folder}, got status "
                f"{finished.returncode}:\n{why_it_failed(output)}"
            )


FAILURE_LINE = re.compile(r"^(?:E |FAILED |ERROR|\w+(?:Error|Exception)\b)")
"""A line that says why a command failed: pytest's assertion and summary lines, an error's."""


def why_it_failed(output: str) -> str:
    """The lines of ``output`` that say why a command failed, then its end: a pytest run that
    logs much (Dask's INFO lines) would push its assertion out of the end alone."""
    said = [line for line in output.splitlines() if FAILURE_LINE.match(line)]
    return "\n".join([*said[:40], "…", output[-1000:]]) if said else output[-1500:]


def as_the_notebook_leaves_it(folder: str, cwd: Path) -> None:
    """The state the texts presume: stage 0's answers saved by its notebook's check cell (for
    `make check STAGE=0`), and a stage 5 folder with the git repository of its own that the
    notebook's set-up cell makes (DVC's experiments live in git)."""
    if folder == "root":
        answers_of_notebook(SOLUTIONS / "00_exploratory_notebook.ipynb", workspace_dir() / "stage0")
    elif folder == "stage5":
        init_repository(cwd)


def stage_copy(folder: str, tmp_path: Path) -> Path:
    """A copy of the stage where a learner's ``workspace/stageN`` is: ``../../data`` and
    ``../../.venv`` lead to the kit's."""
    kit = tmp_path / "kit"
    (kit / "workspace").mkdir(parents=True)
    for shared in ("data", ".venv"):
        (kit / shared).symlink_to(ROOT / shared, target_is_directory=True)
    stage = int(folder.removeprefix("stage"))
    return copy_stage(reference_dir(stage), kit / "workspace" / folder)


def environment(cwd: Path, activated: bool, tmp_path: Path) -> dict[str, str]:
    """A learner's shell (nothing activated) or JupyterLab's terminal (``.venv/bin`` first),
    in a stage folder as if ``pip install -e .`` had run."""
    venv_bin = str(VENV / "bin")
    path = [part for part in os.environ["PATH"].split(os.pathsep) if part != venv_bin]
    env = {**os.environ, "PATH": os.pathsep.join([venv_bin, *path] if activated else path)}
    env.pop("VIRTUAL_ENV", None)
    if (cwd / "src").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(cwd / "src"), env.get("PYTHONPATH")]))
        env["PATH"] = os.pathsep.join([str(installed_commands(tmp_path)), env["PATH"]])
    return env


def installed_commands(tmp_path: Path) -> Path:
    """A folder with the ``iris-model`` command an install gives, and a ``pip`` that installs
    nothing: the kit's .venv stays as the lock says."""
    folder = tmp_path / "bin"
    scripts = {
        "iris-model": f'exec "{sys.executable}" -m iris_model "$@"',
        "pip": "echo 'pip: not run by tests/test_shown_commands.py'",
    }
    folder.mkdir(exist_ok=True)
    for name, line in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{line}\n")
        (folder / name).chmod(0o755)
    return folder


def with_free_ports(text: str, ports: dict[str, str]) -> str:
    """``text`` with each port it names swapped for a free one, the same one each time."""
    for port in PORT.findall(text):
        ports.setdefault(port, str(free_port()))
    return PORT.sub(lambda match: ports[match[0]], text)


def ready_url(text: str) -> str:
    """Where the server ``text`` starts answers once it is up: ``/health`` on its first port
    (a Dask process: on its HTTP port); moto's S3 server, ``/moto-api/``; the room,
    ``/room.json``."""
    if health := HEALTH.search(text):
        return f"http://127.0.0.1:{health[1]}/health"
    port = PORT.search(text)[0]
    if "moto.server" in text:
        return f"http://127.0.0.1:{port}/moto-api/"
    if " room " in text:
        return f"http://127.0.0.1:{port}/room.json"
    return f"http://127.0.0.1:{port}/health"


def served(
    text: str, url: str, cwd: Path, env: dict[str, str], tmp_path: Path
) -> AbstractContextManager:
    """``text`` running in the background until the block ends, once ``url`` answers."""
    return running_server(
        ["bash", "-c", f"exec {text}"],
        url,
        env=env,
        cwd=cwd,
        timeout=90,
        log=tmp_path / f"server-{url.split(':')[2].split('/')[0]}.log",
    )


def run_in_bash(text: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``text`` run to its end; past ``TIMEOUT``, stopped with every process it started."""
    try:
        return run_whole(["bash", "-c", text], TIMEOUT, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(text, -1, "", f"(stopped after {TIMEOUT} s)")


def test_the_rule_finds_commands_markers_and_patterns():
    markdown = (
        "Run `make check STAGE=1`, not `pytest` alone; `make check STAGE=N` is a pattern.\n"
        "<!-- illustrative: a sketch --> then `python -m iris_model train --data x.csv`.\n\n"
        "<!-- illustrative: needs a server -->\n```bash\ncurl localhost:8000  # asks\n```\n"
        "```bash\npython -m iris_model train \\\n  --out runs/model\n```\n"
    )
    found = [(c.text, c.illustrative, c.pattern) for c in commands_in("slides/01_x.md", markdown)]
    assert found == [
        ("make check STAGE=1", False, False),
        ("make check STAGE=N", False, True),
        ("python -m iris_model train --data x.csv", True, False),
        ("curl localhost:8000", True, False),
        ("python -m iris_model train --out runs/model", False, False),
    ]


def test_every_kind_of_source_shows_commands():
    """The rule finds commands in decks, READMEs, notebooks and hints alike."""
    kinds = {shown.source.split("/")[0] for shown in SHOWN}
    assert {"slides", "README.md", "productionizing", "solutions", "tests"} <= kinds, kinds


def test_a_make_command_and_the_kit_command_it_runs_are_one_command():
    def words(text: str) -> tuple[str, ...]:
        return same_command(Shown("README.md", text, "root", activated=False))

    assert words("make check STAGE=1 EXERCISE=3") == words("python3 -m kit check 1 --exercise 3")
    assert words("make serve PORT=8001") == words("python3 -m kit serve --port 8001")
    assert words("make check STAGE=1") != words("make check STAGE=2")
