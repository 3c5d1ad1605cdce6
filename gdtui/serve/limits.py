"""Limits that hold against a hostile network: how many guesses an address gets.

Anyone on the network can connect. An address that fails to log in again and
again is refused for a while, as OpenSSH's PerSourcePenalties do, and its
passwords are checked one at a time, so many connections at once guess no
faster than one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

log = logging.getLogger("gdtui.serve")

# Addresses remembered at most; beyond it, those whose failures are all forgiven are forgotten.
_REMEMBERED = 4096


@dataclass
class _Record:
    failures: float = 0.0  # as of `at`; one is forgiven every forgive_every_s
    at: float = 0.0
    refused: int = 0  # connections refused since the address was blocked


class Penalties:
    """Failed logins per address, forgiven one at a time: an address with `after` of them is
    refused until one is forgiven, so that it gets one more guess every `forgive_every_s`."""

    def __init__(self, after: int, forgive_every_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.after = after
        self.forgive_every_s = forgive_every_s
        self._clock = clock
        self._records: dict[str, _Record] = {}
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}

    def _failures(self, host: str) -> float:
        record = self._records.get(host)
        if record is None:
            return 0.0
        return max(0.0, record.failures - (self._clock() - record.at) / self.forgive_every_s)

    def blocked(self, host: str) -> bool:
        return self.after > 0 and self._failures(host) > self.after - 1

    def admit(self, host: str) -> bool:
        """Whether a new connection from host may go on; a refused one is counted, not logged."""
        record = self._records.get(host)
        if self.blocked(host):
            record.refused += 1
            return False
        if record is not None and record.refused:
            log.info("accepting %s again: %d connections refused while it was blocked", host, record.refused)
            record.refused = 0
        return True

    def failed(self, host: str) -> None:
        """Count one failed login from host; the one that blocks it is logged."""
        if self.after <= 0:
            return
        was_blocked = self.blocked(host)
        failures = self._failures(host) + 1
        record = self._records.setdefault(host, _Record())
        record.failures, record.at = failures, self._clock()
        if not was_blocked and self.blocked(host):
            log.warning(
                "%s: %d failed logins: refusing its connections for now, one more try every %g s (--block-after %d)",
                host,
                self.after,
                self.forgive_every_s,
                self.after,
            )
        if len(self._records) > _REMEMBERED:
            self._records = {host: record for host, record in self._records.items() if self._failures(host) > 0}

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        """One password check at a time per address."""
        lock, users = self._turns.get(host, (asyncio.Lock(), 0))
        self._turns[host] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[host]
            if users == 1:
                del self._turns[host]
            else:
                self._turns[host] = (lock, users - 1)
