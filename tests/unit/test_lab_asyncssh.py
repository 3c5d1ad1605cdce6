"""The places where the lab relies on asyncssh's insides, each held to what the lab assumes.

asyncssh offers no public way to refuse a client's environment variables as they come, to learn
which algorithms it can do, to narrow the signatures a key may log in with, or to read a client's
bytes in smaller pieces than asyncio's 256 KiB. The lab reaches in for each; should an asyncssh
release change what it reaches for, the lab would go on running with the protection silently gone.
These tests say which one, and where the lab uses it.
"""

import inspect
from types import SimpleNamespace
from unittest.mock import Mock

import asyncssh
import pytest
from asyncssh.packet import SSHPacket, String

from gdtui.serve import server
from gdtui.serve.access import _keys
from gdtui.serve.session import LabChannel

ASYNCSSH = f"asyncssh {asyncssh.__version__}"


def env_request(name: bytes, value: bytes) -> SSHPacket:
    return SSHPacket(String(name) + String(value))


def channel_insides() -> SimpleNamespace:
    """What asyncssh's own handling of an env request touches on a channel."""
    return SimpleNamespace(_env={}, _str_env=None, logger=Mock())


def lab_channel() -> LabChannel:
    """A LabChannel with only those insides: no connection needed to hand it requests."""
    channel = LabChannel.__new__(LabChannel)
    vars(channel).update(vars(channel_insides()), _logger=Mock())
    return channel


def test_asyncssh_still_takes_env_requests_where_lab_channel_filters_them() -> None:
    where = "gdtui/serve/session.py (LabChannel) must follow it, or every variable a client sends is kept again"
    original = getattr(asyncssh.SSHServerChannel, "_process_env_request", None)
    assert original is not None, f"{ASYNCSSH} no longer handles env requests in SSHServerChannel._process_env_request: {where}"
    assert list(inspect.signature(original).parameters) == ["self", "packet"], (
        f"{ASYNCSSH} changed SSHServerChannel._process_env_request's arguments: {where}"
    )
    channel = channel_insides()
    assert original(channel, env_request(b"COLORTERM", b"truecolor")) is True
    assert dict(asyncssh.SSHServerChannel.get_environment(channel)) == {"COLORTERM": "truecolor"}, (
        f"{ASYNCSSH}'s get_environment no longer shows what its env request handler kept: {where}"
    )


def test_lab_channel_keeps_only_the_variables_the_app_uses() -> None:
    channel = lab_channel()
    assert channel._process_env_request(env_request(b"COLORTERM", b"truecolor")) is True
    assert channel._process_env_request(env_request(b"LD_PRELOAD", b"/tmp/evil.so")) is False
    assert channel._process_env_request(env_request(b"NO_COLOR", b"y" * 1000)) is False
    assert dict(channel.get_environment()) == {"COLORTERM": "truecolor"}


@pytest.mark.parametrize(
    ("module", "function", "one_it_has"),
    [
        ("asyncssh.kex", "get_kex_algs", b"curve25519-sha256"),
        ("asyncssh.encryption", "get_encryption_algs", b"aes128-ctr"),
        ("asyncssh.mac", "get_mac_algs", b"hmac-sha2-256"),
        ("asyncssh.public_key", "get_public_key_algs", b"ssh-ed25519"),
    ],
)
def test_asyncssh_still_lists_the_algorithms_it_can_do(module: str, function: str, one_it_has: bytes) -> None:
    where = "gdtui/serve/server.py (_algorithms) must follow it: the lab would not start"
    found = getattr(__import__(module, fromlist=[function]), function, None)
    assert found is not None, f"{ASYNCSSH} has no {module}.{function}: {where}"
    listed = found()
    assert all(isinstance(alg, bytes) for alg in listed) and one_it_has in listed, (
        f"{ASYNCSSH}'s {module}.{function}() no longer lists algorithm names as bytes: {where}"
    )


def test_the_lab_offers_only_what_this_asyncssh_can_do() -> None:
    offered = server._algorithms()
    assert all(offered.values()), f"with {ASYNCSSH} the lab would offer no algorithm of some kind: {offered}"


def test_asyncssh_still_checks_a_signature_against_the_keys_own_list() -> None:
    where = "gdtui/serve/access.py (AuthorizedKeys) must follow it, or RSA keys log in with SHA-1 signatures again"
    assert list(inspect.signature(asyncssh.SSHAuthorizedKeys.validate).parameters) == [
        "self",
        "key",
        "client_host",
        "client_addr",
        "cert_principals",
        "ca",
    ], f"{ASYNCSSH} changed SSHAuthorizedKeys.validate's arguments: {where}"
    key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
    public = asyncssh.import_public_key(key.export_public_key())
    assert hasattr(public, "all_sig_algorithms"), f"{ASYNCSSH}'s keys have no all_sig_algorithms: {where}"
    keys = _keys([key.export_public_key().decode().strip()])
    assert keys.validate(public, "client", "127.0.0.1") is not None
    data = b"session identifier"
    assert public.verify(data, key.sign(data, b"rsa-sha2-256"))
    assert not public.verify(data, key.sign(data, b"ssh-rsa")), (
        f"{ASYNCSSH}'s SSHKey.verify no longer checks a signature against the key's all_sig_algorithms: {where}"
    )


def test_asyncssh_still_keeps_a_connections_transport_where_the_lab_sets_its_read_size() -> None:
    where = (
        "gdtui/serve/server.py (LabConnection.connection_made) must follow it, or one client's flood holds up every "
        "other, and one that stops reading fills the server's memory"
    )
    source = inspect.getsource(asyncssh.SSHServerConnection.connection_made)
    assert "self._transport = " in source, f"{ASYNCSSH} no longer keeps a connection's transport in _transport: {where}"
