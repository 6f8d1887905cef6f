"""The suite blocks outbound network, here and in the processes it starts."""

import socket
import subprocess
import sys

import pytest


def test_outbound_connections_fail_loudly():
    with pytest.raises(ConnectionError, match="block network access"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_child_pythons_are_guarded_too():
    result = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 443), 1)"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "block network access" in result.stderr


def test_loopback_stays_open():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


def test_a_udp_connect_sends_nothing_and_is_allowed():
    """How Dask's distributed learns this machine's address; no packet leaves."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 80))
        assert probe.getsockname()[0]


def test_this_machines_own_address_stays_open():
    """Dask's workers may be told to reach the scheduler there; nothing leaves the machine."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 80))
        own = probe.getsockname()[0]
    with socket.socket() as server:
        server.bind(("0.0.0.0", 0))
        server.listen()
        with socket.create_connection((own, server.getsockname()[1]), timeout=1):
            pass
