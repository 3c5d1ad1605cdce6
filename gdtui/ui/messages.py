"""The messages the app's workers post: small, and newer progress replaces older while it waits.

Workers run in threads and never touch a widget: they post one of these (posting
is thread-safe) and return their result, which the screen reads when Textual
reports the worker's success. A worker cancelled because a newer one started is
reported as cancelled, so its result is never drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.worker import Worker

from gdtui.core.finite_differences import Comparison


@dataclass
class WorkProgressed(Message):
    """How far a worker has got. While one waits in the queue, a newer one from the same worker replaces it."""

    worker: Worker
    fraction: float
    stage: str = ""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkProgressed) and message.worker is self.worker


@dataclass
class RunProgressed(Message):
    """A training run took steps: time to draw it again. Only the newest waits in the queue."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunProgressed)


@dataclass
class GradientsCompared(Message):
    """Backprop and finite differences compared on a sample: drawn while the same worker goes on timing them."""

    worker: Worker
    sample_cost: float
    right: int  # of the sample's images, classified right
    comparisons: list[Comparison]
