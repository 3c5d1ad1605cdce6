"""Where the command palette's Screenshot is saved: a folder the user can write to, and find.

Textual saves it in the user's Downloads folder, which a lab session's home (and many a
machine) does not have: the save failed, saying neither where nor why. Here it goes to the lab
session's own folder; elsewhere to Downloads when there is one, or else the current folder.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import platformdirs

from gdtui.core.files import replacing


def folder(files_root: Path | None) -> Path:
    if files_root is not None:
        return files_root
    downloads = platformdirs.user_downloads_path()
    if downloads.is_dir() and os.access(downloads, os.W_OK):
        return downloads
    return Path.cwd()


def file_name(title: str, time_format: str | None = None) -> str:
    """As Textual names it: the title and the time, with no character a file system refuses."""
    return f"{title}_{datetime.now().strftime(time_format or '%Y-%m-%dT%H_%M_%S_%f')}.svg"


def save(svg: str, path: Path) -> None:
    """Written whole or not at all, and within a lab folder's quota, as every file of the app is."""
    with replacing(path) as file:
        file.write(svg.encode())
