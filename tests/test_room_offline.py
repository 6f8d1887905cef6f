"""Set-up from the room with no internet, proven on learner "hosts" that can reach only the room.

Each learner host is a network namespace on a bridge (the room's local network): the room
listens on the bridge's address, and a namespace has no route anywhere else. Root and
iproute2's ``ip`` make them; without either the tests say so and are skipped.

The quick tests run in the suite: the namespace reaches the room and nothing else, and pip
installs a wheel from the room alone, as ``make setup ROOM=…`` calls it. A whole class's
``make setup ROOM=…`` (the lock's 268 wheels, about 1.7 GB per learner) runs only when
``ROOM_SETUP_LEARNERS=N`` is set; its figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from kit.background import stop
from kit.paths import ROOT, WHEELHOUSE
from kit.ports import free_port

pytestmark = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0 or shutil.which("ip") is None,
    reason="learner hosts are network namespaces: they need Linux, root and iproute2's `ip`",
)
CODE, KEY = "NONET", "offline-test-key"
NETWORK = "10.226.{}.{}"


def ip(*arguments: str, namespace: str = "") -> None:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    subprocess.run([*prefix, "ip", *arguments], check=True, capture_output=True)


@contextmanager
def room_network(learners: int) -> Iterator[tuple[str, list[str]]]:
    """A bridge with the room's address, and ``learners`` namespaces on it that have no other
    route: (the room's address, the namespaces' names). All gone when the block ends."""
    tag = uuid.uuid4().hex[:6]
    subnet = int(tag, 16) % 200 + 20
    bridge, room_address = f"krb{tag}", NETWORK.format(subnet, 1)
    namespaces = [f"kit-learner-{tag}-{index}" for index in range(learners)]
    with ExitStack() as undo:
        ip("link", "add", bridge, "type", "bridge")
        undo.callback(ip, "link", "del", bridge)
        ip("addr", "add", f"{room_address}/24", "dev", bridge)
        ip("link", "set", bridge, "up")
        for index, namespace in enumerate(namespaces):
            host_end, learner_end = f"kr{tag}h{index}", f"kr{tag}l{index}"
            ip("netns", "add", namespace)
            undo.callback(ip, "netns", "del", namespace)
            ip("link", "add", host_end, "type", "veth", "peer", "name", learner_end)
            ip("link", "set", learner_end, "netns", namespace)
            ip("link", "set", host_end, "master", bridge)
            ip("link", "set", host_end, "up")
            address = NETWORK.format(subnet, 10 + index)
            ip("addr", "add", f"{address}/24", "dev", learner_end, namespace=namespace)
            ip("link", "set", learner_end, "up", namespace=namespace)
            ip("link", "set", "lo", "up", namespace=namespace)
        yield room_address, namespaces


def learner_environment(home: Path) -> dict[str, str]:
    """A learner host's environment: its own home (so its own pip cache), and not the suite's
    network guard (the namespace is the guard, and a stronger one)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "KIT_BLOCK_NETWORK")
    }
    return environment | {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def on_learner(
    namespace: str, command: list[str], home: Path, **options
) -> subprocess.CompletedProcess:
    """Run ``command`` on the learner host ``namespace``, to its end."""
    return subprocess.run(
        ["ip", "netns", "exec", namespace, *command],
        env=learner_environment(home),
        capture_output=True,
        text=True,
        **options,
    )


@contextmanager
def room_on(address: str, namespace: str, wheelhouse: Path, tmp_path: Path) -> Iterator[str]:
    """``make room`` bound to ``address``, ready once a learner host gets an answer (this
    process's own network guard would refuse the bridge's address)."""
    port = free_port()
    url = f"http://{address}:{port}"
    command = [sys.executable, "-m", "kit", "room", "--host", address, "--port", str(port)]
    command += ["--code", CODE, "--key", KEY, "--wheelhouse", str(wheelhouse)]
    with (tmp_path / "room.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
    try:
        poll = (
            "import time, urllib.request\n"
            "for _ in range(300):\n"
            "    try:\n"
            f"        urllib.request.urlopen({url + '/room.json'!r}, timeout=1); break\n"
            "    except OSError: time.sleep(0.1)\n"
            "else: raise SystemExit('the room did not answer')\n"
        )
        ready = on_learner(namespace, [sys.executable, "-c", poll], tmp_path)
        assert ready.returncode == 0, ready.stderr + (tmp_path / "room.log").read_text()
        yield url
    finally:
        stop(process)


def tiny_wheel(folder: Path) -> Path:
    """A real, minimal wheel of a package nobody else has: ``kit_room_probe``."""
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "kit_room_probe-1.0-py3-none-any.whl"
    info = "kit_room_probe-1.0.dist-info"
    files = {
        "kit_room_probe.py": "ANSWER = 'from the room'\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: kit-room-probe\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def test_a_learner_host_reaches_the_room_and_nothing_else(tmp_path: Path, leaves_no_process):
    with (
        room_network(1) as (address, [namespace]),
        room_on(address, namespace, tmp_path / "wheels", tmp_path) as room,
    ):
        reach = (
            "import socket, sys, urllib.request\n"
            f"urllib.request.urlopen({room + '/room.json'!r}, timeout=5)\n"
            "for host in sys.argv[1:]:\n"
            "    try:\n"
            "        socket.create_connection((host, 443), timeout=3)\n"
            "    except OSError as error: print(host, 'unreachable:', error)\n"
            "    else: print(host, 'REACHED')\n"
        )
        outside = ["151.101.0.223", "1.1.1.1"]  # pypi.org's CDN, a public resolver
        result = on_learner(namespace, [sys.executable, "-c", reach, *outside], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "REACHED" not in result.stdout, result.stdout
    assert result.stdout.count(" unreachable: ") == len(outside), result.stdout


def test_pip_installs_from_the_room_alone(tmp_path: Path, leaves_no_process):
    """pip, with the options and environment ``make setup ROOM=…`` gives it
    (``kit.setup.room_index``), installs a wheel from the room on a host with no internet."""
    tiny_wheel(tmp_path / "wheels")
    venv = tmp_path / "learner-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    with (
        room_network(1) as (address, [namespace]),
        room_on(address, namespace, tmp_path / "wheels", tmp_path) as room,
    ):
        install = (
            "import subprocess, sys\n"
            "from kit.setup import room_index\n"
            f"options, environment = room_index({room!r})\n"
            f"command = [{str(venv / 'bin' / 'python')!r}, '-m', 'pip', 'install', "
            "'kit-room-probe', *options]\n"
            "sys.exit(subprocess.run(command, env=environment).returncode)\n"
        )
        installed = on_learner(namespace, [sys.executable, "-c", install], tmp_path, cwd=ROOT)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import kit_room_probe; print(kit_room_probe.ANSWER)"],
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == "from the room"


@pytest.mark.skipif(
    not os.environ.get("ROOM_SETUP_LEARNERS"),
    reason="a class's set-up takes minutes and 1.7 GB a learner: ROOM_SETUP_LEARNERS=N runs it",
)
def test_a_class_sets_up_from_the_room_with_no_internet(tmp_path: Path, leaves_no_process):
    learners = int(os.environ["ROOM_SETUP_LEARNERS"])
    assert any(WHEELHOUSE.glob("*.whl")), "run `make wheelhouse` first"
    clones = []
    for index in range(learners):
        clone = tmp_path / f"learner{index}" / "kit"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        clones.append(clone)
    with (
        room_network(learners) as (address, namespaces),
        room_on(address, namespaces[0], WHEELHOUSE, tmp_path) as room,
    ):
        started = time.monotonic()
        setups = [
            subprocess.Popen(
                [
                    "ip",
                    "netns",
                    "exec",
                    namespace,
                    "make",
                    "-C",
                    str(clone),
                    "setup",
                    f"ROOM={room}",
                ],
                env=learner_environment(clone.parent),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for namespace, clone in zip(namespaces, clones, strict=True)
        ]
        said = [setup.communicate()[0] for setup in setups]
        spent = time.monotonic() - started
    print(f"{learners} learners set up from the room in {spent:.0f} s")
    for output in said:
        print(output)
    assert all(setup.returncode == 0 for setup in setups), said
    for clone in clones:
        import_check = [str(clone / ".venv" / "bin" / "python"), "-c", "import sklearn, jupyterlab"]
        assert subprocess.run(import_check).returncode == 0
