"""``kit.postgres``: a throwaway server that keeps floats to the last bit and leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit import postgres
from kit.ports import port_range


@pytest.fixture
def server(leaves_no_process) -> postgres.Postgres:
    try:
        with postgres.running_postgres() as running:
            yield running
    except postgres.NoPostgres as why:
        pytest.skip(f"NOT CHECKED: {why}")


def test_a_table_comes_back_to_the_last_bit(server: postgres.Postgres):
    flowers = pd.DataFrame({"flower_id": [7, 3], "petal_length": [0.1, 1 / 3]})
    server.load(flowers, "flowers")
    pd.testing.assert_frame_equal(server.query("SELECT * FROM flowers"), flowers)


def test_it_listens_on_a_port_of_the_kit_setting(server: postgres.Postgres):
    assert server.port in port_range()
    assert server.version().split(".")[0].isdigit()


def test_its_folder_is_removed_when_it_stops(leaves_no_process):
    try:
        with postgres.running_postgres() as running:
            folder = running.socket_dir
    except postgres.NoPostgres as why:
        pytest.skip(f"NOT CHECKED: {why}")
    assert not Path(folder).exists()


def test_an_error_in_the_sql_says_what_postgresql_said(server: postgres.Postgres):
    with pytest.raises(RuntimeError, match=r"PostgreSQL said: .*no_such_table"):
        server.query("SELECT * FROM no_such_table")


def test_without_a_server_it_says_how_to_get_one(monkeypatch):
    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres, "SEARCHED", "/no/such/place/*/bin")
    with pytest.raises(postgres.NoPostgres, match="apt-get install postgresql"):
        postgres.server_binaries()
