"""'gdtui class': a class from a list of names, and a student added or removed later, from the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gdtui.cli import main
from gdtui.serve import classroom
from gdtui.serve.access import read_roster
from gdtui.serve.hostkey import host_key
from gdtui.serve.passwords import verify_password


def test_a_class_from_a_names_file_and_from_arguments(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    names = tmp_path / "names.txt"
    names.write_text("ada\nalan\n")
    folder, key = tmp_path / "class", tmp_path / "host-key"
    args = ["class", "new", "bob", "--names", str(names), "--teacher", "grace"]
    args += ["--host", "lab.example.org", "--port", "2200", "--host-key", str(key), "--dir", str(folder)]
    assert main(args) == 0
    out = capsys.readouterr().out
    kept = classroom.read_class(folder)
    assert sorted(kept.students) == ["ada", "alan", "bob"]
    assert set(read_roster((folder / "roster").read_text(), "roster")) == {"grace", "ada", "alan", "bob"}
    fingerprint = host_key(key).get_fingerprint()
    assert fingerprint in (folder / "handout.txt").read_text()
    # What the teacher needs next: their own login, how strong the passwords are, and how to start.
    assert "ssh -p 2200 grace@lab.example.org" in out and kept.teachers["grace"] in out
    assert "44 bits" in out
    assert f"gdtui serve --roster {folder / 'roster'} --host-key {key} --port 2200" in out
    assert fingerprint in out
    # Never the students' passwords: a terminal's scrollback is not the place for them.
    assert not any(password in out for password in kept.students.values())


def test_the_start_command_printed_to_root_names_the_user_sessions_run_as(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server refuses root without --user: the command to copy must not be one that fails."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    folder, key = tmp_path / "class", tmp_path / "host-key"
    made = ["class", "new", "ada", "--teacher", "grace", "--host", "lab.example.org", "--host-key", str(key)]
    assert main([*made, "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"gdtui serve --roster {folder / 'roster'} --host-key {key} --user USER" in out
    assert "unprivileged" in out


def test_adding_and_removing_a_student_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "class"
    common = ["--dir", str(folder)]
    assert (
        main(["class", "new", "ada", "alan", "--teacher", "grace", "--host", "h", "--host-key", str(tmp_path / "k"), *common])
        == 0
    )
    ada = classroom.read_class(folder).students["ada"]
    capsys.readouterr()
    assert main(["class", "add", "zoe", *common]) == 0
    out = capsys.readouterr().out
    zoe = classroom.read_class(folder).students["zoe"]
    assert "ssh -p 2222 zoe@h" in out and zoe in out
    assert main(["class", "remove", "alan", *common]) == 0
    kept = classroom.read_class(folder)
    assert sorted(kept.students) == ["ada", "zoe"] and kept.students["ada"] == ada


def test_a_bad_names_file_is_refused_in_one_line_and_nothing_is_made(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    names = tmp_path / "names.txt"
    names.write_text("ada\nJean Dupont\n")
    folder = tmp_path / "class"
    args = ["class", "new", "--names", str(names), "--teacher", "grace", "--host-key", str(tmp_path / "k"), "--dir", str(folder)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdtui: error: line 2 of") and len(err.strip().splitlines()) == 1, err
    assert not folder.exists()


def test_a_class_needs_students(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["class", "new", "--teacher", "grace", "--host-key", str(tmp_path / "k"), "--dir", str(tmp_path / "c")]) == 2
    assert "no students" in capsys.readouterr().err


def test_a_password_piped_in_is_hashed_without_a_word_on_standard_error() -> None:
    code = "import sys\nfrom gdtui.cli import main\nsys.exit(main(['serve', '--hash-password', '--password-stdin']))"
    done = subprocess.run(
        [sys.executable, "-c", code], input="maple-river-candle-seven\n", capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert verify_password("maple-river-candle-seven", done.stdout.strip())


def test_an_empty_password_piped_in_is_refused() -> None:
    code = "import sys\nfrom gdtui.cli import main\nsys.exit(main(['serve', '--hash-password', '--password-stdin']))"
    done = subprocess.run([sys.executable, "-c", code], input="\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "empty" in done.stderr and done.stdout == ""


def test_the_class_files_are_private_from_the_command_line_too(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    assert main(["class", "new", "ada", "--teacher", "grace", "--host-key", str(tmp_path / "k"), "--dir", str(folder)]) == 0
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in folder.iterdir())


def test_password_stdin_alone_says_what_it_goes_with(capsys: pytest.CaptureFixture) -> None:
    assert main(["serve", "--password-stdin", "--no-auth"]) == 2
    assert "--password-stdin goes with --hash-password" in capsys.readouterr().err


def test_collecting_a_class_s_work_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder, data = tmp_path / "class", tmp_path / "lab"
    common = ["--dir", str(folder)]
    made = ["class", "new", "ada", "alan", "bob", "--teacher", "grace", "--host", "h", "--host-key", str(tmp_path / "k")]
    assert main([*made, *common]) == 0
    ada = data / "sessions" / "ada"
    ada.mkdir(parents=True)
    (ada / "first.npz").write_bytes(b"model")
    (ada / "[bold]passwd").symlink_to("/etc/passwd")
    (data / "sessions" / "alan").mkdir()
    (data / "sessions" / "alan" / "notes.txt").write_text("eta 1.5")
    (data / "sessions" / "[red]eve").mkdir()
    capsys.readouterr()
    assert main(["class", "collect", str(data), *common]) == 0
    out = capsys.readouterr().out
    archives = list(folder.glob("work-*.zip"))
    assert len(archives) == 1 and str(archives[0]) in out
    assert stat.S_IMODE(archives[0].stat().st_mode) == 0o600
    lines = out.splitlines()
    # A line a student: what was taken, or that there was nothing; what was left out, and why.
    assert any(line.split()[:3] == ["ada", "1", "file,"] for line in lines), out
    assert any(line.split()[:1] == ["bob"] and "no folder" in line for line in lines), out
    # A name shown as it is, never read as markup.
    assert any("'[bold]passwd'" in line and "link" in line for line in lines), out
    # A folder in sessions/ that is no one's in the class is named, as text, and left out.
    assert "The work of 2 of 3 students" in out
    assert any("not in the class" in line for line in lines) and any("'[red]eve'" in line for line in lines), out
    # Again: the archive is there, and is kept unless --force says otherwise.
    assert main(["class", "collect", str(data), *common]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["class", "collect", str(data), "--force", "--per-student", *common]) == 0
    assert sorted(path.name for path in (folder / archives[0].stem).iterdir()) == ["ada.zip", "alan.zip"]


def test_collecting_asks_once_whether_the_system_can(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gdtui.serve import collect

    folder, data = tmp_path / "class", tmp_path / "lab"
    made = ["class", "new", "ada", "--teacher", "grace", "--host", "h", "--host-key", str(tmp_path / "k")]
    assert main([*made, "--dir", str(folder)]) == 0
    (data / "sessions" / "ada").mkdir(parents=True)
    asked: list[bool] = []
    check = collect.check_system
    monkeypatch.setattr(collect, "check_system", lambda: asked.append(True) or check())
    assert main(["class", "collect", str(data), "--dir", str(folder)]) == 0
    assert len(asked) == 1


def _two_servers(tmp_path: Path) -> tuple[Path, Path]:
    from gdtui.serve.record import ClassRecord

    first, second = tmp_path / "lab-a", tmp_path / "lab-b"
    one, two = ClassRecord.open(first), ClassRecord.open(second)
    ada = one.login("ada", 1_800_000_000)
    one.report(
        ada, {"beat": 7, "quiz": [2, 3], "answers": "RWR", "accuracy": 0.9, "steps": 5000, "saved": ["=1+1.npz"]}, 1_800_000_060
    )
    one.logout(ada, 1_800_000_900)
    two.login("alan", 1_800_000_030)
    one.close()
    two.close()
    return first, second


def test_the_record_of_several_servers_is_printed_as_one_table(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    first, second = _two_servers(tmp_path)
    assert main(["class", "record", str(first), str(second)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:3]] == ["ada", "alan"]
    assert "90.0%" in lines[1] and "2/3" in lines[1] and lines[2].split()[3] == "cut"
    assert all(len(line) <= 80 for line in lines)
    assert "2 sessions" in lines[-1]


def test_the_record_is_exported_as_csv_safe_for_a_spreadsheet_and_as_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    import csv
    import json

    first, second = _two_servers(tmp_path)
    out_csv, out_jsonl = tmp_path / "class.csv", tmp_path / "class.jsonl"
    assert main(["class", "record", str(first), str(second), "--csv", str(out_csv), "--jsonl", str(out_jsonl)]) == 0
    said = capsys.readouterr().out
    assert "2 sessions" in said and str(out_csv) in said and "formula" in said
    with out_csv.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["name"], r["quiz_answers"], r["models_saved"]) for r in rows] == [("ada", "RWR", "'=1+1.npz"), ("alan", "", "")]
    lines = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    assert [(r["name"], r["models_saved"]) for r in lines] == [("ada", ["=1+1.npz"]), ("alan", [])]


def test_a_torn_record_is_read_with_a_warning_and_a_missing_one_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    first, _ = _two_servers(tmp_path)
    with (first / "record.jsonl").open("a") as file:
        file.write('{"session": "x", "na')
    assert main(["class", "record", str(first)]) == 0
    captured = capsys.readouterr()
    assert "ada" in captured.out and "cut short" in captured.err
    assert main(["class", "record", str(tmp_path / "nowhere")]) == 2
    assert "no class record" in capsys.readouterr().err
