"""The checks CI runs beside the tests, run by the tests: `pytest` alone is the whole gate.

ruff (lint and format), mypy (over the whole package, strict on the core) and the import contracts between
the layers, as configured in pyproject.toml. Each runs in a fresh process from the
repository's root, with the tools the test extras install.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["gdtui", "tests", "benchmarks"]
CHECKS = {
    "ruff lint": ["ruff", "check", *SOURCES],
    "ruff format": ["ruff", "format", "--check", *SOURCES],
    "mypy": ["mypy"],
    "import contracts": ["lint-imports"],
}


@pytest.mark.parametrize("command", CHECKS.values(), ids=CHECKS.keys())
def test_static_check_passes(command):
    # The tool beside this interpreter: the one the test extras installed, not one on PATH.
    tool = Path(sys.executable).parent / command[0]
    assert tool.exists(), f"{command[0]} is missing: install the test extras (pip install -e '.[test]')"
    done = subprocess.run([str(tool), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
