"""Where a learner stopped in the guided lesson, kept across sessions.

A lab student logs out and back in on another day: the lesson resumes at the
same beat. The bookmark is one small JSON file in the user's data directory;
a missing, unreadable or damaged one simply means "from the start", whatever
is in it: the file is ours, and what it holds was never anyone's promise.
"""

from __future__ import annotations

from pathlib import Path

from gdtui.core.files import data_home, read_small_json, write_small_json

# Ours holds a few bytes: more than this is not ours, and is not read into memory.
_LARGEST = 1024


def _path() -> Path:
    return data_home() / "lesson.json"


def load_beat() -> int:
    saved = read_small_json(_path(), _LARGEST)
    beat = saved.get("beat") if isinstance(saved, dict) else None
    # A JSON true is a Python int, and no beat.
    return beat if type(beat) is int and beat >= 0 else 0


def save_beat(beat: int) -> bool:
    """Remember the beat; False when it cannot be written (the lesson goes on regardless)."""
    return write_small_json(_path(), {"beat": beat})
