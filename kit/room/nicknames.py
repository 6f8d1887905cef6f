"""Which laptop holds which nickname: a nickname belongs to the laptop that took it first.

When a laptop takes a free nickname, the room gives it a random token; the laptop keeps it in
its workspace and sends it with every message. A message under that nickname with any other
token is refused, so two learners who both join as "ada" cannot overwrite each other's
progress, and the one who comes second is told to pick another name. The tokens live here
alone, apart from the board: neither the board's pages nor the day's CSV can show one.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass

TOKEN_BYTES = 16
"""128 random bits: no one in the room guesses a classmate's token."""


@dataclass(frozen=True)
class Seat:
    """A nickname taken: the laptop's token, and whether that laptop held it already."""

    token: str
    again: bool


class Nicknames:
    """The room's nicknames and their tokens. Safe to call from the server's threads at once."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def take(self, nickname: str, token: str | None) -> Seat | None:
        """``nickname`` for the laptop that sent ``token`` (None: it has none for this room).

        A free nickname gets a new token; the holder's own token is welcomed back; None when
        another laptop holds the nickname.
        """
        with self._lock:
            held = self._tokens.get(nickname)
            if held is None:
                self._tokens[nickname] = secrets.token_urlsafe(TOKEN_BYTES)
                return Seat(self._tokens[nickname], again=False)
            if token is not None and _same(held, token):
                return Seat(held, again=True)
            return None

    def taken(self, nickname: str) -> bool:
        with self._lock:
            return nickname in self._tokens

    def holds(self, nickname: str, token: str) -> bool:
        """Whether ``token`` is the one the room gave for ``nickname``."""
        with self._lock:
            held = self._tokens.get(nickname)
        return held is not None and _same(held, token)


def _same(held: str, token: str) -> bool:
    """Compared in constant time: how long a refusal takes says nothing about the token."""
    return hmac.compare_digest(held.encode(), token.encode())
