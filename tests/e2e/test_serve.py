"""The lab server, on loopback only: real SSH clients, real gdtui sessions, real processes."""

from __future__ import annotations

import asyncio
import logging
import signal
import stat
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve.server import HOST_KEY, Lab, LabConfig
from tests.e2e.lab import FIRST_SCREEN, alive, app_environment, connect, eventually, only_session, running, student, until_gone


async def test_a_student_logs_in_uses_the_app_and_leaving_ends_its_process(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(lab_config) as lab:
        async with student(lab) as terminal:
            await terminal.shows(FIRST_SCREEN)
            terminal.press("2")
            await terminal.shows("13,002 parameters")
            pid = only_session(lab).process.pid
            assert alive(pid)
        await until_gone(lab, pid)
        # The client left with the app still on: the record says so, not that the student quit.
        await eventually(lambda: [row.ended for row in lab.hub.record.rows.values()] == ["dropped"], "the session's ending")
    logged = caplog.text
    for line in (
        "login: student from 127.0.0.1",
        "session 1 started: student",
        "session 1 ended",
    ):
        assert line in logged


async def test_quitting_the_app_ends_the_connection(lab_config: LabConfig) -> None:
    async with running(lab_config) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        terminal.press("q")
        assert await terminal.ends() == 0
        # The app put the terminal back as it found it: out of the alternate screen.
        assert b"\x1b[?1049l" in terminal.raw
        # And nothing else: no word from Python about how the session was started.
        assert b"Warning" not in terminal.raw and b"Traceback" not in terminal.raw


async def test_a_key_in_the_authorized_keys_file_logs_in(lab_config: LabConfig, client_key: asyncssh.SSHKey) -> None:
    async with running(lab_config) as lab, student(lab, client_keys=[client_key]) as terminal:
        await terminal.shows(FIRST_SCREEN)


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_an_unknown_key_is_refused(lab_config: LabConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    async with running(lab_config) as lab:
        with pytest.raises(asyncssh.PermissionDenied):
            async with student(lab, client_keys=[stranger]):
                pass
        assert not lab.sessions
    assert f"refused: key {stranger.get_fingerprint()} is not authorized for student" in caplog.text


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_wrong_password_is_refused(lab_config: LabConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(lab_config) as lab:
        with pytest.raises(asyncssh.PermissionDenied):
            async with student(lab, password="Tr0ub4dor&3"):
                pass
    assert "refused: wrong password for student" in caplog.text


async def test_past_the_session_limit_a_student_is_refused_politely(lab_config: LabConfig) -> None:
    async with running(replace(lab_config, max_sessions=1)) as lab, student(lab) as first:
        await first.shows(FIRST_SCREEN)
        async with student(lab) as second:
            assert await second.ends() == 1
            assert "this lab is full" in second.raw.decode()
        # The first student's session carries on.
        first.press("2")
        await first.shows("13,002 parameters")
        assert len(lab.sessions) == 1


async def test_one_address_takes_no_more_seats_than_it_may_start_sessions_at_once(lab_config: LabConfig) -> None:
    """With the lab's password, any name logs in: one student could fill the lab under made-up names, one
    session each, and keep the class out. An address has as many seats as it may start sessions at once."""
    config = replace(lab_config, max_sessions=3, per_source_max_startups=2)
    async with running(config) as lab, student(lab, username="ada") as ada, student(lab, username="alan") as alan:
        await ada.shows(FIRST_SCREEN)
        await alan.shows(FIRST_SCREEN)
        async with student(lab, username="zz1") as third:
            assert await third.ends() == 1
            said = " ".join(third.raw.decode().split())
            assert "2 sessions from your address are open here" in said and "lab is full" not in said, said
        assert len(lab.sessions) == 2


async def test_each_session_has_its_terminal_its_own_folder_one_blas_thread_and_the_shared_cache(
    lab_config: LabConfig,
) -> None:
    async with running(lab_config) as lab, student(lab, username="ada") as ada, student(lab, username="alan") as alan:
        await ada.shows(FIRST_SCREEN)
        await alan.shows(FIRST_SCREEN)
        environments = [app_environment(session) for session in lab.sessions]
        maps = [Path(f"/proc/{session.process.pid}/maps").read_text() for session in lab.sessions]
        homes = {Path(env["HOME"]) for env in environments}
        assert len(homes) == 2
        assert all(home.parent == lab.sessions_dir and stat.S_IMODE(home.stat().st_mode) == 0o700 for home in homes)
        for env, mapped in zip(environments, maps, strict=True):
            assert env["TERM"] == "xterm-256color"
            assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
            # The images are mapped from the one cache, not copied into each process.
            assert f"{env['XDG_CACHE_HOME']}/gdtui/datasets/" in mapped


async def test_a_resized_client_terminal_resizes_the_app(lab_config: LabConfig) -> None:
    async with running(lab_config) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        terminal.resize(120, 40)
        # The footer moves to the new bottom line.
        await terminal.until(lambda: "Quit" in terminal.screen.display[39], "the footer on line 40")


async def test_an_idle_session_is_ended_with_the_terminal_restored(lab_config: LabConfig) -> None:
    # Warned a quarter of it before: 2 s for the warning to reach the screen on a busy machine.
    async with running(replace(lab_config, idle_timeout=8.0)) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        # Warned first, on the app's screen: a student reading a long sentence has not pressed a key for a while.
        await terminal.shows("This session closes in")
        assert not terminal.ended
        # Ended by the server's SIGTERM, the app says so in its status.
        assert await terminal.ends() == 128 + signal.SIGTERM
        output = terminal.raw.decode(errors="replace")
        assert output.rindex("\x1b[?1049l") < output.index("was closed after")


async def test_stopping_the_server_ends_every_session_with_a_word_to_the_student(lab_config: LabConfig) -> None:
    lab = Lab(lab_config)
    await lab.start()
    async with student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        pid = only_session(lab).process.pid
        await lab.stop()
        assert await terminal.ends() == 128 + signal.SIGTERM
        assert "shutting down" in terminal.raw.decode(errors="replace")
    assert not alive(pid)


async def test_without_authentication_anyone_may_log_in_only_if_the_teacher_says_so(lab_config: LabConfig) -> None:
    open_lab = replace(lab_config, authorized_keys=None, password_hash=None)
    with pytest.raises(GdtuiError, match="no way to check who logs in"):
        Lab(open_lab)
    async with running(replace(open_lab, no_auth=True)) as lab, student(lab, password="anything") as terminal:
        await terminal.shows(FIRST_SCREEN)


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_the_host_key_is_made_once_kept_private_and_reused(lab_config: LabConfig) -> None:
    fingerprints = []
    for _ in range(2):
        async with running(lab_config) as lab, connect(lab) as conn:
            fingerprints.append(conn.get_server_host_key().get_fingerprint())
    assert fingerprints[0] == fingerprints[1]
    assert stat.S_IMODE((lab_config.home / HOST_KEY).stat().st_mode) == 0o600


def test_a_damaged_host_key_is_reported_not_replaced(lab_config: LabConfig) -> None:
    lab_config.home.mkdir(parents=True)
    (lab_config.home / HOST_KEY).write_text("not a key")
    with pytest.raises(GdtuiError, match="Delete it to make a new one"):
        asyncio.run(Lab(lab_config).start())
    assert (lab_config.home / HOST_KEY).read_text() == "not a key"


def test_an_unreadable_authorized_keys_file_is_reported(lab_config: LabConfig, tmp_path: Path) -> None:
    for unreadable in (tmp_path / "missing", tmp_path):
        with pytest.raises(GdtuiError, match="cannot read the authorized keys file"):
            Lab(replace(lab_config, authorized_keys=unreadable))


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_session_without_a_terminal_is_told_how_to_get_one(lab_config: LabConfig) -> None:
    async with running(lab_config) as lab:
        async with connect(lab) as conn:
            done = await conn.run("ls /", encoding=None)
        assert done.exit_status == 1
        assert b"gdtui needs a terminal: connect with 'ssh -t'" in done.stdout
        assert not lab.sessions


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_sessions_refused_again_and_again_on_one_connection_are_logged_once(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that asks again and again, on one connection, for what is refused (no terminal, a command) fills
    the teacher's log no faster than one that asks once: as sshd, once a connection."""
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(lab_config) as lab, connect(lab) as conn:
        for _ in range(5):
            done = await conn.run("ls /", encoding=None)
            assert b"gdtui needs a terminal" in done.stdout
    assert caplog.text.count("no terminal") == 1, caplog.text
    assert caplog.text.count("asked to run") == 1, caplog.text


async def test_a_student_finds_their_folder_again_at_the_next_login(lab_config: LabConfig) -> None:
    async def home_of(lab: Lab, username: str) -> Path:
        async with student(lab, username=username) as terminal:
            await terminal.shows(FIRST_SCREEN)
            home = Path(app_environment(only_session(lab))["HOME"])
        # The session ends a moment after its client leaves: the next login must be the only one.
        await eventually(lambda: not lab.sessions, "the session to end")
        return home

    async with running(lab_config) as lab:
        first = await home_of(lab, "ada")
        (first / "mine.npz").write_bytes(b"a saved model")
        assert await home_of(lab, "ada") == first
        assert (first / "mine.npz").exists()


async def test_a_relative_data_directory_means_the_same_in_every_session(
    lab_config: LabConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(lab_config.data.parent)
    async with running(replace(lab_config, data=Path(lab_config.data.name))) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)


async def test_keys_added_while_the_lab_runs_let_their_students_in(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    latecomer = asyncssh.generate_private_key("ssh-ed25519")
    async with running(lab_config) as lab:
        with pytest.raises(asyncssh.PermissionDenied):
            async with student(lab, client_keys=[latecomer]):
                pass
        with lab_config.authorized_keys.open("ab") as keys:
            keys.write(b"ssh-ed25519 this-line-is-broken\n" + latecomer.export_public_key())
        async with student(lab, client_keys=[latecomer]) as terminal:
            await terminal.shows(FIRST_SCREEN)
    assert "line 2 of" in caplog.text and "not a public key" in caplog.text
    assert "0 named and 2 unnamed keys from" in caplog.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"idle_timeout": -60.0}, "--idle-timeout"),
        ({"port": 99999}, "--port"),
        ({"max_sessions": 0}, "--max-sessions"),
        ({"max_auth_tries": 0}, "--max-auth-tries"),
        ({"max_auth_tries": 10**9}, "--max-auth-tries"),
        ({"block_after": -1}, "--block-after"),
        ({"max_startups": (0, 30, 100)}, "START"),
        ({"max_startups": (10, 30, 5)}, "FULL"),
        ({"max_startups": (10, 101, 100)}, "RATE"),
        ({"per_source_max_startups": 0}, "--per-source-max-startups"),
        ({"login_grace_time": float("nan")}, "--login-grace-time"),
        ({"login_grace_time": 0.0}, "--login-grace-time"),
        ({"login_grace_time": 1e9}, "--login-grace-time"),
        ({"keepalive_interval": -1.0}, "--keepalive"),
        ({"max_sessions_per_name": 0}, "--max-sessions-per-name"),
        ({"max_sessions_per_name": 10**6}, "--max-sessions-per-name"),
        ({"keepalive_interval": float("inf")}, "--keepalive"),
    ],
)
def test_impossible_limits_are_refused(lab_config: LabConfig, change: dict, message: str) -> None:
    with pytest.raises(GdtuiError, match=message):
        Lab(replace(lab_config, **change))


async def test_a_student_who_leaves_while_the_app_draws_leaves_no_error_behind(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    # asyncssh closes a channel for sending as soon as the client closes it, but tells the session
    # only a moment later: frames the app writes in between must not end in a traceback. (A race of
    # one event-loop pass: this test goes through it, it cannot make it happen every time.)
    caplog.set_level(logging.INFO)
    async with running(lab_config) as lab:
        for again in (False, True):
            async with student(lab) as terminal:
                await terminal.shows(FIRST_SCREEN)
                if again:
                    # The training the first session's end cut short is offered back: declined here.
                    await terminal.shows("Restore the network you were training")
                    terminal.press("n")
                    await terminal.until(lambda: "Restore the network" not in terminal.text(), "the offer closed")
                terminal.press("6")
                await terminal.shows("step 0 ")
                terminal.press(" ")
                await terminal.shows("images/s")
                pid = only_session(lab).process.pid
                terminal.process.close()
                await until_gone(lab, pid)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_student_sees_paths_in_their_folder_not_where_the_server_keeps_it(lab_config: LabConfig) -> None:
    async with running(lab_config) as lab, student(lab, 100, 32) as terminal:
        await terminal.shows(FIRST_SCREEN)
        terminal.press("6")
        await terminal.shows("step 0 ")
        terminal.press("s")
        await terminal.shows("Save the network as")
        terminal.press("\r")
        await terminal.shows("Saved as gdtui-model.npz")
        terminal.press("2")
        await terminal.shows("13,002 parameters")
        terminal.press("o")
        await terminal.shows("Open a model saved by gdtui")
        terminal.press("missing.npz\r")
        await terminal.shows("missing.npz: no such file")
        assert str(lab.sessions_dir) not in terminal.raw.decode(errors="replace")
        assert (lab.sessions_dir / "student" / "gdtui-model.npz").is_file()


async def test_a_students_folder_has_a_quota_and_a_save_past_it_is_refused(lab_config: LabConfig) -> None:
    config = replace(lab_config, quota_mb=0.1)
    folder = config.home / "sessions" / "student"
    folder.mkdir(parents=True)
    (folder / "older.npz").write_bytes(b"x" * 90_000)  # and a model of this network takes some 54 kB
    async with running(config) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        terminal.press("6")
        await terminal.shows("Training")
        terminal.press("s")
        await terminal.shows("Save the network as")
        terminal.press("\r")
        await terminal.shows("cannot write the model: 90 kB of this folder's")
        assert sorted(path.name for path in folder.iterdir() if path.is_file()) == ["older.npz"]
        # The app goes on.
        terminal.press("\x1b")
        await terminal.until(lambda: "Save the network" not in terminal.text(), "the prompt closed")
        terminal.press("2")
        await terminal.shows("13,002 parameters")
