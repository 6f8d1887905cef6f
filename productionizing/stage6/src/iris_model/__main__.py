"""Run the command line as ``python -m iris_model <step> ...`` (same as ``iris-model``)."""

import sys

from iris_model.cli import main

sys.exit(main())
