"""Whether something fits in memory, asked before it is allocated.

A network of three million hidden neurons, or a file that declares a trillion
elements, would otherwise run for minutes while the machine swaps, then fail
with a MemoryError or be killed. Asked first, the answer is one line with the
figures in it.
"""

from __future__ import annotations

import os
from pathlib import Path

_MEMINFO = Path("/proc/meminfo")


def available() -> int | None:
    """Bytes the system could still give this process: Linux's MemAvailable, else all physical memory
    (macOS and other Unixes), else None where the standard library cannot tell (Windows)."""
    try:
        for line in _MEMINFO.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def describe(size: int) -> str:
    """A byte count as people say it: '1.2 GB', '340 MB'."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"
