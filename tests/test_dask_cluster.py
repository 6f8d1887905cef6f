"""``kit.dask_cluster``: two worker processes, every port of the kit's setting, nothing left."""

from __future__ import annotations

import os

from dask.distributed import Client

from kit.dask_cluster import running_dask_cluster
from kit.ports import port_range


def test_two_workers_listen_at_ports_of_the_setting_and_stop(leaves_no_process):
    with running_dask_cluster(workers=2) as address, Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        workers = client.scheduler_info()["workers"]
        pids = set(client.run(os.getpid).values())
    ports = [int(where.rsplit(":", 1)[1]) for where in [address, *workers]]
    assert all(port in port_range() for port in ports), ports
    assert len(pids) == 2, "expected two worker processes, not threads of one"
