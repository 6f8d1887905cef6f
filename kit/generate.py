"""``python -m kit generate``: every derived file of the kit, made again from its one source.

A maintainer writes a stage's lesson by hand; everything else is made from it here, and the
suite fails, naming the file, when a committed copy differs from what this module makes
(tests/test_generated.py, tests/test_notebooks.py):

- **carried files**: what a stage takes unchanged from the stage it builds on (its
  ``carries`` in ``kit/stages.py``) is copied into its folder, so each stage folder still
  builds and runs on its own;
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
versions. In Markdown the marker is an HTML comment (``<!-- Stage 6, exercise 4: ... -->``,
invisible where the page is rendered, where a ``#`` line would be a heading) and the answer is
the paragraph under it. The stage names itself in the marker, so a carried copy of stage 3's code in
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
from dataclasses import dataclass
from pathlib import Path

from kit import stages
from kit.paths import ROOT, reference_dir, stage_files, templates_dir

MARKER = re.compile(
    r"^(?P<indent>[ \t]*)(?P<opening>#|<!--) Stage (?P<stage>\d+), exercise (?P<number>\d+): "
)
HTML_COMMENT, HTML_COMMENT_END = "<!--", "-->"
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
    for path, content in files_of(reference_dir(stage)).items():
        if path not in files:
            files[path] = content
    return dict(sorted(files.items()))


def template_files(stage: int) -> dict[str, bytes]:
    """``exercises/stageN`` as it should be: the reference with stage N's exercises stubbed."""
    return {
        path: stub_exercises(path, content, stage)
        for path, content in reference_files(stage).items()
    }


def finished_files(stage: int) -> dict[str, bytes]:
    """A learner's stage folder once every exercise is answered as the reference answers it:
    the templates with each stub replaced by its answer (the README and pyproject.toml stay
    the start state's). The suite plants its mistakes here, where the learner makes them."""
    files = reference_files(stage)
    every_exercise = {
        block.number
        for path, content in files.items()
        for block in exercise_blocks(path, content.decode("utf-8", "surrogateescape"), stage)
    }
    return {
        path: stub_exercises(path, content, stage, done=every_exercise)
        for path, content in files.items()
    }


def stray_files(stage: int) -> list[str]:
    """Files of the reference folder that are neither the stage's own nor carried."""
    carried = carried_files(stage)
    own = stages.get(stage).own
    return [
        path
        for path in files_of(reference_dir(stage))
        if path not in carried and not _matches(path, own)
    ]


def carried_files(stage: int) -> dict[str, bytes]:
    """What stage ``stage`` carries, as made from its sources (``{relative path: content}``)."""
    return dict(_carried(stage))


def _carried(stage: int) -> Iterator[tuple[str, bytes]]:
    layout = stages.get(stage)
    for carry in layout.carries:
        source = ROOT / carry.source
        earlier = _earlier_stage(carry.source)
        files = reference_files(earlier) if earlier else files_of(source)
        if earlier and source != reference_dir(earlier):
            prefix = source.relative_to(reference_dir(earlier)).as_posix() + "/"
            files = {p.removeprefix(prefix): c for p, c in files.items() if p.startswith(prefix)}
        for path, content in files.items():
            taken = _matches(path, carry.only) if carry.only else not _matches(path, layout.own)
            if taken:
                yield "/".join(filter(None, [carry.into, path])), content


def source_of(stage: int, path: str) -> str:
    """Where the file ``path`` of stage ``stage``'s reference is written by hand: the stage's
    own file, or for a carried one the file it is carried from, followed back to its origin
    (stage 7's ``src/iris_model/data.py`` is stage 2's)."""
    layout = stages.get(stage)
    for carry in layout.carries:
        if carry.into and not path.startswith(f"{carry.into}/"):
            continue
        inner = path.removeprefix(f"{carry.into}/") if carry.into else path
        taken = _matches(inner, carry.only) if carry.only else not _matches(inner, layout.own)
        source = f"{carry.source}/{inner}"
        if not taken or not (ROOT / source).is_file():
            continue
        earlier = _earlier_stage(source)
        if earlier is None:
            return source
        return source_of(earlier, source.removeprefix(f"productionizing/stage{earlier}/"))
    return f"productionizing/stage{stage}/{path}"


def _earlier_stage(source: str) -> int | None:
    """The stage whose reference holds ``source``: its carried files are made, not read."""
    match = re.fullmatch(r"productionizing/stage(\d+)(/.*)?", source)
    return int(match[1]) if match else None


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def files_of(folder: Path) -> dict[str, bytes]:
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
        if path.endswith(".md") and match["opening"] != HTML_COMMENT:
            raise GenerationError(
                f"{path}, line {index + 1}: in Markdown an exercise marker is an HTML comment "
                f"({HTML_COMMENT} Stage {stage}, exercise {match['number']}: ... "
                f"{HTML_COMMENT_END}); a line starting with # is a heading"
            )
        comment_end = _comment_block_end(lines, index, match["opening"])
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
    """``# Stage 3, exercise 2: …`` becomes ``# TODO Exercise 2: …`` (``<!-- …`` alike)."""
    return MARKER.sub(
        lambda match: f"{match['indent']}{match['opening']} TODO Exercise {number}: ", line
    )


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
    return line.lstrip().startswith(("#", HTML_COMMENT))


def _comment_block_end(lines: list[str], start: int, opening: str) -> int:
    """The index after the marker's comment: the marker line and the comment lines under it,
    or for an HTML comment every line up to the one that closes it."""
    if opening == HTML_COMMENT:
        end = start
        while end < len(lines) - 1 and HTML_COMMENT_END not in lines[end]:
            end += 1
        return end + 1
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


# --- the README's stage table -----------------------------------------------------------

README = ROOT / "README.md"
GITATTRIBUTES = ROOT / ".gitattributes"
CARRIED_START = "# The files stages carry (kit/stages.py), listed by `make generate`:"
CARRIED_END = "# End of the carried files."
TABLE_START = "<!-- The stage table is made from kit/stages.py by `make generate`: edit there. -->"
TABLE_END = "<!-- End of the stage table. -->"
NOTHING = "\N{EN DASH}"


def readme_with_stage_table(readme: str) -> str:
    """``readme`` with the text between the table's two markers made from the registry."""
    return _between(readme, TABLE_START, TABLE_END, stage_table(), "README.md")


def gitattributes_with_carried_files(text: str) -> str:
    """``.gitattributes`` with every carried file marked generated, so a review of a change
    shows the source and folds its copies."""
    lines = [
        f"{(reference_dir(stage) / path).relative_to(ROOT).as_posix()} linguist-generated"
        for stage in _stages_with_code()
        for path in carried_files(stage)
    ]
    return _between(text, CARRIED_START, CARRIED_END, "\n".join(lines), ".gitattributes")


def _between(text: str, start: str, end: str, made: str, name: str) -> str:
    """``text`` with what stands between the lines ``start`` and ``end`` replaced by ``made``."""
    before, found_start, rest = text.partition(start)
    _, found_end, after = rest.partition(end)
    if not (found_start and found_end):
        raise GenerationError(
            f"{name} lost a marker of its generated part: put {start!r} and {end!r} around it"
        )
    return f"{before}{start}\n{made}\n{end}{after}"


def stage_table() -> str:
    """The README's stage table, a row per stage of ``kit/stages.py``."""
    header = (
        "| stage | builds on | notebook | solution | reference code | slides | check "
        "| time: class / alone |"
    )
    rows = [header, "|---" * header.count(" | ") + "|---|"]
    rows += [_stage_row(stage) for stage in stages.REGISTRY]
    return "\n".join(rows)


def _stage_row(stage: stages.Stage) -> str:
    day = " (day 2)" if stage.day == 2 else ""
    cells = [
        f"{stage.number} {stage.title}{day}",
        _builds_on(stage),
        _link(f"notebooks/{stage.stem}.ipynb"),
        _link(f"solutions/{stage.stem}.ipynb"),
        _link(f"productionizing/stage{stage.number}")
        if stage.has_code
        else f"{NOTHING} (the notebook is the starting point)",
        _link(f"slides/{stage.stem}.md"),
        _check_cell(stage),
        f"{stage.minutes_in_class} / {stage.minutes_alone} min",
    ]
    return f"| {' | '.join(cells)} |"


def _builds_on(stage: stages.Stage) -> str:
    if stage.builds_on is None:
        return NOTHING
    base = stages.get(stage.builds_on)
    return f"stage {base.number}" + ("" if base.has_code else "'s notebook")


def _check_cell(stage: stages.Stage) -> str:
    how = f"`make check STAGE={stage.number}`" if stage.has_code else "in the notebook"
    needs = " and ".join(stages.NEEDS[need] for need in sorted(stage.needs))
    return f"{how} (all of it with {needs})" if needs else how


def _link(path: str) -> str:
    return f"[{path}]({path})"


# --- writing -----------------------------------------------------------------------------


def derived_files() -> dict[Path, bytes]:
    """Every carried file and every template file, the README with its stage table and
    ``.gitattributes`` with the carried files, by where each belongs."""
    files: dict[Path, bytes] = {
        README: readme_with_stage_table(README.read_text()).encode(),
        GITATTRIBUTES: gitattributes_with_carried_files(GITATTRIBUTES.read_text()).encode(),
    }
    for stage in _stages_with_code():
        for path, content in carried_files(stage).items():
            files[reference_dir(stage) / path] = content
        for path, content in reference_files(stage).items():
            files[templates_dir(stage) / path] = stub_exercises(path, content, stage)
    return files


def write_all() -> list[Path]:
    """Write what differs and remove template files that no reference file makes any more."""
    for stage in _stages_with_code():
        if strays := stray_files(stage):
            raise GenerationError(
                f"productionizing/stage{stage} holds {', '.join(strays)}: neither stage "
                f"{stage}'s own (its `own` in kit/stages.py) nor carried from an earlier stage"
            )
    expected = derived_files()
    written = []
    for path, content in expected.items():
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written.append(path)
    for stage in _stages_with_code():
        for relative in files_of(templates_dir(stage)):
            if templates_dir(stage) / relative not in expected:
                (templates_dir(stage) / relative).unlink()
                written.append(templates_dir(stage) / relative)
        _remove_empty_folders(templates_dir(stage))
    return written


def _stages_with_code() -> list[int]:
    return [stage.number for stage in stages.with_code()]


def _remove_empty_folders(folder: Path) -> None:
    for parent, _, _ in sorted(os.walk(folder), key=lambda each: -len(each[0])):
        if Path(parent) != folder and not any(Path(parent).iterdir()):
            shutil.rmtree(parent)
