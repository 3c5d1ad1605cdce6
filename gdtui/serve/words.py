"""Passwords a teacher can read aloud or print: four words, each drawn from 2,048 plain English ones.

The list (words.txt, shipped with gdtui) holds common words of 3 to 8 letters, without
homophones (no 'sail' beside 'sale'), British and American spellings that differ, or words
unkind to hear. Drawn by the operating system's random source, each word carries 11 bits and
four carry 44: about 17.6 trillion passwords. Against the roster's scrypt hashes (about 50 ms
a guess on one core) that is thousands of core-years; against the server itself, which lets an
address guess once every 10 s after 10 failures, it is out of reach.
"""

from __future__ import annotations

import functools
import math
import secrets
from importlib import resources

WORDS_IN_A_PASSWORD = 4
SEPARATOR = "-"


@functools.cache
def words() -> tuple[str, ...]:
    return tuple(resources.files("gdtui.serve").joinpath("words.txt").read_text(encoding="utf-8").split())


def entropy_bits() -> float:
    """What a password of WORDS_IN_A_PASSWORD words drawn from the list carries."""
    return WORDS_IN_A_PASSWORD * math.log2(len(words()))


def new_password() -> str:
    """Four words drawn at random, such as 'maple-river-candle-seven'."""
    return SEPARATOR.join(secrets.choice(words()) for _ in range(WORDS_IN_A_PASSWORD))
