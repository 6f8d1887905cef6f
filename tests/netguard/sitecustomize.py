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


def _is_loopback(address) -> bool:
    if not isinstance(address, tuple):  # a Unix socket path
        return True
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in _ALLOWED_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def install() -> None:
    """Refuse TCP connections to anything but the loopback interface; Unix sockets pass.

    A UDP socket's ``connect`` sends nothing (it only sets where packets would go), and
    Dask's ``distributed`` calls it with 8.8.8.8 to learn which address this machine has, so
    UDP is left alone: a download needs TCP, and that is what is refused.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def guarded(original):
        def connect(self, address):
            if (
                self.family in (socket.AF_INET, socket.AF_INET6)
                and self.type == socket.SOCK_STREAM
                and not _is_loopback(address)
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
