"""The lab server starts without a library's deprecation notice about what it never uses."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["gdtui.serve.server", "gdtui.serve.access"])
def test_the_lab_server_imports_without_warnings(module: str) -> None:
    # -W error: any warning raised while importing fails the import, and so the test.
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {module}; from gdtui.cli import main"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
