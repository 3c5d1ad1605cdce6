"""Reading the roster and the authorized_keys file: who may log in under which name."""

import logging

import asyncssh
import pytest

from gdtui.serve import passwords
from gdtui.serve.access import authorized_keys_line, read_authorized_keys, read_roster, roster_line
from gdtui.serve.passwords import hash_password

ADA = asyncssh.generate_private_key("ssh-ed25519", comment="ada@laptop").export_public_key().decode().strip()
ADA_RSA = asyncssh.generate_private_key("ssh-rsa", key_size=2048).export_public_key().decode().strip()
HASH = hash_password("alan's own")


def key_of(line: str) -> str:
    return " ".join(line.split()[:2])


def test_a_line_holds_a_name_then_passwords_then_one_key_with_its_comment() -> None:
    name, found = roster_line(f"Ada   password:{HASH}  {ADA_RSA} a comment of three words")
    assert name == "ada"
    assert found.keys == [key_of(ADA_RSA)]
    assert found.passwords == [HASH]


def test_a_key_comment_is_the_rest_of_the_line_and_never_a_directive(caplog: pytest.LogCaptureFixture) -> None:
    """A student's own .pub, pasted after their name: its comment is theirs to choose (ssh-keygen -C)."""
    caplog.set_level(logging.WARNING, logger="gdtui.serve")
    sneaky = asyncssh.generate_private_key("ssh-ed25519", comment="role:teacher").export_public_key().decode().strip()
    name, found = roster_line(f"ada {sneaky}")
    assert (name, found.teacher, found.keys, found.passwords) == ("ada", False, [key_of(sneaky)], [])
    # Nor a password, nor a second key: all comment.
    found = roster_line(f"ada {ADA} laptop password:{HASH} {ADA_RSA}")[1]
    assert (found.keys, found.passwords, found.teacher) == ([key_of(ADA)], [], False)
    # The teacher is told, in case that was meant: directives go before the key.
    students = read_roster(f"ada {sneaky}\n", "roster")
    assert not students["ada"].teacher
    assert "line 1 of roster" in caplog.text and "before the key" in caplog.text


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("a/b password:" + HASH, "cannot be a name"),
        ("ada", "no public key or password"),
        ("ada ssh-ed25519 AAAAnot-a-key", "is not followed by a public key"),
        ("ada ssh-ed25519", "neither a public key nor password"),
        ("ada password:hunter2", "hash"),
        ("ada hunter2", "neither a public key nor password"),
        (f"ada password:{HASH} ssh-rsa AAAAbroken", "is not followed by a public key"),
    ],
    # Named, not shown: the keys are new at every run, and parallel workers must collect the same tests.
    ids=["bad-name", "nothing", "bad-key", "type-only", "plain-password", "plain-word", "bad-key-after-password"],
)
def test_a_bad_line_says_what_is_wrong(line: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        roster_line(line)


def test_the_roster_skips_comments_and_blank_lines_and_a_bad_line_keeps_its_name_closed(caplog: pytest.LogCaptureFixture) -> None:
    """A typo must not hand a student's name, and their folder, to whoever knows the lab password."""
    caplog.set_level(logging.WARNING, logger="gdtui.serve")
    text = f"# the lab's students\n\nada {ADA}\nbob hunter2\n  alan password:{HASH}\nADA {ADA_RSA}\ncy role:admin {ADA}\n"
    students = read_roster(text, "roster.txt")
    assert sorted(students) == ["ada", "alan", "bob", "cy"]
    assert students["ada"].keys == [key_of(ADA), key_of(ADA_RSA)]
    assert students["alan"].passwords == [HASH]
    for closed in ("bob", "cy"):
        assert (students[closed].keys, students[closed].passwords, students[closed].teacher) == ([], [], False)
    assert "line 4 of roster.txt" in caplog.text and "bob cannot log in until it is fixed" in caplog.text
    assert "line 7 of roster.txt" in caplog.text and "cy cannot log in until it is fixed" in caplog.text
    # A password never reaches the log, even a wrong one.
    assert "hunter2" not in caplog.text


def test_an_authorized_keys_line_may_name_its_student() -> None:
    assert authorized_keys_line(ADA) == (None, ADA)
    assert authorized_keys_line(f'name="Ada" {ADA}')[0] == "ada"
    assert authorized_keys_line(f'from="127.0.0.1",name=alan,environment="X=a b" {ADA}')[0] == "alan"
    assert authorized_keys_line(f'environment="name=grace" {ADA}')[0] is None


@pytest.mark.parametrize(("line", "reason"), [('name="a/b" ', "cannot be a name"), ("name=ada,name=alan ", "more than one")])
def test_an_authorized_keys_name_must_be_one_lab_name(line: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        authorized_keys_line(line + ADA)


def test_authorized_keys_are_grouped_by_name(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="gdtui.serve")
    keys = read_authorized_keys(f'# keys\n{ADA}\nname="ada" {ADA_RSA}\nssh-ed25519 broken\n', "keys")
    assert keys == {None: [ADA], "ada": [f'name="ada" {ADA_RSA}']}
    assert "line 4 of keys" in caplog.text


def test_a_roster_line_may_make_its_owner_a_teacher() -> None:
    assert roster_line(f"grace role:teacher {ADA}")[1].teacher
    assert roster_line(f"grace role:teacher password:{HASH} {ADA}")[1].teacher
    assert not roster_line(f"ada {ADA}")[1].teacher
    with pytest.raises(ValueError, match="role:teacher is the only role"):
        roster_line(f"ada role:admin {ADA}")
    with pytest.raises(ValueError, match="no public key or password"):
        roster_line("ada role:teacher")
    # Any one line of a name makes its owner a teacher.
    assert read_roster(f"grace {ADA}\ngrace role:teacher password:{HASH}\n", "roster")["grace"].teacher


def test_a_bad_authorized_keys_line_that_names_a_student_keeps_the_name_closed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="gdtui.serve")
    cut_off = f'name="ada" {ADA[:40]}'
    keys = read_authorized_keys(f'{cut_off}\nname="alan" {ADA_RSA}\nname="a/b" {ADA[:40]}\nssh-ed25519 broken\n', "keys")
    assert keys == {"ada": [], "alan": [f'name="alan" {ADA_RSA}']}
    assert "line 1 of keys" in caplog.text and "ada cannot log in until it is fixed" in caplog.text
    assert "line 3 of keys" in caplog.text and "line 4 of keys" in caplog.text


def test_a_roster_of_many_passwords_is_read_without_a_scrypt_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lab reads its roster again while students work, on the loop every session shares. A check of a
    line's hash that ran scrypt (about 50 ms, what a login costs) held a class of 200 still for ten seconds:
    a hash is checked by its settings and lengths alone."""
    runs = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *args: runs.append(args[2:]) or real(*args))
    hashes = [hash_password(f"student {n}") for n in range(3)]
    runs.clear()
    students = read_roster("".join(f"s{n} password:{hashes[n % 3]}\n" for n in range(30)), "roster")
    assert len(students) == 30 and not runs, f"scrypt ran {len(runs)} times to read 30 lines"
    with pytest.raises(ValueError, match="not the lab's own"):
        roster_line(f"ada password:{hashes[0].replace('$16384$', '$49152$', 1)}")
