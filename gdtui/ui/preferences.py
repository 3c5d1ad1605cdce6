"""What a learner chose in the app, kept for their next start: the theme.

One small JSON file in the user's config folder. A missing, unreadable or damaged
one means the defaults; one that cannot be written means the choice lasts until quit.
"""

from __future__ import annotations

import json
from pathlib import Path

from gdtui.core.files import config_home, replacing

_LONGEST = 64 * 1024  # far more than a theme's name: a larger file is not ours to read through


def _path() -> Path:
    return config_home() / "settings.json"


def saved_theme() -> str | None:
    """The theme last chosen, or None."""
    try:
        with _path().open("rb") as file:
            settings = json.loads(file.read(_LONGEST))
    # RecursionError: JSON nested deeper than the parser goes.
    except (OSError, ValueError, RecursionError):
        return None
    theme = settings.get("theme") if isinstance(settings, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(theme: str) -> None:
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as file:
            file.write(json.dumps({"theme": theme}).encode())
    except OSError:
        pass  # the theme stays until the app quits: nothing worth stopping the lesson for
