"""One setting, KIT_PORTS, gives every port the kit opens."""

import socket

import pytest

from kit import ports
from kit.errors import KitError


def test_without_the_setting_the_well_known_ports_keep_their_numbers(monkeypatch):
    monkeypatch.delenv("KIT_PORTS", raising=False)
    assert (ports.well_known("lab"), ports.well_known("serve")) == (8888, 8000)
    assert ports.free_port() in range(8000, 9000)


def test_a_range_moves_every_port_into_it(monkeypatch):
    monkeypatch.setenv("KIT_PORTS", "21000-21099")
    well_known = {ports.well_known(name) for name in ports.WELL_KNOWN}
    assert well_known <= set(range(21000, 21100)) and len(well_known) == len(ports.WELL_KNOWN)
    drawn = {ports.free_port() for _ in range(20)}
    assert drawn <= set(range(21000, 21100)) - well_known


def test_a_port_in_use_is_never_drawn(monkeypatch):
    monkeypatch.setenv("KIT_PORTS", "21100-21119")
    busy = []
    try:
        for port in range(21100, 21119):
            listener = socket.socket()
            listener.bind(("127.0.0.1", port))
            listener.listen()
            busy.append(listener)
        assert ports.free_port() == 21119
    finally:
        for listener in busy:
            listener.close()


@pytest.mark.parametrize("setting", ["21000", "high-low", "22000-21000", "80-2000", "21000-21005"])
def test_a_bad_setting_says_how_to_write_one(monkeypatch, setting):
    monkeypatch.setenv("KIT_PORTS", setting)
    with pytest.raises(KitError, match="KIT_PORTS=21000-21999"):
        ports.port_range()
