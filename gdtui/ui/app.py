"""The gdtui app: one screen per step of the lesson, over one shared state."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from textual import events, work
from textual.actions import parse as parse_action
from textual.app import SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from gdtui.core.dataset import Dataset, load_checked, load_dataset
from gdtui.core.errors import GdtuiError
from gdtui.core.model_io import check_fits
from gdtui.core.network import LESSON_SIZES, Network
from gdtui.core.presets import preset_for
from gdtui.core.training import evaluate
from gdtui.ui import lesson, parsed_css, preferences, recovery, report, screenshot
from gdtui.ui.guide import Guide
from gdtui.ui.lesson import STEPS, step_for
from gdtui.ui.messages import WorkProgressed
from gdtui.ui.screens.base import TYPED_AT_A_STEP, LessonScreen
from gdtui.ui.screens.loading import LoadingScreen
from gdtui.ui.screens.path_prompt import in_folder
from gdtui.ui.screens.prompt import Palette, Prompt
from gdtui.ui.screens.quit_prompt import QuitPrompt
from gdtui.ui.screens.restore_prompt import RestorePrompt
from gdtui.ui.state import LessonState
from gdtui.ui.terminal_app import TerminalApp
from gdtui.ui.widgets.key_bar import keys_of

# How often the app looks whether the network's unsaved changes need keeping (or the copy removing),
# and how often at most it writes a new copy while training goes on.
CHECK_UNSAVED_S = 1.0
KEEP_UNSAVED_S = 5.0
# Ended by a signal, the app may be stuck: past this, the copy is kept without the network's lock.
_LOCK_WAIT_S = 0.3


def _lesson_screen(mode: str) -> Callable[[], LessonScreen]:
    """Build a step's screen when it is first opened, importing its module only then:
    plotting and the later steps cost start-up time a learner on Digits does not need."""

    def build() -> LessonScreen:
        step = step_for(mode)
        module = importlib.import_module(f"gdtui.ui.screens.{step.module}")
        return getattr(module, step.screen)(id=mode)

    return build


class GdtuiApp(TerminalApp):
    TITLE = "gdtui"
    # The shared network's version, as the screens last heard of it: every change bumps it.
    # A notice for the screens that watch it, which draw what changed: a repaint of the app would send
    # the whole screen again with every step (8.6 KB at 80×24 on Training, against 3.6 KB for the change).
    network_version: reactive[int] = reactive(0, repaint=False)
    # The chosen input's version, for the screens that show it, as the network's is.
    input_version: reactive[int] = reactive(0, repaint=False)
    MODES = {mode: _lesson_screen(mode) for mode in lesson.MODES}
    BINDINGS = [
        *(Binding(s.key, f"go('{s.mode}')", s.title, show=False) for s in STEPS),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("L", "guide", "Lesson"),
        Binding("full_stop", "beat(1)", "Next beat of the lesson", show=False),
        Binding("comma", "beat(-1)", "Previous beat of the lesson", show=False),
        Binding("R", "restart_lesson", "Restart the lesson", show=False),
        # Not a priority key, as Textual makes it: a priority key acts as soon as it is read, before the keys
        # typed ahead of it, and a palette opened over a prompt those keys answer went with the prompt.
        Binding("ctrl+p", "command_palette", "Commands", show=False),
    ]

    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        seed: int = 0,
        network: Network | None = None,
        model_name: str = "loaded model",
        lesson: bool = False,
        files_root: Path | None = None,
    ) -> None:
        # Before the App makes its stylesheet: what any app of this process parsed, this one need not.
        parsed_css.share()
        super().__init__()
        self.data_dir = data_dir
        # Where models may be opened from and saved to; None lets the learner choose any path.
        self.files_root = files_root
        self.guide = Guide(self, on=lesson)
        self.seed = seed
        self.start_network = network
        self.model_name = model_name  # where start_network came from, such as its file's name
        self.error: str | None = None
        # Keys a screen held and has let go, on their way back round through the queue: behind keys not read yet
        # when they were, which wait for them (see on_event).
        self.let_go: weakref.WeakSet[events.Key] = weakref.WeakSet()
        self.rng = np.random.default_rng(seed)
        self.state: LessonState
        # Set once the first step's screen has been drawn: a lab session tells the server, which lets
        # the next session in line start building its own (see gdtui.serve.admission).
        self.first_screen_shown = asyncio.Event()
        # Set when a lab session's class record must hear of a change at once (see gdtui.ui.report).
        self.report_now = asyncio.Event()
        # Forked from the lab's zygote, which checked the data set's cache, a session has it in a
        # millisecond: nothing is loading, and the first step is drawn sooner without a loading
        # screen drawn before it.
        self._loaded = load_checked(data_dir)
        # The copy of unsaved changes last kept (its version, and when); None when there is none.
        self._unsaved_kept: tuple[int, float] | None = None
        # A copy left by an earlier run, offered back and not yet answered: it must stay as it is.
        self._offering = False
        self._saved_theme = preferences.saved_theme()
        if self._saved_theme in self.available_themes:
            self.theme = self._saved_theme

    def watch_theme(self, theme: str) -> None:
        # Chosen in the palette: kept for the next start. Not written when only restored.
        if theme != self._saved_theme:
            self._saved_theme = theme
            preferences.save_theme(theme)

    def get_default_screen(self) -> Screen:
        return LoadingScreen() if self._loaded is None else Screen()

    def on_mount(self) -> None:
        if self._loaded is None:
            self.load_data()
        else:
            self.start(self._loaded)
        # In a lab session: tell the teacher's dashboard where this student is, and take its word.
        report.start(self, self._progress, self.first_screen_shown, self.report_now)

    @work(thread=True, exit_on_error=False, group="load")
    def load_data(self) -> Dataset:
        worker = get_current_worker()

        def progress(stage: str, fraction: float) -> None:
            self.post_message(WorkProgressed(worker, fraction, stage))

        return load_dataset(self.data_dir, progress=progress)

    def on_work_progressed(self, message: WorkProgressed) -> None:
        if message.worker.group == "load" and isinstance(self.screen, LoadingScreen):
            self.screen.show_progress(message.stage, message.fraction)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "load":
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Dataset):
            self.start(event.worker.result)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, GdtuiError):
                self.fail(str(error))
            elif error is not None:
                raise error

    def fail(self, message: str) -> None:
        self.error = message
        self.exit(return_code=2)

    def start(self, data: Dataset) -> None:
        if self.start_network is None:
            # The lesson's hidden layers between this set's pixels and its classes.
            network = Network((data.pixels, *LESSON_SIZES[1:-1], len(data.classes)), seed=self.seed)
            origin = ""
        else:
            network, origin = self.start_network, self.model_name
            try:
                check_fits(network, data, origin)
            except GdtuiError as err:
                self.fail(str(err))
                return
        self.state = LessonState(
            data,
            network,
            seed=self.seed,
            origin=origin,
            on_change=self.network_changed,
            on_kept=self._report_now,
            on_input_change=self.input_changed,
        )
        if self.guide.on:
            self.guide.go_to(self.guide.beat)
        else:
            self.switch_mode("digits")
        self.call_after_refresh(self.first_screen_shown.set)
        self._offer_unsaved()
        self.set_interval(CHECK_UNSAVED_S, self._keep_unsaved)

    # -- training never saved ------------------------------------------------------

    def _offer_unsaved(self) -> None:
        """Offer back the unsaved network an earlier run left, if it fits these data."""
        unsaved = recovery.find()
        if unsaved is None:
            return
        try:
            check_fits(unsaved.network, self.state.data, unsaved.provenance.origin)
        except GdtuiError:
            return  # kept for a start on the data set it was trained on
        if not unsaved.trained_on(self.state.data):
            return  # likewise: trained on another set of this shape
        provenance = unsaved.provenance
        accuracy = evaluate(unsaved.network, self.state.data.test, preset_for(unsaved.network).cost).accuracy
        self._offering = True

        def answer(restore: bool | None) -> None:
            self._offering = False
            if restore:
                self.state.restore(unsaved.network, provenance)
                # The copy on disk is this network as it now is: saved, it goes; changed, a newer one replaces it.
                self._unsaved_kept = (self.state.version, time.monotonic())
            else:
                recovery.discard()

        data = self.state.data
        self.push_screen(RestorePrompt(provenance.words(), accuracy, len(data.test), data.name), answer)

    def _keep_unsaved(self, lock_wait: float = -1) -> None:
        """Keep a copy of the network's unsaved changes, new ones at most every KEEP_UNSAVED_S; once
        there are none (saved, or replaced knowingly), remove it."""
        if self._offering or not hasattr(self, "state"):
            return
        if not self.state.unsaved:
            if self._unsaved_kept is not None:
                recovery.discard()
                self._unsaved_kept = None
            return
        now = time.monotonic()
        if self._unsaved_kept is not None and (
            self._unsaved_kept[0] == self.state.version or now - self._unsaved_kept[1] < KEEP_UNSAVED_S
        ):
            return
        copy = self.state.unsaved_copy(lock_wait)
        if copy is not None:
            network, provenance, version = copy
            if recovery.keep(network, provenance, self.state.data):
                self._unsaved_kept = (version, now)

    def keep_before_ending(self) -> None:
        # Told to end: whatever changed since the last copy is kept now.
        if self._unsaved_kept is not None:
            self._unsaved_kept = (self._unsaved_kept[0], float("-inf"))
        self._keep_unsaved(_LOCK_WAIT_S)

    def _report_now(self) -> None:
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.report_now.set)
            return
        self.report_now.set()

    def network_changed(self) -> None:
        """Tell the screens that watch `network_version` that the network changed."""
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.network_changed)
            return
        self.network_version = self.state.version

    def input_changed(self) -> None:
        """Tell the screens that watch `input_version` that the chosen input changed."""
        self.input_version = self.state.chosen.version

    def watch_network_version(self) -> None:
        # A beat's words may speak of the network (random, trained, how well it reads): they follow it.
        screen = self.screen if hasattr(self, "state") else None
        if self.guide.on and isinstance(screen, LessonScreen):
            self.guide.show(screen)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if event in self.let_go:
                self.let_go.discard(event)
            elif self.let_go:
                # Keys a screen held come back round behind the keys read before they were let go: those follow
                # them, to the queue's end, behind them. Whatever takes them then (a prompt's field, say), each
                # passes here once, so that none waits for good.
                again = events.Key(event.key, event.character)
                again.set_sender(self)
                self.post_message(again)
                return
        # A key that comes while the mode just switched to has no screen on its stack yet (the guide
        # switches modes from an action) has nothing to act on: Textual would fail looking for one.
        if isinstance(event, events.Key) and not self.screen_stack:
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # Before Textual's own handler, where the keys reach the bindings one after another in the order they
        # came. A step's screen busy with work the keys after it must follow (a step under way) keeps them,
        # and hands them back when it is done. A prompt opened by a key of the same read deals with the keys
        # typed at the step after it (see Prompt.typed_below).
        if not self.screen_stack:
            return
        screen = self.screen
        held = isinstance(screen, LessonScreen) and screen.hold(event)
        if held or (isinstance(screen, Prompt) and event in TYPED_AT_A_STEP and screen.typed_below(event)):
            event.prevent_default()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Behind "make the window larger" the step is out of sight: only quitting acts, so that what the
        # window shows when it grows is what it showed when it shrank.
        if self.screen_stack and self.screen.has_class("-too-small"):
            return action in ("quit", "help_quit")
        return True

    def _in_lesson(self) -> bool:
        return hasattr(self, "state") and isinstance(self.screen, LessonScreen)

    def action_go(self, mode: str) -> None:
        if hasattr(self, "state"):
            self.switch_mode(mode)

    def on_step_asked(self, message: report.StepAsked) -> None:
        was = self.current_mode
        if not hasattr(self, "state") or message.mode == was:
            return
        self.action_go(message.mode)
        # Said, so that the student knows why the screen changed, and that what they were doing waits on its step.
        here = step_for(message.mode)
        back = f": {step_for(was).key} goes back to {step_for(was).title}" if was in lesson.MODES else ""
        self.notify(f"Your teacher brought you to step {here.key}, {here.title}{back}.", markup=False)

    def _progress(self) -> dict:
        """What the lab's hub hears of this learner."""
        return report.progress_of(self, getattr(self, "state", None), self.guide.beat if self.guide.on else None)

    def action_turn(self, direction: int) -> None:
        if self._in_lesson():
            here = lesson.MODES.index(self.current_mode)
            self.switch_mode(lesson.MODES[(here + direction) % len(lesson.MODES)])

    async def action_quit(self) -> None:
        """Quit, but not silently over a trained network that was never saved."""
        state = getattr(self, "state", None)
        if state is None or not state.unsaved or isinstance(self.screen, QuitPrompt):
            self._quit()
            return

        def answer(quit: bool | None) -> None:
            if quit:
                self._quit()

        self.push_screen(QuitPrompt(state.network_origin, self.screen), answer)

    def _quit(self) -> None:
        self.set_priority_back()
        # Quitting knowingly drops the changes the copy was kept for; an offer not yet answered stays.
        if not self._offering:
            recovery.discard()
        self.exit()

    def action_help(self) -> None:
        if self._in_lesson():
            # Here, not at the start: its Markdown brings markdown-it, which a session that never asks for help never uses.
            from gdtui.ui.screens.help import HelpScreen

            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        # Before the first step is shown there is nothing to command, and a palette opened
        # over the loading screen would be left in the start-up mode's stack.
        # No id: a palette just closed is removed a moment later, and a ctrl+p typed in the same
        # read opens the next one while it is still there (ids must be unique).
        # Textual types the app it asks about as App[object]; App is invariant in its return type.
        if hasattr(self, "state") and not Palette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette())

    # -- the guided lesson ------------------------------------------------------

    @property
    def guiding(self) -> bool:
        return self.guide.on

    @property
    def lesson_left_at(self) -> tuple[int, int]:
        return self.guide.left_at

    def on_lesson_screen_shown(self, message: LessonScreen.Shown) -> None:
        self.guide.show(message.screen)

    def action_guide(self) -> None:
        screen = self.screen
        if self._in_lesson() and isinstance(screen, LessonScreen):
            self.guide.toggle(screen)

    def action_beat(self, delta: int) -> None:
        if self._in_lesson():
            self.guide.turn(delta)

    def action_restart_lesson(self) -> None:
        if self._in_lesson():
            self.guide.go_to(0)

    @staticmethod
    def _acts_now(screen: Screen, binding: Binding) -> bool:
        """Whether the binding's action would do something on the screen as it is now: a command
        chosen from the palette that does nothing (Clear while not drawing) would say it does."""
        _, name, parameters = parse_action(binding.action)
        return screen.check_action(name, parameters) is True

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        if self.is_web:  # the browser downloads it
            return super().deliver_screenshot(filename, path, time_format)
        name = filename or screenshot.file_name(self.title, time_format)
        target = Path(path or screenshot.folder(self.files_root)) / name
        try:
            screenshot.save(self.export_screenshot(), target)
        except OSError as err:
            failed = f"Could not save {target}: {err.strerror}"
            self.notify(in_folder(failed, self.files_root), title="Screenshot", severity="error", markup=False)
        else:
            self.notify(in_folder(f"Saved as {target}", self.files_root), title="Screenshot", markup=False)
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if hasattr(self, "state"):
            for step in STEPS:
                yield SystemCommand(
                    f"Go to {step.title}", f"Step {step.key} of the lesson", lambda m=step.mode: self.switch_mode(m)
                )
            yield SystemCommand("Guided lesson", "Walk through the story one beat at a time (L)", self.action_guide)
            yield SystemCommand("Restart the lesson", "Back to the first beat (R)", self.action_restart_lesson)
            if screen.id is not None and screen.id in lesson.MODES:
                step = step_for(screen.id)
                for binding in screen.BINDINGS:
                    if isinstance(binding, Binding) and binding.description and self._acts_now(screen, binding):
                        yield SystemCommand(
                            f"{step.title}: {binding.description}",
                            f"key {keys_of(self, binding)}",
                            lambda action=binding.action: self.run_action(action, screen),
                        )
        yield from super().get_system_commands(screen)
