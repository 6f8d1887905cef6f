"""Results kept for one run of the kit's own suite (``KIT_SUITE_CACHE``): check reports, models.

The suite runs the same check on the same files more than once: its own tests check the
reference and the templates, and the notebooks call ``kit.check`` on a workspace holding the
same files. A report depends only on the check's code and the files it checks, so it is kept
under a digest of both and read back the second time; a check of some exercises only (``make
check STAGE=1 EXERCISE=3``, as the README shows) is cut from a kept whole one. Likewise the
stage 4 model, which the notebooks, the stage 4 check, ``kit serve``, ``kit bench`` and the
image tests each train from the same code and data (``kit.image.train_locally``): it is trained
once and copied after that.
Learners never set the variable: everything they run, runs. The suite's cache lives in a
temporary folder, removed when the suite ends.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock; two processes may then do the same work
    fcntl = None

from kit import stages
from kit.check_result import with_what_they_need
from kit.paths import ROOT, check_dir, stage_files

VARIABLE = "KIT_SUITE_CACHE"
CHECK_CODE = [ROOT / "kit" / "check_plugin.py", ROOT / "kit" / "check.py"]


def report_file(stage: int, target: Path, exercises: Sequence[int]) -> Path | None:
    """Where this check's report of these files is kept, or None outside the kit's suite."""
    folder = os.environ.get(VARIABLE)
    if not folder:
        return None
    # For a stage whose check builds and runs an image, so is the engine it would use.
    engine = os.environ.get("DOCKER_HOST", "") if "engine" in stages.get(stage).needs else ""
    digest = hashlib.sha256(f"stage {stage}, exercises {sorted(exercises)}, {engine}".encode())
    _add(digest.update, "check", check_dir(stage), stage_files(check_dir(stage)))
    _add(digest.update, "target", target, stage_files(target))
    _add(digest.update, "kit", ROOT, CHECK_CODE)
    return Path(folder) / f"stage{stage}-{digest.hexdigest()[:20]}.json"


def model_folder(source: Path, data: Path) -> Path | None:
    """Where a model trained by the code in ``source`` on ``data`` is kept, or None outside
    the kit's suite."""
    folder = os.environ.get(VARIABLE)
    if not folder:
        return None
    digest = hashlib.sha256(b"trained model")
    _add(digest.update, "source", source, stage_files(source))
    _add(digest.update, "data", data.parent, [data])
    return Path(folder) / f"model-{digest.hexdigest()[:20]}"


@contextmanager
def claimed(path: Path | None) -> Iterator[None]:
    """Hold the lock of ``path`` (a report or a model) while it is read, or made and written.

    Two processes needing the same entry at once (the suite's two workers) then do the work
    once: the second waits for the first's result instead of doing it alongside.
    """
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def read(path: Path | None) -> dict | None:
    """The check's result kept at ``path`` (``kit.check_plugin``'s dict), if any."""
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def read_part(stage: int, target: Path, exercises: Sequence[int]) -> dict | None:
    """The result of a check of some ``exercises`` (which runs the exercises they need too),
    cut from a kept result of the whole check of the same files, if there is one.

    The checks keep their exercises apart (a test belongs to one exercise, and a fixture that
    several share gives each the same value whichever of them run), so an exercise's lines are
    the same in a whole check as in one of it alone. A number the whole check does not have is
    left to the real run, which says what to type instead.
    """
    if not exercises:
        return None
    whole = read(report_file(stage, target, []))
    asked = set(exercises)
    if whole is None or not asked <= {each["number"] for each in whole["exercises"]}:
        return None
    needs = {each["number"]: set(each["needs"]) for each in whole["exercises"]}
    chosen = with_what_they_need(asked, needs)
    part = [each for each in whole["exercises"] if each["number"] in chosen]
    return {**whole, "exercises": part, "only": sorted(asked)}


def write(path: Path | None, result: dict) -> None:
    """Keep a result; written whole, then renamed, so a reader never sees half of one."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.replace(path)


def _add(update: Callable[[bytes], object], label: str, root: Path, paths: Iterable[Path]) -> None:
    """Feed each file's path (relative to ``root``) and content to a digest's ``update``."""
    for path in paths:
        update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
        update(path.read_bytes())
