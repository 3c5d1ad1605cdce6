"""Limits that hold against a hostile network: connections that have not started a session, guesses.

Anyone on the network can connect. Connections that have not started a session
yet (not logged in, or logged in with no session given a place in the lab) are
capped as OpenSSH's MaxStartups and PerSourceMaxStartups cap those that have not
logged in, so that a flood, even of logged-in clients that open a session and
never start it, can neither use up the server's open files nor keep a student
out. An address that fails to log in again and again is refused for a while, as
OpenSSH's PerSourcePenalties do, and its passwords are checked one at a time,
so many connections at once guess no faster than one. A connection's bytes are read
no faster than a budget allows: where sshd gives each connection a process of its
own, one event loop serves them all here.

A flood is logged when it starts and when it ends, never per connection.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from gdtui.core.errors import GdtuiError
from gdtui.core.words import counted

log = logging.getLogger("gdtui.serve")

# Addresses remembered at most: beyond it, those whose failures are all forgiven are forgotten (Penalties), and the
# oldest logged (Sparing).
_REMEMBERED = 4096


@dataclass(frozen=True)
class MaxStartups:
    """sshd's MaxStartups start:rate:full: from `start` connections waiting to log in, a new one
    is refused with a chance of rate %, rising to certainty at `full`."""

    start: int
    rate: int
    full: int

    def __str__(self) -> str:
        return f"{self.start}:{self.rate}:{self.full}"

    @classmethod
    def parse(cls, text: str) -> MaxStartups:
        """'START:RATE:FULL', or 'N' for N:100:N (refuse every connection past N), as sshd reads it."""
        try:
            numbers = [int(part) for part in text.split(":")]
        except ValueError:
            numbers = []
        if len(numbers) == 1:
            return cls(numbers[0], 100, numbers[0])
        if len(numbers) != 3:
            raise GdtuiError(f"--max-startups takes START:RATE:FULL or one number, not {text!r}")
        return cls(*numbers)

    def refusal_chance(self, waiting: int) -> float:
        if waiting < self.start:
            return 0.0
        if waiting >= self.full:
            return 1.0
        return (self.rate + (100 - self.rate) * (waiting - self.start) / (self.full - self.start)) / 100


class Startups:
    """Connections that have not started a session yet: how many, from where, and whether one more may come."""

    def __init__(self, limit: MaxStartups, per_source: int, chance: Callable[[], float] = random.random) -> None:
        self.limit = limit
        self.per_source = per_source
        self._chance = chance
        self._waiting: dict[str, int] = {}
        self._total = 0
        self._refused: int | None = None  # since the flood began; None while there is none
        self._refused_from: dict[str, int] = {}

    def admit(self, host: str) -> bool:
        """Whether a new connection from host may go on; one that does is counted until done(host)."""
        waiting = self._waiting.get(host, 0)
        if waiting >= self.per_source:
            if host not in self._refused_from:
                log.warning(
                    "%s has %d connections that have not started a session: refusing more from it (--per-source-max-startups %d)",
                    host,
                    waiting,
                    self.per_source,
                )
                self._refused_from[host] = 0
            self._refused_from[host] += 1
            return False
        if self._chance() < self.limit.refusal_chance(self._total):
            if self._refused is None:
                log.warning(
                    "%d connections have not started a session: refusing new ones (--max-startups %s)", self._total, self.limit
                )
                self._refused = 0
            self._refused += 1
            return False
        self._waiting[host] = waiting + 1
        self._total += 1
        return True

    def done(self, host: str) -> None:
        """A connection admitted from host has started its session, or gone."""
        self._total -= 1
        self._waiting[host] -= 1
        if not self._waiting[host]:
            del self._waiting[host]
        # Said to be over once the count falls to half the limit, not below it: a client that connects again each time
        # one of its connections ends keeps it at the limit, and each crossing was a pair of log lines.
        if host in self._refused_from and self._waiting.get(host, 0) <= self.per_source // 2:
            log.info(
                "%s is down to %s without a session: %d refused since it had %d",
                host,
                counted(self._waiting.get(host, 0), "connection"),
                self._refused_from.pop(host),
                self.per_source,
            )
        if self._refused is not None and self._total <= self.limit.start // 2:
            log.info(
                "down to %s without a session: %d refused since there were %d",
                counted(self._total, "connection"),
                self._refused,
                self.limit.start,
            )
            self._refused = None


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
        if record is not None and self.blocked(host):
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
            self._records = {address: kept for address, kept in self._records.items() if self._failures(address) > 0}

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


class Sparing:
    """Whether an event of a key (an address) is to be logged: at most once every `every_s`, so that a client
    that connects again and again does not log a line each time."""

    def __init__(self, every_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self._clock = clock
        self._at: dict[str, float] = {}

    def due(self, key: str) -> bool:
        now = self._clock()
        last = self._at.pop(key, None)
        if last is not None and now - last < self.every_s:
            self._at[key] = last
            return False
        # Oldest first, as they were put in: a flood from many addresses costs each call a few of them at most.
        while self._at and (len(self._at) >= _REMEMBERED or now - next(iter(self._at.values())) >= self.every_s):
            del self._at[next(iter(self._at))]
        self._at[key] = now
        return True


class ReadBudget:
    """Bytes a client may send: `burst` at first, refilled at `rate` a second (a token bucket)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._left = burst
        self._at = clock()

    def spend(self, size: int) -> float:
        """Take `size` bytes just read; the seconds until the budget is out of debt (0: read on)."""
        now = self._clock()
        self._left = min(self.burst, self._left + (now - self._at) * self.rate) - size
        self._at = now
        return max(0.0, -self._left / self.rate)


class Metered(asyncio.Protocol):
    """Stands between a client's socket and the protocol reading it: reading waits while the client is
    over its budget. Put in with the transport's own set_protocol: the protocol it reads for knows nothing of it."""

    def __init__(
        self, transport: asyncio.Transport, inner: asyncio.Protocol, budget: ReadBudget, over: Callable[[], None]
    ) -> None:
        self._transport = transport
        self._inner = inner
        self._budget = budget
        self._over = over
        self._resume: asyncio.TimerHandle | None = None
        transport.set_protocol(self)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)
        wait = self._budget.spend(len(data))
        if wait and self._transport.is_reading():
            self._transport.pause_reading()
            self._resume = asyncio.get_running_loop().call_later(wait, self._transport.resume_reading)
            self._over()

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._resume is not None:
            self._resume.cancel()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()
