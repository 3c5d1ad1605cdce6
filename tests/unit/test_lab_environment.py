"""A session's environment, made in one place: the server's few variables, the client's colour wishes, the hub's link."""

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
