"""Entry point of ``python -m kit``: refuse an unsuitable Python before anything else runs."""

import sys

MINIMUM_PYTHON = (3, 11)

if sys.version_info < MINIMUM_PYTHON:
    found = ".".join(str(part) for part in sys.version_info[:3])
    needed = ".".join(str(part) for part in MINIMUM_PYTHON)
    sys.stderr.write(
        f"kit: found Python {found} at {sys.executable}; the kit needs Python {needed} or newer. "
        f"Install one, then run: make setup PYTHON=python{needed}\n"
    )
    sys.exit(2)

from kit.cli import main  # noqa: E402  (only after the version check above)

sys.exit(main())
