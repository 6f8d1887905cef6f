"""The Python the kit needs: the pinned stack (numpy 2.4, pandas 3.1) requires 3.11 or newer.

Written so that even a very old Python can run it and say so in one line.
"""

import sys

MINIMUM_PYTHON = (3, 11)


def version_text(version):
    return ".".join(str(part) for part in version[:3])


def refuse_unsupported_python():
    """Exit with one line that says what was found and what is needed, never a traceback."""
    if sys.version_info < MINIMUM_PYTHON:
        needed = version_text(MINIMUM_PYTHON)
        sys.stderr.write(
            "kit: found Python %s at %s; the kit needs Python %s or newer. Install one, then "
            "run: make setup PYTHON=python%s\n"
            % (version_text(sys.version_info), sys.executable, needed, needed)
        )
        sys.exit(2)
