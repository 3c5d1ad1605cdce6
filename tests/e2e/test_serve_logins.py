"""Who may log in to the lab, under which name: keys, passwords, the roster, and guessing."""

from __future__ import annotations

import logging
from pathlib import Path

import asyncssh
import pytest

from gdtui.serve.server import LabConfig
from tests.e2e.lab import FIRST_SCREEN, app_environment, connect, only_session, running, student


async def logs_in(lab, username: str = "student", **options) -> bool:
    try:
        async with connect(lab, username, **options):
            return True
    except asyncssh.PermissionDenied:
        return False


async def test_emptying_the_authorized_keys_file_revokes_every_key(lab_config: LabConfig, client_key: asyncssh.SSHKey) -> None:
    async with running(lab_config) as lab:
        assert await logs_in(lab, client_keys=[client_key])
        for emptied in (b"", b"# nobody yet\n\n", b"ssh-ed25519 not-a-key\n"):
            lab_config.authorized_keys.write_bytes(emptied)
            assert not await logs_in(lab, client_keys=[client_key]), emptied
            # The lab password is not caught up in it.
            assert await logs_in(lab), emptied


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
    assert "1 to 32 letters, digits" in "".join(client.banners)
    assert "cannot be a name here" in caplog.text


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
