"""Logging in to the lab, on its own: what a wrong password costs tells nothing about the name."""

from pathlib import Path

import asyncssh
import pytest

from gdtui.serve import server
from gdtui.serve.passwords import hash_password
from gdtui.serve.server import Lab, LabConfig, LabConnection

KEY = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()


class Connection:
    """The little of an SSH connection that logging in uses."""

    def set_authorized_keys(self, keys) -> None:
        pass

    def send_auth_banner(self, text: str) -> None:
        pass

    def disconnect(self, code: int, reason: str) -> None:
        pass


def settings(stored: str) -> list[str]:
    """A hash's scrypt settings (N, r, p): what a check of it costs."""
    return stored.split("$")[1:4]


@pytest.mark.parametrize("name", ["ada", "alan", "nobody"])
async def test_every_name_costs_one_check_of_a_full_hash_whatever_the_roster_says(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ada has a password, alan only a key, nobody is not on the roster: a wrong password for any
    of them is checked against a hash as costly as a real one, once."""
    roster = tmp_path / "roster"
    roster.write_text(f"ada password:{hash_password('right')}\nalan {KEY}\n")
    roster.chmod(0o600)
    lab = Lab(LabConfig(roster=roster, home=tmp_path / "lab"))
    checked: list[str] = []

    def verify(password: str, stored: str) -> bool:
        checked.append(stored)
        return False

    monkeypatch.setattr(server, "verify_password", verify)
    connection = LabConnection(lab)
    connection._conn = Connection()
    connection.begin_auth(name)
    assert not await connection.validate_password(name, "wrong")
    assert [settings(stored) for stored in checked] == [settings(hash_password("any"))]
