"""Stage 0's check target: the variables the exploratory notebook's exercises make, in a file.

Stage 0 has no folder of code: its exercises are cells of
``notebooks/00_exploratory_notebook.ipynb``. Its check cell, ``kit.check(0,
namespace=globals())``, saves the variables the exercises name (``ANSWERS``) into
``workspace/stage0/answers.json``, and the stage 0 check reads them from there, as the other
checks read a folder of code; ``make check STAGE=0`` checks what the cell saved last.

JSON, not pickle: the learner can open the file and read what was checked, and loading it
runs no code.
"""

from __future__ import annotations

import json
import numbers
import warnings
from collections.abc import Mapping
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit.paths import NOTEBOOKS, SOLUTIONS

NOTEBOOK = "00_exploratory_notebook.ipynb"
LEARNER_NOTEBOOK = NOTEBOOKS / NOTEBOOK
SOLVED_NOTEBOOK = SOLUTIONS / NOTEBOOK
ANSWERS = ("comparison", "test", "test_accuracy")
"""The variables stage 0's check reads: exercise 2's ``comparison``, exercise 3's ``test``
and ``test_accuracy``."""
FILE = "answers.json"
RAISING_TAGS = {"raises-exception", "learner-raises"}


@dataclass(frozen=True)
class NotData:
    """A variable of a kind the file does not keep (not a DataFrame, not a number)."""

    kind: str


def save(namespace: Mapping[str, object], folder: Path) -> Path:
    """Write the variables of ``ANSWERS`` that ``namespace`` holds into ``folder/answers.json``.

    A variable the notebook has not made yet is left out: the check then names it as missing.
    """
    saved = {name: _entry(namespace[name]) for name in ANSWERS if name in namespace}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    path.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    return path


def load(folder: Path) -> dict[str, object]:
    """The variables saved in ``folder/answers.json``: DataFrames, floats or ``NotData``."""
    path = folder / FILE
    if not path.is_file():
        return {}
    saved = json.loads(path.read_text(encoding="utf-8"))
    return {name: _value(entry) for name, entry in saved.items()}


def _entry(value: object) -> dict:
    if isinstance(value, pd.DataFrame):
        frame = value.to_json(orient="split", double_precision=15, default_handler=str)
        return {"kind": "DataFrame", "frame": json.loads(frame)}
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return {"kind": "number", "number": float(value)}
    return {"kind": type(value).__name__}


def _value(entry: dict) -> object:
    if entry["kind"] == "DataFrame":
        frame = entry["frame"]
        return pd.DataFrame(frame["data"], index=frame["index"], columns=frame["columns"])
    if entry["kind"] == "number":
        return entry["number"]
    return NotData(entry["kind"])


def answers_of_notebook(notebook: Path, folder: Path, edit: tuple[str, str] | None = None) -> Path:
    """``folder``, holding the answers ``notebook``'s code makes (see ``run_notebook``): a
    stage 0 target for the kit's own suite, made without a kernel."""
    save(run_notebook(notebook, edit), folder)
    return folder


def run_notebook(notebook: Path, edit: tuple[str, str] | None = None) -> dict[str, object]:
    """The variables a notebook's code cells make, run in order up to its ``kit.check`` cell.

    How the kit's own suite makes stage 0's targets from the solved and the learner notebook
    without a kernel: the cells run in the notebook's folder (its ``../data`` paths), and a
    cell tagged to raise in the learner notebook may raise, as under nbval. ``edit`` replaces
    its first text by its second in the first cell that holds it (a planted mistake).
    """
    import nbformat  # only the suite reads a notebook here; its import costs seconds (jsonschema)

    notebook_cells = nbformat.read(notebook, as_version=4).cells
    cells = [cell for cell in notebook_cells if cell.cell_type == "code"]
    sources = [cell.source for cell in cells]
    if edit is not None:
        found, replacement = edit
        holding = [index for index, source in enumerate(sources) if found in source]
        if not holding:
            raise ValueError(f"no code cell of {notebook.name} holds {found!r}")
        where = holding[0]
        sources[where] = sources[where].replace(found, replacement, 1)
    namespace: dict[str, object] = {"__name__": "__main__"}
    with warnings.catch_warnings(), chdir(notebook.parent):
        warnings.simplefilter("ignore")  # a kernel shows warnings and goes on
        for number, (cell, source) in enumerate(zip(cells, sources, strict=True)):
            if "kit.check(" in source:
                break
            try:
                exec(compile(source, f"{notebook.name}, code cell {number}", "exec"), namespace)
            except Exception:
                if not RAISING_TAGS & set(cell.metadata.get("tags", [])):
                    raise
    return namespace
