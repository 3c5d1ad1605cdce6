"""Who may log in to the lab, under which name: keys, passwords, the roster, and guessing."""

from __future__ import annotations

import asyncssh

from gdtui.serve.server import LabConfig
from tests.e2e.lab import connect, running


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
