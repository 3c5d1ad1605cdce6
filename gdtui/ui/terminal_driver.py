"""Textual's POSIX driver, writing to a terminal that may hang up at any moment (see terminal_app).

It replaces the driver's private file and signal handlers: tests/unit/test_textual_insides.py says
when Textual changes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from textual.app import App
from textual.drivers.linux_driver import LinuxDriver


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
        hung_up: Callable[[], None] = getattr(app, "hung_up", lambda: None)
        if self._file is None:  # Textual's file is the process's first standard error: there is none
            raise RuntimeError("no terminal to draw on: this process has no standard error")
        self._terminal = _Terminal(self._file, hung_up)
        # Textual types it as the text file it was; its writer calls only write, flush and fileno.
        self._file = self._terminal  # type: ignore[assignment]
        self._suspended = False

    def _sigtstp_application(self, *args: Any) -> None:
        self._suspended = self._auto_restart
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        # Only a resume after a stop: any other SIGCONT (the kernel sends one with every hang-up)
        # would start a second set of input and output threads over the running ones.
        if self._suspended and not self._terminal.lost:
            self._suspended = False
            super()._sigcont_application(*args)
