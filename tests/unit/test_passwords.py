"""The lab password is kept only as a salted hash, and checked against it."""

import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve.passwords import check_hash, hash_password, verify_password


def test_a_password_matches_its_hash_and_nothing_else() -> None:
    stored = hash_password("pa55 word")
    assert verify_password("pa55 word", stored)
    assert not verify_password("pa55 wore", stored)
    assert not verify_password("", stored)


def test_the_hash_is_salted_and_does_not_hold_the_password() -> None:
    first, second = hash_password("secret"), hash_password("secret")
    assert first != second
    assert "secret" not in first
    assert verify_password("secret", second)


def test_a_hash_read_from_a_file_may_end_in_a_newline() -> None:
    stored = hash_password("secret")
    assert check_hash(stored + "\n") == stored


@pytest.mark.parametrize(
    "text",
    ["secret", "scrypt$1$2$3$zz$00", "bcrypt$16384$8$1$00$00", "", "scrypt$3$8$1$00$00", "scrypt$16384$0$1$00$00"],
)
def test_anything_but_a_hash_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(GdtuiError, match="hash"):
        check_hash(text)


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ("2$1$1", "weaker"),  # checked in no time against the decoy's 50 ms: a refusal's time would tell names apart
        ("16384$8$40", "costlier"),  # seconds a wrong guess: a few guessers would hold every login up
        ("16384$8$18446744073709551617", "costlier"),  # beyond what scrypt's arguments hold
        ("18446744073709551616$8$1", "costlier"),
    ],
    ids=["weak", "slow", "huge p", "huge n"],
)
def test_a_hash_of_other_settings_than_the_labs_own_cost_is_refused(settings: str, why: str) -> None:
    made = hash_password("secret").split("$")
    text = "$".join([made[0], settings, *made[4:]])
    with pytest.raises(GdtuiError, match=why):
        check_hash(text)
