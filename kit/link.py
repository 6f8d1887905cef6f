"""``python -m kit link``: make an environment you built yourself run the kit's notebooks.

``make setup`` does this for ``.venv``. With conda or Binder, the environment comes from
elsewhere: this puts the kit on its path and registers the kit's Jupyter kernel in it.

The kernel is registered inside the environment (``<prefix>/share/jupyter/kernels``, as
``ipykernel install --sys-prefix`` does), never in the user's Jupyter folder: there one name
serves every clone of the kit, and the clone set up last would run the notebooks of all others.
The Lab of an environment finds the kernels inside it, so each clone's Lab runs its own kit.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kit.paths import ROOT

KERNEL_NAME = "ml-production-kit"
KERNEL_DISPLAY_NAME = "Python (ML to production kit)"

# Run by the environment's own Python: which kernel its Jupyter picks for KERNEL_NAME, and
# whether the user's Jupyter folder also holds one (registered there by older kit versions).
_FIND_KERNELS = """\
import json, os, sys
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.paths import jupyter_data_dir
try:
    spec = KernelSpecManager().get_kernel_spec(sys.argv[1])
    chosen = {"spec_dir": spec.resource_dir, "python": spec.argv[0]}
except NoSuchKernel:
    chosen = None
user_spec_dir = os.path.join(jupyter_data_dir(), "kernels", sys.argv[1])
print(json.dumps({"chosen": chosen, "user_spec_dir": user_spec_dir}))
"""


@dataclass(frozen=True)
class Kernel:
    """A registered kernel: the folder of its ``kernel.json`` and the Python it starts."""

    spec_dir: Path
    python: Path


@dataclass(frozen=True)
class KernelLookup:
    """What an environment's Jupyter finds for the kit's kernel name."""

    chosen: Kernel | None
    """The kernel a notebook of the kit gets, if any."""
    user_level: Kernel | None
    """A kernel of that name in the user's Jupyter folder (older kit versions put it there)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command takes no options: it links the Python that runs it."""


def run(args: argparse.Namespace) -> int:
    link_environment(Path(sys.executable))
    print(f"kit link: {sys.executable} now runs the kit's notebooks as kernel '{KERNEL_NAME}'.")
    return 0


def kernel_spec_file(prefix: Path) -> Path:
    """Where ``ipykernel install --sys-prefix`` puts the kit's kernel in environment ``prefix``."""
    return prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"


def link_environment(python: Path) -> None:
    """Make ``import kit`` work in ``python``'s environment and register it as a kernel there."""
    site_packages = _ask(python, "import sysconfig; print(sysconfig.get_path('purelib'))")
    (Path(site_packages) / "ml_production_kit.pth").write_text(f"{ROOT}\n")
    subprocess.run(
        [
            *(str(python), "-m", "ipykernel", "install", "--sys-prefix"),
            *("--name", KERNEL_NAME, "--display-name", KERNEL_DISPLAY_NAME),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def find_kernels(python: Path) -> KernelLookup:
    """The kit's kernel as the Jupyter of ``python``'s environment finds it."""
    found = json.loads(_ask(python, _FIND_KERNELS, KERNEL_NAME))
    chosen = found["chosen"]
    return KernelLookup(
        chosen=Kernel(Path(chosen["spec_dir"]), Path(chosen["python"])) if chosen else None,
        user_level=_read_kernel(Path(found["user_spec_dir"])),
    )


def kit_imported_by(python: Path) -> Path | None:
    """The clone of the kit whose ``kit`` ``python`` imports (as a kernel would), if any.

    ``-I`` keeps the current folder off the path: a kernel imports the kit through the
    environment's ``.pth`` file, not because it happens to start in the kit's folder.
    """
    where = "import kit, pathlib; print(pathlib.Path(kit.__file__).parent.parent)"
    try:
        answer = subprocess.run([str(python), "-I", "-c", where], capture_output=True, text=True)
    except OSError:  # that Python is gone (a deleted clone or environment)
        return None
    return Path(answer.stdout.strip()) if answer.returncode == 0 else None


def _read_kernel(spec_dir: Path) -> Kernel | None:
    try:
        argv = json.loads((spec_dir / "kernel.json").read_text())["argv"]
    except (OSError, ValueError, KeyError):
        return None
    return Kernel(spec_dir, Path(argv[0]))


def _ask(python: Path, code: str, *arguments: str) -> str:
    """What ``python -c code arguments…`` prints."""
    return subprocess.run(
        [str(python), "-c", code, *arguments], capture_output=True, text=True, check=True
    ).stdout.strip()
