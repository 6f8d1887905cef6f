"""The stage-4 service as its Dockerfile describes it: in a container engine, or on this machine.

``read_dockerfile`` reads the final stage's ENV, COPY, HEALTHCHECK and CMD. ``train_locally``
runs the Dockerfile's training steps here (``prepare``, then ``train``). ``serve_locally``
runs that CMD here, with the same environment and the same gunicorn config file, for machines
without an engine (and for ``make serve``). ``serve_in_engine`` builds the image, runs it, and
waits for its own HEALTHCHECK; the container is removed however the block ends.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kit import suite_cache
from kit.background import log_excerpt, running_server
from kit.paths import IRIS, import_path_with

LOCAL_COMMANDS = {"gunicorn": [sys.executable, "-m", "gunicorn", "--no-control-socket"]}
"""An image's program as this machine runs it. gunicorn's control socket is one path for every
instance (``~/.gunicorn/gunicorn.ctl``), and the kit runs several side by side (the suite, the
bench, ``make serve``), whatever a learner's gunicorn.conf.py says: so the kit turns it off."""


class ImageError(RuntimeError):
    """The Dockerfile, the build or the container did not do what the recipe says."""


@dataclass
class Recipe:
    """What a Dockerfile's final stage says about running the service."""

    env: dict[str, str] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)
    """Destination in the image -> source in the build context (``COPY --from`` left out)."""
    workdir: str = "/"
    user: str = ""
    healthcheck: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    not_exec_form: dict[str, str] = field(default_factory=dict)
    """INSTRUCTION -> what is wrong, for a HEALTHCHECK or CMD not in exec form: kept, not
    raised, so a check of the USER line is not blamed for a shell-form CMD."""


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    joined: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    pairs = []
    for line in filter(str.strip, joined):
        keyword, _, rest = line.strip().partition(" ")
        pairs.append((keyword.upper(), rest.strip()))
    return pairs


def read_dockerfile(path: Path) -> Recipe:
    """The final stage of the Dockerfile at ``path``; an ImageError names the file and the fix."""
    recipe = Recipe()
    for keyword, rest in instructions(_dockerfile_text(path)):
        try:
            recipe = _read_instruction(recipe, keyword, rest)
        except ImageError as error:
            raise ImageError(f"{path}: {error}") from None
    return recipe


def _dockerfile_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImageError(f"{path} not found: the stage folder needs its Dockerfile") from None
    except UnicodeDecodeError:
        raise ImageError(f"{path} is not UTF-8 text: save the Dockerfile as plain text") from None


def _read_instruction(recipe: Recipe, keyword: str, rest: str) -> Recipe:
    """``recipe`` with one instruction applied; a new, empty one at each ``FROM``."""
    if keyword == "FROM":
        return Recipe()
    if keyword == "ENV":
        recipe.env.update(_env_pairs(rest))
    elif keyword == "WORKDIR":
        recipe.workdir = str(PurePosixPath(recipe.workdir, rest))
    elif keyword == "USER":
        recipe.user = rest
    elif keyword == "COPY" and "--from=" not in rest:
        *sources, destination = _copy_arguments(rest)
        destination = str(PurePosixPath(recipe.workdir, destination))
        for source in sources:
            recipe.copies[destination] = source
    elif keyword in ("HEALTHCHECK", "CMD"):
        command = rest.partition("CMD ")[2] if keyword == "HEALTHCHECK" else rest
        try:
            setattr(recipe, keyword.lower(), _exec_form(command, keyword))
        except ImageError as error:
            recipe.not_exec_form[keyword] = str(error)
    return recipe


def _env_pairs(rest: str) -> dict[str, str]:
    words = _shell_words(rest, "ENV")
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    bare = [word for word in words if "=" not in word]
    if bare:
        raise ImageError(f"ENV {rest}: write KEY=value pairs, {bare[0]!r} has no =")
    return dict(word.split("=", 1) for word in words)


def _copy_arguments(rest: str) -> list[str]:
    """COPY's sources and destination, in JSON or shell form, its options (``--chown``) left out."""
    if rest.startswith("["):
        words = _exec_form(rest, "COPY")
    else:
        words = [word for word in _shell_words(rest, "COPY") if not word.startswith("--")]
    if len(words) < 2:
        raise ImageError(f"COPY {rest}: name a source and a destination")
    return words


def _shell_words(rest: str, keyword: str) -> list[str]:
    try:
        return shlex.split(rest)
    except ValueError:
        raise ImageError(f"{keyword} {rest}: a quote is not closed") from None


def _exec_form(rest: str, keyword: str) -> list[str]:
    try:
        command = json.loads(rest)
    except json.JSONDecodeError:
        raise ImageError(f'{keyword} must use the exec form, ["program", "arg", ...]') from None
    if not isinstance(command, list) or not all(isinstance(word, str) for word in command):
        raise ImageError(f"{keyword} must be a JSON list of strings")
    return command


def local_command(recipe: Recipe, folder: Path) -> list[str]:
    """The CMD with its program from this environment and image paths mapped into ``folder``."""
    if "CMD" in recipe.not_exec_form:
        raise ImageError(recipe.not_exec_form["CMD"])
    if not recipe.cmd:
        raise ImageError("the Dockerfile's final stage has no CMD")
    program, *arguments = recipe.cmd
    command = [*LOCAL_COMMANDS.get(program, [program])]
    for argument in arguments:
        source = recipe.copies.get(argument)
        command.append(str(folder / source) if source else argument)
    return command


def train_locally(folder: Path, out: Path, log: Path | None = None) -> Path:
    """The Dockerfile's training steps, run here: the model of the stage in ``folder`` (its
    ``src``) trained into ``out``; return ``out/model``.

    As the image's ``train`` stage does: ``prepare`` splits the data into ``out/data``,
    ``train`` writes ``out/model``. Within the kit's own suite, a model trained by the same
    code on the same data is copied instead of trained again (kit/suite_cache.py).
    """
    kept = suite_cache.model_folder(folder / "src", IRIS)
    with suite_cache.claimed(kept):
        if kept is not None and kept.is_dir():
            shutil.copytree(kept, out, dirs_exist_ok=True)
            return out / "model"
        _prepare_and_train(folder, out, log)
        if kept is not None:
            partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
            for step in ("data", "model"):
                shutil.copytree(out / step, partial / step)
            partial.rename(kept)  # whole or not at all, for the next reader
    return out / "model"


def _prepare_and_train(folder: Path, out: Path, log: Path | None) -> None:
    env = {**os.environ, "PYTHONPATH": import_path_with(folder / "src")}
    output = log.open("wb") if log else subprocess.DEVNULL
    try:
        for step in (
            ["prepare", "--data", str(IRIS), "--out", str(out / "data")],
            ["train", "--data", str(out / "data" / "train.csv"), "--out", str(out / "model")],
        ):
            finished = subprocess.run(
                [sys.executable, "-m", "iris_model", *step], env=env, stdout=output, stderr=output
            )
            if finished.returncode != 0:
                raise ImageError(f"iris_model {step[0]} failed (status {finished.returncode})")
    finally:
        if log:
            output.close()


@contextmanager
def serve_locally(
    folder: Path,
    port: int,
    model_dir: Path,
    *,
    host: str = "127.0.0.1",
    log: Path | None = None,
    settings: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen]:
    """Run the Dockerfile's CMD here, with its ENV, until the block ends.

    ``settings`` override the image's ENV, as ``docker run -e`` would: stage 7's image
    records into ``/app/records``, which on this machine becomes a folder of the caller's.
    """
    recipe = read_dockerfile(folder / "Dockerfile")
    env = {**os.environ, **{k: v for k, v in recipe.env.items() if k != "PATH"}}
    env |= {"PORT": str(port), "HOST": host, "IRIS_MODEL_DIR": str(model_dir), **(settings or {})}
    env["PYTHONPATH"] = import_path_with(folder / "src")
    command = local_command(recipe, folder)
    url = f"http://127.0.0.1:{port}/health"
    with running_server(command, url, env=env, cwd=folder, timeout=60, log=log) as process:
        yield process


def engine_available() -> tuple[bool, str]:
    """Whether ``docker`` reaches an engine, and why (for a skip reason, or the report)."""
    if shutil.which("docker") is None:
        return False, "no docker command on PATH"
    try:
        finished = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False, "docker info did not answer within 20 s"
    if finished.returncode != 0:
        said = (finished.stderr.strip() or finished.stdout.strip()).splitlines()
        return False, f"docker info failed: {said[-1][:200] if said else 'it said nothing'}"
    return True, "docker info answered"


def build_image(folder: Path, tag: str, log: Path | None = None) -> None:
    """``docker build`` the stage in ``folder``; ImageError with the log's tail if it fails.

    A Dockerfile whose final stage lacks a HEALTHCHECK or a CMD is refused before the build:
    its container could not serve, or could not say when it is ready, so building it (minutes,
    on a first build) would only end in a container that never becomes healthy.
    """
    recipe = read_dockerfile(folder / "Dockerfile")
    missing = [name for name in ("HEALTHCHECK", "CMD") if not getattr(recipe, name.lower())]
    if missing:
        raise ImageError(
            f"the Dockerfile's final stage has no {' and no '.join(missing)}: add "
            f"{'them' if len(missing) > 1 else 'it'} before building the image"
        )
    command = ["docker", "build", "--network", "host", "--tag", tag, str(folder)]
    finished = subprocess.run(command, capture_output=True, text=True)
    if log:
        log.write_text(finished.stdout + finished.stderr, encoding="utf-8")
    if finished.returncode != 0:
        tail = "\n".join((finished.stdout + finished.stderr).strip().splitlines()[-5:])
        raise ImageError(f"docker build failed:\n{tail}")


@contextmanager
def built_image(folder: Path, log: Path | None = None) -> Iterator[str]:
    """Build the stage in ``folder`` under a tag of its own; remove the image when the block ends.

    A tag per build, not one fixed name: two checks on one engine would retag each other's
    images, and one would test the other's. Removed after, so checks do not pile images up.
    """
    tag = f"iris-api:build-{uuid.uuid4().hex[:12]}"
    try:
        build_image(folder, tag, log)
        yield tag
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True)


@contextmanager
def serve_in_engine(tag: str, port: int, timeout: float = 90.0) -> Iterator[str]:
    """Run the image until the block ends; enter once its HEALTHCHECK says healthy."""
    command = ["docker", "run", "--detach", "--network", "host", "-e", f"PORT={port}", tag]
    started = subprocess.run(command, capture_output=True, text=True)
    if started.returncode != 0:
        raise ImageError(f"docker run failed: {started.stderr.strip()}")
    container = started.stdout.strip()
    try:
        _healthy(container, timeout)
        yield container
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True)


def _healthy(container: str, timeout: float) -> None:
    """Wait until the container is healthy; if it never is, the ImageError shows the lines
    of its log (``docker logs``) that say why."""
    try:
        wait_until_healthy(container, timeout)
    except ImageError as error:
        logs = ["docker", "logs", "--tail", "100", container]
        said = subprocess.run(logs, capture_output=True, text=True, errors="replace")
        raise ImageError(f"{error}{log_excerpt(said.stdout + said.stderr)}") from None


def wait_until_healthy(container: str, timeout: float) -> None:
    """Poll ``docker inspect`` until the container's own HEALTHCHECK reports healthy."""
    deadline = time.monotonic() + timeout
    status = "unknown"
    while time.monotonic() < deadline:
        inspect = ["docker", "inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}"]
        finished = subprocess.run([*inspect, container], capture_output=True, text=True)
        state, _, status = finished.stdout.strip().partition(" ")
        if status == "healthy":
            return
        if state in ("exited", "dead"):
            raise ImageError(f"the container stopped ({state}) before it was healthy")
        time.sleep(0.5)
    raise ImageError(f"the container was not healthy after {timeout:.0f} s (health: {status})")
