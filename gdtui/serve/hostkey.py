"""The lab's host key: what students' ssh clients recognise the server by.

The server and the class command read the same file, so the fingerprint on a
class's handout is the one the server shows.
"""

from __future__ import annotations

import logging
from pathlib import Path

import asyncssh

from gdtui.core.errors import GdtuiError
from gdtui.core.files import replacing

log = logging.getLogger("gdtui.serve")

HOST_KEY = "ssh_host_ed25519_key"


def host_key(path: Path) -> asyncssh.SSHKey:
    """The key kept in path, or one made and written there (readable by its owner only)."""
    if path.exists():
        return _read(path)
    key = asyncssh.generate_private_key("ssh-ed25519")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Never in place of one: a key replaced is a server every student's ssh warns of.
        with replacing(path, overwrite=False) as file:
            file.write(key.export_private_key())
    except FileExistsError:
        return _read(path)  # made meanwhile by another process (a server, 'gdtui class new'): that is the lab's
    except OSError as err:
        raise GdtuiError(f"cannot write the lab's host key {path}: {err.strerror}") from None
    log.info("made a new host key: %s", path)
    return key


def _read(path: Path) -> asyncssh.SSHKey:
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError) as err:
        raise GdtuiError(
            f"cannot read the lab's host key {path}: {err}. Delete it to make a new one; "
            "students' ssh clients will then warn that the server's key changed."
        ) from None
