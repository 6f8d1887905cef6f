"""Stage 4 check: gunicorn's config, a non-root image with a health check and an exec-form CMD,
pinned packages, and an image that lints clean and serves."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import requests

from kit.example_flowers import SETOSA
from kit.image import (
    built_image,
    engine_available,
    read_dockerfile,
    serve_in_engine,
    serve_locally,
    train_locally,
)
from kit.native import gunicorn_missing, hadolint_missing
from kit.paths import ROOT
from kit.ports import free_port

CONFIG = pytest.mark.exercise(
    1,
    "gunicorn's address and workers from the environment: address, worker_count",
    hint="the TODOs in gunicorn.conf.py; notebook: 'Exercise 1 — gunicorn reads the environment'; "
    "gunicorn's 'Settings' page (bind, workers)",
)
USER = pytest.mark.exercise(
    2,
    "A non-root user: USER in the runtime stage",
    hint="the TODO in the Dockerfile's runtime stage; notebook: 'Exercises 2, 3, 4 — Who runs it, "
    "how it is checked, what it runs'; Docker's Dockerfile reference, 'USER'",
)
HEALTH = pytest.mark.exercise(
    3,
    "A HEALTHCHECK in exec form, in Python",
    hint="the TODO in the Dockerfile's runtime stage; notebook: the 'Exercises 2, 3, 4' section; "
    "Dockerfile reference, 'HEALTHCHECK'; Python's urllib.request page (urlopen)",
)
COMMAND = pytest.mark.exercise(
    4,
    "The CMD: gunicorn with its config file, in exec form",
    hint="the TODO in the Dockerfile's runtime stage; notebook: the 'Exercises 2, 3, 4' section; "
    "Dockerfile reference, 'CMD' (exec form and shell form)",
)
PINS = pytest.mark.exercise(
    5,
    "Pinned packages: requirements.txt",
    hint="the TODO in requirements.txt; the versions are in the kit's requirements.lock; "
    "notebook: 'Exercise 5 — Pin every package'; pip's 'Requirements File Format'",
)
IMAGE = pytest.mark.exercise(
    6,
    "The image lints clean and serves",
    hint="in your stage 4 folder, run `../../.venv/bin/hadolint Dockerfile` (the kit's .venv "
    "has it) and read its first finding; notebook: "
    "'Exercise 6 — Lint it, then run it' runs the image's CMD here",
    needs=(1, 2, 3, 4, 5),
)

HADOLINT = Path(sys.executable).parent / "hadolint"


@pytest.fixture(scope="session")
def dockerfile(workdir: Path) -> str:
    return (workdir / "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def recipe(workdir: Path):
    """The Dockerfile's final stage (kit.image.Recipe); a failure names what is wrong."""
    return read_dockerfile(workdir / "Dockerfile")


@pytest.fixture(scope="session")
def gunicorn_conf(workdir: Path) -> ModuleType:
    """The copy's gunicorn.conf.py, imported as gunicorn reads it."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", workdir / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def model_dir(workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_locally(workdir, tmp_path_factory.mktemp("trained"))


def _todo(dockerfile: str, number: int) -> None:
    marker = f"TODO Exercise {number}"
    assert marker not in dockerfile, f"expected no '# {marker}' line, got it still there"


@CONFIG
@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "0.0.0.0:8000"),
        ({"PORT": "9000"}, "0.0.0.0:9000"),
        ({"HOST": "127.0.0.1", "PORT": "8123"}, "127.0.0.1:8123"),
    ],
)
def test_the_address_comes_from_host_and_port(gunicorn_conf, environ, expected):
    got = gunicorn_conf.address(environ)
    assert got == expected, f"expected address({environ}) = {expected!r}, got {got!r}"


@CONFIG
@pytest.mark.parametrize(
    ("environ", "expected"), [({"WEB_CONCURRENCY": "3"}, 3), ({}, os.cpu_count() or 1)]
)
def test_the_workers_come_from_web_concurrency(gunicorn_conf, environ, expected):
    got = gunicorn_conf.worker_count(environ)
    assert got == expected, f"expected worker_count({environ}) = {expected!r}, got {got!r}"


@CONFIG
def test_gunicorn_binds_and_forks_as_the_two_functions_say(workdir, monkeypatch):
    """gunicorn reads the module's ``bind`` and ``workers``: they must be what ``address`` and
    ``worker_count`` make of the environment gunicorn starts in."""
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    spec = importlib.util.spec_from_file_location("gunicorn_conf", workdir / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    settings = {"bind": getattr(module, "bind", None), "workers": getattr(module, "workers", None)}
    expected = {"bind": "127.0.0.1:9123", "workers": 3}
    assert settings == expected, (
        f"expected gunicorn.conf.py's settings {expected} with HOST=127.0.0.1, PORT=9123 and "
        f"WEB_CONCURRENCY=3, got {settings}: bind and workers come from address and worker_count"
    )


@USER
def test_the_service_runs_as_a_numeric_non_root_user(dockerfile, recipe):
    _todo(dockerfile, 2)
    user = recipe.user.split(":")[0]
    assert user.isdigit(), f"expected a numeric USER such as 10001:10001, got {recipe.user!r}"
    assert int(user) != 0, f"expected a user other than root (0), got {recipe.user!r}"


@HEALTH
def test_the_healthcheck_asks_health_in_python(dockerfile, recipe):
    _todo(dockerfile, 3)
    assert "HEALTHCHECK" not in recipe.not_exec_form, recipe.not_exec_form.get("HEALTHCHECK")
    assert recipe.healthcheck, "expected a HEALTHCHECK with CMD in exec form, got none"
    assert recipe.healthcheck[0].startswith("python"), (
        f"expected the health check to run python, got {recipe.healthcheck[0]!r}"
    )
    assert "/health" in " ".join(recipe.healthcheck), "expected it to ask /health, got no /health"
    assert "PORT" in " ".join(recipe.healthcheck), (
        "expected the health check to ask the port the server listens on (the PORT variable), "
        "got a fixed address: with PORT=9000 it would report a healthy server as unhealthy"
    )


@COMMAND
def test_the_cmd_runs_gunicorn_with_the_copied_config(dockerfile, recipe):
    _todo(dockerfile, 4)
    assert "CMD" not in recipe.not_exec_form, (
        f"{recipe.not_exec_form.get('CMD')}: the shell form puts a shell in front of gunicorn, "
        "which does not pass on the stop signal"
    )
    assert recipe.cmd[:1] == ["gunicorn"], f"expected CMD to start gunicorn, got {recipe.cmd}"
    configs = [word for word in recipe.cmd if word in recipe.copies]
    assert configs, f"expected CMD to name a file the Dockerfile copies in, got {recipe.cmd}"


@PINS
def test_every_package_is_pinned_to_the_kits_version(workdir):
    locked = _versions((ROOT / "requirements.lock").read_text())
    wanted = [line.strip() for line in (workdir / "requirements.txt").read_text().splitlines()]
    wanted = [line for line in wanted if line and not line.startswith(("#", "-"))]
    loose = [line for line in wanted if "==" not in line]
    assert not loose, f"expected name==version on every line, got {len(loose)} without: {loose[:3]}"
    pinned = _versions("\n".join(wanted))
    moved = {name: v for name, v in pinned.items() if name in locked and locked[name] != v}
    assert not moved, f"expected the lock's versions, got others: {moved}"


def _versions(text: str) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", text, flags=re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


@IMAGE
def test_hadolint_is_clean(workdir):
    if why := hadolint_missing():
        pytest.skip(why)
    command = [HADOLINT, "--no-color", "Dockerfile"]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    first = (done.stdout.strip().splitlines() or ["(no output)"])[0]
    assert done.returncode == 0, f"expected no hadolint findings, got: {first}"


def _call_the_service(base: str) -> None:
    health = requests.get(f"{base}/health", timeout=5)
    assert health.json() == {"status": "ok"}, f"expected /health ok, got {health.text[:100]}"
    answer = requests.post(f"{base}/predict", json=SETOSA, timeout=5)
    assert answer.status_code == 200, f"expected 200 from /predict, got {answer.status_code}"
    mistake = requests.post(f"{base}/predict", json={**SETOSA, "petal_width": "x"}, timeout=5)
    assert mistake.status_code == 422, f"expected 422 for a bad flower, got {mistake.status_code}"


@IMAGE
def test_the_cmd_serves_here_and_its_healthcheck_passes(workdir, recipe, model_dir):
    if why := gunicorn_missing():
        pytest.skip(why)
    port = free_port()
    try:
        with serve_locally(workdir, port, model_dir):
            _call_the_service(f"http://127.0.0.1:{port}")
            if recipe.healthcheck:
                probe = subprocess.run(
                    [sys.executable, *recipe.healthcheck[1:]],
                    env={**os.environ, "PORT": str(port)},
                    capture_output=True,
                    timeout=30,
                )
                assert probe.returncode == 0, "expected the HEALTHCHECK command to pass, it failed"
    except RuntimeError as error:  # ServerDidNotStart (with its log's lines why), ImageError
        pytest.fail(f"expected the CMD to serve, got: {error}")


@IMAGE
def test_the_image_builds_and_becomes_healthy_in_an_engine(workdir, recipe, tmp_path, note):
    available, why = engine_available()
    if not available:
        note(f"ran the image's CMD locally: no container engine ({why})")
        pytest.skip(
            f"the image in a container engine: none here ({why}); install Docker Desktop "
            "(macOS, Windows) or Docker Engine (Linux), then check again"
        )
    note(f"built the image and ran it in a container engine ({why}); its CMD ran locally too")
    assert recipe.cmd and recipe.healthcheck, "expected a CMD and a HEALTHCHECK, got them missing"
    port = free_port()
    with built_image(workdir, log=tmp_path / "build.log") as tag, serve_in_engine(tag, port):
        _call_the_service(f"http://127.0.0.1:{port}")
