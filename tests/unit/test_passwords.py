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
