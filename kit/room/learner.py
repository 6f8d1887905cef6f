"""``python -m kit join|leave|hand``: a learner's side of the room, opt in and out.

``join`` saves the room's address, its code, a nickname and the token the room gave for it in
the workspace (``.room.json``); from then on every check sends the room one message: the
nickname and its token, the stage, each checked exercise's status and the name of its first
failing test, and the time. Never code, paths, user or host names, or a failure's text.
``leave`` marks the file left, and nothing is sent again; the token stays, so that joining the
same room as the same nickname takes it back (a nickname belongs to the laptop that took it).

The room must never cost a learner their check: a room that is down, slow or wrong adds at
most ``SEND_WITHIN`` seconds and one quiet line, and the check's result stays what it was.
Standard library only: ``make doctor`` asks the joined room for this laptop's seat again, before
any set-up (a restarted room has forgotten every nickname).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kit.check_result import statuses
from kit.errors import KitError
from kit.paths import workspace_dir

SEND_WITHIN = 0.9
"""Seconds a check waits for the room at most, name lookup included."""
NICKNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,23}")
TEST_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
JOINED_KEYS = ("room", "code", "nickname", "token")
MASKED = "********"
"""What ``SHOW=1`` prints for the token: the secret stays on the laptop's screen unprinted."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    if parser.prog.endswith("join"):
        parser.add_argument("--room", default="", help="the room's address, http://host:port")
        parser.add_argument("--code", default="", help="the room code the instructor shows")
        parser.add_argument("--name", default="", help="your nickname in the room")
        parser.add_argument(
            "--show", action="store_true", help="print what would be sent, send nothing"
        )
    elif parser.prog.endswith("hand"):
        parser.add_argument("--text", default="", help="one line for the helper (optional)")
        parser.add_argument("--down", action="store_true", help="lower your hand")


def run(args: argparse.Namespace) -> int:
    if args.command == "join":
        join(args.room, args.code, args.name, show=args.show)
    elif args.command == "leave":
        leave()
    else:
        hand(args.text, down=args.down)
    return 0


def joined_file() -> Path:
    """Where the joined room is kept: in the learner's workspace, never in a tracked file."""
    return workspace_dir() / ".room.json"


def joined_room() -> dict | None:
    """The room this workspace joined (``room``, ``code``, ``nickname``, ``token``), or None:
    not joined, left, or a file the kit did not write."""
    saved = _saved_room()
    if saved.get("left") or not all(isinstance(saved.get(key), str) for key in JOINED_KEYS):
        return None
    return saved


def _saved_room() -> dict:
    """The workspace's room file as saved, joined or left; ``{}`` if there is none to read."""
    try:
        saved = json.loads(joined_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def join(room: str, code: str, name: str, show: bool = False) -> None:
    """Join the room at ``room`` (``http://host:port``) with its ``code``, as ``name``.

    With ``show``, print exactly what a check and a raised hand will send, and send nothing.
    A nickname belongs to the laptop that took it: the room refuses one another laptop holds,
    and welcomes this one back with the token it saved.
    """
    room = _room_address(room)
    if not code.strip():
        raise KitError("which room code? Give the one the instructor shows: CODE=…")
    if not NICKNAME.fullmatch(name):
        raise KitError(
            "give a nickname (NAME=…): 1 to 24 letters, digits, spaces, dots, dashes or "
            "underscores, starting with a letter or digit. It is what helpers see, not your login."
        )
    joining = {"room": room, "code": code.strip(), "nickname": name}
    if show:
        _show(joining)
        return
    again = "Welcome back to" if take_seat(joining) == "welcomed back" else "Joined"
    print(
        f"{again} the room at {room} as {name!r}. Each check now sends it one line of results "
        "(`make join … SHOW=1` shows it); `make leave` stops that."
    )


def take_seat(joining: dict, timeout: float = 5) -> str:
    """Ask the room at ``joining["room"]`` for ``joining["nickname"]``, with the token this
    laptop saved for it, and save the token the room gives. What the room said: ``"welcomed
    back"`` (it knew this laptop), or ``"joined"`` (a new seat, or one it had forgotten: a room
    keeps nicknames in memory, so a restart forgets them). A ``KitError`` says why not: no
    answer, a wrong code, the nickname held by another laptop."""
    seat = {key: joining[key] for key in ("room", "code", "nickname")}
    answer = post(seat, "/join", _join_message(seat), timeout=timeout)
    _save(seat | {"token": answer["token"]})
    return answer["status"]


def _join_message(joining: dict) -> dict:
    """The code and the nickname, and the token this laptop saved for the same room, code and
    nickname (joined or left): with it, the room welcomes this laptop back to its nickname."""
    message = {"code": joining["code"], "nickname": joining["nickname"]}
    saved = _saved_room()
    same = all(saved.get(key) == value for key, value in joining.items())
    if same and isinstance(saved.get("token"), str):
        message["token"] = saved["token"]
    return message


def _save(room: dict) -> None:
    workspace_dir().mkdir(parents=True, exist_ok=True)
    joined_file().write_text(json.dumps(room, indent=2) + "\n", encoding="utf-8")


def leave() -> None:
    """Leave the room: no check sends anything again. The nickname's token is kept, so that
    joining the same room as the same nickname is welcomed back, not refused as taken."""
    joined = joined_room()
    if joined is None:
        print("You are not in a room: nothing is sent.")
        return
    _save(joined | {"left": True})
    print("Left the room: checks send nothing now.")


def hand(text: str = "", down: bool = False) -> None:
    """Raise a hand (with an optional line for the helper), or lower it with ``down``."""
    joined = _joined_or_say_how()
    message = identity(joined) | {"raised": not down}
    post(joined, "/hands", message | {"text": " ".join(text.split())[:120]}, timeout=5)
    print("Hand lowered." if down else "Hand raised: a helper will come to you.")


def check_message(joined: dict, stage: int, result: dict) -> dict | None:
    """The one message a check sends, made from the check's result; None if it checked nothing.

    Only the exercise numbers, their statuses and the first failing test's name leave the
    laptop: the failure's text and the folder checked stay here.
    """
    by_number = {each["number"]: each for each in result["exercises"]}
    exercises = [
        _exercise_result(number, status, by_number[number])
        for number, status in statuses(result).items()
    ]
    if not exercises:
        return None
    return identity(joined) | {
        "stage": stage,
        "checked_at": round(time.time(), 3),
        "exercises": exercises,
    }


def identity(joined: dict) -> dict:
    """Who sends: the room's code, the nickname, and the token that proves this laptop holds it."""
    return {key: joined[key] for key in ("code", "nickname", "token")}


def _exercise_result(number: int, status: str, exercise: dict) -> dict:
    tests = [name for name in exercise.get("failed_tests", []) if TEST_NAME.fullmatch(name)]
    first = tests[0] if tests and status == "failed" else None
    return {"exercise": number, "status": status, "first_failure": first}


def send_check(stage: int, target: Path, result: dict) -> None:
    """After a check of the workspace: send its result to the joined room, if any.

    Waits ``SEND_WITHIN`` seconds at most; whatever the room does, the check is unchanged.
    """
    joined = joined_room()
    if joined is None or target.resolve() != (workspace_dir() / f"stage{stage}").resolve():
        return
    message = check_message(joined, stage, result)
    if message is None:
        return
    outcome: list[str] = []

    def send() -> None:
        try:
            post(joined, "/results", message, timeout=SEND_WITHIN)
            outcome.append("")
        except KitError as error:
            outcome.append(str(error))

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(SEND_WITHIN)
    said = outcome[0] if outcome else f"no answer within {SEND_WITHIN:.1f} s"
    if said:
        print(f"(room: not sent, {said}; this check's result is not affected)")


def post(joined: dict, path: str, message: dict, timeout: float) -> dict:
    """POST ``message`` to the ``joined`` room's ``path``; a ``KitError`` that says what went
    wrong, in one line."""
    request = urllib.request.Request(
        joined["room"] + path,
        data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise KitError(f"the room at {joined['room']} said: {_said(error)}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        why = getattr(error, "reason", error)
        raise KitError(f"no room answered at {joined['room']} ({why})") from None


def _said(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read())
        details = "; ".join(detail["message"] for detail in body.get("details", []))
        return f"{body['error']}" + (f" ({details})" if details else "")
    except (ValueError, KeyError, TypeError):
        return f"HTTP {error.code}"


def _room_address(room: str) -> str:
    parts = urllib.parse.urlsplit(room.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KitError("give the room's address as the instructor shows it: ROOM=http://host:port")
    return f"{parts.scheme}://{parts.netloc}"


def _joined_or_say_how() -> dict:
    joined = joined_room()
    if joined is None:
        raise KitError("you are not in a room: join first with `make join ROOM=… CODE=… NAME=…`.")
    return joined


def _show(joining: dict) -> None:
    example = {
        "stage": 1,
        "exercises": [
            {"number": 1, "needs": [], "failures": [], "tests": 2},
            {"number": 2, "needs": [], "failures": ["…"], "failed_tests": ["test_example"]},
        ],
    }
    masked = joining | {"token": MASKED}
    join_message = {
        key: MASKED if key == "token" else value for key, value in _join_message(joining).items()
    }
    check = check_message(masked, 1, example)
    hand_message = json.dumps(identity(masked) | {"raised": True, "text": "…"}, ensure_ascii=False)
    print(f"Nothing sent, not joined. Without SHOW=1, {joining['room']} gets:")
    print(f"  at `make join`, to /join:\n    {json.dumps(join_message)}")
    print(f"  at each check, to /results (stage 1 as an example):\n    {json.dumps(check)}")
    print(f"  at `make hand TEXT=…`, to /hands:\n    {hand_message}")
    print("  and nothing else: no code, no file or folder names, no user or machine name.")
    print(
        f"The token ({MASKED} here) is a secret the room gives this laptop at `make join`, kept "
        f"in your workspace: no other laptop can send as {joining['nickname']!r}."
    )
