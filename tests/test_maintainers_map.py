"""docs/maintainers.md's map of ``kit/`` names every module, so a newcomer finds each one."""

from __future__ import annotations

import re

import pytest

from kit.paths import ROOT

MAINTAINERS = ROOT / "docs" / "maintainers.md"
MAP_HEADING = "## `kit/`, a map"
PACKAGE_FILES = {"__init__.py", "__main__.py"}


def _map_section() -> str:
    text = MAINTAINERS.read_text(encoding="utf-8")
    section = text.partition(MAP_HEADING)[2]
    return re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]


def _mapped(section: str) -> set[str]:
    """Modules the map names: a command in its first paragraph (`check`), or a row (`check.py`)."""
    named = set(re.findall(r"`([a-z_]+)(?:\.py)?`", section))
    return {f"{name}.py" for name in named}


@pytest.mark.parametrize(
    "module",
    sorted(path.name for path in (ROOT / "kit").glob("*.py") if path.name not in PACKAGE_FILES),
)
def test_every_kit_module_is_in_the_maintainers_map(module):
    section = _map_section()
    assert section, f"docs/maintainers.md lost its heading {MAP_HEADING!r}"
    assert module in _mapped(section), (
        f"kit/{module} is not in docs/maintainers.md's map of kit/: add the row "
        f"'| `{module}` | what it is for, and why it is a module of its own |' to the table "
        f"under {MAP_HEADING!r} (or its name to the list of commands above the table, if it "
        "is one)"
    )
