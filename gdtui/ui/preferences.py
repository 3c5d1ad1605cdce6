"""What a learner chose in the app, kept for their next start: the theme.

One small JSON file in the user's config folder. A missing, unreadable or damaged
one means the defaults; one that cannot be written means the choice lasts until quit.
"""

from __future__ import annotations

from pathlib import Path

from gdtui.core.files import config_home, read_small_json, write_small_json

_LONGEST = 64 * 1024  # far more than a theme's name: a larger file is not ours to read through


def _path() -> Path:
    return config_home() / "settings.json"


def saved_theme() -> str | None:
    """The theme last chosen, or None."""
    settings = read_small_json(_path(), _LONGEST)
    theme = settings.get("theme") if isinstance(settings, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(theme: str) -> None:
    # Not written, the theme stays until the app quits: nothing worth stopping the lesson for.
    write_small_json(_path(), {"theme": theme})
