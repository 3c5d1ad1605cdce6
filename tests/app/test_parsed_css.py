"""CSS parsed once a process: every stylesheet takes the rules any other parsed from the same CSS and variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.css import stylesheet
from textual.css.stylesheet import Stylesheet, StylesheetParseError

from gdtui.ui import parsed_css
from tests.helpers import make_app, wait_for

CSS = "Label { color: $accent; width: 3; }"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSS Textual's parser is given, in order, from an empty shared cache."""
    parsed_css.share()
    monkeypatch.setattr(parsed_css, "_parsed", {})
    real = stylesheet.parse
    seen: list[str] = []

    def parse(scope, css, *args, **kwargs):
        seen.append(css)
        return real(scope, css, *args, **kwargs)

    monkeypatch.setattr(stylesheet, "parse", parse)
    return seen


def sheet(accent: str = "#ff0000", css: str = CSS) -> Stylesheet:
    styles = Stylesheet(variables={"accent": accent})
    styles.add_source(css, ("test.tcss", "CSS"))
    styles.parse()
    return styles


def test_stylesheets_share_what_one_parsed(parses: list[str]) -> None:
    first, second = sheet(), sheet()
    second.reparse()  # a fresh Stylesheet inside, as Textual makes one for every change of variables
    assert parses == [CSS]
    assert second.rules == first.rules
    assert second.rules[0] is first.rules[0]


def test_other_variables_are_parsed_with_their_own_values(parses: list[str]) -> None:
    red, blue = sheet("#ff0000"), sheet("#0000ff")
    assert parses == [CSS, CSS]
    assert red.rules[0].styles.color != blue.rules[0].styles.color
    assert sheet("#0000ff").rules[0] is blue.rules[0]


def test_a_stylesheet_given_new_variables_takes_the_rules_parsed_with_them(parses: list[str]) -> None:
    styles = sheet("#ff0000")
    red = styles.rules[0]
    styles.set_variables({"accent": "#0000ff"})
    styles.reparse()
    assert styles.rules[0].styles.color != red.styles.color
    assert styles.rules[0] is sheet("#0000ff").rules[0]


def test_css_in_error_is_an_error_every_time(parses: list[str]) -> None:
    for _ in range(2):
        with pytest.raises(StylesheetParseError):
            sheet(css="Label { width: sideways; }")


async def test_an_app_parses_nothing_that_an_app_before_it_parsed(parses: list[str], tiny_mnist_dir: Path) -> None:
    runs = []
    for _ in range(2):
        app = make_app(tiny_mnist_dir)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda shown=app: shown.screen.id == "digits", "the first screen")
        runs.append(list(parses))
        parses.clear()
    first, second = runs
    assert first
    # What the lab's zygote relies on: having drawn the first screen once, it leaves its sessions nothing to parse.
    assert second == []
