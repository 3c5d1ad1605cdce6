"""Who may log in to the lab, under which name: keys, passwords, the roster, and guessing."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve.passwords import hash_password
from gdtui.serve.server import Lab, LabConfig
from tests.e2e.lab import (
    FIRST_SCREEN,
    PASSWORD,
    PASSWORD_HASH,
    TIMEOUT,
    app_environment,
    connect,
    eventually,
    only_session,
    running,
    student,
)

ALAN = "alan's own password"
ALAN_HASH = hash_password(ALAN)


async def logs_in(lab, username: str = "student", **options) -> bool:
    try:
        async with connect(lab, username, **options):
            return True
    except asyncssh.PermissionDenied:
        return False


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_emptying_the_authorized_keys_file_revokes_every_key(lab_config: LabConfig, client_key: asyncssh.SSHKey) -> None:
    async with running(lab_config) as lab:
        assert await logs_in(lab, client_keys=[client_key])
        for emptied in (b"", b"# nobody yet\n\n", b"ssh-ed25519 not-a-key\n"):
            lab_config.authorized_keys.write_bytes(emptied)
            assert not await logs_in(lab, client_keys=[client_key]), emptied
            # The lab password is not caught up in it.
            assert await logs_in(lab), emptied


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_lab_may_start_with_no_keys_yet_and_add_them_later(lab_config: LabConfig, client_key: asyncssh.SSHKey) -> None:
    lab_config.authorized_keys.write_bytes(b"# latecomers' keys go here\n")
    async with running(lab_config) as lab:
        assert await logs_in(lab)
        assert not await logs_in(lab, client_keys=[client_key])
        lab_config.authorized_keys.write_bytes(client_key.export_public_key())
        assert await logs_in(lab, client_keys=[client_key])


class BannerClient(asyncssh.SSHClient):
    """A client that keeps the banners the server sends before login."""

    def __init__(self) -> None:
        self.banners: list[str] = []

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.banners.append(msg)


@pytest.mark.usefixtures("zygote_cannot_start")
@pytest.mark.parametrize(
    "username",
    ["a/b", "a b", "a" * 33, "x" * 300, ".", "..", ".hidden", "-rf", "ünï"],
    ids=["slash", "space", "33", "300", "dot", "dotdot", "hidden", "dash", "accents"],
)
async def test_a_name_that_cannot_have_a_folder_of_its_own_is_refused_and_told_why(
    lab_config: LabConfig, username: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    client = BannerClient()
    async with running(lab_config) as lab:
        assert not await logs_in(lab, username, client_factory=lambda: client)
        assert not lab.sessions_dir.exists() or not any(lab.sessions_dir.iterdir())
    assert "1 to 32 of the letters a to z, digits" in "".join(client.banners)
    assert "cannot be a name here" in caplog.text


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_an_empty_name_is_refused(lab_config: LabConfig) -> None:
    # asyncssh asks the server nothing about an empty name (no begin_auth): it must still fail.
    async with running(lab_config) as lab:
        assert not await logs_in(lab, "")


async def test_a_name_is_its_folder_and_capitals_are_the_same_name(lab_config: LabConfig) -> None:
    async with running(lab_config) as lab:
        for username in ("Ada.L", "ada.l"):
            async with student(lab, username=username) as terminal:
                await terminal.shows(FIRST_SCREEN)
                home = Path(app_environment(only_session(lab))["HOME"])
            assert home == lab.sessions_dir / "ada.l"
            # Its app may still be ending when the next login has drawn its first screen.
            await eventually(lambda: not lab.sessions, "the session to end with its connection")


@pytest.fixture
def ada_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_key_named_for_one_student_does_not_log_in_as_another(
    lab_config: LabConfig, client_key: asyncssh.SSHKey, ada_key: asyncssh.SSHKey
) -> None:
    ada_line = b'name="ada" ' + ada_key.export_public_key()
    lab_config.authorized_keys.write_bytes(ada_line + client_key.export_public_key())
    async with running(lab_config) as lab:
        assert await logs_in(lab, "ada", client_keys=[ada_key])
        assert not await logs_in(lab, "alan", client_keys=[ada_key])
        # A key that names no one logs in under any name, but not one that belongs to someone.
        assert await logs_in(lab, "alan", client_keys=[client_key])
        assert not await logs_in(lab, "ada", client_keys=[client_key])
        # Nor does the lab password.
        assert not await logs_in(lab, "ada")
        assert await logs_in(lab, "alan")


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_with_a_roster_a_name_is_only_for_its_owner(
    lab_config: LabConfig, ada_key: asyncssh.SSHKey, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    roster = tmp_path / "roster"
    roster.write_text(f"# the class\nada {ada_key.export_public_key().decode()}alan password:{ALAN_HASH}\n")
    roster.chmod(0o600)
    only_roster = replace(lab_config, roster=roster, authorized_keys=None, password_hash=None)
    async with running(only_roster) as lab:
        assert await logs_in(lab, "ada", client_keys=[ada_key])
        assert await logs_in(lab, "alan", password=ALAN)
        assert not await logs_in(lab, "alan", client_keys=[ada_key])
        assert not await logs_in(lab, "ada", password=ALAN)
        assert not await logs_in(lab, "grace", password=ALAN)
    assert "refused: grace from 127.0.0.1" in caplog.text and "is not on the roster" in caplog.text
    # With a lab password as well, it lets in names that are not on the roster, and only those.
    async with running(replace(only_roster, password_hash=PASSWORD_HASH)) as lab:
        assert await logs_in(lab, "grace", password=PASSWORD)
        assert not await logs_in(lab, "ada", password=PASSWORD)
        assert not await logs_in(lab, "alan", password=PASSWORD)


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_the_roster_is_read_again_when_it_changes_and_a_bad_line_closes_only_its_name(
    lab_config: LabConfig, ada_key: asyncssh.SSHKey, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    roster = tmp_path / "roster"
    roster.write_text(f"ada ssh-ed25519 AAAAbroken\nalan password:{ALAN_HASH}\n")
    roster.chmod(0o600)
    async with running(replace(lab_config, roster=roster)) as lab:
        assert await logs_in(lab, "alan", password=ALAN)
        assert "line 1 of" in caplog.text and "ada cannot log in until it is fixed" in caplog.text
        # ada's line is cut off: her name stays hers, closed to the lab password and to any key.
        assert not await logs_in(lab, "ada")
        assert not await logs_in(lab, "ada", client_keys=[ada_key])
        roster.write_text(f"ada {ada_key.export_public_key().decode()}alan password:{ALAN_HASH}\n")
        assert await logs_in(lab, "ada", client_keys=[ada_key])
        assert not await logs_in(lab, "ada")
        # An emptied roster lets no one in by it.
        roster.write_text("")
        assert not await logs_in(lab, "alan", password=ALAN)


async def test_a_roster_cannot_go_with_no_authentication(lab_config: LabConfig, tmp_path: Path) -> None:
    (tmp_path / "roster").write_text("")
    with pytest.raises(GdtuiError, match="--no-auth"):
        Lab(replace(lab_config, roster=tmp_path / "roster", no_auth=True))


class Guesser(asyncssh.SSHClient):
    """A client that tries one password after another on a single connection."""

    def __init__(self, guesses: list[str]) -> None:
        self.guesses = iter(guesses)
        self.tried = 0

    def password_auth_requested(self) -> str | None:
        self.tried += 1
        return next(self.guesses, None)


async def guess(lab: Lab, guesses: list[str], source: str = "127.0.0.1") -> tuple[bool, int]:
    """Whether the guesses logged in, and how many the client was asked for."""
    client = Guesser(guesses)
    try:
        async with connect(lab, client_factory=lambda: client, password=None, preferred_auth="password", local_addr=(source, 0)):
            return True, client.tried
    except (asyncssh.PermissionDenied, asyncssh.DisconnectError, ConnectionError, OSError):
        return False, client.tried


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_connection_gets_six_tries_then_is_closed(lab_config: LabConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(lab_config) as lab:
        logged_in, tried = await guess(lab, [f"guess {n}" for n in range(100)] + [PASSWORD])
        assert not logged_in
        assert tried <= 7
    assert caplog.text.count("refused: wrong password for student") == 6
    assert "6 failed attempts: disconnected" in caplog.text


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_an_address_that_keeps_guessing_is_refused_for_a_while_and_logged_once(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    # Long enough for the checks below to run inside the block on a busy machine.
    async with running(replace(lab_config, block_after=3, forgive_every_s=3.0)) as lab:
        assert not (await guess(lab, ["wrong"] * 6, source="127.0.0.2"))[0]
        # From there even the right password is refused for now...
        for _ in range(5):
            assert not (await guess(lab, [PASSWORD], source="127.0.0.2"))[0]
        # ...while everyone else logs in as ever.
        assert await logs_in(lab)
        # Failures are forgiven one at a time: the address gets in again.
        give_up = time.monotonic() + TIMEOUT
        while not (await guess(lab, [PASSWORD], source="127.0.0.2"))[0]:
            assert time.monotonic() < give_up, "the address was never let in again"
            await asyncio.sleep(0.1)
    assert caplog.text.count("refused: wrong password") == 3
    assert caplog.text.count("refusing its connections for now") == 1
    assert "accepting 127.0.0.2 again" in caplog.text


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_guessing_on_many_connections_at_once_is_no_faster(lab_config: LabConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(replace(lab_config, block_after=10, forgive_every_s=60.0)) as lab:
        tries = await asyncio.gather(*(guess(lab, ["wrong"] * 6, source="127.0.0.2") for _ in range(20)))
        assert not any(logged_in for logged_in, _ in tries)
        assert await logs_in(lab)
    # One password checked at a time per address, and none once it is refused.
    assert caplog.text.count("refused: wrong password") == 10


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_roster_with_passwords_that_others_can_read_is_warned_about(
    lab_config: LabConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    roster = tmp_path / "roster"
    roster.write_text(f"alan password:{ALAN_HASH}\n")
    roster.chmod(0o644)
    async with running(replace(lab_config, roster=roster)) as lab:
        assert await logs_in(lab, "alan", password=ALAN)
    assert "can be read by others on this machine (permissions 0644)" in caplog.text
