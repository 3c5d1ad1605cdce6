"""Words where numbers meet nouns: a count never reads as a digit, a screen never as a descent step."""

from __future__ import annotations

import importlib
import pkgutil
import re

import numpy as np
import pytest
from textual.screen import Screen

from gdtui.core import quiz
from gdtui.core.words import counted
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.quit_prompt import QuitPrompt


def test_a_count_of_outputs_is_spelt_out_beside_the_digits_they_stand_for():
    notes = [option.note for option in quiz.classic().options]
    undecided = next(note for note in notes if "middling" in note)
    assert not re.search(r"\d middling", undecided), undecided
    assert "nine of the ten middling" in undecided


def test_a_count_beyond_a_dozen_keeps_its_figures():
    outputs = np.full(20, 0.4)
    outputs[3] = 0.45
    assert "all 20 outputs middling" in quiz.explain(outputs, 3, "quadratic")


def test_the_prompts_name_the_training_screen_not_a_step():
    for prompt in (QuitPrompt("trained 1 epoch"), DiscardPrompt("trained 1 epoch", Screen())):
        text = str(next(iter(prompt.compose())).content)
        assert "step 6" not in text and "(6 Training, then s" in text, text


def test_a_noun_beside_a_number_agrees_with_it():
    assert counted(1, "step") == "1 step"
    assert counted(0, "step") == "0 steps" and counted(1_200, "step") == "1,200 steps"


def _step_screens():
    import gdtui.ui.screens
    from gdtui.ui.screens.base import LessonScreen

    for module in pkgutil.iter_modules(gdtui.ui.screens.__path__):
        importlib.import_module(f"gdtui.ui.screens.{module.name}")

    found, todo = [], [LessonScreen]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return [cls for cls in found if cls.HELP]


def test_a_help_sentence_that_names_a_colour_says_what_shows_without_colours():
    colour = re.compile(r"\b(blue|red|orange|green|yellow|white)\b")
    pixel_scale = "0.0 (black) to 1.0 (white)"  # the data's own words for a pixel's value, true in either mode
    for screen in _step_screens():
        for sentence in re.split(r"(?<=[.;:])\s+", " ".join(screen.HELP.replace(pixel_scale, "").split())):
            if colour.search(sentence):
                assert "without colours" in sentence, (screen.__name__, sentence)


def test_a_share_is_never_rounded_to_none_or_to_all():
    from gdtui.core.words import percent

    assert percent(0.7634) == "76.3%"
    assert percent(0.0) == "0.0%" and percent(1.0) == "100.0%"
    # One wrong of 10,000, one right of 300: rounded to one place they would read as all and as none.
    assert percent(9_999 / 10_000) == "99.99%"
    assert percent(299 / 300) == "99.7%"
    assert percent(1 / 300) == "0.3%"
    assert percent(1 / 60_000) == "0.002%"
    assert percent(59_999 / 60_000) == "99.998%"


def test_a_stuck_network_s_shares_are_never_rounded_to_all():
    from gdtui.core.drive import kept
    from gdtui.core.health import Health
    from gdtui.core.run import Checkpoint

    # 4,998 of 5,000 images right, and 4,998 of every 5,000 outputs pinned: neither is all of them.
    health = Health(
        samples=50_000,
        images=5_000,
        cost=0.5,
        accuracy=0.9996,
        gradient_norm=1e-9,
        spread=0.5,
        baseline=0.09,
        activation="sigmoid",
        output="softmax",
        dead=(0, 0),
        widths=(16, 16),
        pinned=0.9996,
    )
    said = health.sentence(5_000)
    assert "pinned at 0 and 1 for 99.96% of the images" in said
    assert "(99.96% right on 5,000 of them" in said
    assert "(99.96% right on 5,000 training images)" in kept(Checkpoint(step=10, held=10, params=np.zeros(1), health=health))


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_pinned_outputs_are_said_to_have_a_vanished_gradient_only_when_it_has(output):
    from gdtui.core.health import Health

    # The first check after a huge step: every output pinned, but the steps since the last check were steep.
    health = Health(50_000, 200, 1.0, 0.105, 0.5, 0.0, 0.09, "sigmoid", output, (0, 0), (16, 16), 1.0)
    assert "vanished" not in health.cause()
    flat = Health(50_000, 200, 1.0, 0.105, 3.7e-08, 0.0, 0.09, "sigmoid", output, (0, 0), (16, 16), 1.0)
    # The steps' largest |∇C| since the last check, in float32: the gradient view's of one mini-batch, in float64,
    # reads 8.9e-17 where this read 0.0e+00. What both figures share is the bound a vanished gradient stays under.
    assert "the gradient has vanished (|∇C| under 10⁻⁴ at every step)" in flat.cause()
    assert "e-08" not in flat.cause()


def test_work_under_way_never_reads_as_done():
    from gdtui.core.words import done

    assert done(0.996) == "99%"  # rounded, 100% while the last of it is still computed
    assert done(1.0) == "100%"
    assert done(0.29) == "29%"  # 28.999… in binary
    assert done(0.0) == "0%"
