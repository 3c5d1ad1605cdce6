"""Where a learner stopped in the guided lesson, kept across sessions.

A lab student logs out and back in on another day: the lesson resumes at the
same beat. The bookmark is one small JSON file in the user's data directory;
a missing, unreadable or damaged one simply means "from the start".
"""

from __future__ import annotations

import json
from pathlib import Path

from gdtui.core.files import data_home, replacing


def _path() -> Path:
    return data_home() / "lesson.json"


def load_beat() -> int:
    try:
        beat = json.loads(_path().read_text())["beat"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    return beat if isinstance(beat, int) and beat >= 0 else 0


def save_beat(beat: int) -> bool:
    """Remember the beat; False when it cannot be written (the lesson goes on regardless)."""
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as file:
            file.write(json.dumps({"beat": beat}).encode())
    except OSError:
        return False
    return True
