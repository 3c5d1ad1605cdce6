"""Walking the guided lesson at 80×24, as a student would: every beat's point is on screen.

The guide panel takes rows from the screen it explains; each beat names the
widgets it is about, and they must stay whole and visible, with a plot tall
enough to read, not pushed below the fold or scrolled away.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual_plotext import PlotextPlot

from gdtui.core import quiz
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.training import Trainer, evaluate
from gdtui.core.words import percent
from gdtui.ui import beats
from gdtui.ui.beats import BEATS, LEARNED, PART_TWO
from gdtui.ui.screens.next import SAMPLE
from gdtui.ui.screens.one_parameter import KIND_LABELS
from gdtui.ui.state import Provenance
from gdtui.ui.widgets.cost_plot import CostPlot
from gdtui.ui.widgets.guide_panel import GuidePanel
from gdtui.ui.widgets.height_map import HeightMap
from gdtui.ui.widgets.layer_bars import LayerBars
from tests.helpers import make_app, settle, train_epochs, wait_for, wait_until_loaded

PLOTS = (PlotextPlot, CostPlot, HeightMap)
MIN_PLOT_ROWS = 10


def problem_with(widget: Widget) -> str | None:
    """Why the widget cannot be read on screen as it stands, or None if it can."""
    region = widget.region
    if not widget.display or not widget.visible or region.area == 0:
        return "not shown"
    for ancestor in widget.ancestors:
        if not isinstance(ancestor, Widget):
            break
        if not ancestor.display:
            return f"inside hidden {ancestor!r}"
        if ancestor.region.intersection(region) != region:
            return f"cut off by {ancestor!r}: {region} outside {ancestor.region}"
    if isinstance(widget, PLOTS) and region.height < MIN_PLOT_ROWS:
        return f"a plot {region.height} rows tall"
    return None


def screen_text(app) -> str:
    """Every character on screen, its lines joined and its runs of spaces one: a wrapped sentence reads whole."""
    lines = (strip.text for strip in app.screen._compositor.render_strips())
    return " ".join(" ".join(lines).split())


def _stationary(app) -> list[str]:
    screen = app.screen
    flats = screen.function.stationary_points
    return [f"{', '.join(f'{p.point[0]:.4g} ({kind})' for p, kind in ((p, KIND_LABELS[p.kind]) for p in flats))}."]


def _gradient_sentence(app) -> str:
    """What the gradient beats are about: a vector as long as the parameters, over the images of the
    step the learner has not taken yet: the beats take none."""
    trainer = app.screen.training.run.trainer
    assert trainer.steps == 0 and app.state.untrained, "a beat took a step the learner never asked for"
    return (
        f"The gradient ∇C has {app.state.network.num_params:,} components, one per parameter. "
        f"Here, over the next mini-batch ({len(trainer.next_batch())} images)"
    )


def _cursor_input(app) -> int:
    row, col = app.screen.cursor
    return row * app.state.data.image_shape[1] + col


def _shades(app) -> str:
    return str(app.screen.query_one("#image").legend())


def _sample_words(app) -> list[str]:
    """Which images the finite differences' cost is over: in the beat's words and beside the figures."""
    count = min(SAMPLE, len(app.state.data.train))
    return [f"two passes over the {count} training images #0–{count - 1}", f"C over training images #0–{count - 1}"]


# Beyond the widgets a beat names, the sentences and figures it is about: read off the screen itself.
FACTS = {
    # What the image's shades mean, from black 0 to white 1: beside the picture the beats are about.
    0: lambda app: [app.state.describe(short=True), _shades(app)],
    # The grid's count of numbers, and which of them, counted from 0, the pixel at the cursor is.
    1: lambda app: [f"{app.state.data.pixels} numbers", f"= input {_cursor_input(app)} =", "r\\c", _shades(app)],
    2: lambda app: [f"{app.state.network.num_params:,} parameters = 784·16 + 16"],
    3: lambda app: ["◀ right" if app.state.chosen.label() is not None else "◀ guess"],
    4: lambda app: ["(output−target)²", f"Averaged over the {len(app.state.data.test):,} test images"],
    5: lambda app: ["your ranking", "highest cost", "lowest cost"],
    6: lambda app: ["random current", f"current: {app.state.network_origin}"],
    7: lambda app: ["slope = 0, solved: x = ", *_stationary(app)],
    9: lambda app: ["slope = 0, solved: x = ", *_stationary(app)],
    10: lambda app: ["∇f = 0, solved exactly: ○ minimum"],
    11: lambda app: [_gradient_sentence(app), "Below, the largest, then (·) the smallest that are not 0", "Pick a parameter"],
    12: lambda app: [_gradient_sentence(app), "∂C/∂w −η·∂C/∂w matters", "−η·∂C/∂w (that column: the step n takes"],
    13: lambda app: ["━ mini-batch cost", "test accuracy % (right axis)", "speed up to 100 steps/s"],
    15: lambda app: [
        "digits shown agree",
        f"All {app.state.network.num_params:,} components, timed on this computer:",
        *_sample_words(app),
        "The timing of both is above",
    ],
    16: lambda app: [f"What learning is. Finding the values of the network's {app.state.network.num_params:,} parameters"],
}


def guide_text(app) -> str:
    panels = app.screen.query(GuidePanel)
    return str(panels.first().render()) if panels else ""


@asynccontextmanager
async def at_beat(data_dir, number: int) -> AsyncIterator[Pilot]:
    """The app in the guided lesson at 80×24, its data in and beat `number` open: its Pilot."""
    app = make_app(data_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, number)
        yield pilot


async def go_to_beat(pilot, number: int) -> None:
    """Turn the guide to beat `number` and wait until it is open."""
    pilot.app.guide.go_to(number)
    await on_beat(pilot, number)


async def on_beat(pilot, number: int) -> None:
    app = pilot.app
    beat = BEATS[number]
    await wait_for(
        pilot,
        lambda: app.guide.beat == number and app.screen.id == beat.mode and f"Lesson {number + 1}/" in guide_text(app),
        f"beat {number + 1} to open",
    )


async def shows_its_point(pilot, number: int) -> None:
    screen = pilot.app.screen
    for selector in BEATS[number].shows:
        widget = screen.query_one(selector)
        await wait_for(pilot, lambda w=widget: problem_with(w) is None, f"beat {number + 1}'s {selector} to be on screen")


@pytest.mark.slow
async def test_every_beat_shows_its_point_at_80x24(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for number, beat in enumerate(BEATS):
            await on_beat(pilot, number)
            assert beat.shows, f"beat {number + 1} names what it shows"
            await shows_its_point(pilot, number)
            for fact in FACTS.get(number, lambda app: [])(app):
                await wait_for(pilot, lambda f=fact: f in screen_text(app), f"beat {number + 1}'s {fact!r} on screen")
            # One name for each layer everywhere, the Network step's: layer 1, layer 2, output; never "layer 3: …".
            misnamed = re.search(r"layer \d: |layer 3\b", screen_text(app)) if number < len(BEATS) - len(PART_TWO) else None
            assert misnamed is None, f"beat {number + 1} names a layer otherwise: {misnamed and misnamed.group()!r}"
            if re.search(r"\b[Pp]ress n\b|\bn takes\b|\bn compares\b", guide_text(app)):
                # As the beat invites: its point stays on screen after a few presses of n.
                for _ in range(3):
                    await pilot.press("n")
                await pilot.pause()
                await shows_its_point(pilot, number)
            panel = app.screen.query_one(GuidePanel)
            needs = panel.get_content_height(panel.size, app.size, panel.content_region.width)
            assert needs <= panel.content_region.height, f"beat {number + 1}'s words are cut off"
            await pilot.press("full_stop")
        assert app.guide.beat == len(BEATS) - 1, "the last beat is the end"


async def test_the_quiz_asks_first_and_explains_after(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    quiz_beat = next(i for i, b in enumerate(BEATS) if "#quiz-row" in b.shows)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await on_beat(pilot, 0)
        await go_to_beat(pilot, quiz_beat)
        await wait_for(pilot, lambda: app.screen.view == "quiz", "the quiz")
        question = app.screen.question
        notes = [option.note for option in question.options]
        asked = guide_text(app)
        assert not any(note in asked for note in notes), "no answer given away before the ranking"
        assert "◀" in str(app.screen.query_one("#card-0 LayerBars").render()), "the target output is marked"
        await pilot.press("enter")
        await wait_for(pilot, lambda: all(note in guide_text(app) for note in notes), "the explanation after checking")
        for selector in ("#quiz-row", "#verdict"):
            assert problem_with(app.screen.query_one(selector)) is None, selector
        assert problem_with(app.screen.query_one(GuidePanel)) is None


def _whole(widget) -> bool:
    """On screen, with every line of its words."""
    lines = widget.get_content_height(widget.size, widget.app.size, widget.content_region.width)
    return problem_with(widget) is None and lines <= widget.content_region.height


async def test_the_gradient_beats_show_the_vector_its_zeros_and_each_nudge_whole(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    vector = next(i for i, b in enumerate(BEATS) if "#nudge" in b.shows)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await on_beat(pilot, 0)
        await go_to_beat(pilot, vector)
        screen = app.screen
        table = screen.query_one("#ranking")
        await wait_for(pilot, lambda: table.row_count > 0, "the gradient of the step the beat took")
        report = screen.training.current_report()
        summary, nudge = screen.query_one("#gradient-summary"), screen.query_one("#nudge")
        text = screen_text(app)
        assert _gradient_sentence(app) in text and f"|∇C| = {report.norm:.4g}" in text
        assert f"{report.zeros.total:,} are exactly 0" in text, text
        eta = screen.training.run.learning_rate
        for key in table.rows:
            _, _, slope, step, _ = table.get_row(key)
            k = int(key.value)
            assert (slope, step) == (f"{report.gradient[k]:+.2e}", f"{-eta * report.gradient[k]:+.2e}")
        # The largest, then the smallest: the one that hardly matters, whose nudge the slope cannot
        # predict over Δw, is the one with the most to say.
        for row in (0, table.row_count - 1):
            table.move_cursor(row=row)
            k = screen.query_one("GradientView").picked()
            slope = screen.training.current_report().gradient[k]
            await pilot.press("right_square_bracket")
            await wait_for(pilot, lambda: "measured ΔC" in str(nudge.render()), "the nudge's result")
            await wait_for(pilot, lambda: screen.training.current_report() is not None, "the gradient after it")
            await settle(pilot)
            done = screen.training.last_nudge
            text = screen_text(app)
            assert f"(∂C/∂w was {slope:+.2e}) by {done.delta:+.4g}" in text, text
            # Which weights and which images the nudge's costs are of: the stats line has no cost to confuse them with.
            images = len(screen.training.run.trainer.next_batch())
            assert f"the cost on the next step's {images} images went {done.cost_before:.6f} → " in text, text
            assert "no step yet" in text and "(last mini-batch)" not in text
            assert f"predicted ∂C/∂w · Δw = {done.predicted:+.2e}" in text
            for widget in (summary, table, nudge):
                assert _whole(widget), f"{widget.id}: {problem_with(widget)}"
            assert table.row_count >= 3 and "the smallest that are not 0" in text


async def test_the_trained_network_beat_says_what_the_network_is(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    learning = next(i for i, b in enumerate(BEATS) if b.mode == "training" and b.title == "Learning")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        # Skipped, as with '.' on the training beats: only the one step a beat took, if any.
        await go_to_beat(pilot, learning + 1)
        untrained = guide_text(app)
        assert "after training" not in untrained and "now reads" not in untrained
        assert "Go back with ," in untrained and "Still trash" in untrained

        await pilot.press("comma")
        await on_beat(pilot, learning)
        screen = app.screen
        await train_epochs(pilot, screen, 3)  # the tiny data set: three epochs of 100 steps each
        # What the learning beat is about, on its screen: the cost curve, and the accuracy the epochs measured.
        run = screen.driver.ensure()
        await wait_for(pilot, lambda: len(run.epochs) == 4, "the third epoch's test")
        await settle(pilot)
        text = screen_text(app)
        assert f"test accuracy {percent(run.epochs[-1].test_accuracy)} (after epoch 3)" in text, text
        assert f"step {run.trainer.steps:,}" in text and "━ mini-batch cost" in text and "◆· test accuracy %" in text
        await pilot.press("full_stop")
        await on_beat(pilot, learning + 1)
        measured = evaluate(app.state.network, app.state.data.test, "quadratic")
        right = round(measured.accuracy * measured.examples)
        text = guide_text(app)
        assert f"{right:,} of the {measured.examples:,} test digits" in text
        learned = right >= LEARNED * measured.examples
        assert ("now reads" in text) == learned and ("Not trash any more" in text) == learned
        assert app.state.network_origin in text or right < LEARNED * measured.examples
        # Its words quote the test digits: the digit shown, and those n browses, are test digits, never trained on.
        assert app.state.chosen.split_name == "test" and "input: test #" in screen_text(app), screen_text(app)
        if learned:
            assert "other test digits" in text


async def test_the_lesson_ends_on_a_closing_beat(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    last = len(BEATS) - 1
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await on_beat(pilot, 0)
        await go_to_beat(pilot, last - 1)
        await pilot.press("full_stop")
        await on_beat(pilot, last)
        text = guide_text(app)
        for key in ("R", "L", "q"):
            assert f"{key} " in text
        assert "R restart" in text and ". next" not in text
        await pilot.press("full_stop")
        await pilot.pause()
        assert app.guide.beat == last
        await pilot.press("R")
        await on_beat(pilot, 0)


async def test_the_random_weights_beat_says_so_only_of_random_weights(tiny_mnist_dir):
    opened = Network(seed=3)
    trainer = Trainer(opened, load_dataset(tiny_mnist_dir).train, learning_rate=3.0)
    while trainer.epochs_done < 5:
        trainer.step()
    beat = next(i for i, b in enumerate(BEATS) if b.mode == "network" and callable(b.title))
    app = make_app(tiny_mnist_dir, lesson=True, network=opened, model_name="mine.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, beat)
        measured = evaluate(app.state.network, app.state.data.test, "quadratic")
        text = guide_text(app)
        assert "so far they are random" not in text and "r for another random" not in text
        assert "mine.npz" in text and f"{round(measured.accuracy * measured.examples):,} of the" in text
        await pilot.press("r")  # on the Network step, another random network: the beat's words follow it
        await wait_for(pilot, lambda: "so far they are random" in guide_text(app), "the beat to speak of random weights")


async def test_the_quiz_beat_speaks_of_the_question_on_screen(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, lesson=True, network=trained.copy())
    quiz_beat = next(i for i, b in enumerate(BEATS) if "#quiz-row" in b.shows)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, quiz_beat)
        await wait_for(pilot, lambda: app.screen.view == "quiz", "the quiz")
        assert "could have answered in any of these four ways" in guide_text(app)
        await pilot.press("enter", "enter")  # check the first question, then ask the next: the network's real 4s
        await wait_for(pilot, lambda: app.screen.question.kind == quiz.REAL, "a question of real outputs")
        await wait_for(pilot, lambda: "Four test images of a 4" in guide_text(app), "the beat to follow the question")
        assert "could have answered" not in guide_text(app)


async def test_the_learning_beat_asks_for_f_only_while_not_at_full_speed(tiny_mnist_dir):
    learning = next(i for i, b in enumerate(BEATS) if b.mode == "training" and b.title == "Learning")
    async with at_beat(tiny_mnist_dir, learning) as pilot:
        app = pilot.app
        assert "Press f until the speed reads full speed" in guide_text(app)
        while app.screen.training.speed != 0:
            await pilot.press("f")
        app.guide.go_to(learning)  # the beat shown again, at full speed
        await wait_for(pilot, lambda: "Press e to run to the epoch's end," in guide_text(app), "the invitation without f")
        assert "Press f" not in guide_text(app)


async def test_the_learning_beat_claims_no_figure_right_now_while_a_run_moves_the_network(tiny_mnist_dir):
    learning = next(i for i, b in enumerate(BEATS) if b.mode == "training" and b.title == "Learning")
    async with at_beat(tiny_mnist_dir, learning) as pilot:
        app, screen = pilot.app, pilot.app.screen
        await pilot.press("n")
        await wait_for(pilot, lambda: "right now" in guide_text(app), "the beat's figure of a network one step on")
        await pilot.press("space")  # ten steps a second: still going when read
        await wait_for(pilot, lambda: "The run is going" in guide_text(app), "the beat told of the run")
        await wait_for(
            pilot,
            lambda: screen.training.shown is not None and screen.training.shown.steps >= 3,
            "steps the beat was not told of",
        )
        words = " ".join(guide_text(app).split())
        assert "right now" not in words and "trained" not in words, words
        assert "Watch the cost fall" in words
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run paused")
        steps = screen.training.run.trainer.steps
        await wait_for(pilot, lambda: f"trained {steps:,} steps" in guide_text(app), "the figure of the network as it is")
        assert "right now" in guide_text(app)


async def test_the_overshoot_beat_bounces_higher_each_step_and_stays_in_the_picture(tiny_mnist_dir):
    beat = next(i for i, b in enumerate(BEATS) if b.title == "Too big a step")
    async with at_beat(tiny_mnist_dir, beat) as pilot:
        app = pilot.app
        screen = app.screen
        await wait_for(pilot, lambda: screen.descent is not None and not screen.descent.path[1:], "the ball at its start")
        low, high = screen.function.domain
        distances = [abs(float(screen.descent.point[0]) - 1.0)]
        for _ in range(4):
            await pilot.press("n")
            await pilot.pause()
            x = float(screen.descent.point[0])
            assert low <= x <= high, f"the ball left the picture at x = {x}"
            distances.append(abs(x - 1.0))
            assert "Too far" in str(screen.query_one("#verdict").render())
        assert all(a < b for a, b in zip(distances, distances[1:])), distances
        assert problem_with(screen.query_one("#plot")) is None


async def test_the_landscape_beat_keeps_its_legend_after_steps(tiny_mnist_dir):
    beat = next(i for i, b in enumerate(BEATS) if "#map" in b.shows)
    async with at_beat(tiny_mnist_dir, beat) as pilot:
        app = pilot.app
        for _ in range(3):
            await pilot.press("n")
        await pilot.pause()
        text = screen_text(app)
        assert "∇f = 0, solved exactly: ○ minimum" in text and "step 3: new (x, y)" in text, text


async def test_digits_words_stay_whole_while_the_guide_waits_elsewhere(tiny_mnist_dir):
    beat = next(i for i, b in enumerate(BEATS) if b.mode == "network")
    async with at_beat(tiny_mnist_dir, beat) as pilot:
        app = pilot.app
        await pilot.press("1")  # away from the beat: the guide says so in its own rows
        await wait_for(pilot, lambda: app.screen.id == "digits" and "You left the lesson" in guide_text(app), "Digits")
        for keys in ((), ("d",), ("space",)):
            await pilot.press(*keys)
            await pilot.pause()
            for selector in ("#pixel", "#explain"):
                widget = app.screen.query_one(selector)
                assert problem_with(widget) is None, f"{keys}: {selector} {problem_with(widget)}"
                lines = widget.get_content_height(widget.size, app.size, widget.content_region.width)
                assert lines <= widget.content_region.height, f"{keys}: {selector} cut after {widget.content_region.height} lines"


async def test_the_network_beats_show_every_neuron_they_count_and_the_whole_digit(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    network_beats = [i for i, b in enumerate(BEATS) if b.mode == "network"]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for beat in (network_beats[0], network_beats[-1]):
            await go_to_beat(pilot, beat)
            screen = app.screen
            for _ in range(4):  # other digits, as the beats invite: "train #3 of …" must not wrap the header
                # The hidden layers' bars are mounted once the room beside the digit is known, and laid out a frame later.
                await wait_for(pilot, lambda s=screen: all(bars.region for bars in s.query(LayerBars)), "the bars to be laid out")
                header = screen.query_one("#architecture")
                lines = header.get_content_height(header.size, app.size, header.content_region.width)
                assert lines == header.content_region.height, f"beat {beat + 1}: the header wraps"
                for selector in ("#architecture", "#input", "#bars", "#output"):
                    widget = screen.query_one(selector)
                    assert problem_with(widget) is None, f"beat {beat + 1}: {selector} {problem_with(widget)}"
                for bars in screen.query(LayerBars):
                    needs = bars.get_content_height(bars.size, app.size, bars.content_region.width)
                    assert needs <= bars.content_region.height, (
                        f"beat {beat + 1}: {bars.title} shows {bars.content_region.height} of {needs} rows"
                    )
                text = screen_text(app)
                assert f"input: {app.state.describe()}" in text and f"{app.state.network.num_params:,} parameters" in text
                await pilot.press("n")
                await pilot.pause()


def plot_lines(app, plot) -> list[str]:
    """The plot's own rows as drawn, its ticks' labels with them."""
    region = plot.region
    strips = list(app.screen._compositor.render_strips())
    return [strips[y].text[region.x : region.right] for y in range(region.y, region.bottom)]


def cost_and_step_labels(app, plot) -> tuple[list[float], list[str]]:
    lines = plot_lines(app, plot)
    costs = [float(m.group(1)) for line in lines if (m := re.match(r"\s*([\d.]+)┤", line))]
    below = next(i for i, line in enumerate(lines) if "└" in line) + 1
    return costs, lines[below].split()


async def test_the_learning_beat_says_what_a_trained_network_is_and_its_plot_reads_sanely(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, lesson=True)
    learning = next(i for i, b in enumerate(BEATS) if b.mode == "training" and b.title == "Learning")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        # As a network trained before and restored at the start: the longest words the beat has to say of it.
        app.state.restore(trained.copy(), Provenance("random, seed 0", True, 0, 6005, 0))
        await go_to_beat(pilot, learning)
        screen = app.screen
        await wait_for(
            pilot, lambda: screen.training.shown is not None and screen.training.shown.epochs, "the network's first measurement"
        )
        measured = evaluate(app.state.network, app.state.data.test, "quadratic")
        text = guide_text(app)
        assert "watch the cost fall" not in text, text
        right = round(measured.accuracy * measured.examples)
        assert app.state.network_origin in text and f"{right:,} of the {measured.examples:,} test images" in text, text
        panel = screen.query_one(GuidePanel)
        needs = panel.get_content_height(panel.size, app.size, panel.content_region.width)
        assert needs <= panel.content_region.height, "the beat's words are cut off"
        plot = screen.query_one(CostPlot)
        _, steps = cost_and_step_labels(app, plot)
        assert steps and all(label.isdigit() for label in steps), steps
        await pilot.press("n")  # one step: a curve of a single point
        await wait_for(
            pilot, lambda: screen.training.shown is not None and screen.training.shown.steps == 1 and not screen.busy(), "a step"
        )
        await settle(pilot)
        costs, steps = cost_and_step_labels(app, plot)
        assert steps and all(label.isdigit() for label in steps), steps
        # An axis around one point spans a sane part of its value, not its sixth digit.
        assert len(costs) >= 2 and max(costs) - min(costs) >= max(costs) / 20, costs


async def test_the_beat_of_what_it_learned_reads_as_a_sentence_before_any_training(tiny_mnist_dir):
    number = next(i for i, beat in enumerate(BEATS) if beat.title is beats._trained_title)
    async with at_beat(tiny_mnist_dir, number) as pilot:
        words = " ".join(guide_text(pilot.app).split())
        assert pilot.app.state.untrained
        assert "It has not been trained and reads only " in words, words
