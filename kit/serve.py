"""``python -m kit serve [--port 8000] [--target DIR]``: a stage's service on this machine.

It runs the Dockerfile's CMD here (gunicorn with the image's config and environment), so what
you try is what the container runs. By default it serves the reference stage 4, whose model is
trained once into ``runs/serve/`` (git-ignored) when none is there. ``--target`` serves a stage
folder of yours that has a Dockerfile (stage 4 or 7): its model is trained from your code at
every start, into that folder's ``runs/serve/``, since your code may have changed since the
last. It listens on 127.0.0.1 by default: on a laptop the service stays off the room's network
(``--host 0.0.0.0`` to share it). Ctrl-C stops gunicorn and exits cleanly.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from kit.background import ServerDidNotStart
from kit.errors import KitError
from kit.image import ImageError, serve_locally, train_locally
from kit.native import gunicorn_missing
from kit.paths import ROOT, display_path, reference_dir
from kit.ports import port_is_free, well_known

RUNS = ROOT / "runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="the port to listen on (default 8000, or a fixed port of KIT_PORTS' range)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to bind (127.0.0.1: this machine only)"
    )
    parser.add_argument(
        "--target",
        type=Path,
        help="serve this stage folder instead of the reference: yours, with a Dockerfile "
        "(e.g. workspace/stage4)",
    )
    add_runs_argument(parser)


def add_runs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs", type=Path, default=RUNS, help="folder for the model and logs (runs/)"
    )


def reference_model(folder: Path) -> Path:
    """The model trained from the reference stage 4, trained now if ``folder`` has none."""
    model = folder / "model"
    if not (model / "metadata.json").is_file():
        print(f"training the model into {display_path(folder)} (once) ...", flush=True)
        train_locally(reference_dir(4), folder, log=_log(folder, "train.log"))
    return model


def stage_to_serve(target: Path) -> Path:
    """``target`` as a folder this command can serve, or a KitError saying what to give."""
    if not target.is_dir():
        raise KitError(
            f"the folder {target} does not exist (looked for {target.resolve()}): give your "
            "stage folder, e.g. --target workspace/stage4 (make serve TARGET=workspace/stage4)"
        )
    if not (target / "Dockerfile").is_file():
        raise KitError(
            f"{display_path(target.resolve())} has no Dockerfile: kit serve runs a Dockerfile's "
            "CMD (stages 4 and 7). A stage 3 folder serves with the commands of its README "
            "(flask --app iris_model.app run)."
        )
    return target.resolve()


def your_model(stage: Path, folder: Path) -> Path:
    """The model trained now from the code in ``stage``, as its Dockerfile trains it."""
    where = f"from {display_path(stage)} into {display_path(folder)}"
    print(f"training the model {where} ...", flush=True)
    log = _log(folder, "train.log")
    try:
        return train_locally(stage, folder, log=log)
    except ImageError as error:
        said = f"{error}: your code could not train the model; see {display_path(log)}"
        raise KitError(said) from None


def run(args: argparse.Namespace) -> int:
    # Ctrl-C and a supervisor's ``kill`` both end here cleanly, gunicorn stopped. gunicorn runs
    # in a session of its own (kit.background), out of the terminal's reach, so kit serve must
    # hear both: SIGINT too is set, not inherited, as a shell's background job ignores it.
    if why := gunicorn_missing():
        raise KitError(why)
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _interrupt)
    args.port = args.port or well_known("serve")
    if not port_is_free(args.port):
        raise KitError(f"port {args.port} is in use: choose another one, e.g. --port 8001")
    if args.target is None:
        stage, folder = reference_dir(4), args.runs / "serve"
        model = reference_model(folder)
    else:
        stage = stage_to_serve(args.target)
        folder = stage / "runs" / "serve"
        model = your_model(stage, folder)
    log = _log(folder, "gunicorn.log")
    try:
        with serve_locally(stage, args.port, model, host=args.host, log=log) as server:
            url = f"http://{args.host}:{args.port}"
            print(f"serving the iris API of {display_path(stage)} on {url}  (try /health)")
            print(f"log: {display_path(log)}; Ctrl-C stops it", flush=True)
            status = server.wait()
    except KeyboardInterrupt:
        print("\nstopped.")
        return 0
    except (ServerDidNotStart, ImageError) as error:
        raise KitError(f"{error}; see {display_path(log)}") from None
    if status != 0:
        raise KitError(f"gunicorn stopped with status {status}; see {display_path(log)}")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C or ``kill`` (SIGTERM) stops the service: gunicorn is stopped, not orphaned.

    Further signals are ignored from here on: a second Ctrl-C would cut the stop short and
    leave gunicorn running, while the stop itself takes a bounded time (kit.background).
    """
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.SIG_IGN)
    raise KeyboardInterrupt


def _log(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
