"""Where the app relies on Textual's insides, each held to what the app assumes.

Textual offers no public way to share the CSS one stylesheet parsed with the others, so
gdtui/ui/parsed_css.py replaces a private method of Stylesheet's; nor to write to a terminal that
may hang up, or to tell a resume after ctrl-z from the SIGCONT a hang-up brings, so
gdtui/ui/terminal_driver.py wraps the POSIX driver's file and its signal handlers. Should a Textual
release change what they reach for, the app would go on running with the sharing or the protection
silently gone. These tests say which assumption broke, and on which Textual.

And a Textual cache keeps the lines that widgets long gone drew: gdtui/ui/style_caches.py empties it.
Textual's table of key sequences reads escape and a digit as a character of WezTerm's on macOS:
gdtui/ui/terminal_driver.py drops those entries.
"""

import gc
import inspect
import time
import weakref
from importlib.metadata import version

import pytest
import textual.constants
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._styles_cache import StylesCache
from textual._xterm_parser import XTermParser
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.drivers.linux_driver import LinuxDriver

from gdtui.ui import parsed_css, style_caches, terminal_driver

TEXTUAL = f"textual {version('textual')}"
WHERE = "gdtui/ui/parsed_css.py must follow it"


def test_textual_still_parses_each_piece_of_css_in_stylesheet_parse_rules() -> None:
    original = parsed_css._parse_rules  # Textual's own, as the module found it before replacing it
    assert original is not None, f"{TEXTUAL} has no Stylesheet._parse_rules: {WHERE}, or every app parses its CSS again"
    assert list(inspect.signature(original).parameters) == [
        "self",
        "css",
        "read_from",
        "is_default_rules",
        "tie_breaker",
        "scope",
    ], f"{TEXTUAL} changed Stylesheet._parse_rules's arguments: {WHERE}, and check they and the variables still decide a parse"


def test_textual_parses_a_stylesheet_through_parse_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    through = Stylesheet._parse_rules

    def counted(self: Stylesheet, css: str, *args: object, **kwargs: object) -> object:
        asked.append(css)
        return through(self, css, *args, **kwargs)  # type: ignore[arg-type]  # passed on as Textual gave them

    monkeypatch.setattr(Stylesheet, "_parse_rules", counted)
    styles = Stylesheet(variables={"accent": "#ff0000"})
    styles.add_source("Label { color: $accent; }", ("test.tcss", "CSS"))
    styles.parse()
    assert asked == ["Label { color: $accent; }"], f"{TEXTUAL} no longer parses CSS through Stylesheet._parse_rules: {WHERE}"


def test_textual_gives_a_stylesheet_new_variables_as_a_new_dict() -> None:
    styles = Stylesheet(variables={"accent": "#ff0000"})
    before = getattr(styles, "_variables", None)
    assert isinstance(before, dict), (
        f"{TEXTUAL} no longer keeps a stylesheet's variables in a dict, Stylesheet._variables: {WHERE}"
    )
    styles.set_variables({"accent": "#0000ff"})
    after = styles._variables
    assert after == {"accent": "#0000ff"} and after is not before, (
        f"{TEXTUAL} changes a stylesheet's variables in place: {WHERE}, or it hands out rules parsed with the old ones"
    )


def test_textuals_posix_driver_still_writes_through_the_file_and_handlers_terminal_driver_replaces() -> None:
    where = "gdtui/ui/terminal_driver.py must follow it, or a terminal that hangs up is written to as if it were there"
    assert "WriterThread(self._file)" in inspect.getsource(LinuxDriver), (
        f"{TEXTUAL}'s LinuxDriver no longer writes to _file: {where}"
    )
    suspends = inspect.getsource(LinuxDriver._sigtstp_application)
    assert "self._auto_restart" in suspends, f"{TEXTUAL}'s LinuxDriver no longer suspends by _auto_restart: {where}"
    for handler in ("_sigtstp_application", "_sigcont_application"):
        assert f"self.{handler})" in inspect.getsource(LinuxDriver), (
            f"{TEXTUAL}'s LinuxDriver no longer handles signals in {handler}: {where}"
        )


def keys_read(text: str) -> list[tuple[str, str | None]]:
    parser = XTermParser()
    read = list(parser.feed(text))
    time.sleep(textual.constants.ESCAPE_DELAY + 0.1)  # past the wait for the rest of an escape sequence
    return [(key.key, key.character) for key in [*read, *parser.tick()]]


def test_escape_and_a_digit_read_as_the_two_keys_typed() -> None:
    where = "gdtui/ui/terminal_driver.py must follow it, or escape and a step key typed at once are lost"
    assert isinstance(ANSI_SEQUENCES_KEYS, dict), f"{TEXTUAL} made its key sequences read-only: {where}"
    terminal_driver.read_escape_and_digit_as_typed()
    assert "\x1b8" not in ANSI_SEQUENCES_KEYS
    assert keys_read("\x1b8n") == [("alt+8", "8"), ("n", "n")], f"{TEXTUAL} reads escape and 8 otherwise: {where}"
    assert keys_read("\x1bL") == [("alt+shift+l", "L")], f"{TEXTUAL} reads escape and L otherwise: {where}"
    # A sequence of another key, and escape alone, stay as they were.
    assert keys_read("\x1b[A\x1b") == [("up", None), ("escape", "\x1b")]


def test_textual_keeps_dead_style_caches_alive_until_get_inner_outer_forgets() -> None:
    """What gdtui/ui/style_caches.py releases whenever the app changes screen, and how."""
    where = "gdtui/ui/style_caches.py is no longer needed: remove it, its callers and this test"
    style_cache = StylesCache()
    gone = weakref.ref(style_cache)
    style_cache.get_inner_outer(Color(0, 0, 0), Color(10, 20, 30))
    del style_cache
    gc.collect()
    assert gone() is not None, f"{TEXTUAL} no longer keeps a StylesCache alive once it is asked for its colours: {where}"
    style_caches.release()
    gc.collect()
    assert gone() is None, f"{TEXTUAL} keeps a dead StylesCache by more than get_inner_outer's cache: {where} and find what"
