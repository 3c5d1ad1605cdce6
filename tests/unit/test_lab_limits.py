"""The lab server's limits, on their own: failures per address."""

import logging

import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve.limits import MaxStartups, Penalties, ReadBudget, Sparing, Startups


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_refused_after_its_failures_and_gets_one_try_per_forgiven_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    clock = Clock()
    penalties = Penalties(after=3, forgive_every_s=10.0, clock=clock)
    for _ in range(2):
        penalties.failed("10.0.0.9")
    assert penalties.admit("10.0.0.9")
    penalties.failed("10.0.0.9")
    assert not penalties.admit("10.0.0.9") and not penalties.admit("10.0.0.9")
    assert penalties.admit("10.0.0.8")
    clock.now += 9.9
    assert not penalties.admit("10.0.0.9")
    clock.now += 0.2
    assert penalties.admit("10.0.0.9")
    # One more failure, and it is refused again for one more interval.
    penalties.failed("10.0.0.9")
    assert not penalties.admit("10.0.0.9")
    assert caplog.text.count("10.0.0.9: 3 failed logins: refusing its connections for now") == 2
    assert "accepting 10.0.0.9 again: 3 connections refused while it was blocked" in caplog.text


def test_without_a_limit_no_address_is_refused() -> None:
    penalties = Penalties(after=0, forgive_every_s=10.0)
    for _ in range(100):
        penalties.failed("10.0.0.9")
    assert penalties.admit("10.0.0.9")


def test_max_startups_refuses_from_start_at_rate_rising_to_all_at_full() -> None:
    limit = MaxStartups(10, 30, 100)
    assert [limit.refusal_chance(n) for n in (0, 9, 10, 55, 100, 500)] == [0.0, 0.0, 0.3, 0.65, 1.0, 1.0]
    assert MaxStartups.parse("10:30:100") == limit
    assert MaxStartups.parse("5") == MaxStartups(5, 100, 5)
    for text in ("", "10:30", "a:b:c", "10:30:100:1"):
        with pytest.raises(GdtuiError, match="--max-startups"):
            MaxStartups.parse(text)


def test_connections_not_yet_logged_in_are_counted_in_all_and_per_address(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    startups = Startups(MaxStartups(4, 50, 6), per_source=3, chance=lambda: 0.6)
    assert [startups.admit("10.0.0.9") for _ in range(4)] == [True, True, True, False]
    assert startups.admit("10.0.0.8")
    # 4 waiting: refused at 50 %, and this chance (0.6) is above it; at 5, 75 %, it is not.
    assert startups.admit("10.0.0.7")
    assert not startups.admit("10.0.0.6") and not startups.admit("10.0.0.6")
    for host in ("10.0.0.9", "10.0.0.9", "10.0.0.7"):
        startups.done(host)
    assert startups.admit("10.0.0.9")
    assert caplog.text.count("refusing more from it") == 1
    assert caplog.text.count("refusing new ones") == 1
    assert "10.0.0.9 is down to 1 connection without a session: 1 refused since it had 3" in caplog.text
    assert "down to 2 connections without a session: 2 refused since there were 4" in caplog.text


def test_a_read_budget_allows_its_burst_then_its_rate():
    now = [0.0]
    budget = ReadBudget(rate=1000, burst=4000, clock=lambda: now[0])
    assert budget.spend(4000) == 0.0, "the burst at once"
    assert budget.spend(500) == pytest.approx(0.5), "then in debt: half a second of the rate"
    now[0] = 0.5
    assert budget.spend(0) == 0.0
    now[0] = 100.0
    assert budget.spend(4000) == 0.0 and budget.spend(1) > 0, "a long quiet refills the burst, no more"


def test_a_flood_flapping_at_a_limit_is_logged_when_it_starts_and_when_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    """A client that connects again each time one of its connections ends held its address at the limit: each crossing
    logged a refusal and an 'accepting again', 8,500 lines in 20 s. The refusals end once its count falls to half."""
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    startups = Startups(MaxStartups(100, 30, 200), per_source=4, chance=lambda: 1.0)
    assert all(startups.admit("10.0.0.9") for _ in range(4))
    for _ in range(100):
        assert not startups.admit("10.0.0.9")
        startups.done("10.0.0.9")
        assert startups.admit("10.0.0.9")
    assert caplog.text.count("refusing more from it") == 1 and "down to" not in caplog.text
    for _ in range(2):
        startups.done("10.0.0.9")
    assert caplog.text.count("10.0.0.9 is down to 2 connections without a session: 100 refused since it had 4") == 1
    caplog.clear()
    everyone = Startups(MaxStartups(4, 100, 4), per_source=10, chance=lambda: 0.5)
    hosts = [f"10.0.1.{n}" for n in range(4)]
    assert all(everyone.admit(host) for host in hosts)
    for n in range(100):
        assert not everyone.admit("10.0.2.1")
        everyone.done(hosts[n % 4])
        assert everyone.admit(hosts[n % 4])
    assert caplog.text.count("refusing new ones") == 1 and "down to" not in caplog.text
    for host in hosts[:2]:
        everyone.done(host)
    assert caplog.text.count("down to 2 connections without a session: 100 refused since there were 4") == 1


def test_an_address_is_logged_once_a_while_however_often_it_connects_again() -> None:
    """A client over its read budget was logged once a connection: reconnecting, 457 lines in 20 s."""
    now = [0.0]
    sparing = Sparing(every_s=60.0, clock=lambda: now[0])
    assert [sparing.due("10.0.0.9") for _ in range(500)].count(True) == 1
    assert sparing.due("10.0.0.8"), "another address is its own"
    now[0] = 61.0
    assert sparing.due("10.0.0.9") and not sparing.due("10.0.0.9")


def test_a_flood_of_addresses_keeps_what_is_logged_of_them_bounded() -> None:
    now = [0.0]
    sparing = Sparing(every_s=60.0, clock=lambda: now[0])
    assert all(sparing.due(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}") for n in range(20_000))
    assert len(sparing._at) <= 4096, "the oldest are forgotten"
