"""Where a learner stopped in the guided lesson, kept across sessions.

A lab student logs out and back in on another day: the lesson resumes at the
same beat. The bookmark is one small JSON file in the user's data directory;
a missing, unreadable or damaged one simply means "from the start".
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def data_root() -> Path:
    """gdtui's directory for user data, following the XDG convention."""
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "gdtui"


def _path() -> Path:
    return data_root() / "lesson.json"


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
        fd, tmp = tempfile.mkstemp(prefix=".lesson.", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({"beat": beat}, f)
        os.replace(tmp, path)  # atomic: a crash never leaves half a bookmark
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False
    return True
