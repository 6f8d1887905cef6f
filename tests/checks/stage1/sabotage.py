"""Break a copy of the stage 1 reference in a way the check must notice."""

from pathlib import Path

EXERCISE = 2
"""The exercise whose check must catch the sabotage."""


def sabotage(copy: Path) -> str:
    """Let bad input end in a traceback instead of exit status 2 and one line."""
    cli = copy / "iris_model" / "cli.py"
    source = cli.read_text(encoding="utf-8")
    handled = '        log.error("%s", error)\n        return 2\n'
    if handled not in source:
        raise ValueError(f"{cli} no longer handles errors as sabotage expects: update sabotage.py")
    cli.write_text(source.replace(handled, "        raise\n"), encoding="utf-8")
    return "iris_model/cli.py re-raises input errors (a traceback, exit status 1) instead of exit 2"
