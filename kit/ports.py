"""Every port the kit opens comes from one setting: ``KIT_PORTS``, a range such as ``21000-21999``.

A room's firewall may let through one range of ports and no other. JupyterLab, ``make serve``,
the object store, Dask's scheduler and workers, stage 7's servers, the room and the kit's own
tests all take their port from here, so setting ``KIT_PORTS`` once moves every one of them.

Without the setting, the well-known ports keep their usual numbers (JupyterLab 8888, the
service 8000) and every other port is taken from the range 8000-8999 too.
"""

from __future__ import annotations

import os
import random
import socket

from kit.errors import KitError

SETTING = "KIT_PORTS"
DEFAULT_RANGE = "8000-8999"
WELL_KNOWN = {"lab": 8888, "serve": 8000, "room": 8765}
"""The port each long-running server asks for first, when the range holds it."""


def port_range() -> range:
    """The ports the kit may open, from ``$KIT_PORTS`` (``LOW-HIGH``, both included)."""
    text = os.environ.get(SETTING, "").strip() or DEFAULT_RANGE
    low, dash, high = text.partition("-")
    if not (dash and low.strip().isdigit() and high.strip().isdigit()):
        raise KitError(
            f"{SETTING}={text!r} is not a range of ports: give two numbers, e.g. "
            f"{SETTING}=21000-21999."
        )
    low_port, high_port = int(low), int(high)
    if not 1024 <= low_port <= high_port <= 65535 or high_port - low_port < 19:
        raise KitError(
            f"{SETTING}={text!r}: give at least 20 ports between 1024 and 65535, low first, "
            f"e.g. {SETTING}=21000-21999."
        )
    return range(low_port, high_port + 1)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on ``port`` now.

    ``SO_REUSEADDR``, as servers set it, so connections that just closed (TIME_WAIT) do not
    count: only a process listening on the port does.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def well_known(name: str) -> int:
    """The port of the server ``name`` (``lab``, ``serve``, ``room``) when none is given.

    Its usual number when the range holds it, else a fixed place near the range's start, so
    the same setting always gives the same port (a bookmark keeps working).
    """
    ports = port_range()
    usual = WELL_KNOWN[name]
    if usual in ports:
        return usual
    return ports[sorted(WELL_KNOWN).index(name)]


def free_port() -> int:
    """A port of the range that nothing listens on right now, for a server started next.

    Drawn at random past the well-known ones, so two processes starting servers at once
    (the suite's workers) seldom draw the same; each is tried before it is returned.
    """
    ports = port_range()
    reserved = {well_known(name) for name in WELL_KNOWN}
    candidates = [port for port in ports if port not in reserved]
    for port in random.sample(candidates, len(candidates)):
        if port_is_free(port):
            return port
    raise KitError(
        f"no free port in {SETTING}={ports.start}-{ports.stop - 1}: stop what listens there, "
        f"or give another range."
    )
