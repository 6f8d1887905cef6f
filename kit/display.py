"""Paths as a learner reads them: short, and the same on every machine."""

from __future__ import annotations

from pathlib import Path

from kit.paths import ROOT, workspace_dir


def display_path(path: Path) -> str:
    """``workspace/stage1`` or ``productionizing/stage1`` rather than an absolute path."""
    path = Path(path).resolve()
    for base, label in ((workspace_dir().resolve(), "workspace"), (ROOT, "")):
        if path.is_relative_to(base):
            relative = path.relative_to(base).as_posix()
            parts = [part for part in (label, relative) if part and part != "."]
            return "/".join(parts) or "."
    return str(path)
