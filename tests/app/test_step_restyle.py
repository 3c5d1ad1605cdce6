"""A step that comes back is restyled only when something its styles hang on changed while it was away.

Textual works out the styles of every widget of a screen again each time it comes back: a fifth of
what switching steps cost, for styles that are still right. What can make them wrong meanwhile are
the app's own pseudo-classes (:focus, :blur, ...), which Textual restyles only the screen on show
for; a class set on a widget restyles it at once, and new CSS or a new theme restyles a step as it
is switched to. Nor does opening a step restyle the whole app, screen on show included.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

from gdtui.ui import report
from tests.helpers import MODE_OF_KEY, wait_for


def restyled(monkeypatch) -> list[DOMNode]:
    """The nodes Textual works out the styles of from now on, as they are."""
    nodes: list[DOMNode] = []
    update_nodes = Stylesheet.update_nodes

    def counted(self, nodes_updated, animate=False):
        nodes_updated = list(nodes_updated)
        nodes.extend(nodes_updated)
        return update_nodes(self, nodes_updated, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counted)
    return nodes


async def back_to(pilot, key: str) -> None:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: app.screen.id == MODE_OF_KEY[key] and app.screen.is_mounted, f"step {key}")
    await pilot.pause()


async def away_from_cost(pilot) -> None:
    """From Cost to Digits, once Cost has been shown twice.

    Textual restyles the whole app the second time a step is shown: it had not yet marked the step as
    styled under the app's CSS when it showed it first.
    """
    for key in "131":
        await back_to(pilot, key)


async def test_a_step_that_comes_back_unchanged_is_not_restyled(screen_on, monkeypatch):
    async with screen_on("3") as (pilot, cost):
        await away_from_cost(pilot)
        nodes = restyled(monkeypatch)
        await back_to(pilot, "3")
        assert pilot.app.screen is cost
        assert not [node for node in nodes if node is cost or cost in node.ancestors]


async def test_a_step_the_teacher_sends_a_student_back_to_while_their_window_is_away_is_restyled(screen_on, monkeypatch):
    async with screen_on("3") as (pilot, cost):
        app = pilot.app
        await away_from_cost(pilot)
        app.app_focus = False  # the student's terminal window is in the background: the app is :blur
        await pilot.pause()
        nodes = restyled(monkeypatch)
        app.post_message(report.StepAsked("cost"))  # no key: the app stays :blur
        await wait_for(pilot, lambda: app.screen is cost, "Cost shown")
        await pilot.pause()
        assert "blur" in app.pseudo_classes
        assert cost in nodes
        assert cost.query_one("KeyBar") in nodes


def css_refreshes(app, monkeypatch) -> list[str]:
    """The screens on show each time Textual restyles the whole app for its CSS, from now on."""
    refreshed: list[str] = []
    refresh_css = type(app).refresh_css

    def counted(self, animate: bool = True) -> None:
        refreshed.append(self.screen.id)
        refresh_css(self, animate=animate)

    monkeypatch.setattr(type(app), "refresh_css", counted)
    return refreshed


async def test_a_step_opened_or_shown_again_does_not_restyle_the_whole_app(screen_on, monkeypatch):
    async with screen_on("1") as (pilot, _):
        refreshed = css_refreshes(pilot.app, monkeypatch)
        for key in "3131":
            await back_to(pilot, key)
        # Textual's own mark of a screen styled under the app's CSS, which the steps set as they are made.
        assert not refreshed, "Textual restyled the app as a step opened: does it still read Screen._css_update_count?"


async def test_a_step_away_while_the_theme_changed_is_restyled_for_it(screen_on, monkeypatch):
    async with screen_on("3") as (pilot, cost):
        await back_to(pilot, "1")
        pilot.app.theme = "textual-light" if pilot.app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        refreshed = css_refreshes(pilot.app, monkeypatch)
        await back_to(pilot, "3")
        assert refreshed == ["cost"]


async def test_a_step_left_as_the_window_went_to_the_background_is_restyled_when_it_comes_back(screen_on, monkeypatch):
    async with screen_on("3") as (pilot, cost):
        app = pilot.app
        await away_from_cost(pilot)
        await back_to(pilot, "3")
        # The app blurs in the same moment as Cost goes: before Cost has heard it is no longer on show.
        app.action_go("digits")
        app.app_focus = False
        await wait_for(pilot, lambda: app.screen.id == "digits", "Digits shown")
        await pilot.pause()
        nodes = restyled(monkeypatch)
        app.post_message(report.StepAsked("cost"))
        await wait_for(pilot, lambda: app.screen is cost, "Cost shown")
        await pilot.pause()
        assert cost in nodes
