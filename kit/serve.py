"""``python -m kit serve [--port 8000]``: the reference stage-4 service on this machine.

It runs the Dockerfile's CMD here (gunicorn with the image's config and environment), so what
you try is what the container runs. The model is trained once into ``runs/serve/`` (git-ignored)
when none is there. It listens on 127.0.0.1 by default: on a laptop the service stays off the
room's network (``--host 0.0.0.0`` to share it). Ctrl-C stops gunicorn and exits cleanly.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from kit.errors import KitError
from kit.image import ImageError, serve_locally, train_model
from kit.paths import ROOT, display_path, reference_dir
from kit.servers import ServerDidNotStart, port_is_free

RUNS = ROOT / "runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on (8000)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to bind (127.0.0.1: this machine only)"
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
        train_model(reference_dir(4), folder, log=_log(folder, "train.log"))
    return model


def run(args: argparse.Namespace) -> int:
    # Ctrl-C and a supervisor's ``kill`` both end here cleanly, gunicorn stopped. gunicorn runs
    # in a session of its own (kit.servers), out of the terminal's reach, so kit serve must
    # hear both: SIGINT too is set, not inherited, as a shell's background job ignores it.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _interrupt)
    if not port_is_free(args.port):
        raise KitError(f"port {args.port} is in use: choose another one, e.g. --port 8001")
    folder = args.runs / "serve"
    model = reference_model(folder)
    log = _log(folder, "gunicorn.log")
    try:
        with serve_locally(reference_dir(4), args.port, model, host=args.host, log=log) as server:
            print(f"serving the iris API on http://{args.host}:{args.port}  (try /health)")
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
    leave gunicorn running, while the stop itself takes a bounded time (kit.servers).
    """
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.SIG_IGN)
    raise KeyboardInterrupt


def _log(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
