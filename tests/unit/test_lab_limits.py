"""The lab server's limits, on their own: failures per address."""

import logging

import pytest

from gdtui.serve.limits import Penalties


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
