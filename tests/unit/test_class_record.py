"""The class record: a row for each student session, kept on disk as events happen, read back and merged."""

from __future__ import annotations

import csv
import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from gdtui import channel
from gdtui.core.errors import GdtuiError
from gdtui.serve import record
from gdtui.serve.record import ClassRecord, Row

LOGIN = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def progress(**fields) -> dict:
    return fields


def test_a_session_is_written_at_login_and_its_figures_as_they_arrive(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    kept.report(ada, progress(beat=3, quiz=[1, 2], answers="RW", accuracy=0.5, steps=100, saved=["first.npz"]), LOGIN + 60)
    kept.report(ada, progress(beat=2, quiz=[2, 3], answers="RWR", accuracy=0.25, steps=300, saved=["second.npz"]), LOGIN + 120)
    kept.flush(LOGIN + 121)
    # Read by another reader, as a restarted server would, without this one closing anything.
    (row,) = record.read(tmp_path)[0]
    assert row.name == "ada" and row.login == LOGIN and row.logout is None
    assert row.beat == 3, "the highest beat reached"
    assert row.quiz == (2, 3) and row.answers == "RWR"
    assert row.best == 0.5, "the best test accuracy, not the latest"
    assert row.steps == 300
    assert row.saved == ("first.npz", "second.npz")
    kept.logout(ada, LOGIN + 600)
    (row,) = record.read(tmp_path)[0]
    assert row.logout == LOGIN + 600


def test_the_csv_holds_one_row_a_session_and_the_jsonl_each_change(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada, alan = kept.login("ada", LOGIN), kept.login("alan", LOGIN + 5)
    kept.report(ada, progress(beat=4), LOGIN + 10)
    kept.flush(LOGIN + 11)
    kept.logout(alan, LOGIN + 20)
    with (tmp_path / record.CSV).open(newline="") as file:
        assert [r["logout"] for r in csv.DictReader(file)] == ["", ""], "the CSV waits for the next flush"
    kept.flush(LOGIN + 21)
    with (tmp_path / record.CSV).open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["name"], r["beat"], r["logout"]) for r in rows] == [("ada", "4", ""), ("alan", "", "2027-01-15T08:00:20Z")]
    lines = (tmp_path / record.JSONL).read_text().splitlines()
    assert len(lines) >= 3
    assert all(json.loads(line)["session"] in (ada.session, alan.session) for line in lines)


def test_a_steady_count_is_written_now_and_then_but_a_new_beat_at_once(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    kept.report(ada, progress(steps=10), LOGIN + 1)
    kept.flush(LOGIN + 1.5)
    assert record.read(tmp_path)[0][0].steps is None, "steps alone wait their turn"
    kept.report(ada, progress(steps=20, beat=2), LOGIN + 2.5)
    row = record.read(tmp_path)[0][0]
    assert (row.beat, row.steps) == (2, 20), "a new beat at once, with the steps as they are"
    kept.report(ada, progress(steps=30, beat=2), LOGIN + 3)
    kept.flush(LOGIN + 3.5)
    assert record.read(tmp_path)[0][0].steps == 20
    kept.flush(LOGIN + 2.5 + record.QUIET_S)
    assert record.read(tmp_path)[0][0].steps == 30


def test_a_torn_last_line_is_skipped_with_a_warning_and_the_rest_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    kept.report(ada, progress(beat=5), LOGIN + 1)
    kept.flush(LOGIN + 2)
    # A kill in the middle of a line: what a write cut short leaves.
    line = json.dumps(Row("s2", "alan", LOGIN).to_json())
    with (tmp_path / record.JSONL).open("a") as file:
        file.write(line[: len(line) // 2])
    rows, problems = record.read(tmp_path)
    assert [(r.name, r.beat) for r in rows] == [("ada", 5)]
    assert len(problems) == 1 and "line 3" in problems[0] and "cut short" in problems[0]

    caplog.set_level(logging.WARNING, logger="gdtui.serve")
    kept.close()
    again = ClassRecord.open(tmp_path)
    assert "cut short" in caplog.text
    bob = again.login("bob", LOGIN + 50)
    rows, problems = record.read(tmp_path)
    assert [r.name for r in rows] == ["ada", "bob"] and rows[1].session == bob.session
    assert not problems, "read back whole at the start, the record is written again without the torn line"


def test_a_record_read_back_at_the_start_keeps_a_line_a_session(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    for beat in range(1, 6):
        kept.report(ada, progress(beat=beat), LOGIN + 10 * beat)
    kept.login("alan", LOGIN + 70)
    assert len((tmp_path / record.JSONL).read_text().splitlines()) == 7
    kept.close()
    again = ClassRecord.open(tmp_path)
    assert len((tmp_path / record.JSONL).read_text().splitlines()) == 2
    assert [r.beat for r in record.read(tmp_path)[0]] == [5, None]
    again.logout(again.rows[ada.session], LOGIN + 100)
    assert len((tmp_path / record.JSONL).read_text().splitlines()) == 3


def test_the_record_is_read_once_at_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    kept.report(ada, progress(beat=3), LOGIN + 10)
    kept.logout(ada, LOGIN + 20)
    kept.close()
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counted(path: Path) -> bytes:
        reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    again = ClassRecord.open(tmp_path)  # three lines of one session: written again, as one
    assert reads.count(tmp_path / record.JSONL) == 1
    assert len((tmp_path / record.JSONL).read_text().splitlines()) == 1
    again.close()


def test_a_session_open_at_a_kill_keeps_no_logout_and_says_when_its_server_was_last_known_running(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    kept.key(ada, LOGIN + 29)
    # The server runs on, and says so, long after ada's last key: then it is killed.
    kept.flush(LOGIN + 128)
    os.utime(tmp_path / record.JSONL, (LOGIN + 128, LOGIN + 128))
    kept.close()
    # Read while no server runs: open when the server died, cut at its last sign of life.
    (row,) = record.read(tmp_path)[0]
    assert (row.logout, row.cut) == (None, LOGIN + 128)
    again = ClassRecord.open(tmp_path)
    (row,) = again.rows.values()
    assert (row.logout, row.cut) == (None, LOGIN + 128)
    with (tmp_path / record.CSV).open(newline="") as file:
        written = next(csv.DictReader(file))
    assert (written["logout"], written["cut"]) == ("", "2027-01-15T08:02:08Z")
    assert f"cut {datetime.fromtimestamp(LOGIN + 128):%H:%M}" in record.table([row])[1]


def test_a_session_open_on_a_running_server_reads_as_on(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    kept.login("ada", LOGIN)
    (row,) = record.read(tmp_path)[0]
    assert (row.logout, row.cut) == (None, None)
    assert record.table([row])[1].split()[3] == "on"
    with pytest.raises(GdtuiError, match="another"):
        ClassRecord.open(tmp_path)
    kept.close()


def test_records_of_several_servers_merge_in_login_order_each_session_once(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    one, two = ClassRecord.open(first), ClassRecord.open(second)
    one.login("ada", LOGIN + 10)
    two.login("alan", LOGIN)
    one.logout(one.login("bob", LOGIN + 20), LOGIN + 30)
    rows, problems = record.merged([first, second, first])
    assert [r.name for r in rows] == ["alan", "ada", "bob"]
    assert not problems


def test_a_forged_report_writes_only_checked_figures_into_its_own_row(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada, alan = kept.login("ada", LOGIN), kept.login("alan", LOGIN)
    forged = {
        "name": "alan",
        "session": alan.session,
        "login": 0,
        "beat": -1,
        "quiz": [5, 2],
        "answers": "RRX" * 1000,
        "accuracy": 7.0,
        "steps": True,
        "saved": [*(f"m{i}.npz" for i in range(200)), "a\nb.npz", "x" * 500, 3],
    }
    kept.report(ada, forged, LOGIN + 1)
    kept.flush(LOGIN + 100)
    rows = {r.name: r for r in record.read(tmp_path)[0]}
    assert rows["alan"] == Row(alan.session, "alan", LOGIN)
    row = rows["ada"]
    assert (row.session, row.login, row.beat, row.quiz, row.answers, row.best, row.steps) == (
        ada.session,
        LOGIN,
        None,
        None,
        "",
        None,
        None,
    )
    assert row.saved[-2:] == ("a?b.npz", "x" * channel.NAME_CHARACTERS)
    assert len(row.saved) <= channel.MOST_SAVED
    for more in range(10):
        kept.report(ada, {"saved": [f"{more}-{i}.npz" for i in range(channel.MOST_SAVED)]}, LOGIN + 2)
    assert len(ada.saved) == record.MOST_SAVED


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    kept.report(ada, progress(saved=['=HYPERLINK("http://x","y").npz', "+1.npz", "-1.npz", "@sum.npz"]), LOGIN + 1)
    kept.flush(LOGIN + 2)
    with (tmp_path / record.CSV).open(newline="") as file:
        saved = next(csv.DictReader(file))["models_saved"]
    assert saved.startswith("'=HYPERLINK")
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in [saved])
    # The JSON lines keep the names exactly.
    assert record.read(tmp_path)[0][0].saved[0] == '=HYPERLINK("http://x","y").npz'


def test_a_line_that_is_not_a_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / record.JSONL).write_text(
        '{"session":"s1","name":"ada","login":"2027-01-15T08:00:00Z"}\n'
        '{"session":"s2","name":"[b]x","login":"2027-01-15T08:00:00Z"}\n'
        "[1,2]\n"
        '{"session":"s3","name":"bob","login":"yesterday"}\n'
    )
    rows, problems = record.read(tmp_path)
    assert [r.name for r in rows] == ["ada"]
    assert len(problems) == 3


def test_the_table_fits_80_columns_and_says_what_is_missing(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("a" * 32, LOGIN)
    kept.report(
        ada, progress(beat=12, quiz=[10, 12], answers="R" * 12, accuracy=0.9876, steps=123_456, saved=["x.npz"]), LOGIN + 9
    )
    kept.logout(ada, LOGIN + 3600 * 3)
    kept.login("bob", LOGIN + 60)
    lines = record.table(record.read(tmp_path)[0])
    assert all(len(line) <= 80 for line in lines)
    assert "98.8%" in lines[1] and "10/12" in lines[1] and "123,456" in lines[1]
    assert lines[2].split()[3] == "on"


def test_a_session_whose_figures_change_without_end_writes_a_line_a_second_after_a_burst(tmp_path: Path) -> None:
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    lines = lambda: len((tmp_path / record.JSONL).read_text().splitlines())  # noqa: E731
    for tick in range(100):
        # A forged report can flip its quiz score as often as the hub lets it speak.
        kept.report(ada, progress(quiz=[tick % 2, 1]), LOGIN + 5 + tick / 1000)
    assert lines() == 1 + record.BURST, "the first changes at once, the others wait"
    kept.flush(LOGIN + 5.5)
    assert lines() == 1 + record.BURST
    kept.flush(LOGIN + 7.5)
    assert lines() == 2 + record.BURST and record.read(tmp_path)[0][0].quiz == (1, 1), "the last of them, later"
    kept.logout(ada, LOGIN + 7.6)
    assert lines() == 3 + record.BURST, "a logout at once"


def test_a_folder_the_record_cannot_be_kept_in_is_said_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(GdtuiError, match="cannot keep the class record in"):
        ClassRecord.open(tmp_path / "file" / "lab")


def test_a_record_grown_huge_by_logins_takes_a_bounded_share_of_the_servers_time_to_write_as_a_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = ClassRecord.open(tmp_path)
    # A student who logs in and out again and again: a row each time, each written again in the CSV.
    for number in range(20_000):
        row = Row(f"s{number}", "ada", LOGIN + number, LOGIN + number + 1)
        kept.rows[row.session] = row
    alan = kept.login("alan", LOGIN + 30_000)
    spent: list[float] = []
    write_csv = record.write_csv

    def timed(file, rows) -> None:
        started = time.perf_counter()
        write_csv(file, rows)
        spent.append(time.perf_counter() - started)

    monkeypatch.setattr(record, "write_csv", timed)
    span = 30
    for second in range(span):
        # The class goes on: a change a second, and the server's flush a second.
        kept.report(alan, progress(beat=second + 1), LOGIN + 30_001 + second)
        kept.flush(LOGIN + 30_001 + second + 0.5)
    assert spent, "the CSV is written"
    assert sum(spent) <= record.CSV_SHARE * span + max(spent)
    kept.flush(LOGIN + 30_001 + span, everything=True)
    with (tmp_path / record.CSV).open(newline="") as file:
        assert next(r["beat"] for r in csv.DictReader(file) if r["name"] == "alan") == str(span), "all of it, at the end"


def test_a_session_that_saved_many_long_named_models_writes_their_names_once_not_with_every_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record.os, "fsync", lambda descriptor: None)  # an hour of lines, written in a moment
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    # Names the app lets a student save under: 62 emoji and '.n', each emoji 12 bytes in the record.
    names = [f"{index:02}" + "\N{GRINNING FACE}" * 60 for index in range(record.MOST_SAVED)]
    for first in range(0, record.MOST_SAVED, channel.MOST_SAVED):
        kept.report(ada, progress(saved=names[first : first + channel.MOST_SAVED]), LOGIN + 1 + first)
    size = (tmp_path / record.JSONL).stat().st_size
    hours = 1
    # Training on: a new count of steps every report, written every QUIET_S.
    for tick in range(int(hours * 3600 / record.QUIET_S)):
        now = LOGIN + 100 + tick * record.QUIET_S
        kept.report(ada, progress(steps=tick + 1), now)
        kept.flush(now)
    grown = (tmp_path / record.JSONL).stat().st_size - size
    assert grown / hours < 5 * 10**6, f"{grown / hours / 10**6:.0f} MB an hour"
    (row,) = record.read(tmp_path)[0]
    assert row.saved == tuple(names) and row.steps == int(hours * 3600 / record.QUIET_S)
    kept.close()  # as the server does when it stops: the folder is one server's at a time
    again = ClassRecord.open(tmp_path)
    assert again.rows[ada.session].saved == tuple(names)
    assert len((tmp_path / record.JSONL).read_text().splitlines()) == 1


def test_a_row_full_of_model_names_takes_no_more_so_fresh_names_cannot_keep_rewriting_it(tmp_path: Path) -> None:
    """Were the latest names kept, a client sending new names in every report would change its row, and
    so write its 50 names to the record, every second for as long as it stays."""
    kept = ClassRecord.open(tmp_path)
    ada = kept.login("ada", LOGIN)
    for batch in range(record.MOST_SAVED // channel.MOST_SAVED):
        kept.report(ada, {"saved": [f"{batch}-{i}.npz" for i in range(channel.MOST_SAVED)]}, LOGIN + 1 + batch)
    full = ada.saved
    assert len(full) == record.MOST_SAVED
    kept.report(ada, {"saved": [f"new-{i}.npz" for i in range(channel.MOST_SAVED)]}, LOGIN + 100)
    assert kept.rows[ada.session].saved == full


def test_two_long_names_that_differ_at_their_end_read_apart_in_the_record() -> None:
    """Cut to their first 15 characters, two names of 40 read 'ada_lovelace-by…' both: only the CSV told them apart."""
    names = ["ada_lovelace-byron.countess-of-x", "ada_lovelace-byron.countess-of-l"]
    lines = record.table([Row(f"s{n}", name, LOGIN) for n, name in enumerate(names)])
    first, second = (line.split()[0] for line in lines[1:])
    assert first != second and len(first) <= 16, (first, second)
    assert all(len(line) <= 80 for line in lines)


def test_how_a_session_ended_is_kept_and_read_back_and_an_unknown_way_is_dropped_not_the_row() -> None:
    row = Row("s1", "ada", LOGIN, logout=LOGIN + 60, ended="dropped")
    assert Row.from_json(json.loads(json.dumps(row.to_json()))) == row
    assert Row.from_json(row.to_json() | {"ended": "[b]hacked"}) == Row("s1", "ada", LOGIN, logout=LOGIN + 60)
    assert list(record.CSV_FIELDS[-2:]) == ["models_saved", "ended"], "added last: the columns before keep their places"
    assert Row.from_json({k: v for k, v in row.to_json().items() if k != "ended"}) == Row("s1", "ada", LOGIN, logout=LOGIN + 60)
    assert "dropped" in row.csv_cells() and "ended" in record.CSV_FIELDS
    assert "dropped" in record.table([row])[1]
