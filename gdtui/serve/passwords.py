"""The lab's password, kept only as a salted scrypt hash.

A teacher makes the hash once (``gdtui serve --hash-password``) and hands it to
the server through a file or an environment variable, so the password itself
never sits in a file, a process list or a shell history.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
import stat
from pathlib import Path

from gdtui.core.errors import GdtuiError

log = logging.getLogger("gdtui.serve")

SCHEME = "scrypt"
# 16 MiB and about 50 ms per check: slow for a guesser, unnoticeable for a student logging in.
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32
_MAX_MEMORY = 64 * 2**20
# A hash's own settings decide what checking it costs: no cheaper than the lab's own (a refusal's time,
# against the decoy's, would tell a name on the roster from one that is not), and at most four times
# as costly (every wrong guess would hold up the logins behind it that much longer).
_WORK = _N * _R * _P
_MOST_WORK = 4 * _WORK


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=_HASH_BYTES, maxmem=_MAX_MEMORY)


def hash_password(password: str) -> str:
    """'scrypt$n$r$p$salt$hash', salt and hash in hex: everything a later check needs."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"{SCHEME}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def _fields(text: str) -> tuple[int, int, int, bytes, bytes]:
    try:
        scheme, n, r, p, salt, digest = text.strip().split("$")
        fields = int(n), int(r), int(p), bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        raise GdtuiError(
            "the password hash is not one 'gdtui serve --hash-password' made "
            "(expected scrypt$N$r$p$salt$hash; was a plain password given instead?)"
        ) from None
    if scheme != SCHEME:
        raise GdtuiError(f"the password hash uses {scheme!r}, not {SCHEME!r}")
    return fields


def check_hash(text: str) -> str:
    """The hash, stripped, if it is one that hash_password made; a GdtuiError saying why if not."""
    n, r, p, _, _ = _fields(text)
    settings = f"N={n}, r={r}, p={p}"
    if n * r * p < _WORK:
        raise GdtuiError(f"the password hash's scrypt settings ({settings}) are weaker than the lab's own: {_REMAKE}")
    if n * r * p > _MOST_WORK:
        raise GdtuiError(f"the password hash's scrypt settings ({settings}) are costlier than the lab's own allow: {_REMAKE}")
    try:
        _usable(n, r, p)
    except ValueError as err:
        raise GdtuiError(f"the password hash's scrypt settings are not usable: {err}") from None
    return text.strip()


_REMAKE = "make it again with 'gdtui serve --hash-password'"


@functools.cache
def _usable(n: int, r: int, p: int) -> None:
    """Nothing if scrypt takes these settings, which it alone knows; asked once for each: a check costs
    what a login does, and a roster's hashes share their settings (the lab reads it again on its loop)."""
    _scrypt("", b"", n, r, p)


def verify_password(password: str, stored: str) -> bool:
    """Whether password is the one behind the stored hash, compared in constant time."""
    n, r, p, salt, digest = _fields(stored)
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), digest)


@functools.cache
def decoy_hash() -> str:
    """A hash of a password no one knows, made as every hash is. Checked when a name has no password
    of its own, it makes a wrong password cost what it costs for a name that has one, so that the
    time a refusal takes tells no one which names are on the roster."""
    return hash_password(secrets.token_hex(_SALT_BYTES))


def warn_if_readable(path: Path, what: str) -> None:
    """Warn, as ssh does for a private key, when others on this machine may read path: with a
    hash, they can guess passwords offline, as fast as their hardware goes."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:  # gone since it was read: no file left to protect
        return
    if mode & 0o077:
        log.warning(
            "%s in %s can be read by others on this machine (permissions %04o): they could guess "
            "the passwords offline. chmod 600 %s",
            what,
            path,
            mode,
            path,
        )


def read_hash_file(path: Path) -> str:
    """The password hash kept in path, checked; a GdtuiError saying why if it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise GdtuiError(f"cannot read the password file {path}: {err.strerror}") from None
    warn_if_readable(path, "the lab password's hash")
    return check_hash(text)
