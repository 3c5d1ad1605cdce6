"""A lab session's link to the lab's hub: the student's progress goes up, the teacher's word comes down.

Only in a lab session: the server sets where the hub is and the session's token
in the environment (see gdtui.channel). Without them, or when the hub cannot be
reached, the app runs as it always does; the link is never a reason for the
lesson to stop or wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message

from gdtui import channel
from gdtui.ui import lesson

if TYPE_CHECKING:
    from gdtui.ui.state import LessonState

# How often the app looks at its own progress; a line goes to the hub only when it changed. What the
# class record keeps at once (an answer checked, a model saved) is sent at once, not at the next look.
LOOK_EVERY_S = 0.5
CONNECT_WAIT_S = 5.0
# What the link may queue for a hub that does not read: past it, reports are dropped, not kept.
QUEUED_BYTES = 64 * 1024
MESSAGE_SECONDS = 20
# A link the hub closed (it drops a client that fell too far behind) is tried again this often.
RETRY_S = 3.0
FIRST_SCREEN_DRAWN = {channel.SHOWN: True}


class HubLink:
    """One connection to the hub, said to be ours by the token sent first."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, socket: str, token: str) -> HubLink | None:
        """The link, or None if the hub cannot be reached."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(socket, limit=channel.LINE_BYTES), CONNECT_WAIT_S
            )
        except (OSError, TimeoutError):
            return None
        writer.write(f"{token}\n".encode("ascii", "replace"))
        return cls(reader, writer)

    def send(self, message: dict) -> bool:
        """Queue a line for the hub, never waiting for it: a stuck hub costs a few dropped reports. Whether it was queued."""
        if self._writer.is_closing() or self._writer.transport.get_write_buffer_size() > QUEUED_BYTES:
            return False
        self._writer.write(channel.encode(message))
        return True

    async def messages(self) -> AsyncIterator[dict]:
        """Each message the hub sends, until it closes the link."""
        while True:
            try:
                line = await self._reader.readline()
            except (ConnectionError, ValueError, asyncio.LimitOverrunError):
                return
            if not line:
                return
            message = channel.decode(line)
            if message is not None:
                yield message

    def close(self) -> None:
        self._writer.close()


async def keep_linked(
    socket: str, token: str, use: Callable[[HubLink], Awaitable[None]], lost: Callable[[], None] | None = None
) -> None:
    """Use a link to the hub until it ends, then a new one, for as long as the app runs."""
    while True:
        link = await HubLink.open(socket, token)
        if link is not None:
            try:
                await use(link)
            finally:
                link.close()
        if lost is not None:
            lost()
        await asyncio.sleep(RETRY_S)


class StepAsked(Message):
    """The teacher asked for a step of the lesson (its mode) to be shown."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode


def progress_of(app: App, state: LessonState | None, beat: int | None) -> dict:
    """Where the student is: step, lesson beat (None outside the guided lesson), quiz score and each
    answer, training steps, latest test accuracy, and the latest models saved. No state yet: still
    loading, nothing to say."""
    progress: dict[str, object] = {}
    if state is None:
        return progress
    if app.current_mode in lesson.MODES:
        progress["step"] = lesson.MODES.index(app.current_mode) + 1
    if beat is not None:
        progress["beat"] = beat + 1
    if state.quiz.asked:
        progress["quiz"] = [state.quiz.right, state.quiz.asked]
        progress["answers"] = state.quiz.answers[-channel.ANSWERS :]
    if state.models_saved:
        progress["saved"] = [name[: channel.NAME_CHARACTERS] for name in state.models_saved[-channel.MOST_SAVED :]]
    run = state.training.run
    if run is not None:
        progress["steps"] = run.trainer.steps
        epochs = run.epochs  # replaced whole, never changed in place: safe to read beside the worker
        # Not a measurement of the random weights a run began from (its step 0): chance, which the teacher's Best
        # showed beside a network hundreds of steps on, until its first epoch ended.
        if epochs and not (epochs[-1].step == 0 and state.from_random):
            progress["accuracy"] = epochs[-1].test_accuracy
    return progress


def start(app: App, progress: Callable[[], dict], shown: asyncio.Event, now: asyncio.Event) -> None:
    """Link a lab session's app to the hub, in a worker; nothing outside a lab session. The hub hears
    `progress()` whenever it changes, at once when `now` is set, and that `shown` is set; the app
    hears the teacher's words and a StepAsked for the step the teacher asks for."""
    found = channel.from_environment()
    if found is None:
        return
    socket, token, _ = found
    app.run_worker(
        keep_linked(socket, token, lambda link: _report(app, progress, shown, now, link)),
        name="hub",
        group="hub",
        exit_on_error=False,
    )


async def say_when_shown(shown: asyncio.Event, link: HubLink) -> None:
    """Tell the hub once the app's first screen is drawn: until then, the server holds back the
    sessions that logged in after this one, so that this one has the cores to draw it."""
    await shown.wait()
    link.send(FIRST_SCREEN_DRAWN)


async def _report(app: App, progress: Callable[[], dict], shown: asyncio.Event, now: asyncio.Event, link: HubLink) -> None:
    async def send_changes() -> None:
        sent: dict | None = None
        while True:
            # Cleared before looking: a change made after the look sets it again.
            now.clear()
            current = progress()
            if current != sent:
                link.send({"progress": current})
                sent = current
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(now.wait(), LOOK_EVERY_S)

    senders = [asyncio.create_task(say_when_shown(shown, link)), asyncio.create_task(send_changes())]
    try:
        async for message in link.messages():
            obey(app, message)
    finally:
        for sender in senders:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender


def obey(app: App, message: dict) -> None:
    """Do what the teacher asked: show a message, or go to a step."""
    if "say" in message:
        text = channel.clean_message(message["say"])
        sender = channel.clean_message(message.get("from")) or "your teacher"
        if text is not None:
            # Never markup: the teacher's text is shown as typed, brackets and all.
            app.notify(text, title=f"From {sender}", markup=False, timeout=MESSAGE_SECONDS)
    elif "go" in message:
        step = message["go"]
        if type(step) is int and 1 <= step <= len(lesson.MODES):
            app.post_message(StepAsked(lesson.MODES[step - 1]))
