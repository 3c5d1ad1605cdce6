"""The guided lesson's controller: which beat is shown, and the step it is shown on.

A step's screen says when it is on show (`LessonScreen.Shown`); the app hands
that to the guide, which fills the screen's guide panel. Opening a beat puts its
step in the state the beat talks about by running the beat's actions on that
step's screen, as its keys would.
"""

from __future__ import annotations

from textual.app import App

from gdtui.ui import bookmark
from gdtui.ui.beats import BEATS, Beat, filled
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.widgets.guide_panel import GuidePanel


class Guide:
    def __init__(self, app: App, *, on: bool) -> None:
        self.app = app
        self.on = on
        # Where the lesson stopped, however this start was asked for: L resumes it there.
        self.beat = min(bookmark.load_beat(), len(BEATS) - 1)  # a bookmark kept from a longer lesson

    @property
    def left_at(self) -> tuple[int, int]:
        """The beat L opens, counted from 1, and how many beats there are."""
        return self.beat + 1, len(BEATS)

    def show(self, screen: LessonScreen) -> None:
        """Show the current beat in the screen's guide panel, or hide the panel."""
        panel = screen.query_one(GuidePanel)
        if not self.on:
            panel.hide()
            if screen.has_class("-guided"):
                screen.set_class(False, "-guided")
                screen.redraw()
            return
        beat = BEATS[self.beat]
        here = screen.id == beat.mode
        # On the beat's own step the guide takes the place of the screen's explanatory text.
        kept = {selector.removeprefix("#") for selector in beat.shows} if here else set()
        for aside in screen.query(".aside"):
            aside.set_class(aside.id in kept, "-kept")
        if screen.has_class("-guided") != here:
            screen.set_class(here, "-guided")
            screen.redraw()
        if not here:
            # One line that names no figure: the beat's words, worked out, would be thrown away.
            panel.show_away(self.beat + 1, len(BEATS))
            return
        state = screen.state
        panel.show_beat(
            self.beat + 1,
            len(BEATS),
            filled(beat.title, state, screen),
            filled(beat.text, state, screen),
            filled(beat.invite, state, screen),
        )

    def go_to(self, number: int) -> None:
        """Open beat `number` (0 is the first) on its step, the step prepared for it."""
        self.beat = max(0, min(number, len(BEATS) - 1))
        self.on = True
        bookmark.save_beat(self.beat)
        beat = BEATS[self.beat]
        self.app.switch_mode(beat.mode)
        self.app.call_after_refresh(self._prepare, beat)

    def turn(self, delta: int) -> None:
        """The next beat (or previous, or `delta` on); back on the current one if the guide was off."""
        self.go_to(self.beat + delta if self.on else self.beat)

    def toggle(self, screen: LessonScreen) -> None:
        """Off on the current beat's own step; anywhere else, back to that beat."""
        if self.on and screen.id == BEATS[self.beat].mode:
            self.on = False
            self.show(screen)
        else:
            self.go_to(self.beat)

    async def _prepare(self, beat: Beat) -> None:
        # The beat's step, not whatever is on top: keys typed ahead may have opened help
        # or the palette over it before this runs.
        if self.app.current_mode != beat.mode:
            return  # a later beat, or a step key, has moved on already
        screen = self.app.screen_stack[0]
        if not isinstance(screen, LessonScreen):
            return
        for action in beat.prepare:
            await self.app.run_action(action, screen)
        # The guide first: what the screen draws depends on whether the guide stands in for its text.
        self.show(screen)
        screen.redraw()
