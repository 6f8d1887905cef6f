"""gunicorn's settings for the iris API, read from the environment so the image's CMD stays fixed.

``PORT`` (default 8000) and ``HOST`` (default 0.0.0.0: reachable from outside a container)
choose the address; ``WEB_CONCURRENCY`` the number of worker processes (default: one per CPU).
"""

import gc
import os
from collections.abc import Mapping


def address(environ: Mapping[str, str]) -> str:
    """``HOST:PORT`` to listen on; inside a container 127.0.0.1 would be unreachable."""
    # Stage 4, exercise 1: `HOST` defaults to 0.0.0.0 and `PORT` to 8000, e.g. "0.0.0.0:8000".
    return f"{environ.get('HOST', '0.0.0.0')}:{environ.get('PORT', '8000')}"


def worker_count(environ: Mapping[str, str]) -> int:
    """``WEB_CONCURRENCY`` sync workers, else one per CPU."""
    # Stage 4, exercise 1: an int from `WEB_CONCURRENCY` when it is set, else `os.cpu_count()`.
    return int(environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)


wsgi_app = "iris_model.app:create_app()"
bind = address(os.environ)
workers = worker_count(os.environ)
worker_class = "sync"  # the model is CPU-bound: threads would only wait for the GIL
preload_app = True  # load the model once, before forking: a broken model stops the start
control_socket_disable = True  # nothing in the container uses gunicorn's runtime control
accesslog = "-"
timeout = 30
graceful_timeout = 5  # in-flight requests may finish before docker stop kills the container


def when_ready(server) -> None:
    """The model is loaded: move its objects out of the garbage collector's sight.

    They live as long as the process, so scanning them on every full collection is wasted
    time, and the largest batch the API takes (``MAX_BATCH`` flowers) allocates enough to
    trigger several.
    """
    gc.freeze()
