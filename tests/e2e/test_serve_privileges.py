"""A server started by root runs its sessions as the unprivileged user it is given, as sshd does."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import stat
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve import privileges, spawn
from gdtui.serve.server import Lab, LabConfig
from gdtui.serve.spawn import ForkedProcess
from tests.e2e.lab import FIRST_SCREEN, eventually, only_session, running, student
from tests.e2e.test_zygote import Pty, warm
from tests.tiny_mnist import write_tiny_mnist

PROBE_IDS = "tests.e2e.probe_ids"
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="only root can run sessions as another user"),
    pytest.mark.own_zygote,  # its labs start their own zygotes, as in a class: one is killed here
]


def reachable_by(user: pwd.struct_passwd, path: Path) -> bool:
    """Whether every folder on the way to path lets user through (as another user: by its last bits)."""
    return all(os.stat(folder).st_mode & 0o001 or os.stat(folder).st_uid == user.pw_uid for folder in path.parents)


async def test_a_session_forked_by_the_zygote_drops_to_its_user_before_it_runs(
    tiny_mnist_dir: Path, tmp_path: Path, nobody: pwd.struct_passwd, open_place: Path
) -> None:
    home = open_place / "ada"
    home.mkdir()
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    env = spawn.environment("vt100", home, tmp_path / "cache", {}, hub={})
    async with warm(tiny_mnist_dir, tmp_path) as zygote:
        pty = Pty()
        try:
            process = await zygote.launch(PROBE_IDS, [], env, home, pty.slave, (nobody.pw_uid, nobody.pw_gid))
            seen = json.loads(await pty.line())
            pty.type("0\n")
            assert await process.wait() == 0
        finally:
            pty.close()
    uid, gid = nobody.pw_uid, nobody.pw_gid
    assert seen["ids"] == [[uid, uid, uid], [gid, gid, gid], []]
    assert seen["no_new_privs"]
    assert seen["cwd"] == str(home)


def status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


@pytest.fixture
def nobody() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user nobody on this machine")


@pytest.fixture
def open_place(monkeypatch: pytest.MonkeyPatch):
    """A folder every user can reach (pytest's own is root's alone), for the lab's files and cache."""
    place = Path(tempfile.mkdtemp(prefix="gdtui-lab-test-"))
    place.chmod(0o755)
    monkeypatch.setenv("XDG_CACHE_HOME", str(place / "cache"))
    yield place
    shutil.rmtree(place, ignore_errors=True)


async def test_sessions_run_as_the_user_given_with_no_new_privileges_in_a_folder_of_theirs(
    lab_config: LabConfig, nobody: pwd.struct_passwd, open_place: Path
) -> None:
    if not reachable_by(nobody, Path(sys.executable).resolve()):
        pytest.skip(f"{sys.executable} is out of nobody's reach: no session of theirs could start")
    (open_place / "data").mkdir()
    data = write_tiny_mnist(open_place / "data")
    config = replace(lab_config, home=open_place / "lab", data=data, user="nobody")
    async with running(config) as lab, student(lab, username="ada") as ada:
        await ada.shows(FIRST_SCREEN)
        seen = status(only_session(lab).process.pid)
        assert seen["Uid"].split() == [str(nobody.pw_uid)] * 4  # real, effective, saved and file system
        assert seen["Gid"].split() == [str(nobody.pw_gid)] * 4
        assert seen["Groups"].strip() == ""
        assert seen["NoNewPrivs"] == "1"
        # The session's own link to the hub works as that user.
        (member,) = lab.hub.members.values()
        await eventually(lambda: member.writer is not None, "ada's app linked to the hub")
        # Its folder is its own: a model saved there is written by it.
        ada.press("6")
        await ada.shows("Training")
        ada.press("s")
        await ada.shows("Save the network as")
        ada.press("\r")
        model = lab.sessions_dir / "ada" / "gdtui-model.npz"
        await eventually(model.exists, "the model saved")
        assert os.stat(model).st_uid == nobody.pw_uid
        assert os.stat(lab.sessions_dir / "ada").st_uid == nobody.pw_uid
        # A session started as a fresh process, while the zygote is gone, drops the same way.
        os.kill(lab._zygote._process.pid, signal.SIGKILL)
        await eventually(lambda: not lab._zygote.ready, "the lab to notice its zygote gone")
        async with student(lab, username="alan") as alan:
            await alan.shows(FIRST_SCREEN)
            (fresh,) = (session.process for session in lab.sessions if session.username == "alan")
            assert not isinstance(fresh, ForkedProcess)
            seen = status(fresh.pid)
            assert seen["Uid"].split() == [str(nobody.pw_uid)] * 4
            assert seen["Gid"].split() == [str(nobody.pw_gid)] * 4
            assert seen["Groups"].strip() == ""
            assert seen["NoNewPrivs"] == "1"
    # Not listable by other local users: only its owner, the sessions' user, may look in.
    info = os.stat(config.home / "sessions")
    assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == nobody.pw_uid


async def test_a_user_that_cannot_reach_the_labs_files_is_refused_at_start(
    lab_config: LabConfig, nobody: pwd.struct_passwd
) -> None:
    """pytest's folders are root's alone: sessions run as nobody could not even find their folder."""
    # Which is found first depends on this machine: its Python too may be out of nobody's reach.
    with pytest.raises(GdtuiError, match="--user nobody: .*(cannot write in it: .*sessions|Permission denied)"):
        async with running(replace(lab_config, user="nobody")):
            pass


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_without_a_user_the_sessions_folder_is_the_servers_alone(lab_config: LabConfig) -> None:
    sessions = lab_config.home / "sessions"
    sessions.mkdir(parents=True, mode=0o755)  # as an older server left it
    lab = Lab(lab_config)
    async with running(lab_config):
        pass
    assert stat.S_IMODE(os.stat(sessions).st_mode) == 0o700
    assert lab.user is None


async def test_a_students_folder_that_is_a_symlink_gives_no_one_the_place_it_points_to(
    lab_config: LabConfig, nobody: pwd.struct_passwd, open_place: Path
) -> None:
    """The sessions folder is the sessions' user's: anything running as that user (a session, or
    another service run as nobody) can put a symlink there under a student's name. The server, as
    root, made the folder that student's by chown, and chown follows symlinks: whatever it pointed
    to (/etc, root's .ssh) became that user's."""
    if not reachable_by(nobody, Path(sys.executable).resolve()):
        pytest.skip(f"{sys.executable} is out of nobody's reach: no session of theirs could start")
    (open_place / "data").mkdir()
    data = write_tiny_mnist(open_place / "data")
    config = replace(lab_config, home=open_place / "lab", data=data, user="nobody")
    victim = open_place / "roots"
    victim.mkdir()
    async with running(config) as lab:
        planted = lab.sessions_dir / "mallory"
        planted.symlink_to(victim)
        os.chown(planted, nobody.pw_uid, nobody.pw_gid, follow_symlinks=False)
        async with student(lab, username="mallory") as mallory:
            assert await mallory.ends() != 0
        assert "tell your teacher" in mallory.text()
    assert os.stat(victim).st_uid == 0


def test_a_python_out_of_the_users_reach_is_named_where_it_really_is(
    tmp_path: Path, nobody: pwd.struct_passwd, open_place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A venv's python is a link to the Python it was made from: when that one sits in root's home, the
    link is what fails to start, and the file to move is where it points."""
    hidden = tmp_path / "pythons" / "python3.11"  # pytest's folders are root's alone
    hidden.parent.mkdir()
    hidden.symlink_to(sys.executable)
    venv_python = open_place / "python3"
    venv_python.symlink_to(hidden)
    monkeypatch.setattr(sys, "executable", str(venv_python))
    user = privileges.session_user("nobody")
    with pytest.raises(GdtuiError) as raised:
        privileges.check_reachable(user, open_place, [], {})
    said = str(raised.value)
    assert str(hidden.resolve()) in said
    assert "outside root's home" in said
