"""The kit's suite: isolated from the learner's workspace and from the network.

At the top of the kit, so it applies to every pytest run from here, also `pytest solutions/…`.

- ``KIT_WORKSPACE`` points to a temporary folder, so notebooks and checks never touch
  ``workspace/``.
- Outbound network is blocked here and in every Python process the suite starts.
- Learner notebooks run in nbval's lax mode (they ship without outputs); solutions run strict.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kit import check_cache
from kit.paths import ROOT

NETGUARD = ROOT / "tests" / "netguard"
LEARNER_NOTEBOOKS = ROOT / "notebooks"

# The stage checks run against a target (kit/checks.py), never as part of the suite.
collect_ignore = ["tests/checks", "tests/netguard"]


def pytest_configure(config: pytest.Config) -> None:
    scratch = tempfile.mkdtemp(prefix="kit-test-workspace-")
    config.stash[_SCRATCH] = scratch
    os.environ["KIT_WORKSPACE"] = scratch
    # One folder for the whole run, made by the first process (pytest-xdist's controller):
    # the workers and the notebooks' kernels inherit it. See kit/check_cache.py.
    os.environ.setdefault(check_cache.VARIABLE, str(Path(scratch, "check-reports")))
    os.environ["KIT_BLOCK_NETWORK"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(NETGUARD), os.environ.get("PYTHONPATH")])
    )
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    _guard_this_process()


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash[_SCRATCH], ignore_errors=True)


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Compare stored outputs for solutions only: learner notebooks ship without them."""
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb" and path.is_relative_to(LEARNER_NOTEBOOKS):
        collector.compare_outputs = False


def _guard_this_process() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kit_netguard", NETGUARD / "sitecustomize.py")
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)


_SCRATCH = pytest.StashKey[str]()
