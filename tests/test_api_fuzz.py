"""The reference API fuzzed by schemathesis, a client nobody here wrote, from its own document.

schemathesis reads the served ``/openapi.json`` and generates requests from it: valid ones
(positive) and ones that break the document's rules (negative: wrong types, missing fields,
values out of range). Every answer must pass all of its checks: no 5xx, a status code the
document lists, a body and content type that match what it declares, invalid requests
refused and valid ones accepted. Stage 3's app is fuzzed in this process (around its API
tests' stand-in model), stage 4 as ``make serve`` runs it: gunicorn, the Dockerfile's CMD,
a trained model. The room (``make room``) is fuzzed in this process too.

The cases are drawn with a fixed seed (``derandomize``), so every run sends the same ones and
a failure comes back on the next run; ``CASES_PER_MODE`` bounds the time (figures in
docs/benchmarks.md). To explore further by hand, with fresh random cases each time:
``.venv/bin/schemathesis run http://127.0.0.1:8000/openapi.json --checks all`` against
``make serve``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import schemathesis
from hypothesis import given, settings
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode

from kit.image import serve_locally, train_locally
from kit.paths import reference_dir
from kit.ports import free_port
from kit.room.app import create_app as create_room
from kit.room.server import course as room_course

STAGE3 = reference_dir(3)
STAGE4 = reference_dir(4)
PACKAGE = "iris_model"
CASES_PER_MODE = 50
"""Cases drawn per operation and mode (positive, negative); the time it takes is in
docs/benchmarks.md."""
FUZZ_SETTINGS = settings(
    max_examples=CASES_PER_MODE, derandomize=True, database=None, deadline=None
)
"""The same cases every run, nothing written to a ``.hypothesis`` folder, and no per-case time
limit: a busy machine makes a case slow, not wrong."""


@dataclass
class FuzzReport:
    """What a fuzz run sent, per operation (``POST /predict``), and what failed."""

    cases: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def fuzz(schema: BaseSchema) -> FuzzReport:
    """Send every operation of ``schema`` its positive and negative cases; check each answer."""
    report = FuzzReport()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes_for(operation):
            _fuzz_operation(operation, mode, report)
    return report


def modes_for(operation: APIOperation) -> list[GenerationMode]:
    """Negative cases need something to break: a body or a parameter (``GET /health`` has
    neither, so it only gets positive cases)."""
    inputs = (operation.body, operation.query, operation.headers, operation.path_parameters)
    if any(inputs):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _fuzz_operation(operation: APIOperation, mode: GenerationMode, report: FuzzReport) -> None:
    """Run ``operation``'s cases in ``mode``; a failure (shrunk by hypothesis to a small
    case) is recorded, and the other operations still run."""

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Case) -> None:
        report.cases[operation.label] += 1
        case.call_and_validate()

    try:
        send()
    # schemathesis reports failed checks as a group (a BaseExceptionGroup); a bug in a case
    # itself is a plain Exception.
    except (BaseExceptionGroup, Exception) as error:
        report.failures.append(f"{operation.label} ({mode.value}): {error}")


def assert_clean(report: FuzzReport, operations: set[str]) -> None:
    assert set(report.cases) == operations, (
        f"expected cases for every operation {sorted(operations)}, got {dict(report.cases)}"
    )
    assert not report.failures, "expected no failure, got:\n" + "\n\n".join(report.failures)


def documented_operations(schema: BaseSchema) -> set[str]:
    """``POST /predict`` and the others, as the document lists them (its own path aside:
    schemathesis leaves out the operation that serves the document)."""
    return {result.ok().label for result in schema.get_all_operations()}


@contextmanager
def imported_from(source: Path) -> Iterator[None]:
    """Import ``iris_model`` from ``source`` within the block, and forget it after, so no
    other test of this process meets that stage's package."""
    sys.path.insert(0, str(source))
    _forget_package()
    try:
        yield
    finally:
        _forget_package()
        sys.path.remove(str(source))


def _forget_package() -> None:
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def _module_from(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def stage3_schema(model: str) -> Iterator[BaseSchema]:
    """Stage 3's app around ``model``, one of its API tests' models (``stand_in.py``), as
    schemathesis reads it: the app is called in this process, no server needed."""
    with imported_from(STAGE3 / "src"):
        create_app = importlib.import_module(f"{PACKAGE}.app").create_app
        models = _module_from(STAGE3 / "tests" / "api" / "stand_in.py")
        app = create_app(model=getattr(models, model)())
        yield schemathesis.openapi.from_wsgi("/openapi.json", app)


def test_stage3_api_answers_every_generated_request_as_documented():
    with stage3_schema("StandInModel") as schema:
        report = fuzz(schema)
    assert_clean(report, documented_operations(schema))


def test_stage4_service_answers_every_generated_request_as_documented(
    tmp_path: Path, leaves_no_process
):
    model = train_locally(STAGE4, tmp_path / "trained")
    port = free_port()
    with serve_locally(STAGE4, port, model, log=tmp_path / "gunicorn.log"):
        schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{port}/openapi.json")
        report = fuzz(schema)
    assert_clean(report, documented_operations(schema))


def test_the_fuzzing_catches_a_server_error():
    """A model whose every prediction raises: the API answers a documented 500, and
    schemathesis must still fail it (a 5xx is a failure whatever the document says)."""
    with stage3_schema("BrokenModel") as schema:
        report = fuzz(schema)
    failed = {failure.split(" (")[0] for failure in report.failures}
    assert failed == {"POST /predict", "POST /predict/batch"}, report.failures
    assert all("Server error" in failure for failure in report.failures), report.failures


def test_the_room_answers_every_generated_request_as_documented(tmp_path: Path):
    """The room, in this process. Positive cases carry the room's code, and a check or a hand
    the nickname of a laptop that joined with its token (a schema cannot say which string is
    the code or a nickname's token, so the fuzzer would only ever be told "wrong code" or "not
    joined"); a check's exercise numbers are moved onto its stage's (the schema lists the
    stages, but not which exercises each has, so nearly every check would be told "unknown
    exercise"). Negative cases are left as drawn. A file in the wheelhouse gives the index
    something to list."""
    code, course = "FUZZ1", room_course()
    (tmp_path / "kit_demo-1.0-py3-none-any.whl").write_bytes(b"a stand-in wheel")
    config = {"WHEELHOUSE": tmp_path, "MESSAGES_PER_MINUTE": 1_000_000}
    app = create_room(code, "the-key", course, config)
    laptop = {"code": code, "nickname": "fuzz"}
    laptop["token"] = app.test_client().post("/join", json=laptop).json["token"]
    positive = schemathesis.openapi.from_wsgi("/openapi.json", app)

    @positive.hook
    def map_body(context, body):
        if not isinstance(body, dict):
            return body
        if context.operation.path == "/join":
            return body | {"code": code}
        if context.operation.path == "/results":
            numbers = sorted(course[body["stage"]])
            body["exercises"] = [
                entry | {"exercise": numbers[int(entry["exercise"]) % len(numbers)]}
                for entry in body["exercises"]
            ]
        return body | laptop

    negative = schemathesis.openapi.from_wsgi("/openapi.json", app)
    report = FuzzReport()
    for result in positive.get_all_operations():
        _fuzz_operation(result.ok(), GenerationMode.POSITIVE, report)
    for result in negative.get_all_operations():
        operation = result.ok()
        # A path's string parameter cannot be broken (any text is a string): body and query can.
        if operation.body or operation.query:
            _fuzz_operation(operation, GenerationMode.NEGATIVE, report)
    assert_clean(report, documented_operations(positive))
    helper = app.test_client().get("/helper.json?key=the-key").json
    checked = [learner for learner in helper["learners"] if learner["nickname"] == "fuzz"]
    assert checked and checked[0]["last_check"], "expected a generated check to be recorded"
