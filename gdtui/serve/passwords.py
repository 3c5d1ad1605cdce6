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
    """The hash, stripped, if it is one that hash_password made; a GdtuiError saying why if not.

    Its settings must be the lab's own, and its salt and digest of their lengths: the settings decide what
    checking a password costs, and other ones would let a refusal's time (against the decoy's) tell a name on
    the roster from one that is not, or hold up every login behind a wrong guess; a short digest never matches,
    and an empty salt gives a password shared by two students the same hash."""
    n, r, p, salt, digest = _fields(text)
    if (n, r, p) != (_N, _R, _P):
        raise GdtuiError(
            f"the password hash's scrypt settings (N={n}, r={r}, p={p}) are not the lab's own "
            f"(N={_N}, r={_R}, p={_P}): make it again with 'gdtui serve --hash-password'"
        )
    if (len(salt), len(digest)) != (_SALT_BYTES, _HASH_BYTES):
        raise GdtuiError(
            f"the password hash's salt and digest are {len(salt)} and {len(digest)} bytes, not the "
            f"{_SALT_BYTES} and {_HASH_BYTES} 'gdtui serve --hash-password' makes"
        )
    return text.strip()


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
