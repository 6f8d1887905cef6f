"""The Python the kit needs: the pinned stack (numpy 2.4, pandas 3.1) requires 3.11 or newer."""

import sys

MINIMUM_PYTHON = (3, 11)


def version_text(version: tuple) -> str:
    return ".".join(str(part) for part in version[:3])


def refuse_unsupported_python() -> None:
    """Exit with one line that says what was found and what is needed, never a traceback."""
    if sys.version_info < MINIMUM_PYTHON:
        needed = version_text(MINIMUM_PYTHON)
        sys.stderr.write(
            f"kit: found Python {version_text(sys.version_info)} at {sys.executable}; the kit "
            f"needs Python {needed} or newer. Install one, then run: "
            f"make setup PYTHON=python{needed}\n"
        )
        sys.exit(2)
