"""A step that comes back is restyled only when something its styles hang on changed while it was away.

Textual works out the styles of every widget of a screen again each time it comes back: a fifth of
what switching steps cost, for styles that are still right. What can make them wrong meanwhile are
the app's own pseudo-classes (:focus, :blur, ...), which Textual restyles only the screen on show
for; a class set on a widget restyles it at once, and new CSS or a new theme restyles a step as it
is switched to.
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
