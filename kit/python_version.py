"""The Pythons the kit supports: the one source of the range.

The floor is the pinned stack's (numpy 2.4 and pandas 3.1 need 3.11; soupsieve, which
JupyterLab brings, needs 3.11.5); the ceiling is the newest Python the lock is proven on
(``make lock`` resolves it for every platform and each of ``LOCKED_PYTHONS``). The README,
environment.yml, the Makefile and every stage's ``requires-python`` are tested against it.

Written so that even a very old Python can run it and say so in one line.
"""

import sys

MINIMUM_PYTHON = (3, 11, 5)
NEWEST_PYTHON = (3, 14)
REQUIRES_PYTHON = ">=3.11.5"
"""The stages' ``requires-python``: no ceiling, as packaging advises; the kit's check has one."""
LOCKED_PYTHONS = tuple(
    [".".join(map(str, MINIMUM_PYTHON))]
    + ["3.%d" % minor for minor in range(MINIMUM_PYTHON[1] + 1, NEWEST_PYTHON[1] + 1)]
)
"""The Pythons the lock is resolved for: the floor, then every newer minor up to the ceiling."""


def version_text(version):
    return ".".join(str(part) for part in version[:3])


def supported_range():
    """``3.11.5 to 3.14``, as the README and the kit's messages say it."""
    return "%s to %s" % (version_text(MINIMUM_PYTHON), version_text(NEWEST_PYTHON))


def is_supported(version):
    """True for a Python within the range: 3.11.5 or newer, no newer than 3.14.x."""
    return tuple(version[:3]) >= MINIMUM_PYTHON and tuple(version[:2]) <= NEWEST_PYTHON


def refuse_unsupported_python():
    """Exit with one line that says what was found and what is needed, never a traceback."""
    if not is_supported(sys.version_info):
        sys.stderr.write(
            "kit: found Python %s at %s; the kit needs Python %s. Install one, then "
            "run: make setup PYTHON=python%s\n"
            % (
                version_text(sys.version_info),
                sys.executable,
                supported_range(),
                version_text(NEWEST_PYTHON if sys.version_info[:2] > NEWEST_PYTHON else (3, 12)),
            )
        )
        sys.exit(2)
