"""Who may log in to the lab, and under which name.

A name is a student's identity and the name of their folder, so names and
folders go one to one: a name is 1 to 32 lower-case letters, digits, '.', '_'
or '-', starting with a letter or a digit. Capitals are taken as lower case,
so 'Ada' and 'ada' are one student on any file system. Anything else is
refused, not rewritten, so that no two names can end up in one folder.
"""

from __future__ import annotations

import re

NAME_RULE = "1 to 32 letters, digits, '.', '_' or '-', starting with a letter or a digit"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")


def lab_name(username: str) -> str | None:
    """The name a login is known by, or None if username cannot be one."""
    # ASCII first: lower() maps some other letters onto ASCII ones (the Kelvin sign onto 'k').
    name = username.lower() if username.isascii() else ""
    return name if _NAME.fullmatch(name) else None
