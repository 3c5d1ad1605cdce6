"""The guided lesson's words at 80×24 follow what is on screen: the run's own curve, the set the panel
averages over, where the network came from, which mini-batch a column is of; and the sentence a beat
is about stays whole on screen."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.core import quiz, sensitivity
from gdtui.core.dataset import bundled_data_dir, load_dataset
from gdtui.core.learning_rates import LEARNING_RATES
from gdtui.core.network import Network
from gdtui.core.training import Trainer
from gdtui.core.words import percent
from gdtui.ui.beats import BEATS, filled
from gdtui.ui.state import LessonState
from gdtui.ui.widgets.guide_panel import GuidePanel
from tests.app.test_lesson_walk import at_beat, go_to_beat, guide_text, problem_with, screen_text
from tests.helpers import full_speed, make_app, settle, train_epochs, wait_for, wait_until_loaded

LEARNING = next(i for i, b in enumerate(BEATS) if b.mode == "training" and b.title == "Learning")
COST = next(i for i, b in enumerate(BEATS) if "#formula" in b.shows)
QUIZ = next(i for i, b in enumerate(BEATS) if "#quiz-row" in b.shows)
STEP = next(i for i, b in enumerate(BEATS) if b.title == "Big gradient, big step")
NUDGE = next(i for i, b in enumerate(BEATS) if "#nudge" in b.shows)


def words(app) -> str:
    return " ".join(guide_text(app).split())


async def test_the_learning_beat_says_nothing_of_a_fall_before_a_step(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, lesson=True, network=trained.copy(), model_name="M.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, LEARNING)
        assert app.screen.driver.ensure().trainer.steps == 0
        text = words(app).split("→")[0]  # the words, not the invitation to watch the cost
        assert "M.npz" in text and "cost" not in text, text


async def test_the_learning_beat_gives_the_accuracy_as_the_header_does(tiny_mnist_dir):
    async with at_beat(tiny_mnist_dir, LEARNING) as pilot:
        app = pilot.app
        screen = app.screen
        await full_speed(pilot, screen)
        await train_epochs(pilot, screen, 2)
        run = screen.driver.ensure()
        await wait_for(pilot, lambda: len(run.epochs) == 3, "the second epoch's test")
        await settle(pilot)
        share = f"{percent(run.epochs[-1].test_accuracy)}"
        await wait_for(pilot, lambda: f"test accuracy {share} (after epoch 2)" in screen_text(app), "the header")
        text = screen_text(app)
        assert f"({share})" in text.split("Learning", 1)[1], text


async def test_the_learning_beat_shows_no_heading_of_images_it_does_not_show(tiny_mnist_dir):
    """Beside the lesson's words the plot keeps the rows the images of the last step would take: their heading goes
    with them, at 80×24 and on a taller terminal alike."""
    async with at_beat(tiny_mnist_dir, LEARNING) as pilot:
        app = pilot.app
        screen = app.screen
        await pilot.press("n")
        await settle(pilot)
        for height in (24, 30, 40):
            await pilot.resize_terminal(80, height)
            await settle(pilot)
            title, images = screen.query_one("#batch-title"), screen.query_one("#batch")
            assert (problem_with(title) is None) == (problem_with(images) is None), (height, problem_with(images))


async def test_the_learning_beat_promises_no_fall_of_a_network_its_steps_broke(tiny_mnist_dir):
    """A learner who raised η far on this beat breaks the network: the beat says its cost will not fall from
    there and invites what the message above says, not another epoch to watch the cost fall."""
    async with at_beat(tiny_mnist_dir, LEARNING) as pilot:
        app = pilot.app
        screen = app.screen
        await run_until_it_stops_itself(pilot, screen)
        await wait_for(pilot, lambda: "unable to learn" in words(app), "the beat to read the run's verdict")
        assert "the fall is still to come" not in words(app) and "watch the cost fall" not in words(app), words(app)
        assert "Do as the message above says" in words(app), words(app)
        await pilot.press("u")
        await settle(pilot)
        await wait_for(pilot, lambda: "unable to learn" not in words(app), "the beat once the weights are back")
        # η is still the one whose steps broke them: the message says so, and the beat asks for a smaller one first.
        message = screen.query_one("#message")
        assert "lower η with -" in str(message.render()) and "- lowers η first" in words(app), words(app)
        for _ in range(len(LEARNING_RATES)):
            if "lower η" not in str(message.render()):
                break
            await pilot.press("minus")
        await wait_for(pilot, lambda: "- lowers η first" not in words(app), "the beat once η is smaller")
        assert screen.training.run.requested[0] < screen.training.shown.broke_at and not message.display
        assert "Press e to run to the epoch's end" in words(app), words(app)


async def test_the_cost_beat_speaks_of_the_set_the_panel_averages_over(tiny_mnist_dir):
    async with at_beat(tiny_mnist_dir, COST) as pilot:
        app = pilot.app
        data = app.state.data
        assert f"Averaged over the {len(data.test):,} test images" in screen_text(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: f"over {len(data.train):,} training images" in screen_text(app), "the training set")
        await wait_for(
            pilot, lambda: f"Averaged over the {len(data.train):,} training images" in words(app), "the guide to follow"
        )
        assert "test images" not in words(app)


async def test_the_quiz_beat_keeps_the_question_and_its_instruction_on_screen(tiny_mnist_dir):
    async with at_beat(tiny_mnist_dir, COST) as pilot:
        app = pilot.app
        await pilot.press("v")
        await wait_for(pilot, lambda: app.screen.view == "quiz", "the quiz")
        await settle(pilot)
        text = screen_text(app)
        assert "The lesson's four outputs for a 4." in text, text
        assert "enter checks." in text, text


def _mnist_model() -> Network:
    """A model as `gdtui train --hidden 32 --epochs 1` makes it, on all of MNIST: many of its hidden neurons all
    but fully on, so that the last beat adds that ∂C₀/∂w is nearly δ, and the numbers run long."""
    network = Network((784, 32, 10), seed=0)
    trainer = Trainer(network, load_dataset(bundled_data_dir()).train, learning_rate=1.5, batch_size=10, seed=0)
    while trainer.epochs_done < 1:
        trainer.step()
    return network


async def test_the_last_beat_keeps_its_closing_line_on_a_network_of_one_hidden_layer():
    app = make_app(bundled_data_dir(), lesson=True, network=_mnist_model(), model_name="M.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, len(BEATS) - 1)
        await settle(pilot)
        assert "≈ δ, as a(L−1) ≈ 1" in words(app), words(app)
        assert "The end. R starts the lesson again, L hides the guide, q quits." in screen_text(app), words(app)


@pytest.mark.slow
async def test_every_beat_fits_its_words_on_a_model_trained_on_all_of_mnist():
    app = make_app(bundled_data_dir(), lesson=True, network=_mnist_model(), model_name="M.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for number in range(len(BEATS)):
            await go_to_beat(pilot, number)
            await settle(pilot)
            panel = app.screen.query_one(GuidePanel)
            needs = panel.get_content_height(panel.size, app.size, panel.content_region.width)
            assert needs <= panel.content_region.height, f"beat {number + 1}'s words are cut off: {words(app)}"


async def test_an_opened_model_that_reads_well_was_never_trash(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, lesson=True, network=trained.copy(), model_name="M.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, LEARNING + 1)
        text = words(app)
        assert "M.npz" in text and "trash" not in text.lower(), text


async def test_the_step_column_is_said_to_be_of_the_mini_batch_the_table_is_of(tiny_mnist_dir):
    """The table is of the next step's images, before the first step as after it: the beat says so in both."""
    async with at_beat(tiny_mnist_dir, STEP) as pilot:
        app = pilot.app
        assert "the step n takes, on the next mini-batch" in words(app), words(app)
        version = app.state.version
        await pilot.press("n")
        await wait_for(
            pilot, lambda: app.state.training.current_report() is not None and app.state.version != version, "the next gradient"
        )
        assert "over the next mini-batch" in screen_text(app) and "the step n takes, on the next mini-batch" in words(app)
        assert "last mini-batch" not in words(app) and "this mini-batch" not in words(app)


def test_the_trained_fixture_reads_well(trained, tiny_mnist_dir):
    """The opened model's beats above are about a network that reads most test digits right."""
    test = load_dataset(tiny_mnist_dir).test
    assert np.mean(trained.predict(test.inputs(slice(None))) == test.labels) > 0.5


async def test_the_whole_network_panel_gives_its_accuracy_one_way(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, lesson=True, network=trained.copy(), model_name="M.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, COST)
        screen = app.screen
        await wait_for(pilot, lambda: screen.measurement is not None and screen.progress is None, "the whole network's cost")
        await settle(pilot)
        share = f"{percent(screen.measurement.current.accuracy)}"
        text = screen_text(app)
        assert "accuracy" in text and f"{share} right" in text, text


async def test_the_quiz_beats_answer_keeps_its_point_on_screen(tiny_mnist_dir):
    """Checked, the beat's point is the sentence that sums the four costs up: on screen whatever the notes' length."""
    async with at_beat(tiny_mnist_dir, QUIZ) as pilot:
        app = pilot.app
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.state.quiz.answer_shown, "the answer")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert " ".join(quiz.SUMMARY["quadratic"].split()) in shown
        question = app.state.quiz.question
        for i in question.answer():  # and every option's row, whole
            assert f"{quiz.LETTERS[i]} {question.options[i].cost:.2f} {question.options[i].note}" in shown, shown


async def run_until_it_stops_itself(pilot, screen) -> None:
    """At η = 200, at full speed, until the run stops itself: the checks have found the network saturated over a
    whole span, and its gradient gone."""
    for _ in range(7):
        await pilot.press("plus")
    await full_speed(pilot, screen)
    await pilot.press("space")
    await wait_for(pilot, lambda: not screen.running and screen.training.run.verdict.kind == "stuck", "the run to stop")
    await settle(pilot)


async def test_the_big_gradient_beat_does_not_say_parameters_matter_of_a_gradient_that_has_vanished(tiny_mnist_dir):
    """A learner who raised η far on this beat saturates the network: its gradient all but vanishes, and the
    gradient view says no parameter matters much. The beat's words then say so too, not the opposite."""
    async with at_beat(tiny_mnist_dir, STEP) as pilot:
        app = pilot.app
        screen = app.screen
        assert "Some parameters matter far more" in words(app)
        await pilot.press("n")
        await run_until_it_stops_itself(pilot, screen)
        await wait_for(pilot, lambda: app.state.training.current_report() is not None, "the gradient of the last step")
        report = app.state.training.current_report()
        assert report.vanished, f"|∇C| = {report.norm:.3g}: the run did not saturate the network"
        await wait_for(pilot, lambda: "all but vanished" in words(app), "the beat to say the gradient has vanished")
        assert "Some parameters matter far more" not in words(app)
        # While a run goes on, the view shows the gradient of a few steps ago until the next is worked out:
        # the beat speaks of the one shown.
        at, shown = app.state.training.report
        app.state.training.report = (at - 1, shown)
        app.guide.show(screen)
        assert "all but vanished" in words(app), words(app)
        app.state.training.report = (at, shown)
        panel = screen.query_one(GuidePanel)
        assert panel.get_content_height(panel.size, app.size, panel.content_region.width) <= panel.content_region.height
        # What the beat is about, at 80×24 under the run's message: the gradient's size and at least one row of its ranking.
        for selector in BEATS[STEP].shows:
            assert problem_with(screen.query_one(selector)) is None, f"{selector}: {problem_with(screen.query_one(selector))}"
        assert screen.query_one("#ranking").region.height >= 2, "the ranking's header and a row"
        assert "u goes back to the weights of step" in " ".join(screen_text(app).split()), "the way back, whole"
        nudge = screen.query_one("#nudge")
        assert not nudge.display or problem_with(nudge) is None, "how to nudge, whole or not at all"


async def test_the_nudge_beat_shows_the_nudges_result_under_a_stopped_runs_message(tiny_mnist_dir):
    """The beat invites a nudge: at 80×24, beside the lesson's words and the message of a run that stopped
    itself, the nudge's result shows whole, a row of the ranking above it, and the way back stays on screen."""
    async with at_beat(tiny_mnist_dir, NUDGE) as pilot:
        app = pilot.app
        screen = app.screen
        await pilot.press("n")
        await settle(pilot)
        await run_until_it_stops_itself(pilot, screen)
        await wait_for(pilot, lambda: app.state.training.current_report() is not None, "the gradient of the last step")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.state.training.last_nudge is not None, "the nudge")
        await settle(pilot)
        nudge = screen.query_one("#nudge")
        assert "Nudged" in str(nudge.render()) and problem_with(nudge) is None, problem_with(nudge)
        assert screen.query_one("#ranking").row_count >= 1 and problem_with(screen.query_one("#ranking")) is None
        assert "u goes back to the weights of step" in " ".join(screen_text(app).split()), "the way back, whole"
        message = screen.query_one("#message")
        assert "Every check" not in str(message.render()), "the message in brief, its figures left out"
        await pilot.resize_terminal(80, 30)
        await wait_for(pilot, lambda: "Every check" in str(message.render()), "the whole message, with the rows for it")
        await pilot.press("L")
        await wait_for(pilot, lambda: not screen.has_class("-guided"), "the lesson hidden")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "Every check" in str(message.render()), "without the lesson's words, the rows for the whole message"


def test_the_big_gradient_beat_says_a_gradient_of_exactly_0_has_no_slope_to_rank(tiny_mnist_dir):
    """A gradient exactly 0, the view says, has nothing to rank: the beat says so too, not that some parameters
    matter far more, nor that it has 'all but' vanished."""
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    zeros = sensitivity.Zeros(blank_pixels=0, from_blank_pixels=0, from_still_neurons=state.network.num_params, other=0)
    flat = sensitivity.GradientReport(np.zeros(state.network.num_params), 1.0, 10, (), (), zeros)
    state.training.report = (state.version, flat)
    said = " ".join(filled(BEATS[STEP].text, state, None).split())
    assert "Some parameters matter far more" not in said and "all but" not in said, said
    assert "no parameter has any slope" in said, said
