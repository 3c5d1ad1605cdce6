"""CSS parsed once a process, not once a stylesheet.

Textual keeps the rules it parsed in the Stylesheet that parsed them, and makes
a fresh Stylesheet each time it applies the theme's variables again, which an
app does as it starts and again as it registers each screen: to draw its first
screen the app parsed its 22 pieces of CSS 66 times, about 20 ms of CPU in each
lab session. Here every Stylesheet of the process takes the
rules parsed from the same CSS with the same variables, parsed once; a session
forked from the lab's zygote, which has drawn that screen once before forking,
parses none of it.

A parse depends on its arguments and on the stylesheet's variables, and on
nothing else: those are the key. Rules are not changed once parsed (Textual
already gives the same ones to every parse of one stylesheet). CSS that does not
parse is not kept: it fails again, as it would have.
"""

from __future__ import annotations

import itertools
from typing import Any

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

# Distinct pieces of CSS, each with the variables it was parsed with: the app's few dozen for each theme
# a learner tries. Past this, the whole cache is started again rather than grow for good.
MOST_KEPT = 2048

_parsed: dict[tuple, list[RuleSet]] = {}
# Each set of variables seen, as a number: a key that is quick to hash, for the hundred-odd variables
# of a theme. Each stylesheet's number is kept beside the variables it was worked out for, since
# Textual gives a stylesheet new variables by giving it a new dict, never by changing the old one.
_variables_numbers: dict[tuple[tuple[str, str], ...], int] = {}
_numbers = itertools.count()
_NUMBER = "_gdtui_variables_number"
_parse_rules = getattr(Stylesheet, "_parse_rules", None)


def _variables_number(stylesheet: Stylesheet) -> int:
    variables = stylesheet._variables
    known = getattr(stylesheet, _NUMBER, None)
    if known is not None and known[0] is variables:
        return known[1]
    key = tuple(variables.items())
    number = _variables_numbers.get(key)
    if number is None:
        # Never a number given before, even once the cache has been started again: a stylesheet
        # that kept an old one must not take another set's rules for its own.
        number = _variables_numbers[key] = next(_numbers)
    setattr(stylesheet, _NUMBER, (variables, number))
    return number


def _shared_parse_rules(self: Stylesheet, *args: Any, **kwargs: Any) -> list[RuleSet]:
    # Whatever the arguments are called in this Textual version: all of them, and the variables, are the key.
    if not isinstance(getattr(self, "_variables", None), dict):
        return _parse_rules(self, *args, **kwargs)  # type: ignore[misc]  # a Textual that keeps them elsewhere
    key = (args, tuple(sorted(kwargs.items())), _variables_number(self))
    rules = _parsed.get(key)
    if rules is None:
        rules = _parse_rules(self, *args, **kwargs)  # type: ignore[misc]  # not None: see share()
        if len(_parsed) >= MOST_KEPT:
            _parsed.clear()
            _variables_numbers.clear()
        _parsed[key] = rules
    return rules


def share() -> None:
    """From now on, every Stylesheet in this process shares what any of them parsed.

    It replaces a private method of Textual's: a Textual without it (or without the
    stylesheet's variables) parses as it always did, only not shared
    (tests/unit/test_textual_insides.py says when Textual changes it).
    """
    if _parse_rules is not None:
        Stylesheet._parse_rules = _shared_parse_rules  # type: ignore[method-assign]
