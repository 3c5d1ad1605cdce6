"""Who may log in to the lab, and under which name.

A name is a student's identity and the name of their folder, so names and
folders go one to one: a name is 1 to 32 lower-case letters, digits, '.', '_'
or '-', starting with a letter or a digit. Capitals are taken as lower case,
so 'Ada' and 'ada' are one student on any file system. Anything else is
refused, not rewritten, so that no two names can end up in one folder.

A name is *owned* when the roster lists it, or an authorized_keys line names
it: then only its own keys and password log in under it. Any other name is
open to the lab password and to the authorized_keys lines that name no one.

The roster, one line per key (blank lines and '#' comments allowed): a name,
then its directives, then at most one public key as a .pub file holds it, whose
comment is the rest of the line and never read:

    ada    ssh-ed25519 AAAAC3Nz… ada@laptop
    ada    ssh-rsa AAAAB3Nz…
    alan   password:scrypt$16384$8$1$…
    grace  role:teacher password:scrypt$16384$8$1$… ssh-ed25519 AAAAC3Nz… grace@office

`role:teacher` gives that name the lab's dashboard instead of the lesson.

An authorized_keys line names its student with a name="…" option:

    name="ada" ssh-ed25519 AAAAC3Nz… ada@laptop

Both files are read again when they change. A line that cannot be used is
named in the log; the name it is for stays owned, and no one logs in by that
line until it is fixed. The other lines still count.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import asyncssh

from gdtui.core.errors import GdtuiError
from gdtui.serve.passwords import check_hash, warn_if_readable
from gdtui.serve.untrusted import printable

log = logging.getLogger("gdtui.serve")

NAME_RULE = "1 to 32 of the letters a to z, digits, '.', '_' or '-', starting with a letter or a digit"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
# What a public key's first field (its algorithm) starts with, in OpenSSH's formats.
_KEY_TYPE = re.compile(r"(ssh|ecdsa|sk|rsa|webauthn|x509v3)-\S+")
# The signatures a student's key may log in with (sshd's PubkeyAcceptedAlgorithms, less
# certificates): no ssh-rsa, whose signatures are SHA-1.
KEY_SIGNATURES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "rsa-sha2-512",
    "rsa-sha2-256",
)
_PASSWORD = "password:"
_ROLE = "role:"
TEACHER_ROLE = "role:teacher"
T = TypeVar("T")


def lab_name(username: str) -> str | None:
    """The name a login is known by, or None if username cannot be one."""
    # ASCII first: lower() maps some other letters onto ASCII ones (the Kelvin sign onto 'k').
    name = username.lower() if username.isascii() else ""
    return name if _NAME.fullmatch(name) else None


@dataclass
class Credentials:
    """What lets one student in: public keys (as authorized_keys lines) and password hashes."""

    keys: list[str] = field(default_factory=list)
    passwords: list[str] = field(default_factory=list)
    teacher: bool = False  # the roster gives this name the dashboard
    # Words of a key's comment that look like directives or keys: only comment, which the log says.
    unread: list[str] = field(default_factory=list)


def name_fault(text: str) -> str:
    """What keeps text from being a name, in words: its length, its first character not allowed, or its start."""
    if not 1 <= len(text) <= 32:
        return f"it has {len(text)} characters"
    bad = next((c for c in text if not (c.isascii() and (c.isalnum() or c in "._-"))), None)
    if bad is not None:
        return f"{printable(repr(bad))} is not one of them"
    return "it starts with neither a letter nor a digit"


def _name_from(text: str) -> str:
    name = lab_name(text)
    if name is None:
        raise ValueError(f"{printable(text)} cannot be a name ({NAME_RULE}): {name_fault(text)}")
    return name


def _is_key_type(token: str) -> bool:
    return _KEY_TYPE.fullmatch(token) is not None


def roster_line(line: str) -> tuple[str, Credentials]:
    """The student a roster line is for, and their credentials; ValueError saying what is wrong.

    A line is NAME, then directives (role:teacher, password:HASH), then at most one public key:
    its type, its base64 and a comment that is the rest of the line, whatever it holds. A
    student's own .pub pasted after their name is theirs to word, so nothing in it is read as a
    directive; a name with several keys takes a line for each.
    """
    name_text, *rest = line.split()
    name = _name_from(name_text)
    found = Credentials()
    for at, token in enumerate(rest):
        if token.startswith(_PASSWORD):
            try:
                found.passwords.append(check_hash(token.removeprefix(_PASSWORD)))
            except GdtuiError as err:
                raise ValueError(str(err)) from None
        elif token.startswith(_ROLE):
            if token != TEACHER_ROLE:
                raise ValueError(f"{TEACHER_ROLE} is the only role, not {printable(token)}")
            found.teacher = True
        elif _is_key_type(token) and at + 1 < len(rest):
            key = f"{token} {rest[at + 1]}"
            try:
                asyncssh.import_public_key(key)
            except (ValueError, asyncssh.KeyImportError):
                raise ValueError(f"{printable(token)} is not followed by a public key of that type") from None
            found.keys.append(key)
            found.unread = [word for word in rest[at + 2 :] if word.startswith((_PASSWORD, _ROLE)) or _is_key_type(word)]
            break
        else:
            # By its place only: a plain password typed where its hash belongs must not reach the log.
            raise ValueError(f"word {at + 2} is neither a public key nor password:HASH")
    if not (found.keys or found.passwords):
        raise ValueError(f"no public key or password for {name}")
    return name, found


def _options_field(line: str) -> str:
    """An authorized_keys line's options: its first field, spaces inside quotes included."""
    quoted = escaped = False
    for at, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char in " \t" and not quoted:
            return line[:at]
    return line


def _names_in(options: str) -> list[str]:
    names, quoted, start = [], False, 0
    for at, char in enumerate(options + ","):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            option, start = options[start:at], at + 1
            if option.startswith("name="):
                names.append(option.removeprefix("name=").strip('"'))
    return names


def authorized_keys_line(line: str) -> tuple[str | None, str]:
    """The name an authorized_keys line is for (None: no one in particular), and the line;
    ValueError saying what is wrong."""
    try:
        asyncssh.import_authorized_keys(line)
    except (ValueError, asyncssh.KeyImportError) as err:
        raise ValueError(f"not a public key ({err})") from None
    if _is_key_type(line.split()[0]):
        return None, line
    names = _names_in(_options_field(line))
    if len(names) > 1:
        raise ValueError("more than one name=")
    return (_name_from(names[0]) if names else None), line


def _lines(text: str):
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line.strip()


def _unusable(number: int, where: str, err: ValueError, names: list[str]) -> None:
    """Log a line that cannot be used; the names it is for stay owned, with no way in by it: a
    cut-off key or a typo must not open a student's name, and folder, to the lab password."""
    closed = " ".join(f"{name} cannot log in until it is fixed" for name in names) or "skipped"
    log.warning("line %d of %s: %s: %s", number, where, err, closed)


def read_roster(text: str, where: str) -> dict[str, Credentials]:
    students: dict[str, Credentials] = {}
    for number, line in _lines(text):
        try:
            name, found = roster_line(line)
        except ValueError as err:
            named = lab_name(line.split()[0])
            if named is not None:
                students.setdefault(named, Credentials())
            _unusable(number, where, err, [named] if named else [])
            continue
        if found.unread:
            log.warning(
                "line %d of %s: %s is part of the key's comment, not read: directives go before the key, "
                "and each further key on a line of its own",
                number,
                where,
                printable(" ".join(found.unread)),
            )
        mine = students.setdefault(name, Credentials())
        mine.keys += found.keys
        mine.passwords += found.passwords
        mine.teacher |= found.teacher
    return students


def read_authorized_keys(text: str, where: str) -> dict[str | None, list[str]]:
    """Each name's keys; the keys for no one in particular under None."""
    keys: dict[str | None, list[str]] = {}
    for number, line in _lines(text):
        try:
            name, key = authorized_keys_line(line)
        except ValueError as err:
            named = [] if _is_key_type(line.split()[0]) else list(filter(None, map(lab_name, _names_in(_options_field(line)))))
            for closed in named:
                keys.setdefault(closed, [])
            _unusable(number, where, err, named)
            continue
        keys.setdefault(name, []).append(key)
    return keys


class WatchedFile(Generic[T]):
    """A file read again whenever it changes: a teacher can let in a latecomer, or shut
    someone out, without restarting the lab and ending everyone's session."""

    def __init__(self, path: Path, what: str, parse: Callable[[str, str], T]) -> None:
        self.path, self._parse = path, parse
        self._stamp: tuple[int, int, int] | None = None
        try:
            self.value = self._read()
        except OSError as err:
            raise GdtuiError(f"cannot read the {what} {path}: {err.strerror}") from None

    def changed(self) -> bool:
        """Read the file again if it changed; whether it did. While it cannot be read, what it said before holds."""
        try:
            before = self._stamp
            self.value = self._read()
        except OSError as err:
            log.warning("cannot read %s (%s): what it said before still holds", self.path, err.strerror)
            return False
        return self._stamp != before

    def _read(self) -> T:
        info = self.path.stat()
        # The inode too: an editor that saves by replacing the file may keep its size and time.
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp == self._stamp:
            return self.value
        value = self._parse(self.path.read_text(encoding="utf-8", errors="replace"), str(self.path))
        self._stamp = stamp
        return value


class AuthorizedKeys(asyncssh.SSHAuthorizedKeys):
    """Keys that log in with KEY_SIGNATURES only.

    asyncssh tells clients which signatures the server takes, but checks any signature the
    key's type can make: an RSA key signing with SHA-1 (ssh-rsa) got in. The key a client
    offers is looked up here before its signature is checked, with the same object: what it
    may verify is narrowed on the way, in the key's private list of signatures
    (tests/unit/test_lab_asyncssh.py says when asyncssh changes it).
    """

    _ACCEPTED = frozenset(alg.encode() for alg in KEY_SIGNATURES)

    def validate(self, key, client_host, client_addr, cert_principals=None, ca=False):
        key.all_sig_algorithms = set(key.all_sig_algorithms) & self._ACCEPTED
        return super().validate(key, client_host, client_addr, cert_principals, ca)


def _keys(lines: list[str]) -> asyncssh.SSHAuthorizedKeys:
    # Built empty, then filled: asyncssh's import refuses a text without keys, and no keys
    # must mean no keys, not an error that leaves the keys read before working.
    keys = AuthorizedKeys()
    if lines:
        keys.load("\n".join(lines))
    return keys


class Logins:
    """Who may log in under which name, as the files say at one moment."""

    def __init__(self, owned: dict[str, Credentials], open_keys: list[str], lab_password: str | None) -> None:
        self.owned = owned
        self.lab_password = lab_password
        self.any_key = bool(open_keys) or any(mine.keys for mine in owned.values())
        self.any_password = lab_password is not None or any(mine.passwords for mine in owned.values())
        self._keys = {name: _keys(mine.keys) for name, mine in owned.items()}
        self._open_keys = _keys(open_keys)

    def keys_for(self, name: str) -> asyncssh.SSHAuthorizedKeys | None:
        """The keys that log in under name; None when the lab has no keys at all (none are asked for)."""
        if not self.any_key:
            return None
        return self._keys.get(name, self._open_keys)

    def passwords_for(self, name: str) -> list[str]:
        if name in self.owned:
            return self.owned[name].passwords
        return [self.lab_password] if self.lab_password else []


class Access:
    """The roster, the authorized_keys file and the lab password, read together."""

    def __init__(self, roster: Path | None, authorized_keys: Path | None, lab_password: str | None) -> None:
        self._roster = WatchedFile(roster, "roster", read_roster) if roster else None
        self._keys = WatchedFile(authorized_keys, "authorized keys file", read_authorized_keys) if authorized_keys else None
        self._lab_password = lab_password
        self._logins = self._combine()

    def current(self) -> Logins:
        changed = [file.changed() for file in (self._roster, self._keys) if file is not None]
        if any(changed):
            self._logins = self._combine()
        return self._logins

    def _combine(self) -> Logins:
        owned: dict[str, Credentials] = {}
        if self._roster is not None:
            roster = self._roster.value
            owned = {name: Credentials(list(mine.keys), list(mine.passwords), mine.teacher) for name, mine in roster.items()}
            if any(mine.passwords for mine in owned.values()):
                warn_if_readable(self._roster.path, "the roster's password hashes")
            # Names, not students: teachers are on it too, and the server counts them apart when it starts.
            log.info("roster: %d %s from %s", len(owned), "name" if len(owned) == 1 else "names", self._roster.path)
        open_keys: list[str] = []
        if self._keys is not None:
            for name, keys in self._keys.value.items():
                if name is None:
                    open_keys = keys
                else:
                    owned.setdefault(name, Credentials()).keys.extend(keys)
            named = sum(len(keys) for name, keys in self._keys.value.items() if name is not None)
            log.info("%d named and %d unnamed keys from %s", named, len(open_keys), self._keys.path)
            if open_keys:
                log.info("a key without a name= logs in under any name not on the roster")
        return Logins(owned, open_keys, self._lab_password)
