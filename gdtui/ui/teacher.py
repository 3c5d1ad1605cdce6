"""The teacher's session in a lab: the dashboard instead of the lesson, linked to the lab's hub."""

from __future__ import annotations

import asyncio

from textual.screen import Screen

from gdtui import channel
from gdtui.ui import parsed_css
from gdtui.ui.report import HubLink, keep_linked, say_when_shown
from gdtui.ui.screens.teacher import TeacherScreen
from gdtui.ui.terminal_app import TerminalApp


class TeacherApp(TerminalApp):
    TITLE = "gdtui lab"
    # Keys only, all in the footer: the palette would take the place of "q Quit" there.
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, socket: str | None, token: str | None) -> None:
        parsed_css.share()
        super().__init__()
        self._where = (socket, token)
        self._link: HubLink | None = None
        self.dashboard = TeacherScreen()
        self.first_screen_shown = asyncio.Event()  # as the lesson's: the server waits for it

    def get_default_screen(self) -> Screen:
        return self.dashboard

    def on_mount(self) -> None:
        self.run_worker(self._listen(), name="hub", group="hub", exit_on_error=False)
        self.call_after_refresh(self.first_screen_shown.set)

    async def _listen(self) -> None:
        socket, token = self._where
        if socket and token:
            await keep_linked(socket, token, self._follow, self.dashboard.link_lost)
        self.dashboard.link_lost()

    async def _follow(self, link: HubLink) -> None:
        self._link = link
        shown = asyncio.create_task(say_when_shown(self.first_screen_shown, link))
        try:
            async for message in link.messages():
                if "roster" in message:
                    self.dashboard.show_roster(message["roster"])
                elif "record" in message:
                    self.dashboard.show_record(message)
                elif "done" in message:
                    self.dashboard.show_done(message)
        finally:
            self._link = None
            shown.cancel()

    def on_teacher_screen_command(self, message: TeacherScreen.Command) -> None:
        # The hub carries it out for a teacher's token only.
        sent = self._link is not None and self._link.send(message.command)
        self.dashboard.command_sent(message, sent)


def run_dashboard() -> int:
    """Run the dashboard on this process's terminal, linked to the hub the environment names."""
    found = channel.from_environment()
    socket, token, _ = found or (None, None, None)
    TeacherApp(socket, token).run()
    return 0
