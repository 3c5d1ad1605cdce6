"""The channel between the lab server and its sessions: what both ends agree on.

The server listens on a Unix socket in a folder only it can open, and gives each
session two environment variables: where the socket is and a random token of
its own. A session connects, sends its token as the first line, then one small
JSON object a line. The server knows whose connection it is by the token alone,
so a student cannot speak as another student or as the teacher.

Every session, a student's or a teacher's, says {"shown": true} once its first
screen is drawn: the server starts sessions a few at a time (see
gdtui.serve.admission), and that is when the next may start.

Nothing here imports the app or the server: both sides use it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import MutableMapping

SOCKET_VARIABLE = "GDTUI_LAB_HUB"
TOKEN_VARIABLE = "GDTUI_LAB_TOKEN"
# Which program the session shows: only a hint, since the server trusts the token, not this.
ROLE_VARIABLE = "GDTUI_LAB_ROLE"
VARIABLES = (SOCKET_VARIABLE, TOKEN_VARIABLE, ROLE_VARIABLE)
TEACHER = "teacher"
STUDENT = "student"
# The longest line either side reads, newline included: a roster of a full lab fits, with room.
LINE_BYTES = 256 * 1024
# What a student's progress line may say, names of saved models in escaped Unicode included: a larger one is refused, not cut.
PROGRESS_BYTES = 8 * 1024
# A progress report's quiz answers, one letter each (R right, W wrong), and the names of the models
# saved: the latest this many, each cut to that many characters.
ANSWERS = 200
MOST_SAVED = 10
NAME_CHARACTERS = 64
# A teacher's message to the class: a sentence or two, on one line.
MESSAGE_CHARACTERS = 200
STEPS = 8  # the lesson's steps, 1 to 8: what 'go' may ask for
# How a session ended, in the class record and on the dashboard: the student quit the app; their connection went
# while it ran; the teacher ended it; it was closed for idling; its name was taken off the class; the server stopped;
# the app went wrong (it ended with an error, or could not start).
ENDINGS = ("quit", "dropped", "ended", "idle", "removed", "shutdown", "failed")
# The key of the message that says a session's first screen is drawn.
SHOWN = "shown"


def encode(message: dict) -> bytes:
    """One line of the channel."""
    return json.dumps(message, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def decode(line: bytes) -> dict | None:
    """The object a line holds; None for anything else (garbage, a list, a number)."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) else None


def _count(value: object, most: int) -> int | None:
    # bool is an int in Python; True is not a count.
    return value if type(value) is int and 0 <= value <= most else None


def clean_progress(sent: object) -> dict:
    """The fields of a student's progress report that make sense, each checked; the rest dropped."""
    if not isinstance(sent, dict):
        return {}
    clean: dict[str, object] = {}
    step = _count(sent.get("step"), STEPS)
    if step:
        clean["step"] = step
    beat = _count(sent.get("beat"), 9999)
    if beat:
        clean["beat"] = beat
    quiz = sent.get("quiz")
    if isinstance(quiz, list) and len(quiz) == 2:
        right, asked = (_count(value, 10**6) for value in quiz)
        if right is not None and asked is not None and right <= asked:
            clean["quiz"] = [right, asked]
    steps = _count(sent.get("steps"), 10**12)
    if steps is not None:
        clean["steps"] = steps
    accuracy = sent.get("accuracy")
    # Not a bool, which JSON's true and false become and isinstance would take for an int.
    if isinstance(accuracy, int | float) and not isinstance(accuracy, bool) and math.isfinite(accuracy) and 0 <= accuracy <= 1:
        clean["accuracy"] = float(accuracy)
    answers = sent.get("answers")
    if isinstance(answers, str) and len(answers) <= ANSWERS and set(answers) <= {"R", "W"}:
        clean["answers"] = answers
    saved = sent.get("saved")
    if isinstance(saved, list):
        names = [clean_name(name) for name in saved[-MOST_SAVED:]]
        clean["saved"] = [name for name in names if name]
    return clean


def clean_ending(sent: object) -> str | None:
    """How a session ended, as the record or the hub says it: one of ENDINGS, or None (not said, or said by a later
    version in a word this one does not know)."""
    return sent if isinstance(sent, str) and sent in ENDINGS else None


def clean_name(text: object) -> str | None:
    """A file's name as a student's app reports it: printable, on one line, cut short; None if nothing is left."""
    if not isinstance(text, str):
        return None
    shown = "".join(char if char.isprintable() else "?" for char in text[:NAME_CHARACTERS]).strip()
    return shown or None


def clean_message(text: object) -> str | None:
    """A teacher's message as it may be shown: printable, on one line, not too long; None if nothing is left."""
    if not isinstance(text, str):
        return None
    shown = "".join(char if char.isprintable() else " " for char in text[: MESSAGE_CHARACTERS * 2])
    shown = " ".join(shown.split())[:MESSAGE_CHARACTERS]
    return shown or None


def from_environment(environ: MutableMapping[str, str] | None = None) -> tuple[str, str, str] | None:
    """(socket, token, role) when this process is a lab session that may report, else None.

    The token is taken out of the environment, so that nothing this process starts inherits it.
    """
    environ = os.environ if environ is None else environ
    socket = environ.pop(SOCKET_VARIABLE, "")
    token = environ.pop(TOKEN_VARIABLE, "")
    role = environ.pop(ROLE_VARIABLE, STUDENT)
    if not (socket and token):
        return None
    return socket, token, TEACHER if role == TEACHER else STUDENT
