"""Every beat of the guided lesson prepares its step with actions that step's screen has."""

from __future__ import annotations

import importlib
import inspect

import pytest
from textual.actions import parse

from gdtui.ui.beats import BEATS
from gdtui.ui.lesson import step_for


def _screen_class(mode: str) -> type:
    step = step_for(mode)
    return getattr(importlib.import_module(f"gdtui.ui.screens.{step.module}"), step.screen)


@pytest.mark.parametrize(("number", "action"), [(n, a) for n, beat in enumerate(BEATS) for a in beat.prepare])
def test_every_prepared_action_is_one_the_beats_screen_has(number: int, action: str) -> None:
    screen = _screen_class(BEATS[number].mode)
    namespace, name, parameters = parse(action)
    assert not namespace, f"beat {number + 1}: {action!r} runs on the beat's own step, not on {namespace!r}"
    method = getattr(screen, f"action_{name}", None)
    assert callable(method), f"beat {number + 1}: {screen.__name__} has no action_{name} for {action!r}"
    try:
        inspect.signature(method).bind(None, *parameters)
    except TypeError as error:
        pytest.fail(f"beat {number + 1}: {action!r} does not fit {screen.__name__}.action_{name}: {error}")
