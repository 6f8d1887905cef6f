"""The kit's suite: isolated from the learner's workspace and from the network.

At the top of the kit, so it applies to every pytest run from here, also `pytest solutions/…`.

- ``KIT_WORKSPACE`` points to a temporary folder, one per test file, so notebooks and checks
  never touch ``workspace/``, and a learner notebook never finds the reference code its
  solution notebook put in a shared workspace (``kit.start`` keeps files that are there).
- Outbound network is blocked here and in every Python process the suite starts.
- Learner notebooks run in nbval's lax mode (they ship without outputs); solutions run strict.
- The longest files run first, so the two workers of ``kit test`` finish together.
- A test that starts servers asks for ``leaves_no_process``: whatever it started and left
  running fails it, and is killed.
- The run ends with where its time went, per family of tests: wall and CPU (``TimeSpent``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import suite_cache, warm_python
from kit.paths import CHECK_PYTHON, ROOT, import_path_with

NETGUARD = ROOT / "tests" / "netguard"
PROCESS_MARK = "KIT_TEST_PROCESS_MARK"
LEARNER_NOTEBOOKS = ROOT / "notebooks"

# The stage checks run against a target (kit/check.py), never as part of the suite.
collect_ignore = ["tests/checks", "tests/netguard"]

# pytest-xdist hands whole files to the workers in collection order (``kit test`` turns off
# its own reordering): the longest first, the rest as collected. The stage-check tests come
# after the notebooks whose check cells make the reports they read (kit/suite_cache.py).
LONGEST_FIRST = (
    "tests/test_learner_path.py",
    "solutions/",
    "tests/test_demo.py",
    "notebooks/",
    "tests/test_stage_checks_on_templates.py",
    "tests/test_stage_checks.py",
)
# Files of slow, independent tests whose tests are shared out one by one, not as one unit:
# one file of a stage check per stage and planted mistake would keep one worker busy alone.
SHARED_OUT_BY_TEST = (
    "tests/test_learner_path.py",
    "tests/test_stage_checks.py",
    "tests/test_stage_checks_on_templates.py",
    "tests/test_shown_commands.py",
)


def pytest_configure(config: pytest.Config) -> None:
    scratch = tempfile.mkdtemp(prefix="kit-test-workspace-")
    config.stash[_SCRATCH] = scratch
    os.environ["KIT_WORKSPACE"] = scratch
    # One folder for the whole run, made by the first process (pytest-xdist's controller):
    # the workers and the notebooks' kernels inherit it. See kit/suite_cache.py.
    os.environ.setdefault(suite_cache.VARIABLE, str(Path(scratch, "suite-cache")))
    os.environ["KIT_BLOCK_NETWORK"] = "1"
    os.environ["PYTHONPATH"] = import_path_with(NETGUARD)
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    _guard_this_process()


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash[_SCRATCH], ignore_errors=True)


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Compare stored outputs for solutions only: learner notebooks ship without them."""
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb" and path.is_relative_to(LEARNER_NOTEBOOKS):
        collector.compare_outputs = False


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test file works in a workspace of its own, set before nbval starts a kernel."""
    test_file = item.nodeid.split("::")[0]
    os.environ["KIT_WORKSPACE"] = str(Path(item.config.stash[_SCRATCH], "workspaces", test_file))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A learner's exercise cell must stop on the untouched templates, not merely be allowed to.

    nbval's ``raises-exception`` tag lets a cell raise; it does not fail one that runs through,
    which is how a learner notebook run against finished code would go unnoticed. A cell whose
    output depends on the machine (``nbval-ignore-output``: the container engine's cell) may
    run through where the machine lacks what would make it stop.
    """
    result = yield
    if _is_learner_cell(item) and item.options["check_exception"] and not _machine_dependent(item):
        errors = [output for output in item.test_outputs if output.output_type == "error"]
        if not errors:
            raise AssertionError(
                "expected this exercise cell to stop with 'Exercise N not done yet' on the "
                "untouched templates; it ran without an error"
            )
    return result


def _is_learner_cell(item: pytest.Item) -> bool:
    return item.path.suffix == ".ipynb" and item.path.is_relative_to(LEARNER_NOTEBOOKS)


def _machine_dependent(cell_item: pytest.Item) -> bool:
    return "nbval-ignore-output" in cell_item.cell.metadata.get("tags", [])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        starts = [item.nodeid.startswith(prefix) for prefix in LONGEST_FIRST]
        return starts.index(True) if True in starts else len(LONGEST_FIRST)

    items.sort(key=rank)  # a stable sort: each file's tests stay in order


@pytest.fixture
def leaves_no_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if a process it started is still running a few seconds after it ends.

    Every process the test starts inherits a mark in its environment, however deep in the
    tree and in whatever session, so a gunicorn worker that outlived its master is found too.
    Those found are killed, so one failure does not hold a port for the tests after it.
    """
    if not Path("/proc/self/environ").exists():
        pytest.skip("finding processes by their environment needs Linux's /proc")
    token = uuid.uuid4().hex
    monkeypatch.setenv(PROCESS_MARK, token)
    yield
    left = _marked_processes(f"{PROCESS_MARK}={token}".encode(), patience=5.0)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"expected no process left behind, got {len(left)}: {left}"


def _marked_processes(mark: bytes, patience: float) -> list[int]:
    """Processes whose environment holds ``mark``, once ``patience`` seconds found some."""
    deadline = time.monotonic() + patience
    while True:
        found = [pid for pid in _process_ids() if mark in _environment(pid)]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _process_ids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _environment(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone meanwhile, or another user's
        return b""


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Whole files to each worker (a notebook's cells need one kernel, in order), but the
    tests of ``SHARED_OUT_BY_TEST`` one by one."""
    from xdist.scheduler import LoadFileScheduling

    class WholeFilesButSlowTests(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SHARED_OUT_BY_TEST else path

    return WholeFilesButSlowTests(config, log)


class TimeSpent:
    """Where the suite's time went, per family of tests (a test file; a stage of the files
    whose tests are shared out one by one): the wall time of its tests, and their CPU time,
    their own and that of the processes they started and waited for (checks, kernels, DVC,
    servers). With two workers, the wall times add up to about twice the run's.

    Each worker measures its tests and sends the figures with the test's last report; the
    process that prints the summary (pytest-xdist's controller, or pytest alone) adds them up.
    """

    SHOWN = 20

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem) -> Iterator[None]:
        item.stash[_STARTED] = (time.perf_counter(), _cpu_seconds())
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem) -> Iterator[None]:
        try:
            return (yield)
        finally:
            wall, cpu = item.stash[_STARTED]
            spent = (time.perf_counter() - wall, _cpu_seconds() - cpu)
            item.user_properties.append(("time spent", spent))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == "time spent":
                wall, cpu = value
                family = self.spent[_family(report.nodeid)]
                family[0] += wall
                family[1] += cpu

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        if hasattr(config, "workerinput") or not self.spent:
            return
        ranked = sorted(self.spent.items(), key=lambda item: -item[1][1])
        total_wall = sum(wall for wall, _ in self.spent.values())
        total_cpu = sum(cpu for _, cpu in self.spent.values())
        write = terminalreporter.write_line
        terminalreporter.section("where the time went (wall and CPU, seconds)")
        write(f"{'wall':>8} {'CPU':>8}  family of tests")
        for family, (wall, cpu) in ranked[: self.SHOWN]:
            write(f"{wall:8.0f} {cpu:8.0f}  {family}")
        rest = ranked[self.SHOWN :]
        if rest:
            wall, cpu = sum(w for _, (w, _) in rest), sum(c for _, (_, c) in rest)
            write(f"{wall:8.0f} {cpu:8.0f}  the other {len(rest)} families")
        write(f"{total_wall:8.0f} {total_cpu:8.0f}  in all")


def _cpu_seconds() -> float:
    """CPU time of this process, of the children it waited for (none on Windows), and of the
    checks its warm Python ran (``warm_checks``): forks of the server, not its children."""
    forks = sum(float(line) for log in _WARM_CPU_LOGS for line in log.read_text().split())
    return sum(os.times()[:4]) + forks


SCALING = (*warm_python.PRELOADED, "distributed", "dask.dataframe", "pyarrow.parquet", "s3fs")
"""What the suite's warm Python imports: the stages' libraries, and stage 6's cluster's, whose
scheduler and workers its check starts from it."""
_WARM_CPU_LOGS: list[Path] = []
"""Where ``warm_checks``' server logs the CPU seconds of each fork it ran."""


@pytest.fixture(scope="session")
def _warm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | None]:
    """One warm Python per worker for its stage-check tests: the folder of its ``python``
    client, or None where there is none (kit/warm_python.py runs on Linux only)."""
    cpu_log = tmp_path_factory.mktemp("warm-python") / "cpu.log"
    cpu_log.touch()
    with warm_python.running(ROOT, os.environ, SCALING, cpu_log=cpu_log) as clients:
        _WARM_CPU_LOGS.append(cpu_log)
        yield clients
    _WARM_CPU_LOGS.remove(cpu_log)


@pytest.fixture
def warm_checks(_warm_server: Path | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage checks this test runs start as forks of a warm Python (kit/warm_python.py)
    that imported pytest, pandas and scikit-learn once, not as new interpreters importing
    them again: the same checks, seconds sooner each. Set for this test alone, so the tests
    that walk a learner's path after it in the same worker (the replay, the notebooks, the
    shown commands, the demo) run each check in a new interpreter, as a laptop does."""
    if _warm_server:
        monkeypatch.setenv(CHECK_PYTHON, str(_warm_server / "python"))


def _family(nodeid: str) -> str:
    """``tests/test_stage_checks.py[stage5]`` for one file's tests of one stage, else the file."""
    path = nodeid.split("::")[0]
    shared_out = re.search(r"\[(stage\d+|\d+|[a-z]+\d*)", nodeid)
    return f"{path}[{shared_out[1]}]" if path in SHARED_OUT_BY_TEST and shared_out else path


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.pluginmanager.register(TimeSpent(), "kit-time-spent")


def _guard_this_process() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kit_netguard", NETGUARD / "sitecustomize.py")
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)


_SCRATCH = pytest.StashKey[str]()
_STARTED = pytest.StashKey[tuple[float, float]]()
