"""Driving the app in tests.

Nothing here sleeps for a fixed time and hopes: the machines that run the tests
are shared and sometimes busy, so every helper waits for the condition it needs
(the screen switched, the worker finished), up to a generous deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App
from textual.color import Color
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.style import Style as TextualStyle
from textual.visual import Visual, visualize

from gdtui.ui.app import GdtuiApp
from gdtui.ui.lesson import STEPS
from gdtui.ui.widgets.cell_plot import CellPlot, plotext_theme

# Long enough for a busy two-core machine; a test that passes waits only as long as it must.
DEADLINE_S = 60.0
MODE_OF_KEY = {step.key: step.mode for step in STEPS}
# Model files named like markup, as a real one may be ("run[eta=1.5,batch=10].npz"). No "/":
# a file's name cannot hold one. The last has no ".npz": saving it adds one.
HOSTILE_FILE_NAMES = (
    "run[eta=1.5,batch=10].npz",
    "x[a=b=c].npz",
    "model[lr=0.5].npz",
    "[bold red]x.npz",
    "[@click=app.quit]q.npz",
    "back\\[slash.npz",
    "[b]ends\\",
)


def make_app(data_dir: Path, **kwargs) -> GdtuiApp:
    app = GdtuiApp(data_dir=data_dir, **kwargs)
    app.animation_level = "none"
    return app


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str, deadline: float = DEADLINE_S) -> None:
    """Let the app run until condition() holds, then until what it changed is drawn."""
    give_up = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"waited {deadline:.0f} s for {what}")
        # Not the Pilot's pause: each one visits every widget of the screen, 2 to 4 ms of CPU that the
        # app, drawing on its own meanwhile, and its workers would otherwise have.
        await asyncio.sleep(0.01)
    await pilot.pause()


async def wait_until_loaded(pilot: Pilot) -> None:
    """The data loads in a worker; the first step opens when it is in."""
    app = pilot.app
    # The step's own screen, under whatever keys typed meanwhile opened on it (help, a prompt).
    await wait_for(
        pilot, lambda: getattr(app, "state", None) is not None and app.screen_stack[0].id is not None, "the data to load"
    )


async def settle(pilot: Pilot) -> None:
    """Wait for every worker to finish, then for the screen to show what they did."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_step(pilot: Pilot, key: str):
    """Wait for the data, open the step on `key`, and return its screen once it is the one shown."""
    await wait_until_loaded(pilot)
    await pilot.press(key)
    mode = MODE_OF_KEY[key]
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.id == mode and app.screen.is_mounted, f"step {key} to open")
    return app.screen


def after_keys(*keys: str):
    """A snapshot's run_before: wait for the data, open the step if the first key names one, press the rest."""

    async def run_before(pilot: Pilot) -> None:
        rest = keys
        if keys and keys[0] in MODE_OF_KEY:
            await open_step(pilot, keys[0])
            rest = keys[1:]
        else:
            await wait_until_loaded(pilot)
        await pilot.press(*rest)
        await pilot.pause()

    return run_before


_DRAW_FRAME = Screen._compositor_refresh


def forget_frame(screen: Screen) -> None:
    """Screen._compositor_refresh for a headless app whose screen is drawn when a test reads it."""
    app = screen.app
    if not (app.is_headless and screen is app.screen):
        _DRAW_FRAME(screen)
        return
    # What changed since the last frame is forgotten, not drawn: screen_text() draws the whole screen.
    screen._compositor._dirty_regions.clear()
    screen._dirty_widgets.clear()
    app._update_mouse_over(screen)


def screen_text(app) -> str:
    """Every character on the screen as drawn, the toasts included, one line a row."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


def notices(app) -> list[str]:
    """The app's notifications as their toasts show them (markup read only when they ask for it)."""
    return [str(Content.from_markup(n.message) if n.markup else Content(n.message)) for n in app._notifications]


def wraps(widget) -> bool:
    """Some line of the widget's text is longer than its column and goes on in the row below."""
    size, screen = widget.size, widget.app.size
    return widget.get_content_height(size, screen, widget.content_region.width) > widget.get_content_height(size, screen, 10_000)


def drawn_words(widget, width: int = 80) -> str:
    """What a widget draws at that width, as plain text, shown or not: a code block's code, where
    str() of its render() is the repr of a Rich object, memory address and all."""
    visual = visualize(widget, widget.render())
    return "\n".join(strip.text for strip in Visual.to_strips(widget, visual, width, None, widget.visual_style))


def rendered(screen, widget_id: str) -> str:
    """What a widget shows, as plain text."""
    return str(screen.query_one(f"#{widget_id}").render())


async def until_on_network(pilot: Pilot, screen) -> None:
    """On a descent step: cycle the functions to the network's and wait for its worker."""
    while not screen.on_network:
        await pilot.press("f")
    await settle(pilot)


async def burst(pilot: Pilot, *keys: str) -> None:
    """Send keys the way a laggy SSH link delivers them: all in one read, none waiting for the
    app to handle the one before. Then wait until the app has handled them all."""
    app = pilot.app
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()
    await pilot.pause()


async def full_speed(pilot: Pilot, screen) -> None:
    """Training's speed turned up with f until a run goes as fast as it can."""
    while screen.training.speed != 0:
        await pilot.press("f")


async def train_epochs(pilot: Pilot, screen, epochs: int) -> None:
    """Train that many epochs with e on the Training step, each waited for to its end."""
    for _ in range(epochs):
        before = screen.driver.ensure().trainer.epochs_done
        await pilot.press("e")
        await wait_for(pilot, lambda b=before: screen.driver.ensure().trainer.epochs_done > b and not screen.running, "an epoch")


# Textual's theme in ANSI colours: "ansi-dark" from Textual 8.2.5, "textual-ansi" before (both pins allow).
ANSI_THEME = next(name for name in ("ansi-dark", "textual-ansi") if name in App().available_themes)


def through_the_terminal_codes(plot: CellPlot) -> Content:
    """The plot as textual-plotext draws it: plotext's printed text, read back by Rich, then by Textual.

    In the plot's own plotext theme, made from the app's colours (textual-plotext's makes the colours of
    the terminal's own black; see plotext_theme).
    """
    width, height = plot.size
    figure: Any = plot.plt
    figure.plotsize(width, height)
    figure._set_size(width, height)  # as PlotextPlot.render does
    figure.theme(plotext_theme(plot.app.theme_variables))
    return Content.from_rich_text(Text.from_ansi(figure.build()), plot.app.console)


def drawn_in(widget, content: Content, glyph: str) -> Color:
    """The colour `glyph` shows in where `widget` draws `content`: its own, or else the theme's text colour;
    one of the terminal's sixteen as the app's theme shows it."""
    style = style_at(content, glyph)
    colour = style.foreground if style is not None and style.foreground is not None else None
    if colour is None:
        return Color.parse(widget.app.theme_variables["foreground"])
    if colour.ansi is not None and colour.ansi >= 0:
        return Color(*widget.app.ansi_theme.ansi_colors[colour.ansi])
    return colour


def contrast(a: Color, b: Color) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""

    def luminance(colour: Color) -> float:
        r, g, b = (c / 255 for c in colour.rgb)
        r, g, b = ((c / 12.92) if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def stands_out(widget, colour: Color) -> bool:
    """Whether `colour` reads on the theme's surface, the background of the app's plots, light or dark:
    WCAG's 3:1, the least it asks of the parts of a graph."""
    return contrast(colour, Color.parse(widget.app.theme_variables["surface"])) >= 3


def words_drawn_in(app, words: str) -> tuple[Color, Color]:
    """The colours the screen draws the first character of `words` in, as the terminal gets them: (text, background)."""
    for line in app.screen._compositor.render_full_update().strips:
        segments = [segment for strip in line for segment in strip]
        row = "".join(segment.text for segment in segments)
        if words in row:
            at = row.index(words)
            for segment in segments:
                if at < len(segment.text):
                    style = segment.style
                    assert style is not None and style.color is not None and style.bgcolor is not None, (words, style)
                    return Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
                at -= len(segment.text)
    raise AssertionError(f"{words!r} is not on the screen")


def style_at(content: Content, text: str) -> TextualStyle | None:
    """The style `content` draws the first character of `text` in (None: plain), as it reads markup."""
    at = content.plain.index(text)
    style = next((span.style for span in content.spans if span.start <= at < span.end), None)
    return TextualStyle.parse(style) if isinstance(style, str) else style
