"""What a client sends, made safe to log and to hand on.

Anyone on the network can send a name, a terminal type or a command. None of
it reaches the teacher's log as sent: a newline could forge a log line and an
escape sequence would act on the teacher's terminal.
"""

from __future__ import annotations

_SHOWN_CHARACTERS = 64


def printable(text: str, limit: int = _SHOWN_CHARACTERS) -> str:
    """text quoted for the log, every character a terminal could act on escaped, and cut if long."""
    shown = repr(text[:limit])
    return shown if len(text) <= limit else f"{shown}… ({len(text):,} characters)"
