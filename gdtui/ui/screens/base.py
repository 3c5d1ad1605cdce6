"""What every lesson screen has: the step bar on top, the keys below, and a
clear message instead of a broken layout when the terminal is too small."""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

import numpy as np
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from gdtui.core.model_io import load_model
from gdtui.ui.chosen import SplitName
from gdtui.ui.screens.path_prompt import PathPrompt
from gdtui.ui.widgets.guide_panel import GuidePanel
from gdtui.ui.widgets.key_bar import KeyBar
from gdtui.ui.widgets.lesson_nav import LessonNav

if TYPE_CHECKING:
    from gdtui.ui.state import LessonState


# Keys on their way to the bindings that were typed at a step's screen: keys in one read all reach it before the
# first of them has opened a prompt over it.
TYPED_AT_A_STEP: weakref.WeakSet[events.Key] = weakref.WeakSet()


class Lesson(Protocol):
    """What a step's screen takes from the app it runs in."""

    state: LessonState
    rng: np.random.Generator
    files_root: Path | None
    let_go: weakref.WeakSet[events.Key]  # keys a screen held and has let go, on their way back round

    @property
    def guiding(self) -> bool: ...

    @property
    def lesson_left_at(self) -> tuple[int, int]:
        """The beat the lesson resumes at, counted from 1, and how many beats it has."""
        ...

    def network_changed(self) -> None: ...


class LessonScreen(Screen):
    """A step of the lesson. Subclasses compose their body and redraw from the shared state."""

    # The step's, not the app's priority keys: a priority key acts as soon as it is read, before the keys
    # typed ahead of it (a prompt's answer, a step under way), and over a prompt it was lost. A step's
    # screen has no field for tab to move between, so it turns the lesson's page here.
    BINDINGS = [
        Binding("tab", "app.turn(1)", "Next step", show=False),
        Binding("shift+tab", "app.turn(-1)", "Previous step", show=False),
    ]

    MIN_SIZE: ClassVar[tuple[int, int]] = (80, 24)
    ROOMY_SIZE: ClassVar[tuple[int, int]] = (110, 36)  # from here on, images are drawn twice the size
    TITLE_TEXT: ClassVar[str] = ""
    HELP: ClassVar[str] = ""

    DEFAULT_CSS = """
    LessonScreen #too-small { display: none; width: 1fr; height: 1fr; content-align: center middle; text-align: center; }
    LessonScreen.-too-small #too-small { display: block; }
    LessonScreen.-too-small #body, LessonScreen.-too-small LessonNav,
    LessonScreen.-too-small GuidePanel, LessonScreen.-too-small KeyBar { display: none; }
    LessonScreen #body { height: 1fr; }
    /* The guided lesson's panel says what these would: the picture the beat is about keeps their rows. */
    LessonScreen.-guided .aside { display: none; }
    /* Except the one a beat is about: the guide may replace prose, never the sentence the beat shows. */
    LessonScreen.-guided .aside.-kept { display: block; }
    """

    class Shown(Message):
        """The step's screen is on show, or changed what the guided lesson speaks of."""

        def __init__(self, screen: LessonScreen) -> None:
            super().__init__()
            self.screen = screen

    @property
    def gdtui(self) -> Lesson:
        return cast(Lesson, self.app)

    @property
    def state(self) -> LessonState:
        return self.gdtui.state

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._held: list[tuple[str, str | None]] = []  # keys that came while work they must follow was under way
        self._refused: tuple[str, float] = ("", 0.0)  # the last refusal told, and until when its toast is up
        # Textual's mark of a screen styled under the app's CSS, which it sets only once the screen has been shown
        # mounted: until then, showing it restyles the app and the screen on show (the step left, then the step
        # itself), twice. A step is styled as it mounts, under the CSS there is then: CSS or a theme newer than
        # this mark still has Textual restyle it as it comes (tests/app/test_step_restyle.py).
        self._css_update_count = self.app._css_update_count

    def compose(self) -> ComposeResult:
        yield LessonNav(self.id or "")
        with Container(id="body"):
            yield from self.compose_body()
        yield Static(id="too-small")
        yield GuidePanel()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys that would change what the "make the window larger" message hides stay quiet.
        if self.has_class("-too-small"):
            return False
        return self.allows(action, parameters)

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether this screen's action can run now: True, False (hidden) or None (shown disabled)."""
        return True

    def refuse(self, why: str) -> None:
        """Say why a key did nothing: once while its toast is up, so that a key pressed again, or held down,
        does not pile up copies of it."""
        now = time.monotonic()
        if self._refused[0] == why and now < self._refused[1]:
            return
        self._refused = (why, now + self.app.NOTIFICATION_TIMEOUT)
        self.notify(why, severity="warning", markup=False)

    # -- keys in bursts ----------------------------------------------------------

    def busy(self) -> bool:
        """Whether work is under way that the keys typed after it must wait for: a step, say."""
        return False

    def hold(self, event: events.Key) -> bool:
        """Keep a key that came while this screen is busy, to act once the work is done; whether it was kept.

        Over SSH several keys land in one read: n n n s is three steps and then a save of what they made,
        n n n 2 three steps and then the Network step. The app asks here before any binding sees a key.
        A key behind held ones waits with them, even once the work is over: until the screen hears that it is,
        and lets them go, it would act before them.
        """
        if not self._held and not self.busy():
            return False
        self._held.append((event.key, event.character))
        return True

    def on_key(self, event: events.Key) -> None:
        TYPED_AT_A_STEP.add(event)  # the app may find a prompt over this screen by the time it reaches the bindings

    def release_keys(self, drop: tuple[str, ...] = ()) -> None:
        """The work is done: the keys that waited for it act now, in the order they came, but those in `drop`."""
        held, self._held = self._held, []
        for key, character in held:
            if key not in drop:
                event = events.Key(key, character)
                event.set_sender(self.app)  # as the terminal's keys come: from the app, not from this screen
                self.gdtui.let_go.add(event)
                self.app.post_message(event)

    def on_mount(self) -> None:
        self._check_size(self.app.size.width, self.app.size.height)
        self._styled_under = self._what_styles_hang_on()
        self.watch(self.app, "app_focus", self._app_focus_changed, init=False)

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    roomy: reactive[bool] = reactive(False, repaint=False)

    def too_small(self, width: int, height: int) -> bool:
        """Whether a terminal of that size shows "make the window larger" instead of this step."""
        need_w, need_h = self.MIN_SIZE
        return width < need_w or height < need_h

    def _check_size(self, width: int, height: int) -> None:
        need_w, need_h = self.MIN_SIZE
        small = self.too_small(width, height)
        if small != self.has_class("-too-small"):
            self.set_class(small, "-too-small")
            self.refresh_bindings()
        self.roomy = width >= self.ROOMY_SIZE[0] and height >= self.ROOMY_SIZE[1]
        if small:
            self.query_one("#too-small", Static).update(
                f"Make the window larger, please.\n\n{self.TITLE_TEXT} needs {need_w}×{need_h}; "
                f"this terminal is {width}×{height}.\n\nq quits."
            )

    # The app's classes and pseudo-classes (:focus, :blur, ...) the screen was last styled under.
    _styled_under: tuple[frozenset[str], frozenset[str]] | None = None

    def _what_styles_hang_on(self) -> tuple[frozenset[str], frozenset[str]]:
        return self.app.pseudo_classes, frozenset(self.app.classes)

    def _app_focus_changed(self) -> None:
        # Textual restyles the screen on show for the app's :focus and :blur, and no other: one left
        # behind, even in the same moment, keeps what it was styled under, and is restyled when it comes.
        if self.app.screen is self:
            self._styled_under = self._what_styles_hang_on()

    @on(events.ScreenResume)
    def _restyle_only_if_needed(self, event: events.ScreenResume) -> None:
        # Textual works out every widget's styles again each time a screen comes back: a fifth of what
        # switching steps cost, for styles still right. The app's pseudo-classes are what may have changed
        # them meanwhile (Textual restyles only the screen on show for those); a class set on a widget
        # restyles it at once, and new CSS or a new theme restyles a step as it is switched to.
        # Handlers run subclass first: Screen's own, which reads this, comes after.
        now = self._what_styles_hang_on()
        if now == self._styled_under:
            event.refresh_styles = False
        self._styled_under = now  # as they are once Screen's own handler is done

    def on_screen_resume(self) -> None:
        self.post_message(self.Shown(self))
        self.redraw()

    def redraw(self) -> None:
        """Show the shared state as it is now."""

    def action_use_dataset(self) -> None:
        """Take the input from the data set, not a drawing or noise."""
        self.state.chosen.use_dataset()

    def action_use_set(self, name: SplitName) -> None:
        """Take the input from the training set's images, the ones the network learns from, or from the test set's."""
        self.state.chosen.use_set(name)

    def action_open_model(self) -> None:
        """Ask for a saved model and make it the network every step shows."""

        def use(path: Path) -> Path:
            self.state.use_network(load_model(path), path.name)
            return path

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.redraw()

        folder = self.gdtui.files_root or Path.cwd()
        title = "Open a model saved by gdtui (.npz):"
        if self.state.unsaved:
            title = f"The network ({self.state.network_origin}) is not saved: opening a model replaces it.\n{title}"
        prompt = PathPrompt(title, accept=use, models_in=folder)
        self.app.push_screen(prompt, chosen)
