"""Block outbound network in every Python process the test suite starts (loopback allowed).

The suite puts this folder on ``PYTHONPATH`` and sets ``KIT_BLOCK_NETWORK=1``; Python imports
``sitecustomize`` at start-up, so kernels, servers and command-line runs are guarded too. The kit
ships its data and must never download at run time: a hidden download fails here, loudly.
Standard library only, as it runs in every interpreter, including fresh venvs.
"""

import ipaddress
import os
import socket

_ALLOWED_HOSTS = {"localhost", "localhost.localdomain", ""}


class NetworkBlockedError(ConnectionError):
    """Raised for any connection that would leave this machine during the tests."""


def _own_addresses() -> set[str]:
    """This machine's address on its network: a connection to it never leaves the machine.

    Found as Dask's ``distributed`` finds it: a UDP socket "connected" to a documentation
    address (192.0.2.1, which no packet is sent to) is given the address it would send from.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 80))
            return {probe.getsockname()[0]}
    except OSError:
        return set()


def _stays_here(address, own: set[str]) -> bool:
    if not isinstance(address, tuple):  # a Unix socket path
        return True
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in _ALLOWED_HOSTS or host in own:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def install() -> None:
    """Refuse TCP connections that leave this machine; loopback, this machine's own address
    and Unix sockets pass.

    A UDP socket's ``connect`` sends nothing (it only sets where packets would go), and
    Dask's ``distributed`` calls it with 8.8.8.8 to learn which address this machine has, so
    UDP is left alone: a download needs TCP, and that is what is refused.
    """
    own = _own_addresses()
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def guarded(original):
        def connect(self, address):
            if (
                self.family in (socket.AF_INET, socket.AF_INET6)
                and self.type == socket.SOCK_STREAM
                and not _stays_here(address, own)
            ):
                raise NetworkBlockedError(
                    f"the kit's tests block network access, and something tried to reach "
                    f"{address!r}: the kit must not download anything at run time"
                )
            return original(self, address)

        return connect

    socket.socket.connect = guarded(original_connect)
    socket.socket.connect_ex = guarded(original_connect_ex)


if os.environ.get("KIT_BLOCK_NETWORK") == "1":
    install()
