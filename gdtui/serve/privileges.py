"""Sessions with no more rights than they need: another user than the server's, and no way to gain any.

A lab server started by root runs its sessions as an unprivileged user of the
teacher's choosing, as sshd runs a login as its user: each session process
drops its groups, group and user before the app starts, and sets no_new_privs,
so that nothing it runs (a setuid program, a file capability) gains rights it
did not start with.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gdtui.core.errors import GdtuiError
from gdtui.serve.untrusted import printable

_PR_SET_NO_NEW_PRIVS = 38  # linux/prctl.h


@dataclass(frozen=True)
class SessionUser:
    name: str
    uid: int
    gid: int


def session_user(name: str) -> SessionUser:
    """The user named, to run sessions as: GdtuiError if there is none, or it is root."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise GdtuiError(f"--user {printable(name)}: no such user on this machine") from None
    if entry.pw_uid == 0:
        raise GdtuiError(f"--user {printable(name)}: sessions must run as a user without root's rights")
    if os.geteuid() not in (0, entry.pw_uid):
        raise GdtuiError(f"--user {printable(name)}: only a server started by root can run sessions as another user")
    return SessionUser(name, entry.pw_uid, entry.pw_gid)


def drop_to(uid: int, gid: int) -> None:
    """Become uid, with gid as the only group, for good: real, effective and saved ids alike."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if (os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups()) != (uid, uid, gid, gid, []):
        raise OSError(f"could not become user {uid}, group {gid}")


def no_new_privileges() -> None:
    """Neither this process nor anything it starts gains rights by exec (setuid, capabilities)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot set no_new_privs")


# Run as the session user: every path given must be reachable, the first a folder it can write in,
# the others files or folders it can read. What fails is printed, one line.
_CHECK = """
import os, sys
paths = sys.argv[1:]
try:
    if not os.access(paths[0], os.W_OK | os.X_OK):
        raise PermissionError(13, "cannot write in it", paths[0])
    for path in paths[1:]:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb"):
                pass
except OSError as err:
    print(f"{err.strerror}: {err.filename}")
    sys.exit(1)
"""


def check_reachable(user: SessionUser, folder: Path, files: list[Path], env: dict[str, str]) -> None:
    """GdtuiError unless a session run as user can write in folder, read files and folders, and start Python."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHECK, str(folder), *map(str, files)],
            user=user.uid,
            group=user.gid,
            extra_groups=[],
            env=env,
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        # A venv's python is a link to the Python it was made from, the file that must be in reach.
        python = Path(sys.executable).resolve()
        raise GdtuiError(
            f"--user {user.name}: cannot start a session's Python as that user ({err.__class__.__name__}: "
            f"{getattr(err, 'strerror', None) or err}): the Python is {python}. Make the venv from a Python "
            "outside root's home, e.g. /usr/bin/python3 -m venv /srv/gdtui/venv"
        ) from None
    if done.returncode != 0:
        lines = (done.stdout or done.stderr).strip().splitlines()
        why = lines[-1] if lines else f"exit status {done.returncode}"
        raise GdtuiError(
            f"--user {user.name}: sessions could not run as that user ({why}): keep the lab's files "
            "where it can reach them, e.g. XDG_DATA_HOME=/srv/gdtui XDG_CACHE_HOME=/srv/gdtui/cache"
        )
