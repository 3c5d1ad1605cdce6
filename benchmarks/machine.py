"""What a benchmark's figures were measured on, printed beside them: the CPU and the BLAS kernel numpy runs."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def blas() -> object:
    """Which BLAS kernel numpy runs here, as a session's numpy runs it."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown: threadpoolctl is not installed"
    import numpy  # noqa: F401 - loads the BLAS that threadpoolctl reports

    return [{key: info.get(key) for key in ("internal_api", "version", "architecture")} for info in threadpool_info()]


def machine() -> dict[str, object]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "cpu": cpu_model(), "blas": blas()}
