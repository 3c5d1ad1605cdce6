"""Fixtures of the lab server's tests."""

import os
from pathlib import Path

import asyncssh
import pytest

from gdtui.core.dataset import load_dataset
from gdtui.serve import spawn
from gdtui.serve.server import LabConfig
from tests.e2e.lab import PASSWORD_HASH


@pytest.fixture(autouse=True)
def _sessions_run_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions are new Python processes: without this they would import whichever gdtui is
    installed, not the code under test."""
    root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH")))))


@pytest.fixture
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def lab_config(tmp_path: Path, tiny_mnist_dir: Path, client_key: asyncssh.SSHKey) -> LabConfig:
    keys = tmp_path / "authorized_keys"
    keys.write_bytes(client_key.export_public_key())
    load_dataset(tiny_mnist_dir)  # the server's first run builds the cache its sessions share
    return LabConfig(
        host="127.0.0.1",
        port=0,
        authorized_keys=keys,
        password_hash=PASSWORD_HASH,
        max_sessions=2,
        idle_timeout=0,
        data=tiny_mnist_dir,
        home=tmp_path / "lab",
    )


@pytest.fixture
def zygote_cannot_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lab's zygote cannot start, and its sessions would start as fresh processes, as they do then.

    For the tests of what comes before a session (logins, refusals, limits), which never open one:
    warming a zygote up (the app's imports, the data, a first screen drawn) took more than half a
    second of CPU in each, for nothing. They run the server's own way round a zygote that failed.
    """
    missing = tmp_path / "no-zygote-here"
    monkeypatch.setattr(spawn, "zygote_command", lambda fd, data: [str(missing)])
