"""A session's environment, made in one place: the server's few variables, the client's colour wishes, the hub's link."""

import os
import subprocess
from pathlib import Path

from gdtui import channel
from gdtui.serve import spawn

HUB = {channel.SOCKET_VARIABLE: "/run/hub", channel.TOKEN_VARIABLE: "the-token", channel.ROLE_VARIABLE: channel.STUDENT}


def test_the_link_to_the_hub_is_the_hubs_word_never_the_clients(tmp_path: Path) -> None:
    client = {"COLORTERM": "truecolor", channel.TOKEN_VARIABLE: "a-guess", channel.ROLE_VARIABLE: channel.TEACHER}
    env = spawn.environment("xterm", tmp_path / "ada", tmp_path / "cache", client, hub=HUB)
    assert {name: env[name] for name in channel.VARIABLES} == HUB
    assert env["COLORTERM"] == "truecolor"
    assert (env["TERM"], env["HOME"]) == ("xterm", str(tmp_path / "ada"))


def test_nothing_else_a_client_sends_is_kept(tmp_path: Path) -> None:
    client = {"LD_PRELOAD": "/tmp/evil.so", "HOME": "/", "TERM": "dumb", "PATH": "/tmp"}
    env = spawn.environment("xterm", tmp_path / "ada", tmp_path / "cache", client, hub={})
    assert "LD_PRELOAD" not in env
    assert (env["HOME"], env["TERM"]) == (str(tmp_path / "ada"), "xterm")
    assert env.get("PATH") != "/tmp"


def test_a_fresh_session_runs_the_servers_gdtui_never_code_in_the_students_folder(tmp_path: Path) -> None:
    # The session's folder is its working directory, and whatever is in it the student put there.
    planted = tmp_path / "gdtui" / "serve"
    planted.mkdir(parents=True)
    (tmp_path / "gdtui" / "__init__.py").write_text("")
    (planted / "__init__.py").write_text("")
    (planted / "child.py").write_text("print('the student\\'s code ran')\n")
    env = {name: value for name, value in os.environ.items() if name in ("PATH", "PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        spawn.command(["--help"]), cwd=tmp_path, env=env | {"HOME": str(tmp_path)}, capture_output=True, text=True, timeout=60
    )
    assert "the student's code ran" not in done.stdout
    assert done.returncode == 0 and "gdtui-lab-session" in done.stdout
