"""What a client sends, made safe to log and to hand on.

Anyone on the network can send a name, a terminal type or a command. None of
it reaches the teacher's log as sent: a newline could forge a log line and an
escape sequence would act on the teacher's terminal.
"""

from __future__ import annotations

import re
from pathlib import Path

_SHOWN_CHARACTERS = 64
# Given to the app when the client's terminal type cannot be used: what nearly every terminal emulates.
DEFAULT_TERM = "xterm-256color"
_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
# Where ncurses looks for terminfo entries when nothing in the environment says otherwise.
_TERMINFO = ("/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo", "/usr/local/share/terminfo")


def printable(text: str, limit: int = _SHOWN_CHARACTERS) -> str:
    """text quoted for the log, every character a terminal could act on escaped, and cut if long."""
    shown = repr(text[:limit])
    return shown if len(text) <= limit else f"{shown}… ({len(text):,} characters)"


def terminal_type(term: str) -> str:
    """The TERM to give the app: the client's if it is a short printable name this machine's
    terminfo knows, else DEFAULT_TERM."""
    if not _TERM.fullmatch(term):
        return DEFAULT_TERM
    # An entry sits under its first letter, or (macOS) that letter's code in hexadecimal.
    for folder in _TERMINFO:
        for first in (term[0], f"{ord(term[0]):x}"):
            if Path(folder, first, term).is_file():
                return term
    return DEFAULT_TERM
