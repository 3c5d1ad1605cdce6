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
    "settings",
    [
        "2$1$1",  # checked in no time against the decoy's 50 ms: a refusal's time would tell names apart
        "2$1$262144",  # N*r*p no more than the lab's four times, yet twelve times as slow: N*r*p is not the cost
        "16384$8$40",  # seconds a wrong guess: a few guessers would hold every login up
        "-16384$-8$1",  # a product scrypt's own check never sees: it raised a TypeError that stopped the roster
        "16384$8$18446744073709551617",
    ],
    ids=["weak", "slow-small-n", "slow", "two-negatives", "huge-p"],
)
def test_a_hash_of_other_settings_than_the_labs_own_is_refused(settings: str) -> None:
    made = hash_password("secret").split("$")
    with pytest.raises(GdtuiError, match="not the lab's own"):
        check_hash("$".join([made[0], settings, *made[4:]]))


@pytest.mark.parametrize(("salt", "digest"), [("", None), (None, "00")], ids=["empty-salt", "short-digest"])
def test_a_hash_whose_salt_or_digest_is_not_of_its_length_is_refused(salt: str | None, digest: str | None) -> None:
    """A short digest never matches, its student locked out with no word; an empty salt gives two students who
    chose the same password the same hash."""
    scheme, n, r, p, made_salt, made_digest = hash_password("secret").split("$")
    with pytest.raises(GdtuiError, match="bytes"):
        check_hash("$".join([scheme, n, r, p, made_salt if salt is None else salt, made_digest if digest is None else digest]))
