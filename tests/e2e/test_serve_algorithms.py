"""What the lab offers to encrypt and authenticate with: OpenSSH's sshd defaults (9.x), nothing weaker."""

from __future__ import annotations

import asyncio
import struct

import asyncssh
import pytest
from asyncssh.kex import get_kex_algs

from gdtui.serve.server import LabConfig
from tests.e2e.lab import TIMEOUT, connect, running

# sshd_config(5) of OpenSSH 9.9: KexAlgorithms, Ciphers, MACs and PubkeyAcceptedAlgorithms by
# default, less the certificate forms (the lab takes plain keys only).
OPENSSH_KEX = [
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
    "mlkem768x25519-sha256",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
]
OPENSSH_CIPHERS = {
    "chacha20-poly1305@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
}
OPENSSH_MACS = {
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
}
OPENSSH_KEY_SIGNATURES = {
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "rsa-sha2-512",
    "rsa-sha2-256",
}
# What the server must say besides its key exchange methods: that it takes the strict key exchange
# (the Terrapin fix) and extension negotiation, as sshd does.
MARKERS = {"kex-strict-s-v00@openssh.com", "ext-info-s"}


async def server_kexinit(port: int) -> list[list[str]]:
    """The name-lists of the server's first key exchange message, read off the wire (RFC 4253 7.1)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"SSH-2.0-lab-test\r\n")
        # Lines before the version line are allowed; the lab sends none.
        while not (await asyncio.wait_for(reader.readline(), TIMEOUT)).startswith(b"SSH-"):
            pass
        length, padding = struct.unpack(">IB", await reader.readexactly(5))
        payload = (await reader.readexactly(length - 1))[: length - 1 - padding]
    finally:
        writer.close()
    assert payload[0] == 20, "not a KEXINIT"  # SSH_MSG_KEXINIT
    at, lists = 17, []  # after the message number and the 16-byte cookie
    for _ in range(10):
        (size,) = struct.unpack_from(">I", payload, at)
        lists.append(payload[at + 4 : at + 4 + size].decode().split(",") if size else [])
        at += 4 + size
    return lists


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_the_server_offers_opensshs_default_algorithms_and_nothing_weaker(lab_config: LabConfig) -> None:
    supported = {alg.decode() for alg in get_kex_algs()}
    async with running(lab_config) as lab:
        kex, host_keys, ciphers, ciphers_back, macs, macs_back, *_ = await server_kexinit(lab.port)
    # Less the finite-field Diffie-Hellman exchanges: see the next test.
    expected = [alg for alg in OPENSSH_KEX if alg in supported and not alg.startswith("diffie-hellman")]
    assert [alg for alg in kex if alg not in MARKERS] == expected
    assert not any("sha1" in alg for alg in kex)
    assert host_keys == ["ssh-ed25519"]
    assert set(ciphers) == set(ciphers_back) == OPENSSH_CIPHERS
    assert set(macs) == set(macs_back) == OPENSSH_MACS


@pytest.mark.usefixtures("zygote_cannot_start")
@pytest.mark.parametrize("kex", [alg for alg in OPENSSH_KEX if alg.startswith("diffie-hellman")])
async def test_a_client_cannot_make_the_server_compute_a_finite_field_diffie_hellman(lab_config: LabConfig, kex: str) -> None:
    """sshd does such an exchange in a process of its own for each connection; the lab does it on the one event loop
    that serves every student. An 8192-bit one took 13.5 ms of it, and a client sending e = 2 computes nothing: with
    200 bytes and 2% of a core, an outsider with no password held the loop, every student's keys ten times slower.
    The curves' exchanges take a tenth of a millisecond or less; every SSH client of the last ten years offers them."""
    async with running(lab_config) as lab:
        with pytest.raises(asyncssh.KeyExchangeFailed):
            async with connect(lab, kex_algs=[kex]):
                pass


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_the_server_names_opensshs_default_key_signatures_and_not_ssh_rsa(lab_config: LabConfig) -> None:
    """The signatures a client's key may log in with, as the server tells the client (server-sig-algs)."""
    async with running(lab_config) as lab, connect(lab) as conn:
        # asyncssh keeps what the server said there on the connection, and nowhere public.
        told = {alg.decode() for alg in conn._server_sig_algs}
    assert told == OPENSSH_KEY_SIGNATURES


@pytest.mark.usefixtures("zygote_cannot_start")
@pytest.mark.parametrize(("signature", "accepted"), [("rsa-sha2-256", True), ("rsa-sha2-512", True), ("ssh-rsa", False)])
async def test_an_rsa_key_logs_in_but_not_with_sha1_signatures(lab_config: LabConfig, signature: str, accepted: bool) -> None:
    """As sshd since 8.8, even for a client that signs with ssh-rsa whatever the server said."""
    key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
    lab_config.authorized_keys.write_bytes(key.export_public_key())
    async with running(lab_config) as lab:
        try:
            async with connect(lab, client_keys=[key], signature_algs=[signature]):
                logged_in = True
        except asyncssh.PermissionDenied:
            logged_in = False
    assert logged_in is accepted
