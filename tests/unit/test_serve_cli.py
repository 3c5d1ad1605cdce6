"""gdtui serve's command line: every limit that makes no sense is refused in one line."""

import os
import subprocess
import sys

import asyncssh
import pytest

from gdtui.cli import main
from gdtui.commands import serve
from gdtui.serve.passwords import hash_password, verify_password

# A server started by root is told whom to run sessions as.
AS_ROOT = ["--user", "nobody"] if os.geteuid() == 0 else []


@pytest.fixture(autouse=True)
def _never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit let through would start a server that runs until stopped: fail at once instead."""

    async def started(lab) -> None:
        raise AssertionError("the server started")

    monkeypatch.setattr(serve, "_serve", started)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--idle-timeout", "nan"),
        ("--idle-timeout", "inf"),
        ("--idle-timeout", "-1"),
        ("--idle-timeout", "1e9"),
        ("--login-grace-time", "nan"),
        ("--login-grace-time", "-5"),
        ("--login-grace-time", "0"),
        ("--login-grace-time", "1e9"),
        ("--keepalive", "nan"),
        ("--keepalive", "-1"),
        ("--keepalive", "1e9"),
        ("--max-startups", "10:30"),
        ("--max-startups", "0"),
        ("--max-startups", "10:200:100"),
        ("--max-startups", "50:30:10"),
        ("--max-startups", "1:2:100000000"),
        ("--per-source-max-startups", "0"),
        ("--max-auth-tries", "0"),
        ("--max-auth-tries", "1000000"),
        ("--block-after", "-1"),
        ("--max-sessions", "0"),
        ("--max-sessions", "1000000000"),
        ("--max-sessions-per-name", "0"),
        ("--starting-at-once", "-1"),
        ("--starting-at-once", "100000"),
        ("--first-screen-wait", "0"),
        ("--first-screen-wait", "nan"),
        ("--first-screen-wait", "1e9"),
        ("--port", "70000"),
        ("--quota", "-1"),
        ("--quota", "nan"),
        ("--quota", "0.01"),
    ],
)
def test_a_limit_that_makes_no_sense_is_refused_in_one_line(
    capsys: pytest.CaptureFixture, option: str, value: str, tiny_mnist_dir
) -> None:
    assert main(["serve", "--no-auth", "--data", str(tiny_mnist_dir), option, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdtui: error:") and len(err.strip().splitlines()) == 1, err
    assert option in err


@pytest.mark.parametrize(
    ("mode", "warned"), [(0o644, True), (0o640, True), (0o600, False), (0o400, False)], ids=["644", "640", "600", "400"]
)
def test_a_password_hash_file_others_can_read_is_warned_about(
    tmp_path, tiny_mnist_dir, caplog: pytest.LogCaptureFixture, mode: int, warned: bool
) -> None:
    hash_file = tmp_path / "lab-password"
    hash_file.write_text(hash_password("secret") + "\n")
    hash_file.chmod(mode)
    with pytest.raises(AssertionError, match="the server started"):
        main(["serve", "--data", str(tiny_mnist_dir), "--port", "0", "--password-file", str(hash_file), *AS_ROOT])
    assert ("can be read by others on this machine" in caplog.text) is warned
    assert f"{mode:04o}" in caplog.text or not warned


def test_without_the_lab_servers_extra_serve_names_it_in_one_line(tmp_path):
    # A fresh Python in which asyncssh cannot be imported, as after 'pip install gdtui'.
    code = "import sys\nsys.modules['asyncssh'] = None\nfrom gdtui.cli import main\nsys.exit(main(['serve', '--no-auth']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr == "gdtui: error: the lab server needs its extra: pip install 'gdtui[serve]'\n"


def test_without_the_extra_a_password_is_still_hashed():
    code = (
        "import getpass, sys\nsys.modules['asyncssh'] = None\ngetpass.getpass = lambda prompt: 'secret'\n"
        "from gdtui.cli import main\nsys.exit(main(['serve', '--hash-password']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert verify_password("secret", done.stdout.strip())


def test_a_teacher_needs_authentication_so_no_auth_with_a_teacher_does_not_start(
    capsys: pytest.CaptureFixture, tmp_path, tiny_mnist_dir
) -> None:
    """Under --no-auth anyone logs in under any name, the teacher's too: the dashboard for all."""
    keys = tmp_path / "authorized_keys"
    key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    keys.write_text(f'name="grace" {key}')
    args = ["serve", "--no-auth", "--authorized-keys", str(keys), "--teacher", "grace", "--data", str(tiny_mnist_dir)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdtui: error:") and len(err.strip().splitlines()) == 1, err
    assert "--no-auth" in err and "--teacher" in err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root is refused")
def test_root_does_not_start_without_a_user_to_run_sessions_as(capsys: pytest.CaptureFixture, tiny_mnist_dir) -> None:
    assert main(["serve", "--no-auth", "--data", str(tiny_mnist_dir), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdtui: error:") and len(err.strip().splitlines()) == 1, err
    assert "--user" in err
    with pytest.raises(AssertionError, match="the server started"):
        main(["serve", "--no-auth", "--data", str(tiny_mnist_dir), "--port", "0", "--user", "nobody"])


@pytest.mark.parametrize(("user", "reason"), [("root", "without root's rights"), ("no-such-user-here", "no such user")])
def test_sessions_run_as_an_existing_unprivileged_user(capsys: pytest.CaptureFixture, tiny_mnist_dir, user, reason) -> None:
    assert main(["serve", "--no-auth", "--data", str(tiny_mnist_dir), "--user", user]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and reason in err, err


def test_the_host_key_file_given_is_the_one_the_server_uses(monkeypatch: pytest.MonkeyPatch, tmp_path, tiny_mnist_dir) -> None:
    started = []

    async def start(lab) -> None:
        started.append(lab.config.host_key)

    monkeypatch.setattr(serve, "_serve", start)
    key = tmp_path / "host-key"
    assert main(["serve", "--no-auth", "--data", str(tiny_mnist_dir), "--host-key", str(key), *AS_ROOT]) == 0
    assert started == [key]
