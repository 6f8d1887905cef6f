"""Run the command line: ``python -m iris_model <step> ...``."""

import sys

from iris_model.cli import main

sys.exit(main())
