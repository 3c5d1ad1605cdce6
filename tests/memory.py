"""How much memory a call takes, for tests that refuse inputs built to exhaust it."""

from __future__ import annotations

import tracemalloc


def peak_memory_of(call) -> int:
    """The most memory Python allocated at once while call() ran, in bytes."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak
