"""The lab's settings check themselves: one clear line for each that makes no sense, before anything starts."""

from dataclasses import replace

import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve.limits import MaxStartups
from gdtui.serve.server import LabConfig

SOUND = LabConfig(password_hash="$scrypt$", idle_timeout=0)


def test_sound_settings_pass() -> None:
    SOUND.check()
    replace(SOUND, password_hash=None, no_auth=True, idle_timeout=60.0, max_startups=(5, 50, 10)).check()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password_hash": None}, "no way to check who logs in"),
        ({"no_auth": True, "teachers": ("teach",)}, "cannot go with --teacher"),
        ({"idle_timeout": float("nan")}, "--idle-timeout"),
        ({"port": -1}, "--port"),
        ({"max_sessions": 1001}, "--max-sessions"),
        ({"max_startups": (10, 0, 100)}, "RATE"),
        ({"first_screen_wait_s": 0.0}, "--first-screen-wait"),
        ({"starting_at_once": -1}, "--starting-at-once"),
        ({"quota_mb": float("inf")}, "--quota"),
    ],
)
def test_settings_that_make_no_sense_are_refused(change: dict, message: str) -> None:
    with pytest.raises(GdtuiError, match=message):
        replace(SOUND, **change).check()


def test_max_startups_by_default_leave_room_for_a_class_beside_one_address() -> None:
    config = replace(SOUND, max_sessions=30, per_source_max_startups=10)
    assert config.startup_limit == MaxStartups(40, 30, 100)
    assert replace(config, max_sessions=200).startup_limit == MaxStartups(210, 30, 210)
    assert replace(config, max_startups=(5, 50, 10)).startup_limit == MaxStartups(5, 50, 10)
