"""The core and the headless commands never import the UI toolkit.

That keeps ``gdtui train`` and ``gdtui data`` fast to start and usable where no
terminal UI can run. The check needs a fresh interpreter: the test session
itself has imported Textual long before.
"""

import json
import subprocess
import sys
import textwrap

CHECK = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import gdtui.commands, gdtui.core

    names = ["gdtui.cli"]
    for package in (gdtui.core, gdtui.commands):
        names += [f"{package.__name__}.{module.name}" for module in pkgutil.iter_modules(package.__path__)]
    for name in names:
        importlib.import_module(name)
    print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
    """
)


def test_core_commands_and_cli_import_no_ui():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"gdtui.core.network", "gdtui.core.training", "gdtui.core.model_io", "gdtui.commands.train"} <= set(report["imported"])
    roots = {name.split(".")[0] for name in report["modules"]}
    assert not roots & {"textual", "textual_plotext", "plotext", "rich"}
    assert "gdtui.ui" not in report["modules"]
