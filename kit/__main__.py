"""Entry point of ``python -m kit``: refuse an unsuitable Python before anything else runs."""

import sys

from kit.python_version import refuse_unsupported_python

refuse_unsupported_python()

from kit.cli import main  # noqa: E402  (only once the Python is known to be suitable)

sys.exit(main())
