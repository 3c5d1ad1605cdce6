"""A class as a teacher makes it: its host key, its start-up log, and its students logging in."""

from __future__ import annotations

import hashlib
import logging
import stat
import zipfile
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest

from gdtui.cli import main
from gdtui.serve import classroom, collect
from gdtui.serve.server import LabConfig
from tests.e2e.lab import FIRST_SCREEN, PASSWORD_HASH, connect, running, student


@pytest.mark.usefixtures("zygote_cannot_start")
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


@pytest.mark.usefixtures("zygote_cannot_start")
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


async def logs_in(lab, username: str, password: str) -> bool:
    try:
        async with connect(lab, username, password=password):
            return True
    except asyncssh.PermissionDenied:
        return False


async def test_a_class_made_from_a_names_file_logs_in_with_the_passwords_and_host_key_of_its_handouts(
    lab_config: LabConfig, tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("ada\nalan\nbob\n")
    folder, key = tmp_path / "class", tmp_path / "host-key"
    made = ["class", "new", "--names", str(names), "--teacher", "grace", "--host", "127.0.0.1", "--host-key", str(key)]
    assert main([*made, "--dir", str(folder)]) == 0
    kept = classroom.read_class(folder)
    handout = (folder / "handout.txt").read_text()
    # No lab password, no keys: only the class's own passwords let anyone in.
    config = replace(lab_config, roster=folder / "roster", host_key=key, authorized_keys=None, password_hash=None)
    async with running(config) as lab:
        async with student(lab, username="ada", password=kept.students["ada"]) as ada:
            await ada.shows(FIRST_SCREEN)
            assert ada.process.channel.get_connection().get_server_host_key().get_fingerprint() in handout
        async with student(lab, username="grace", password=kept.teachers["grace"]) as grace:
            await grace.shows("0 logged in")
        assert not await logs_in(lab, "alan", kept.students["ada"])
        assert await logs_in(lab, "alan", kept.students["alan"])

        # A latecomer added, and a student taken off, while the lab runs: the others still log in.
        assert main(["class", "add", "zoe", "--dir", str(folder)]) == 0
        assert main(["class", "remove", "bob", "--dir", str(folder)]) == 0
        now = classroom.read_class(folder)
        assert await logs_in(lab, "zoe", now.students["zoe"])
        assert not await logs_in(lab, "bob", kept.students["bob"])
        assert await logs_in(lab, "alan", kept.students["alan"])


async def test_a_model_a_student_saves_in_class_is_in_the_class_s_collected_work(
    lab_config: LabConfig, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder, key = tmp_path / "class", tmp_path / "host-key"
    made = ["class", "new", "ada", "alan", "--teacher", "grace", "--host", "127.0.0.1", "--host-key", str(key)]
    assert main([*made, "--dir", str(folder)]) == 0
    kept = classroom.read_class(folder)
    config = replace(lab_config, roster=folder / "roster", host_key=key, authorized_keys=None, password_hash=None)
    async with running(config) as lab, student(lab, username="ada", password=kept.students["ada"]) as ada:
        await ada.shows(FIRST_SCREEN)
        ada.press("6")
        await ada.shows("step 0 ")
        ada.press("s")
        await ada.shows("Save the network as")
        ada.press("\r")
        await ada.shows("Saved as gdtui-model.npz")
        saved = (lab.sessions_dir / "ada" / "gdtui-model.npz").read_bytes()
    capsys.readouterr()
    assert main(["class", "collect", str(config.home), "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    (archive,) = folder.glob("work-*.zip")
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("ada/gdtui-model.npz") == saved
        manifest = opened.read(collect.MANIFEST).decode()
    assert f"ada,gdtui-model.npz,{len(saved)},{hashlib.sha256(saved).hexdigest()}," in manifest
    assert "alan" in out and "never logged in" in out
