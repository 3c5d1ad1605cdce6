"""A class's whole life: made from a names file, students work, the server is killed, and the record,
the dashboard and the collected work still hold it all."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import os
import re
import signal
import zipfile
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from gdtui.cli import main
from gdtui.serve import classroom, collect, record
from gdtui.serve.server import Lab, LabConfig
from tests.e2e.lab import AS_ANY_USER, FIRST_SCREEN, TIMEOUT, Terminal, connect, eventually, running, student
from tests.e2e.test_serve_teacher import row


@asynccontextmanager
async def serving(tmp_path: Path, folder: Path, key: Path, data: Path):
    """`gdtui serve` for the class in a process of its own, as a teacher starts it: the lab (its port)
    and the server's process, which the test may kill."""
    serve = [*AS_ANY_USER, "serve", "--roster", str(folder / classroom.ROSTER), "--host-key", str(key)]
    serve += ["--host", "127.0.0.1", "--port", "0", "--data", str(data), "--idle-timeout", "0"]
    server = await asyncio.create_subprocess_exec(
        *serve, stderr=asyncio.subprocess.PIPE, env=dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    )
    assert server.stderr is not None
    log = bytearray()
    port = None
    while port is None:
        line = await asyncio.wait_for(server.stderr.readline(), TIMEOUT)
        assert line, f"the server ended: {log.decode()}"
        log += line
        if b"listening on" in line:
            port = int(line.split(b" port ")[1].split(b",")[0])
    reader = asyncio.create_task(_drain(server.stderr, log))
    try:
        yield SimpleNamespace(port=port, log=log), server
    finally:
        if server.returncode is None:
            server.terminate()
            await asyncio.wait_for(server.wait(), TIMEOUT)
        await reader


async def _drain(stream: asyncio.StreamReader, log: bytearray) -> None:
    while line := await stream.readline():
        log += line


@pytest.mark.slow
async def test_a_class_works_the_server_is_killed_and_its_record_dashboard_and_collected_work_keep_it_all(
    lab_config: LabConfig, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("ada\nalan\nbob\n")
    folder, key = tmp_path / "class", tmp_path / "host-key"
    made = ["class", "new", "--names", str(names), "--teacher", "grace", "--host", "127.0.0.1", "--host-key", str(key)]
    assert main([*made, "--dir", str(folder)]) == 0
    kept = classroom.read_class(folder)
    assert lab_config.data is not None
    home = tmp_path / "data" / "gdtui" / "lab"

    async with (
        serving(tmp_path, folder, key, lab_config.data) as (lab, server),
        student(lab, username="grace", password=kept.teachers["grace"]) as teacher,
        student(lab, username="ada", password=kept.students["ada"]) as ada,
        student(lab, username="alan", password=kept.students["alan"]) as alan,
        student(lab, username="bob", password=kept.students["bob"]) as bob,
    ):
        await ada.shows(FIRST_SCREEN)
        await alan.shows(FIRST_SCREEN)
        await bob.shows(FIRST_SCREEN)
        # bob is taken off the class while logged in: his session ends, his folder stays.
        capsys.readouterr()
        assert main(["class", "remove", "bob", "--dir", str(folder)]) == 0
        assert await bob.ends() is not None
        assert "taken off the class" in bob.raw.decode()
        await teacher.until(lambda: "removed" in row(teacher, "bob"), "bob gone from the dashboard")
        assert "2 logged in, 1 gone" in teacher.text()
        # ada answers a question of the quiz (the ranking as it stands), then trains an epoch.
        ada.press("3")
        await ada.shows("Quiz")
        ada.press("v")
        await ada.shows("Question 1")
        ada.press("\r")
        await ada.shows("next question")
        right = "Right!" in ada.text()
        score, answers = (f"{int(right)}/1", "R" if right else "W")
        ada.press("6")
        await ada.shows("Epoch")
        ada.press("e")
        await ada.shows("after epoch 1")
        ada.press("s")
        await ada.shows("Save the network as")
        ada.press("\r")
        await ada.shows("Saved as gdtui-model.npz")
        # Trained: steps, then the best accuracy, in the row.
        trained = re.compile(r" ([1-9][\d,]*) +(\d+\.\d%) ")
        await teacher.until(lambda: score in row(teacher, "ada") and trained.search(row(teacher, "ada")), "ada's figures")
        assert row(teacher, "alan")

        def shown() -> tuple[int, str]:
            found = trained.search(row(teacher, "ada"))
            assert found is not None
            return int(found[1].replace(",", "")), found[2]

        # The epoch is over. Steps alone reach the disk within record.QUIET_S, the rest before the
        # dashboard shows it: soon the record holds what the dashboard shows.
        await eventually(lambda: any(r.steps == shown()[0] for r in record.read(home)[0]), "ada's steps on the disk")
        # The app reports its save at its next look (every report.LOOK_EVERY_S): a kill before then loses it.
        await eventually(lambda: any(r.saved for r in record.read(home)[0]), "ada's saved model on the disk")
        steps, best = shown()
        # While the server runs, the record says the sessions open are on.
        capsys.readouterr()
        assert main(["class", "record", str(home)]) == 0
        live = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
        assert live["ada"].split()[3] == "on" and live["alan"].split()[3] == "on"

        server.send_signal(signal.SIGKILL)
        await asyncio.wait_for(server.wait(), TIMEOUT)

    # The sessions, as they were when the server died: ada's figures, and no logout made up for either,
    # but when their server was last known running.
    rows = {kept_row.name: kept_row for kept_row in record.read(home)[0]}
    assert sorted(rows) == ["ada", "alan", "bob"]
    assert rows["ada"].quiz == (int(right), 1) and rows["ada"].answers == answers
    assert rows["ada"].best is not None and f"{rows['ada'].best:.1%}" == best
    assert rows["ada"].steps == steps
    assert rows["ada"].saved == ("gdtui-model.npz",)
    assert rows["ada"].logout is None and rows["alan"].logout is None and rows["bob"].logout is not None
    assert rows["ada"].cut is not None and rows["ada"].cut >= (rows["ada"].last_key or rows["ada"].login)
    capsys.readouterr()
    assert main(["class", "record", str(home)]) == 0
    printed = capsys.readouterr().out
    after = {line.split()[0]: line for line in printed.splitlines()}
    assert best in printed and "3 sessions" in printed
    assert after["ada"].split()[3] == "cut" and after["alan"].split()[3] == "cut"

    async with (
        serving(tmp_path, folder, key, lab_config.data) as (lab, server),
        student(lab, username="grace", password=kept.teachers["grace"]) as teacher,
    ):
        await teacher.until(lambda: "cut off" in row(teacher, "ada") and "cut off" in row(teacher, "alan"), "both")
        assert score in row(teacher, "ada") and best in row(teacher, "ada")
        assert "0 logged in, 3 gone" in teacher.text()
        teacher.press("c")
        await teacher.shows("Class record: 3 sessions")
        await teacher.until(lambda: "ada" in teacher.text() and best in teacher.text(), "the record on the dashboard")

    # After class: the work collected, ada's model in it as she saved it.
    saved = (home / "sessions" / "ada" / "gdtui-model.npz").read_bytes()
    capsys.readouterr()
    assert main(["class", "collect", str(home), "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    (archive,) = folder.glob("work-*.zip")
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("ada/gdtui-model.npz") == saved
        manifest = opened.read(collect.MANIFEST).decode()
        members = opened.namelist()
    assert f"ada,gdtui-model.npz,{len(saved)},{hashlib.sha256(saved).hexdigest()}," in manifest
    # bob, taken off the class, is not in its work: his folder is named as left out.
    assert "The work of 2 of 2 students" in out
    assert not any(name.startswith("bob/") for name in members)
    assert "not in the class" in out and "bob" in out


async def test_a_student_in_twice_when_the_server_stops_and_starts_again_has_two_true_rows(lab_config: LabConfig) -> None:
    assert lab_config.home is not None
    async with running(lab_config) as lab, student(lab) as first, student(lab) as second:
        await first.shows(FIRST_SCREEN)
        await second.shows(FIRST_SCREEN)
        first.press("2")
        await eventually(lambda: any(row.last_key for row in lab.hub.record.rows.values()), "a key press in the record")
    # Stopped with both sessions open: each ended, and its row says when.
    rows = record.read(lab_config.home)[0]
    assert [row.name for row in rows] == ["student", "student"] and len({row.session for row in rows}) == 2
    assert all(row.logout is not None and row.logout >= row.login for row in rows)
    with (lab_config.home / record.CSV).open(newline="") as file:
        assert sorted(cell["logout"] != "" for cell in csv.DictReader(file)) == [True, True]
    async with running(lab_config) as lab, student(lab) as again:
        await again.shows(FIRST_SCREEN)
        assert sum(row.logout is None for row in lab.hub.record.rows.values()) == 1, "only the session on now is open"
    assert len(record.read(lab_config.home)[0]) == 3


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_session_asked_for_on_a_connection_left_open_by_a_stopped_server_is_refused(lab_config: LabConfig) -> None:
    assert lab_config.home is not None
    lab = Lab(lab_config)
    await lab.start()
    stopped = False
    try:
        # Logged in before the server stopped: stopping ends its sessions, not its connections.
        async with connect(lab) as conn:
            await lab.stop()
            stopped = True
            process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
            terminal = Terminal(process, 80, 24)
            await terminal.shows("shutting down")
            assert await terminal.ends() == 1
            assert not lab.sessions
    finally:
        if not stopped:
            await lab.stop()
    assert all(row.logout is not None for row in record.read(lab_config.home)[0]), "no row the record left open"
    assert not lab.hub.record.rows
