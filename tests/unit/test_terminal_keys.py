"""Escape and the key typed right after it, read in one go, are the two keys (gdtui/ui/terminal_driver.py)."""

from __future__ import annotations

import pytest
from textual import events

from gdtui.ui.terminal_driver import escape_then_key


@pytest.mark.parametrize(
    ("read", "pressed"),
    [
        (("alt+8", "8"), [("escape", "\x1b"), ("8", "8")]),
        (("alt+n", "n"), [("escape", "\x1b"), ("n", "n")]),
        (("alt+shift+l", "L"), [("escape", "\x1b"), ("L", "L")]),
        (("8", "8"), None),
        (("escape", "\x1b"), None),
        (("alt+backspace", "\x7f"), None),
        (("alt+up", None), None),
    ],
)
def test_a_key_with_alt_is_escape_then_the_key(read: tuple[str, str | None], pressed: list | None) -> None:
    keys = escape_then_key(events.Key(*read))
    assert (None if keys is None else [(key.key, key.character) for key in keys]) == pressed
