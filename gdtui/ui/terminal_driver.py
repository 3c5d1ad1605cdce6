"""Textual's POSIX driver, writing to a terminal that may hang up at any moment (see terminal_app),
and reading escape with most letters or a digit typed right after it as the two keys.

It replaces the driver's private file and signal handlers, and drops entries of Textual's private
table of key sequences: tests/unit/test_textual_insides.py says when Textual changes them.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from typing import IO, Any

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message


class _Terminal:
    """The file Textual's writer thread writes to: the terminal until a write fails, then nothing."""

    def __init__(self, file: IO[str], hung_up: Callable[[], None]) -> None:
        self._file = file
        self._hung_up = hung_up
        self.lost = False

    def _lose(self) -> None:
        if not self.lost:
            self.lost = True
            self._hung_up()

    def write(self, text: str) -> None:
        if not self.lost:
            try:
                self._file.write(text)
            except (OSError, ValueError):
                self._lose()

    def flush(self) -> None:
        if not self.lost:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self._lose()

    def fileno(self) -> int:
        return self._file.fileno()


class TerminalDriver(LinuxDriver):
    """Textual's driver, for a terminal that may hang up at any moment."""

    def __init__(self, app: App, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        read_escape_and_digit_as_typed()
        hung_up: Callable[[], None] = getattr(app, "hung_up", lambda: None)
        if self._file is None:  # Textual's file is the process's first standard error: there is none
            raise RuntimeError("no terminal to draw on: this process has no standard error")
        self._terminal = _Terminal(self._file, hung_up)
        # Textual types it as the text file it was; its writer calls only write, flush and fileno.
        self._file = self._terminal  # type: ignore[assignment]
        self._app_ending: Callable[[], bool] = lambda: getattr(app, "ending", None) is not None
        self._stopping = False
        self.holds_terminal = False  # in application mode: raw, on the alternate screen, read and written

    def start_application_mode(self) -> None:
        self.holds_terminal = True  # first: what a start that fails half way did is undone as the app ends
        super().start_application_mode()

    # Once the terminal is handed back, neither touches it again: a stopped app that ends in the background
    # would be stopped again (SIGTTOU) by a terminal the shell holds.
    def stop_application_mode(self) -> None:
        if self.holds_terminal:
            try:
                super().stop_application_mode()
            finally:
                self.holds_terminal = False

    def disable_input(self) -> None:
        if self.holds_terminal:
            super().disable_input()

    def process_message(self, message: Message) -> None:
        pressed = escape_then_key(message) if isinstance(message, events.Key) else None
        for each in pressed or (message,):
            super().process_message(each)

    def _sigtstp_application(self, *args: Any) -> None:
        # Told to stop. A handler runs between any two steps of the app's thread, which may be writing
        # to the queue that handing the terminal back writes to, its lock held: the stop waits for the loop.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app has ended: stop as a program with no handler does
            os.kill(os.getpid(), signal.SIGSTOP)
            return
        if not self._stopping:
            self._stopping = True
            loop.call_soon_threadsafe(self._stop)

    def _stop(self) -> None:
        try:
            if not self.holds_terminal:  # the app is ending, or lent the terminal out: nothing to hand back or take
                os.kill(os.getpid(), signal.SIGSTOP)
                return
            restart = self._auto_restart
            super()._sigtstp_application()  # hands the terminal back, and stops until continued
            if restart:
                self._take_terminal_again()
        finally:
            self._stopping = False

    def _take_terminal_again(self) -> None:
        # Continued: by fg; by bg, the terminal not the app's until fg; by the kernel as it hangs up; or
        # with a signal to end (kill %1, or the SIGHUP of a shell gone), which the app will not wait out stopped.
        while not self._terminal.lost and not self._app_ending():
            try:
                in_front = os.tcgetpgrp(self.fileno) == os.getpgrp()
            except OSError:  # hung up
                return
            if in_front:
                self.resume_application_mode()
                return
            os.kill(os.getpid(), signal.SIGSTOP)

    def _sigcont_application(self, *args: Any) -> None:
        # A stop takes the terminal again itself, once continued; any other SIGCONT (the kernel sends one
        # with every hang-up) would start a second set of input and output threads over the running ones.
        pass


def read_escape_and_digit_as_typed() -> None:
    """Read escape and a digit as alt with the digit, as Textual reads escape and most letters.

    Textual reads them as the characters WezTerm on macOS types for Option with a digit ("\\x1b8" as
    "•"), which the app has no use for: escape and 8 would be lost. Still lost, as Textual reads them:
    escape with f or b (ctrl+right, ctrl+left), with -, = or § (WezTerm's –, ≠, §), with any other
    punctuation mark (the mark alone), and escape with a key followed in the same read by another escape.
    """
    table = ANSI_SEQUENCES_KEYS
    if not isinstance(table, dict):  # a Textual that made it read-only: its reading stands
        return
    for sequence, meaning in list(table.items()):
        if len(sequence) == 2 and sequence[0] == "\x1b" and sequence[1].isdigit() and isinstance(meaning, str):
            del table[sequence]


def escape_then_key(key: events.Key) -> tuple[events.Key, events.Key] | None:
    """Escape and the key, if the key came with alt: None otherwise.

    Escape typed just before a key (closing the help, then 8 for a step), quickly or over a laggy link,
    reaches the app in the same read as the key: the bytes a terminal sends for alt with that key. The
    app binds no key with alt, and reads them as the two keys typed; so alt with a letter, typed on
    purpose in a text field, cancels its prompt instead of typing the letter.
    """
    character = key.character
    if not (key.key.startswith("alt+") and character and len(character) == 1 and character.isprintable()):
        return None
    name = key.key.removeprefix("alt+")
    # A capital is named by its character when typed alone ("L"), shift+l only after alt.
    return events.Key("escape", "\x1b"), events.Key(character if name.startswith("shift+") else name, character)
