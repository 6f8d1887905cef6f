"""``python -m kit link``: make an environment you built yourself run the kit's notebooks.

``make setup`` does this for ``.venv``. With conda, Binder or a devcontainer, the environment
comes from elsewhere: this puts the kit on its path and registers it as the kit's Jupyter kernel.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from kit.paths import ROOT

KERNEL_NAME = "ml-production-kit"
KERNEL_DISPLAY_NAME = "Python (ML to production kit)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command takes no options: it links the Python that runs it."""


def run(args: argparse.Namespace) -> int:
    link_environment(Path(sys.executable))
    print(f"kit link: {sys.executable} now runs the kit's notebooks as kernel '{KERNEL_NAME}'.")
    return 0


def kernel_python(python: Path) -> str | None:
    """The Python that kernel ``KERNEL_NAME`` starts, as ``python``'s Jupyter finds it, if any.

    Kernels are registered per user, not per folder: a second clone of the kit (or a CI run
    from one) takes the name over, and this kit's notebooks would then run in the other one.
    """
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import sys; from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel\n"
            "try: print(KernelSpecManager().get_kernel_spec(sys.argv[1]).argv[0])\n"
            "except NoSuchKernel: pass",
            KERNEL_NAME,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return found or None


def link_environment(python: Path) -> None:
    """Make ``import kit`` work in ``python``'s environment and register it as a kernel."""
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site_packages) / "ml_production_kit.pth").write_text(f"{ROOT}\n")
    subprocess.run(
        [
            *(str(python), "-m", "ipykernel", "install", "--user"),
            *("--name", KERNEL_NAME, "--display-name", KERNEL_DISPLAY_NAME),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
