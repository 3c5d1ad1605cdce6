"""Numbers beside nouns, as a reader expects them: "1 step", "2 steps", and "nine outputs" among digits."""

from __future__ import annotations

import math

_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def count(n: int) -> str:
    """A count in words up to a dozen: among digits, "9 outputs" reads as the digit 9."""
    return _SMALL[n] if 0 <= n < len(_SMALL) else f"{n:,}"


def counted(n: int, noun: str) -> str:
    """n and the noun, singular for one: "1 step", "1,200 steps"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def cut_middle(text: str, width: int) -> str:
    """text in at most width characters: its start and its end, what is between them given up as "…"."""
    if len(text) <= width:
        return text
    head = max(0, width - 1) // 2
    return f"{text[:head]}…{text[len(text) - (max(0, width - 1) - head) :]}" if width > 0 else ""


def percent(share: float, places: int = 1) -> str:
    """A share from 0 to 1 as a percentage to `places` decimal places, or to as many more as it takes for
    a share above none not to read as 0.0%, nor one below all as 100.0%: "99.99%" when 1 of 10,000 is wrong."""
    for shown_places in range(places, places + 6):
        text = f"{share:.{shown_places}%}"
        shown = float(text[:-1])
        if (shown > 0 or share == 0) and (shown < 100 or share == 1):
            break
    return text


def done(fraction: float) -> str:
    """How much of a piece of work is done, in whole percent rounded down: 100% only once all of it is."""
    # A hair above the fraction: 0.29 is 28.999…% in binary, and 29 of 100 steps are 29% done.
    return f"{math.floor(fraction * 100 + 1e-9)}%"


def power_of_ten(x: float) -> str:
    """A power of ten as it is printed in a book: 1e-4 as "10⁻⁴"."""
    return "10" + str(round(math.log10(x))).translate(_SUPERSCRIPT)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def same_digits(a: float, b: float, digits: int) -> int:
    """How many leading significant digits a and b share, each rounded to `digits` of them: what a reader counts
    on the screen. Values 10⁻¹¹ apart may round to a different 10th digit, and differ in the 10th as printed."""
    mantissa_a, exponent_a = f"{a:+.{digits - 1}e}".split("e")
    mantissa_b, exponent_b = f"{b:+.{digits - 1}e}".split("e")
    if exponent_a != exponent_b or mantissa_a[0] != mantissa_b[0]:
        return 0
    same = 0
    for x, y in zip(mantissa_a[1:].replace(".", ""), mantissa_b[1:].replace(".", "")):
        if x != y:
            break
        same += 1
    return same
