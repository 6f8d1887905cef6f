"""``python -m kit generate``: every derived file of the kit, made again from its one source.

A maintainer writes a stage's lesson by hand; everything else is made from it here, and the
suite fails, naming the file, when a committed copy differs from what this module makes
(tests/test_generated.py, tests/test_notebooks.py):

- **carried files**: what a stage takes unchanged from the stage before it (``STAGE_FILES``)
  is copied into its folder, so each stage folder still builds and runs on its own;
- **exercise templates**: ``exercises/stageN`` is ``productionizing/stageN`` with the bodies
  of stage N's exercises stubbed (``stub_exercises``); ``kit solution`` shows one exercise's
  answer from the same blocks (``exercise_blocks``);
- **learner notebooks**: ``notebooks/`` from ``solutions/`` (``kit.notebooks``).

An exercise is marked in the reference by a comment that reads as one::

    def split(frame, test_size, seed):
        \"\"\"Hold out ``test_size`` of the rows, ...\"\"\"
        # Stage 1, exercise 3: return (train, test) made by train_test_split, ...
        train, test = train_test_split(...)
        return train, test

The exercise runs from its comment to the end of the function. In the template the comment
stays as the learner's instructions (``# TODO Exercise 3: ...``) and the code after it becomes
``raise NotImplementedError("Exercise 3 not done yet: data.split")``. Outside Python (a
Dockerfile) the exercise is the lines after the comment up to the next blank or comment
line, and they are left out; in ``requirements*.txt`` they stay, without their pinned
versions. The stage names itself in the marker, so a carried copy of stage 3's code in
stage 4 reads as history and is not stubbed in stage 4's templates.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import os
import re
import shutil
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kit.paths import ROOT, reference_dir, stage_files, templates_dir


@dataclass(frozen=True)
class Carry:
    """Files a stage takes unchanged from ``source`` (a folder of the kit), placed ``into``
    a folder of the stage; ``only`` names them (patterns), else every file is taken."""

    source: str
    into: str = ""
    only: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageFiles:
    """A stage folder: the files its lesson writes (``own``, patterns) and what it carries.

    Every file of the folder is one or the other, so a file that an earlier stage removed
    cannot linger unnoticed in a later one.
    """

    own: tuple[str, ...]
    carries: tuple[Carry, ...] = field(default=())


STAGE_FILES = {
    1: StageFiles(own=("*",)),
    2: StageFiles(
        own=("*",),
        carries=(
            Carry(
                "productionizing/stage1/iris_model",
                into="src/iris_model",
                only=("config.py", "logs.py", "defaults.yaml"),
            ),
        ),
    ),
    3: StageFiles(
        own=(
            "README.md",
            "pyproject.toml",
            "src/iris_model/app.py",
            "src/iris_model/errors.py",
            "src/iris_model/speedup_numpy.py",
            "src/iris_model/speedup_orjson.py",
            "src/iris_model/openapi.py",
            "src/iris_model/payloads.py",
            "src/iris_model/routes.py",
            "src/iris_model/service.py",
            "tests/api/*",
        ),
        carries=(Carry("productionizing/stage2"),),
    ),
    4: StageFiles(
        own=(
            "README.md",
            ".dockerignore",
            "Dockerfile",
            "gunicorn.conf.py",
            "requirements.txt",
            "requirements-train.txt",
        ),
        carries=(Carry("productionizing/stage3"), Carry("data", into="data", only=("iris.csv",))),
    ),
    5: StageFiles(
        own=(
            "README.md",
            "pyproject.toml",
            ".dvc/config",
            ".dvc/.gitignore",
            ".gitignore",
            ".dvcignore",
            "dvc.yaml",
            "params.yaml",
            "src/iris_model/experiments.py",
            "src/iris_model/steps.py",
            "src/iris_model/storage.py",
            "tests/pipeline/*",
        ),
        carries=(
            Carry("productionizing/stage2"),
            Carry("data", into="data", only=("iris.csv", "new_flowers.csv")),
        ),
    ),
    6: StageFiles(
        own=(
            "README.md",
            "COMPARISON.md",
            "pyproject.toml",
            "src/iris_model/cli.py",
            "src/iris_model/flowers.py",
            "src/iris_model/batch.py",
            "src/iris_model/on_dask.py",
            "src/iris_model/sql.py",
            "tests/scale/*",
        ),
        carries=(Carry("productionizing/stage2"),),
    ),
    7: StageFiles(
        own=(
            "README.md",
            "Dockerfile",
            "src/iris_model/app.py",
            "src/iris_model/card.py",
            "src/iris_model/cli.py",
            "src/iris_model/drift.py",
            "src/iris_model/drift_report.py",
            "src/iris_model/openapi.py",
            "src/iris_model/records.py",
            "src/iris_model/routes.py",
            "src/iris_model/traffic.py",
            "tests/monitoring/*",
        ),
        carries=(Carry("productionizing/stage4"),),
    ),
}

MARKER = re.compile(r"^(?P<indent>[ \t]*)# Stage (?P<stage>\d+), exercise (?P<number>\d+): ")
START_STATE = " (your start state)"
LINE_LENGTH = 100  # ruff's, in pyproject.toml
STUBS_LINT_RULE = """
[tool.ruff.lint.per-file-ignores]
# The start state: an import stays for the learner's answer, unused until it is written.
"*" = ["F401"]
"""


class GenerationError(Exception):
    """A source the generator cannot read: a marker outside a function, a file that is
    neither a stage's own nor carried. The message names the file and what to fix."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``kit generate`` has no options: it always makes everything."""


def run(args: argparse.Namespace) -> int:
    from kit.notebooks import write_learner_notebooks

    for path in write_all():
        print(f"wrote {path.relative_to(ROOT)}")
    write_learner_notebooks()
    return 0


# --- what the files should be -------------------------------------------------------------


def reference_files(stage: int) -> dict[str, bytes]:
    """Stage ``stage``'s reference folder as it should be: its own files, as committed, and
    what it carries, as made from its sources (``{relative path: content}``)."""
    files = carried_files(stage)
    for path, content in _tree(reference_dir(stage)).items():
        if path not in files:
            files[path] = content
    return dict(sorted(files.items()))


def template_files(stage: int) -> dict[str, bytes]:
    """``exercises/stageN`` as it should be: the reference with stage N's exercises stubbed."""
    return {
        path: stub_exercises(path, content, stage)
        for path, content in reference_files(stage).items()
    }


def stray_files(stage: int) -> list[str]:
    """Files of the reference folder that are neither the stage's own nor carried."""
    carried = carried_files(stage)
    own = STAGE_FILES[stage].own
    return [
        path
        for path in _tree(reference_dir(stage))
        if path not in carried and not _matches(path, own)
    ]


def carried_files(stage: int) -> dict[str, bytes]:
    """What stage ``stage`` carries, as made from its sources (``{relative path: content}``)."""
    return dict(_carried(stage))


def _carried(stage: int) -> Iterator[tuple[str, bytes]]:
    layout = STAGE_FILES.get(stage, StageFiles(own=("*",)))
    for carry in layout.carries:
        source = ROOT / carry.source
        earlier = _earlier_stage(carry.source)
        files = reference_files(earlier) if earlier else _tree(source)
        if earlier and source != reference_dir(earlier):
            prefix = source.relative_to(reference_dir(earlier)).as_posix() + "/"
            files = {p.removeprefix(prefix): c for p, c in files.items() if p.startswith(prefix)}
        for path, content in files.items():
            taken = _matches(path, carry.only) if carry.only else not _matches(path, layout.own)
            if taken:
                yield "/".join(filter(None, [carry.into, path])), content


def _earlier_stage(source: str) -> int | None:
    """The stage whose reference holds ``source``: its carried files are made, not read."""
    match = re.fullmatch(r"productionizing/stage(\d+)(/.*)?", source)
    return int(match[1]) if match else None


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def _tree(folder: Path) -> dict[str, bytes]:
    """The files of ``folder`` that a stage ships (no caches, no run outputs), by path."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in stage_files(folder)}


# --- stubs -------------------------------------------------------------------------------


def stub_exercises(path: str, content: bytes, stage: int, done: Container[int] = ()) -> bytes:
    """The learner's version of one reference file of ``stage``, with the exercises in
    ``done`` answered as the reference answers them (the suite's replay of a learner)."""
    if path == "README.md":
        return _start_state_readme(content.decode())
    if path == "pyproject.toml":
        return content + STUBS_LINT_RULE.encode()
    text = content.decode("utf-8", errors="surrogateescape")
    blocks = [block for block in exercise_blocks(path, text, stage) if block.number not in done]
    if not blocks:
        return content
    lines = text.splitlines(keepends=True)
    output, index = [], 0
    for block in blocks:
        output += lines[index : block.start]
        output += [_todo(line, block.number) for line in block.instructions]
        output += _stub(block)
        index = block.end
    output += lines[index:]
    return "".join(output).encode("utf-8", errors="surrogateescape")


@dataclass(frozen=True)
class ExerciseBlock:
    """One exercise in a reference file: the marker's comment (the learner's instructions)
    and the answer under it. ``start`` and ``end`` are the block's line indexes (``end`` is
    the index after it); ``function`` is the enclosing function in Python, else empty."""

    path: str
    number: int
    indent: str
    function: str
    start: int
    end: int
    instructions: tuple[str, ...]
    answer: tuple[str, ...]


def exercise_blocks(path: str, text: str, stage: int) -> list[ExerciseBlock]:
    """Stage ``stage``'s exercises in one reference file (``path`` relative to the stage
    folder), in the order they appear: what the templates stub and `kit solution` shows."""
    lines = text.splitlines(keepends=True)
    if not any(_own_marker(line, stage) for line in lines):
        return []
    functions = _functions(path, text) if path.endswith(".py") else []
    blocks, index = [], 0
    while index < len(lines):
        match = _own_marker(lines[index], stage)
        if not match:
            index += 1
            continue
        comment_end = _comment_block_end(lines, index)
        if path.endswith(".py"):
            # The function's last line (1-based) is the index after it.
            function, end = _enclosing(functions, index + 1, path)
        else:
            function, end = "", _text_block_end(lines, comment_end)
        blocks.append(
            ExerciseBlock(
                path=path,
                number=int(match["number"]),
                indent=match["indent"],
                function=function,
                start=index,
                end=end,
                instructions=tuple(lines[index:comment_end]),
                answer=tuple(lines[comment_end:end]),
            )
        )
        index = end
    return blocks


def _own_marker(line: str, stage: int) -> re.Match | None:
    match = MARKER.match(line)
    return match if match and int(match["stage"]) == stage else None


def _start_state_readme(text: str) -> bytes:
    title, _, rest = text.partition("\n")
    return f"{title}{START_STATE}\n{rest}".encode()


def _todo(line: str, number: int) -> str:
    """``# Stage 3, exercise 2: …`` becomes ``# TODO Exercise 2: …``."""
    return MARKER.sub(lambda match: f"{match['indent']}# TODO Exercise {number}: ", line)


def _stub(block: ExerciseBlock) -> list[str]:
    """What the template holds in place of the answer: a ``raise`` in Python, the packages
    without their pins in ``requirements*.txt``, nothing in other text (a Dockerfile)."""
    if block.path.endswith(".py"):
        module = Path(block.path).name.removesuffix(".py")
        message = f'"Exercise {block.number} not done yet: {module}.{block.function}"'
        return [_raise_line(block.indent, message)]
    if Path(block.path).name.startswith("requirements"):
        return [re.sub(r"==[^\s;#]+", "", line) for line in block.answer]
    return []


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _comment_block_end(lines: list[str], start: int) -> int:
    """The index after the marker's comment: the marker line and the comment lines under it."""
    end = start + 1
    while end < len(lines) and _is_comment(lines[end]) and not MARKER.match(lines[end]):
        end += 1
    return end


def _text_block_end(lines: list[str], start: int) -> int:
    """Outside Python an exercise's answer runs up to a blank line or the next comment."""
    end = start
    while end < len(lines) and lines[end].strip() and not _is_comment(lines[end]):
        end += 1
    return end


def _raise_line(indent: str, message: str) -> str:
    """The stub's ``raise``, wrapped as ruff formats it when one line would be too long."""
    line = f"{indent}raise NotImplementedError({message})\n"
    if len(line) <= LINE_LENGTH + 1:
        return line
    return f"{indent}raise NotImplementedError(\n{indent}    {message}\n{indent})\n"


def _functions(path: str, text: str) -> list[tuple[str, int, int]]:
    """(qualified name, first line, last line) of every function in a Python file."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        raise GenerationError(f"{path} does not parse (line {error.lineno}): {error.msg}") from None
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((name, child.lineno, child.end_lineno))
                visit(child, f"{name}.")

    visit(tree, "")
    return found


def _enclosing(functions: list[tuple[str, int, int]], line: int, path: str) -> tuple[str, int]:
    """The innermost function around ``line``: its name and its last line."""
    around = [(first, name, last) for name, first, last in functions if first < line <= last]
    if not around:
        raise GenerationError(
            f"{path}, line {line}: an exercise marker must stand inside a function body "
            "(the exercise is the rest of that function)"
        )
    _, name, last = max(around)
    return name, last


# --- writing -----------------------------------------------------------------------------


def derived_files() -> dict[Path, bytes]:
    """Every carried file and every template file, by where it belongs."""
    files: dict[Path, bytes] = {}
    for stage in STAGE_FILES:
        for path, content in carried_files(stage).items():
            files[reference_dir(stage) / path] = content
        for path, content in reference_files(stage).items():
            files[templates_dir(stage) / path] = stub_exercises(path, content, stage)
    return files


def write_all() -> list[Path]:
    """Write what differs and remove template files that no reference file makes any more."""
    for stage in STAGE_FILES:
        if strays := stray_files(stage):
            raise GenerationError(
                f"productionizing/stage{stage} holds {', '.join(strays)}: neither stage "
                f"{stage}'s own (kit/generate.py, STAGE_FILES) nor carried from an earlier stage"
            )
    expected = derived_files()
    written = []
    for path, content in expected.items():
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written.append(path)
    for stage in STAGE_FILES:
        for relative in _tree(templates_dir(stage)):
            if templates_dir(stage) / relative not in expected:
                (templates_dir(stage) / relative).unlink()
                written.append(templates_dir(stage) / relative)
        _remove_empty_folders(templates_dir(stage))
    return written


def _remove_empty_folders(folder: Path) -> None:
    for parent, _, _ in sorted(os.walk(folder), key=lambda each: -len(each[0])):
        if Path(parent) != folder and not any(Path(parent).iterdir()):
            shutil.rmtree(parent)
