"""``python -m kit doctor``: is this machine ready for the workshop day?

One line per check; for each problem, the fix. Run it before the day: it needs no network.
Standard library only, so it works before (and despite) a broken set-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kit.background import ServerDidNotStart, running_server
from kit.browser import INSTALL_CHROMIUM, find_chromium
from kit.errors import KitError
from kit.link import KERNEL_NAME, find_kernels, kit_imported_by
from kit.paths import LOCK, ROOT, venv_python
from kit.ports import free_port, port_is_free, well_known
from kit.python_version import is_supported, supported_range, version_text
from kit.room.learner import joined_room, take_seat

WORKSHOP_SERVERS = {"lab": "JupyterLab", "serve": "make serve"}
MINIMUM_FREE_DISK_GB = 2
PARTIAL_WITHOUT_ENGINE = (
    "stage 4 exercise 6's image will be NOT CHECKED in an engine (its command runs locally)"
)


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""
    required: bool = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skip-lab", action="store_true", help="do not start JupyterLab to see that it works"
    )


def run(args: argparse.Namespace) -> int:
    checks: list[Callable[[], Finding]] = [
        check_python,
        check_venv_matches_lock,
        check_kernel,
        check_no_user_level_kernel,
        *([] if args.skip_lab else [check_lab_starts]),
        *(lambda name=name: check_port(name) for name in WORKSHOP_SERVERS),
        check_object_store_starts,
        check_disk,
        check_container_engine,
        check_browser,
        check_joined_room,
    ]
    findings = [check() for check in checks]
    for finding in findings:
        status = "ok  " if finding.ok else ("FAIL" if finding.required else "note")
        print(f"{status}  {finding.what}" + (f"\n      fix: {finding.fix}" if finding.fix else ""))
    failures = sum(not finding.ok and finding.required for finding in findings)
    notes = sum(not finding.ok and not finding.required for finding in findings)
    if failures:
        print(f"{failures} problem(s) to fix first.")
    elif notes:
        print(f"Ready for the workshop, with {notes} note(s) above: some checks will be partial.")
    else:
        print("Ready for the workshop.")
    return 1 if failures else 0


def check_python() -> Finding:
    found = version_text(sys.version_info)
    if is_supported(sys.version_info):
        return Finding(True, f"Python {found} ({sys.executable})")
    return Finding(
        False, f"Python {found} is not one the kit supports", f"install Python {supported_range()}"
    )


def check_venv_matches_lock() -> Finding:
    if not venv_python().exists():
        return Finding(False, "no .venv yet", "run `make setup`")
    installed = _venv_json(
        "import importlib.metadata as m, json, re;"
        "print(json.dumps({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(): d.version"
        " for d in m.distributions()}))"
    )
    wrong = [
        f"{name} {installed.get(name, 'missing')} (lock: {version})"
        for name, version in _locked_versions().items()
        if installed.get(name) != version
    ]
    if wrong:
        shown = ", ".join(wrong[:3]) + (f" and {len(wrong) - 3} more" if len(wrong) > 3 else "")
        return Finding(False, f".venv differs from the lock: {shown}", "run `make setup`")
    return Finding(True, f".venv matches requirements.lock ({len(installed)} packages)")


def check_kernel() -> Finding:
    """Which kernel the notebooks get: its name, the Python it starts, and whose kit it imports."""
    if not venv_python().exists():
        return Finding(False, "Jupyter kernel: no .venv yet", "run `make setup`")
    kernel = find_kernels(venv_python()).chosen
    if kernel is None:
        return Finding(
            False, f"Jupyter kernel '{KERNEL_NAME}' is not registered", "run `make setup`"
        )
    clone = kit_imported_by(kernel.python)
    gets = f"Jupyter kernel '{KERNEL_NAME}' for the notebooks runs {kernel.python}"
    if clone != ROOT:
        return Finding(
            False,
            f"{gets}, with {f'the kit of {clone}' if clone else 'no kit'}, not this clone's",
            f"run `make setup`; if this stays, Jupyter finds {kernel.spec_dir} before .venv's "
            "own kernel: remove that folder (or the JUPYTER_PATH entry that leads to it)",
        )
    return Finding(True, f"{gets}, with this clone's kit ({ROOT})")


def check_no_user_level_kernel() -> Finding:
    """A kernel of the kit's name in the user's Jupyter folder, left there by older versions.

    This kit's Lab prefers the kernel inside ``.venv``, but another Jupyter (a system-wide Lab,
    an editor's) would start that one, which may run another clone's kit.
    """
    if not venv_python().exists():
        return Finding(
            False,
            "user-level kernels: not checked (no .venv yet)",
            "run `make setup`",
            required=False,
        )
    old = find_kernels(venv_python()).user_level
    if old is None:
        return Finding(True, f"no user-level kernel '{KERNEL_NAME}' to shadow this clone's")
    return Finding(
        False,
        f"user-level kernel '{KERNEL_NAME}' from an older kit version: {old.spec_dir} runs "
        f"{old.python} (this clone's Lab ignores it; another Jupyter would use it)",
        f"remove it: {_remove_folder_command(old.spec_dir)}",
        required=False,
    )


def check_lab_starts() -> Finding:
    if not venv_python().exists():
        return Finding(False, "JupyterLab: no .venv yet", "run `make setup`")
    port = free_port()
    command = [
        *(str(venv_python()), "-m", "jupyter", "lab", "--no-browser", "--allow-root"),
        *(f"--ServerApp.port={port}", f"--ServerApp.root_dir={ROOT}", "--IdentityProvider.token="),
    ]
    try:
        with running_server(command, f"http://127.0.0.1:{port}/api/status", timeout=60):
            return Finding(True, "JupyterLab starts and answers")
    except ServerDidNotStart as error:
        return Finding(
            False, f"JupyterLab did not start: {error}", "run `python3 -m kit setup --force`"
        )


def check_object_store_starts() -> Finding:
    """Stage 5 pushes to a local S3 store: moto's server must start and take a bucket."""
    from kit.object_store import running_object_store

    if not venv_python().exists():
        return Finding(False, "object store: no .venv yet", "run `make setup`")
    try:
        with running_object_store(python=str(venv_python())) as store:
            return Finding(True, f"the object store (moto's S3 server) starts ({store.bucket})")
    except (ServerDidNotStart, OSError) as error:
        return Finding(
            False, f"the object store did not start: {error}", "run `python3 -m kit setup --force`"
        )


def check_port(server: str) -> Finding:
    """The port ``server`` will really use (``KIT_PORTS`` moves it) is free."""
    port, user = well_known(server), WORKSHOP_SERVERS[server]
    if port_is_free(port):
        return Finding(True, f"port {port} is free ({user})")
    return Finding(
        False,
        f"port {port} ({user}) is in use",
        f"stop what uses it, or pick another: e.g. `make serve PORT={port + 1}`",
        required=False,
    )


def check_disk() -> Finding:
    free_gb = shutil.disk_usage(ROOT).free / 1e9
    if free_gb >= MINIMUM_FREE_DISK_GB:
        return Finding(True, f"{free_gb:.0f} GB free on the kit's disk")
    return Finding(
        False,
        f"only {free_gb:.1f} GB free on the kit's disk",
        f"free at least {MINIMUM_FREE_DISK_GB} GB (the environment takes about 0.7 GB)",
    )


def check_joined_room() -> Finding:
    """A room joined with `make join` must answer and still know this laptop's nickname, or it
    would refuse every check. A restarted room has forgotten every nickname: asking for the
    seat again with the saved token takes it back."""
    joined = joined_room()
    if joined is None:
        return Finding(True, "not in a room (`make join` on the day, if your instructor runs one)")
    try:
        status = take_seat(joined, timeout=3)
    except KitError as error:
        return Finding(
            False,
            f"the room you joined does not take you back: {error}",
            "is it open? (`make room` on the instructor's laptop) If it says what to change, "
            "`make join` again with that; else `make leave`.",
            required=False,
        )
    knows = "knows you" if status == "welcomed back" else "had forgotten you and took you back"
    return Finding(True, f"the room at {joined['room']} {knows} as {joined['nickname']!r}")


def check_container_engine() -> Finding:
    if shutil.which("docker") is None:
        return Finding(
            False,
            f"no container engine: {PARTIAL_WITHOUT_ENGINE}",
            "optional: install Docker Desktop (macOS, Windows) or Docker Engine (Linux)",
            required=False,
        )
    answer = subprocess.run(["docker", "info"], capture_output=True, text=True)
    if answer.returncode != 0:
        return Finding(
            False,
            f"docker is installed but its engine does not answer: {PARTIAL_WITHOUT_ENGINE}",
            "optional: start Docker Desktop (or `sudo systemctl start docker`)",
            required=False,
        )
    return Finding(True, "a container engine answers (docker info)")


def check_browser() -> Finding:
    found = find_chromium()
    if found is None:
        return Finding(
            False,
            "no Chromium or Chrome: stage 7 exercise 4's check of the report in a browser will "
            "be NOT CHECKED, and the decks' tests with it",
            INSTALL_CHROMIUM,
            required=False,
        )
    if not _venv_has("playwright"):
        return Finding(
            False,
            f"a browser ({found}), but no Playwright in .venv to drive it: stage 7 exercise 4's "
            "check of the report in a browser will be NOT CHECKED",
            "optional: `make setup MAINTAINER=1` adds it (with the kit's other own tools)",
            required=False,
        )
    return Finding(True, f"a browser for stage 7's report check ({found})")


def _venv_has(module: str) -> bool:
    """Whether ``.venv`` can import ``module`` (this command runs outside it)."""
    code = f"import importlib.util; print(importlib.util.find_spec({module!r}) is not None)"
    answer = subprocess.run([str(venv_python()), "-c", code], capture_output=True, text=True)
    return answer.stdout.strip() == "True"


def _remove_folder_command(folder: Path) -> str:
    if os.name == "nt":
        return f'`Remove-Item -Recurse "{folder}"` (PowerShell)'
    return f"`rm -r '{folder}'`"


def _locked_versions() -> dict[str, str]:
    """The lock's pins that apply to this machine, its markers evaluated by ``.venv``'s Python
    (this command runs on the standard library alone; ``packaging`` is in ``.venv``)."""
    return _venv_json(
        "import json, re, sys; from packaging.requirements import Requirement;"
        "lines = [line.split('#')[0].strip() for line in open(sys.argv[1], encoding='utf-8')];"
        "pins = [Requirement(line) for line in lines if line];"
        "print(json.dumps({re.sub(r'[-_.]+', '-', pin.name).lower(): str(pin.specifier)[2:]"
        " for pin in pins if pin.marker is None or pin.marker.evaluate()}))",
        str(LOCK),
    )


def _venv_json(code: str, *arguments: str) -> dict:
    command = [str(venv_python()), "-c", code, *arguments]
    answer = subprocess.run(command, capture_output=True, text=True)
    return json.loads(answer.stdout) if answer.returncode == 0 else {}
