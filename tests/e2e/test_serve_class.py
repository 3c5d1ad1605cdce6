"""A class as a teacher makes it: its host key, its start-up log, and its students logging in."""

from __future__ import annotations

import logging
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from gdtui.serve.server import LabConfig
from tests.e2e.lab import PASSWORD_HASH, connect, running


async def test_the_host_key_given_is_made_there_kept_private_and_its_fingerprint_logged(
    lab_config: LabConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    key_file = tmp_path / "keys" / "lab-host-key"
    config = replace(lab_config, host_key=key_file)
    fingerprints = []
    for _ in range(2):
        async with running(config) as lab, connect(lab) as conn:
            fingerprints.append(conn.get_server_host_key().get_fingerprint())
    assert fingerprints[0] == fingerprints[1]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert f"host key {fingerprints[0]}" in caplog.text
    assert str(key_file) in caplog.text
    # The lab's own folder holds no other key that clients could be shown.
    assert not list(config.home.glob("ssh_host_*"))


async def test_the_start_up_log_names_the_teachers_and_counts_the_students_without_them(
    lab_config: LabConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    roster = tmp_path / "roster"
    lines = [f"grace role:teacher password:{PASSWORD_HASH}", f"alan password:{PASSWORD_HASH}"]
    lines += [f"{name} password:{PASSWORD_HASH}" for name in ("ada", "bob", "cy")]
    roster.write_text("\n".join(lines) + "\n")
    roster.chmod(0o600)
    async with running(replace(lab_config, roster=roster, teachers=("alan",))):
        pass
    assert "teachers: alan, grace; 3 students on the roster" in caplog.text
    assert "5 students" not in caplog.text
