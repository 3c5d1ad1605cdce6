"""A class made from a list of names: passwords to read aloud, a roster the server reads, handouts."""

from __future__ import annotations

import math
import re
import stat
from pathlib import Path

import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve import classroom, words
from gdtui.serve.access import read_roster
from gdtui.serve.hostkey import host_key
from gdtui.serve.passwords import verify_password


def test_the_word_list_is_2048_plain_distinct_words_so_four_of_them_carry_44_bits() -> None:
    listed = words.words()
    assert len(listed) == len(set(listed)) == 2048
    assert all(word.isascii() and word.isalpha() and word.islower() and 3 <= len(word) <= 8 for word in listed)
    assert words.entropy_bits() == pytest.approx(4 * math.log2(2048)) == pytest.approx(44)


def test_a_password_is_four_listed_words_drawn_anew_each_time() -> None:
    passwords = {words.new_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        parts = password.split("-")
        assert len(parts) == 4 and all(part in words.words() for part in parts)


def test_a_names_file_takes_one_name_a_line_with_blank_lines_and_comments() -> None:
    text = "# 2A, autumn\nada\n\n  Alan  \ngrace.h\n"
    assert classroom.read_names(text, "names.txt") == ["ada", "alan", "grace.h"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("ada\nJean Dupont\n", "line 2 of names.txt"),
        ("ada\nAda\n", "ada is listed twice"),
        ("a/b\n", "line 1 of names.txt"),
    ],
)
def test_a_names_file_that_cannot_make_a_class_says_where(text: str, complaint: str) -> None:
    with pytest.raises(GdtuiError, match=complaint):
        classroom.check_names(classroom.read_names(text, "names.txt"))


@pytest.fixture
def made(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    classroom.new_class(
        folder, ["ada", "alan", "bob"], teachers=["grace"], host="lab.example.org", port=2222, host_key_path=tmp_path / "key"
    )
    return folder


def logins(handout: str) -> list[str]:
    """The names a handout tells to log in, as its ssh commands give them. Not a search for the name: a
    passphrase's words may hold it ("balance" holds "alan")."""
    return re.findall(r"ssh (?:-p \d+ )?(\S+)@", handout)


def _roster(folder: Path) -> dict:
    return read_roster((folder / "roster").read_text(), "roster")


def test_a_new_class_has_a_roster_with_its_teacher_and_each_student_with_their_own_password(made: Path, tmp_path) -> None:
    roster = _roster(made)
    assert set(roster) == {"grace", "ada", "alan", "bob"}
    assert roster["grace"].teacher and not roster["ada"].teacher
    kept = classroom.read_class(made)
    assert set(kept.students) == {"ada", "alan", "bob"} and set(kept.teachers) == {"grace"}
    for name, password in {**kept.students, **kept.teachers}.items():
        (stored,) = roster[name].passwords
        assert verify_password(password, stored)
    assert len(set(kept.students.values())) == 3
    assert kept.fingerprint == host_key(tmp_path / "key").get_fingerprint()


def test_a_host_key_made_by_another_process_meanwhile_is_the_one_kept_and_used(tmp_path, monkeypatch) -> None:
    import asyncssh

    from gdtui.serve import hostkey

    path = tmp_path / "key"
    generate = asyncssh.generate_private_key
    theirs = generate("ssh-ed25519")

    def another_first(algorithm: str) -> asyncssh.SSHKey:
        # A server and 'gdtui class new' starting at once: the other writes its key as this one makes its own.
        path.write_bytes(theirs.export_private_key())
        return generate(algorithm)

    monkeypatch.setattr(hostkey.asyncssh, "generate_private_key", another_first)
    assert host_key(path).get_fingerprint() == theirs.get_fingerprint()
    assert asyncssh.read_private_key(path).get_fingerprint() == theirs.get_fingerprint()


def test_every_file_of_a_class_is_its_owners_alone(made: Path, tmp_path) -> None:
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    files = sorted(path.name for path in made.iterdir())
    assert files == ["class.json", "handout.md", "handout.txt", "roster", "teacher.txt"]
    for path in [*made.iterdir(), tmp_path / "key"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_handouts_give_each_student_the_ssh_command_the_password_and_the_fingerprint(made: Path) -> None:
    kept = classroom.read_class(made)
    for handout in ("handout.txt", "handout.md"):
        text = (made / handout).read_text()
        for name, password in kept.students.items():
            assert f"ssh -p 2222 {name}@lab.example.org" in text
            assert password in text
        assert text.count(kept.fingerprint) == 3
        # The teacher's own login is on a slip of its own, never handed out with the students'.
        assert "grace" not in logins(text) and kept.teachers["grace"] not in text
    teacher = (made / "teacher.txt").read_text()
    assert "ssh -p 2222 grace@lab.example.org" in teacher and kept.teachers["grace"] in teacher


def test_on_port_22_the_command_needs_no_port(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    classroom.new_class(folder, ["ada"], teachers=["grace"], host="10.0.4.1", port=22, host_key_path=tmp_path / "key")
    assert "ssh ada@10.0.4.1\n" in (folder / "handout.txt").read_text()


def test_a_class_is_not_made_over_another(made: Path, tmp_path) -> None:
    before = (made / "roster").read_bytes()
    with pytest.raises(GdtuiError, match="already"):
        classroom.new_class(made, ["zoe"], teachers=["grace"], host="h", port=2222, host_key_path=tmp_path / "key")
    assert (made / "roster").read_bytes() == before


@pytest.mark.parametrize("host", ["", "lab example", "`rm -rf`", "a\nb"])
def test_a_host_students_could_not_type_is_refused(tmp_path: Path, host: str) -> None:
    with pytest.raises(GdtuiError, match="host"):
        classroom.new_class(tmp_path / "c", ["ada"], teachers=["grace"], host=host, port=2222, host_key_path=tmp_path / "key")


def test_the_teacher_is_not_also_a_student(tmp_path: Path) -> None:
    with pytest.raises(GdtuiError, match="grace"):
        classroom.new_class(tmp_path / "c", ["ada", "grace"], teachers=["grace"], host="h", port=22, host_key_path=tmp_path / "k")


def test_adding_and_removing_a_student_leaves_everyone_elses_password_and_lines_alone(made: Path) -> None:
    # A line the teacher added by hand, and a comment: kept as they are.
    with (made / "roster").open("a") as roster:
        roster.write("# latecomer's key below\n")
    before = (made / "roster").read_text().splitlines()
    kept = classroom.read_class(made)

    (password,) = classroom.add_students(made, ["zoe"]).values()
    after = (made / "roster").read_text().splitlines()
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert verify_password(password, _roster(made)["zoe"].passwords[0])
    assert classroom.read_class(made).students == {**kept.students, "zoe": password}
    assert password in (made / "handout.md").read_text()

    classroom.remove_students(made, ["alan"])
    assert (made / "roster").read_text().splitlines() == [line for line in after if not line.startswith("alan ")]
    now = classroom.read_class(made)
    assert "alan" not in now.students and now.students["ada"] == kept.students["ada"]
    assert logins((made / "handout.txt").read_text()) == ["ada", "bob", "zoe"]
    assert stat.S_IMODE((made / "roster").stat().st_mode) == 0o600


def test_a_name_already_in_the_class_is_not_added_again_and_one_not_in_it_not_removed(made: Path) -> None:
    before = (made / "roster").read_bytes()
    with pytest.raises(GdtuiError, match="ada is already"):
        classroom.add_students(made, ["Ada"])
    with pytest.raises(GdtuiError, match="zoe is not"):
        classroom.remove_students(made, ["zoe"])
    assert (made / "roster").read_bytes() == before


def test_adding_to_a_folder_without_a_class_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(GdtuiError, match="gdtui class new"):
        classroom.add_students(tmp_path, ["zoe"])


@pytest.mark.parametrize(
    ("given", "fault"),
    [("zoë", "'ë'"), ("ＡＢ", "'Ａ'"), ("a b", "' '"), ("x" * 40, "40 characters"), ("-ada", "starts with")],
)
def test_a_name_refused_says_which_character_or_what_else_is_wrong(given, fault) -> None:
    """'zoë' was refused as not '1 to 32 letters': it is letters, only not a to z, and nothing said which."""
    with pytest.raises(GdtuiError) as refused:
        classroom.check_names([given])
    said = str(refused.value)
    assert "a to z" in said and fault in said, said
