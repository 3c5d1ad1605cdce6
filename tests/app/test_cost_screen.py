"""Step 3, Cost: every key it advertises does what it says."""

from __future__ import annotations

import dataclasses
import math
import re
import threading

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.widgets import ContentSwitcher

from gdtui.core import costs, quiz
from gdtui.core.network import Network
from gdtui.core.training import evaluate
from gdtui.core.words import percent
from gdtui.ui.screens import cost as cost_screen
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.widgets.cost_table import CostTable, formula
from gdtui.ui.widgets.layer_bars import LayerBars
from gdtui.ui.widgets.quiz_card import QuizCard
from tests.helpers import DEADLINE_S, make_app, open_step, screen_text, settle, wait_for, wait_until_loaded
from tests.numerics import network_output_tolerance
from tests.tiny_mnist import write_tiny_set

# The lesson's question, from the first key press: a confident 9 (c), many middling
# values (a), most outputs right (d), near the ideal (b). From a b c d to c a d b:
RIGHT_RANKING = ("c", "up", "up", "d", "up")


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def _open_cost(pilot, *keys: str):
    screen = await open_step(pilot, "3")
    await pilot.press(*keys)
    await settle(pilot)
    return screen


def _shown_keys(screen) -> dict[str, str]:
    return {key: active.binding.description for key, active in screen.active_bindings.items() if active.binding.show}


# The screen measures digit by digit, evaluate() in chunks of 2,000: the outputs round
# their last bits differently, and each of an example's ten squared misses (at most 1)
# may move by twice an output's difference. The average moves no more than one example.
COST_CLOSE = 10 * 2 * network_output_tolerance((784, 16, 16, 10))


def test_the_formula_keeps_the_right_digits_term_and_fits():
    outputs = np.array([0.43, 0.28, 0.5, 0.19, 0.6, 0.3, 0.7, 0.1, 0.2, 0.4])
    total = ((outputs - np.eye(10)[3]) ** 2).sum()
    full = formula(outputs, 3, "quadratic", 200)
    assert full.startswith("C = (0.43−0)² + (0.28−0)² + (0.50−0)² + (0.19−1)² + (0.60−0)²")
    assert full.endswith(f"(0.40−0)² = {total:.2f}") and "…" not in full
    short = formula(outputs, 8, "quadratic", 78)
    assert len(short) <= 78 and "(0.20−1)²" in short
    assert short.endswith(f"+ … = {((outputs - np.eye(10)[8]) ** 2).sum():.2f}")
    entropy = formula(outputs, 3, "cross-entropy", 80)
    assert entropy.startswith(f"C = −ln(output 3) = −ln 0.19 = {-math.log(0.19):.2f}")


def test_the_formulas_total_is_what_the_tables_terms_add_up_to_or_says_why_not():
    rng = np.random.default_rng(7)
    seen = set()
    for _ in range(200):
        outputs = rng.uniform(0, 1, size=10)
        terms = (outputs - np.eye(10)[4]) ** 2
        shown = sum(float(f"{term:4.2f}") for term in terms)  # the column, as the table shows it
        total = f"{terms.sum():.2f}"
        text = formula(outputs, 4, "quadratic", 78)
        if f"{shown:.2f}" == total:
            assert text.endswith(f"= {total}"), text
        else:
            assert text.endswith(f"≈ {total} (terms rounded)"), (text, shown)
        seen.add(f"{shown:.2f}" == total)
    assert seen == {True, False}


async def test_the_example_shows_outputs_target_and_each_squared_miss(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        outputs = app.state.network.forward(app.state.chosen.inputs())[0]
        table = screen.query_one(CostTable)
        np.testing.assert_allclose(table._outputs, outputs, rtol=1e-6)
        assert table._label == 5
        rendered = str(table.render())
        assert f"{(outputs[5] - 1) ** 2:.2f} ◀" in rendered
        cost = float(((outputs - np.eye(10)[5]) ** 2).sum())
        # The total, with '≈' where the table's rounded terms add up to another figure.
        assert re.search(rf"[=≈] {cost:.2f}( \(terms rounded\))?$", _text(screen, "#formula"))
        assert "It wants output 5 at 1, the rest at 0" in _text(screen, "#example-title")
        about = _text(screen, "#about")
        assert f"{app.state.network.num_params:,} weights and biases" in about and "one number" in about


async def test_n_and_p_pick_another_example(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await pilot.press("n", "n")
        await settle(pilot)
        assert app.state.chosen.index == 2
        assert "train #2 of 1,000, a 4" in _text(screen, "#example-title")
        assert screen.query_one(CostTable)._label == 4
        await pilot.press("p")
        assert app.state.chosen.index == 1


async def test_an_input_without_a_label_has_no_cost(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        app.state.chosen.use_noise(np.random.default_rng(0))
        screen = await _open_cost(pilot)
        assert "no digit is the right answer" in _text(screen, "#example-title")
        assert _text(screen, "#formula") == ""


async def test_the_average_over_the_test_set_is_evaluate_for_both_networks(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, network=trained.copy())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot)
        test = app.state.data.test
        expected = evaluate(trained, test, "quadratic")
        fresh = evaluate(Network(seed=app.state.seed), test, "quadratic")
        found = screen.measurement
        assert found.split == "test" and found.current.examples == len(test)
        assert found.current.cost == pytest.approx(expected.cost, abs=COST_CLOSE)
        assert found.current.accuracy == pytest.approx(expected.accuracy)
        assert found.random.cost == pytest.approx(fresh.cost, abs=COST_CLOSE)
        whole = _text(screen, "#whole")
        assert f"{expected.cost:.2f}" in whole and f"{fresh.cost:.2f}" in whole
        assert f"{percent(expected.accuracy)}" in whole and f"{percent(expected.accuracy)} right: it does well" in whole
        assert expected.cost < fresh.cost  # training lowered it


async def test_t_measures_the_training_set_and_back(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        assert _shown_keys(screen)["t"] == "Train set"
        shown = []
        draw = screen._draw_whole

        def watch_progress() -> None:
            draw()
            if screen.progress is not None:
                shown.append((screen.progress, _text(screen, "#whole")))

        screen._draw_whole = watch_progress
        await pilot.press("t")
        await settle(pilot)
        # Progress that waits while newer comes in is replaced by it: the last one is always drawn.
        fractions = [fraction for fraction, _ in shown]
        assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
        assert all("measuring" in text for _, text in shown)
        expected = evaluate(app.state.network, app.state.data.train, "quadratic")
        assert screen.measurement.split == "train"
        assert screen.measurement.current.cost == pytest.approx(expected.cost, abs=COST_CLOSE)
        assert screen.progress is None and "over 1,000 training images" in _text(screen, "#whole")
        assert _shown_keys(screen)["t"] == "Test set"
        await pilot.press("t")
        await settle(pilot)
        assert screen.measurement.split == "test"


async def test_a_measurement_asked_for_again_replaces_the_stale_one(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        await pilot.press("t", "t")  # train, then test again before the first is done
        await settle(pilot)
        assert screen.measurement.split == "test"
        expected = evaluate(app.state.network, app.state.data.test, "quadratic")
        assert screen.measurement.current.cost == pytest.approx(expected.cost, abs=COST_CLOSE)


async def test_a_measurement_no_longer_wanted_never_replaces_the_one_shown(screen_on, monkeypatch):
    async with screen_on("3") as (pilot, screen):
        await settle(pilot)
        shown = screen.measurement
        gate = threading.Event()

        def held(*args, **kwargs):
            gate.wait(DEADLINE_S)
            return evaluate(*args, **kwargs)

        monkeypatch.setattr(cost_screen, "evaluate", held)
        await pilot.press("t", "t")  # the training set, then the test set again before the first is measured
        gate.set()
        await settle(pilot)
        assert screen.measurement is shown and screen.measurement.split == "test"
        assert screen.progress is None and "measuring" not in _text(screen, "#whole")


async def test_a_network_changed_while_shown_is_measured_again_without_a_key(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        app.state.randomize_network()
        await wait_for(pilot, lambda: screen.measurement.version == app.state.version, "the new network to be measured")
        expected = evaluate(app.state.network, app.state.data.test, "quadratic")
        assert screen.measurement.current.cost == pytest.approx(expected.cost, abs=COST_CLOSE)
        assert "current: random, seed 1" in _text(screen, "#whole")


async def test_m_measures_the_network_as_it_is_now_on_a_copy(screen_on, trained):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        test = app.state.data.test
        before = evaluate(app.state.network, test, "quadratic")
        # Training changes the live network in place, here while the screen is shown.
        np.copyto(app.state.network.params, trained.params)
        await pilot.press("m")
        # …and goes on changing it while the measurement runs: that must not leak in.
        app.state.network.params[:] = 0.0
        await settle(pilot)
        assert screen.measurement.current.cost == pytest.approx(evaluate(trained, test, "quadratic").cost, abs=COST_CLOSE)
        assert screen.measurement.current.cost != pytest.approx(before.cost)


async def test_v_switches_between_the_example_and_the_quiz(screen_on):
    async with screen_on("3") as (pilot, screen):
        await settle(pilot)
        assert _shown_keys(screen) == {
            "v": "Quiz",
            "n": "Next",
            "p": "Prev",
            "t": "Train set",
            "m": "Measure again",
            "f": "Cost fn",
            "question_mark": "Help",
            "q": "Quit",
            "L": "Lesson",
        }
        await pilot.press("v")
        assert screen.query_one(ContentSwitcher).current == "quiz"
        shown = _shown_keys(screen)
        assert shown["v"] == "Example" and shown["enter"] == "Check"
        assert {"left", "right", "up", "down"} <= shown.keys() and "n" not in shown
        assert "Question 1" in _text(screen, "#quiz-title") and "for a 4" in _text(screen, "#quiz-title")
        await pilot.press("v")
        assert screen.query_one(ContentSwitcher).current == "example"


async def test_arrows_and_letters_pick_and_move_options(screen_on):
    async with screen_on("3") as (pilot, screen):
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("right")
        assert screen.selected == 1 and screen.query_one("#card-1").has_class("-selected")
        await pilot.press("left", "left")
        assert screen.selected == 3  # wraps around
        await pilot.press("up")
        assert screen.ranking == (0, 1, 3, 2)
        await pilot.press("down", "down")  # already last: stays
        assert screen.ranking == (0, 1, 2, 3)
        await pilot.press("b", "up")
        assert screen.selected == 1 and screen.ranking == (1, 0, 2, 3)
        assert "b · 1st" in _text(screen.query_one("#card-1"), ".title")
        await pilot.press("a", "c", "d")
        assert screen.selected == 3


async def test_a_right_ranking_scores_and_shows_the_costs_and_why(screen_on):
    async with screen_on("3") as (pilot, screen):
        await pilot.press("v", *RIGHT_RANKING)
        await settle(pilot)
        assert screen.ranking == (2, 0, 3, 1)
        assert screen.query_one("#card-2", QuizCard).query_one(LayerBars).title == "cost ?"
        await pilot.press("enter")
        assert (screen.state.quiz.right, screen.state.quiz.asked) == (1, 1)
        assert "Right" in _text(screen, "#verdict") and "score 1 of 1" in _text(screen, "#quiz-title")
        question = quiz.classic()
        for i, option in enumerate(question.options):
            assert screen.query_one(f"#card-{i}", QuizCard).query_one(LayerBars).title == f"cost {option.cost:.2f}"
        explanations = _text(screen, "#explanations")
        assert explanations.splitlines()[0].startswith("c  1.94  confident and wrong: the 9")
        assert "near the ideal" in explanations.splitlines()[3]
        assert quiz.SUMMARY["quadratic"] in explanations


async def test_a_wrong_ranking_keeps_the_score_and_gives_the_right_order(screen_on):
    async with screen_on("3") as (pilot, screen):
        await pilot.press("v", "enter")
        await settle(pilot)
        assert (screen.state.quiz.right, screen.state.quiz.asked) == (0, 1)
        verdict = _text(screen, "#verdict")
        assert "Not quite" in verdict and "c, a, d, b" in verdict
        assert "✗" in _text(screen, "#ranking")
        await pilot.press("up")  # the ranking is locked once checked
        assert screen.ranking == (0, 1, 2, 3)


async def test_enter_after_checking_asks_a_new_question(screen_on):
    async with screen_on("3") as (pilot, screen):
        await pilot.press("v", *RIGHT_RANKING, "enter")
        await settle(pilot)
        assert _shown_keys(screen)["enter"] == "Next"
        await pilot.press("enter")
        assert not screen.checked and screen.ranking == (0, 1, 2, 3)
        # A random network answers every image alike: the question is made up, and says so.
        assert screen.question.kind == quiz.MADE_UP
        assert "Question 2" in _text(screen, "#quiz-title") and "Made-up" in _text(screen, "#quiz-title")
        assert "the network's outputs for images of a 4 all cost about the same" in _text(screen, "#quiz-title")
        await pilot.press("enter")
        assert screen.state.quiz.asked == 2


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
async def test_a_checked_question_shows_all_its_answer_at_80x24(tiny_mnist_dir, cost):
    """The question, the verdict, each option's cost and why, and the closing sentence on what costs most: for
    the lesson's question, and for the one after it, on a random network made up, and its question the longest.
    Each answered wrong: the verdict then gives the right order too."""
    network = Network(seed=0) if cost == "quadratic" else Network(output="softmax", seed=0)
    app = make_app(tiny_mnist_dir, network=network)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot, *(("f",) if cost == "cross-entropy" else ()), "v", "enter")
        for number in (1, 2):
            if number == 2:
                await pilot.press("enter", "enter")
            await settle(pilot)
            assert screen.checked and screen.cost_name == cost and f"Question {number}" in _text(screen, "#quiz-title")
            assert screen.question.kind == (quiz.LESSON if number == 1 else quiz.MADE_UP)
            shown = " ".join(screen_text(app).split())
            for selector in ("#quiz-title", "#verdict", "#explanations"):
                for line in _text(screen, selector).splitlines():
                    assert " ".join(line.split()) in shown, f"question {number}: {line!r} not on screen"
            assert _shown_keys(screen).get("down") != "Scroll the answer down", "nothing to scroll"


# As long as a classes.txt name may be: 20 characters. Each option's why names the class, and wraps.
LONG_NAMES = tuple(f"long-named class #{i:02d}" for i in range(10))


async def test_an_answer_longer_than_its_rows_scrolls_with_the_arrows_and_says_so(tmp_path):
    data = write_tiny_set(tmp_path, train=60, test=20, classes=LONG_NAMES)
    app = make_app(data, network=Network(seed=0))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot, "v", "enter", "enter", "enter")
        await settle(pilot)
        assert screen.checked and screen.question.kind == quiz.MADE_UP
        lines = [" ".join(line.split()) for line in _text(screen, "#explanations").splitlines()]
        shown = " ".join(screen_text(app).split())
        assert _text(screen, "#verdict").split(".")[0] in shown, "the verdict first"
        assert lines[-1] not in shown and _shown_keys(screen).get("down") == "Scroll the answer down"
        seen = shown
        for _ in range(len(lines) * 3):
            await pilot.press("down")
            await pilot.pause()
            seen += " " + " ".join(screen_text(app).split())
        for line in lines:
            assert line in seen, f"{line!r} never on screen"
        assert screen.ranking == (0, 1, 2, 3), "the arrows scroll the checked answer, not the ranking"
        # Drawn again for another network, the same answer keeps the place the learner scrolled to.
        answer = screen.query_one("#answer")
        scrolled = answer.scroll_y
        app.state.use_network(Network(seed=1), "random, seed 1")
        await settle(pilot)
        assert answer.scroll_y == scrolled > 0
        await pilot.press("enter")
        await settle(pilot)
        assert "down" not in _shown_keys(screen) or _shown_keys(screen)["down"] != "Scroll the answer down"


async def test_a_made_up_question_stays_true_after_a_trained_network_is_opened(screen_on, trained):
    async with screen_on("3") as (pilot, screen):
        await pilot.press("v", *RIGHT_RANKING, "enter", "enter")
        await settle(pilot)
        assert screen.question.kind == quiz.MADE_UP
        pilot.app.state.use_network(trained.copy(), "mine.npz")
        await settle(pilot)
        title = _text(screen, "#quiz-title")
        assert "Made-up" in title and "untrained" not in title and "when this question came up" in title


async def test_a_trained_network_is_quizzed_on_its_real_outputs(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir, network=trained.copy())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_cost(pilot, "v", "enter", "enter")
        question = screen.question
        assert question.kind == quiz.REAL and question.label == 4
        assert "real outputs for four test images of a 4" in _text(screen, "#quiz-title")
        card = screen.query_one("#card-0", QuizCard)
        assert card.has_class("-with-image") and card.query_one("DigitView").display


async def test_f_cannot_choose_cross_entropy_for_sigmoid_outputs_and_says_why(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await pilot.press("f")
        await settle(pilot)
        assert screen.cost_name == "quadratic"
        assert any("softmax" in str(n.message) for n in app._notifications)
        assert "Cross-entropy needs softmax outputs; this network's are sigmoid" in _text(screen, "#about")


async def test_f_switches_to_cross_entropy_for_softmax_outputs(tiny_mnist_dir):
    network = Network(activation="relu", output="softmax", seed=3)
    app = make_app(tiny_mnist_dir, network=network.copy())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot, "f")
        await settle(pilot)
        assert screen.cost_name == "cross-entropy"
        outputs = network.forward(app.state.chosen.inputs())[0]
        assert _text(screen, "#formula").startswith(f"C = −ln(output 5) = −ln {outputs[5]:.2f}")
        expected = evaluate(network, app.state.data.test, "cross-entropy")
        assert screen.measurement.cost == "cross-entropy"
        assert screen.measurement.current.cost == pytest.approx(expected.cost, abs=COST_CLOSE)
        await pilot.press("v")
        assert screen.question.costs == quiz.classic("cross-entropy").costs
        assert "cross-entropy" in _text(screen, "#quiz-title")
        await pilot.press("f")
        assert screen.cost_name == "quadratic" and screen.question.costs == quiz.classic().costs


async def test_help_lists_the_keys_the_footer_leaves_out(screen_on):
    async with screen_on("3") as (pilot, screen):
        app = pilot.app
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        assert "Measure again" in text and "Pick option a" in text and "cross-entropy" in text
        assert "Move it up the ranking" in text


class _TableApp(App):
    def compose(self) -> ComposeResult:
        yield CostTable()


async def test_cross_entropy_costs_in_the_table_are_the_right_digits_alone():
    async with _TableApp().run_test() as pilot:  # drawn in an app's theme: its mark takes the theme's colour
        table = pilot.app.query_one(CostTable)
        outputs = np.full(10, 0.05)
        outputs[2] = 0.55
        table.show(outputs, 2, "cross-entropy")
        rendered = str(table.render())
    assert f"{-math.log(0.55):.2f} ◀" in rendered
    targets = costs.one_hot(np.array([2]), 10, dtype=np.float64)
    assert np.count_nonzero(costs.terms("cross-entropy", outputs[None], targets)) == 1


async def test_a_low_cost_beside_a_chance_accuracy_is_not_called_doing_well(tiny_mnist_dir):
    saturated = Network(seed=0)
    saturated.biases[-1][:] = -60.0  # every output near 0: the quadratic cost is about 1, the answers luck
    app = make_app(tiny_mnist_dir, network=saturated)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot)
        found = screen.measurement
        assert found.current.cost < found.random.cost / 2 and found.current.accuracy < 0.2
        whole = _text(screen, "#whole")
        assert "does well" not in whole
        assert "chance" in whole and "near 0" in whole, whole


async def test_the_verdict_on_the_whole_network_reads_its_accuracy(tiny_mnist_dir, trained):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot)
        assert "many mistakes" in _text(screen, "#whole")  # random weights: as good as a guess
        app.state.use_network(trained.copy(), "trained")
        await pilot.press("m")
        await settle(pilot)
        accuracy = screen.measurement.current.accuracy
        whole = _text(screen, "#whole")
        assert f"{percent(accuracy)} right" in whole and "does well" in whole, whole


def _shown_inside(app, selector: str) -> str:
    """What a widget's area of the screen shows, its lines joined: what the learner reads there."""
    region = app.screen.query_one(selector).content_region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    return " ".join(" ".join(strip.crop(region.x, region.right).text for strip in strips).split())


@pytest.mark.parametrize("which", ["saturated", "trained"])
async def test_the_whole_networks_verdict_and_origin_are_on_screen_whole_at_80x24(tiny_mnist_dir, trained, which):
    if which == "saturated":
        network = Network(seed=0)
        network.biases[-1][:] = -60.0  # the longest verdict: a low cost at chance
    else:
        network = trained.copy()
    app = make_app(tiny_mnist_dir, network=network)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot)
        if which == "trained":
            app.state.use_network(trained.copy(), "trained 300 steps from seed 1 on the tiny set")
            await pilot.press("m")
            await settle(pilot)
        shown = _shown_inside(app, "#whole")
        assert screen._judged(screen.measurement) in shown, shown
        # In as few words as the box's width asks: a model file's name cut in its middle, on one line.
        room = screen.query_one("#whole").content_size.width - len("current: ")
        assert f"current: {app.state.network_origin_in(room)}" in shown, shown


@pytest.mark.parametrize("accuracy", [0.3, 0.9])
async def test_the_verdict_never_calls_a_cost_above_the_random_network_s_lower(tiny_mnist_dir, accuracy):
    # Right more often than chance, yet costlier than guessing: a network sure of its mistakes.
    from gdtui.core.training import Evaluation

    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot)
        found = cost_screen.Measurement("test", "cross-entropy", 0, Evaluation(2.3, 0.1, 200), Evaluation(3.1, accuracy, 200), [])
        said = screen._judged(found)
        assert "Higher cost" in said and "Lower cost" not in said and "does well" not in said, said


@pytest.mark.parametrize(("accuracy", "reading"), [(0.1, ": chance"), (0.194, ": little better than chance")])
async def test_the_verdict_calls_chance_only_what_is_near_it(tiny_mnist_dir, accuracy, reading):
    # Twice as often right as guessing is not chance: 19.4 % on ten classes was called so.
    from gdtui.core.training import Evaluation

    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_cost(pilot)
        random = Evaluation(2.3, 0.1, 200)
        for cost in (3.0, 1.0):  # a cost above half the random network's, and one below: the longest verdict
            found = dataclasses.replace(screen.measurement, random=random, current=Evaluation(cost, accuracy, 200))
            said = screen._judged(found)
            assert f"{percent(accuracy)} right{reading}" in said, said
        # Drawn, the longest is whole at 80×24.
        screen.measurement = found
        screen._draw_whole()
        await settle(pilot)
        shown = _shown_inside(app, "#whole")
        assert said in shown, shown


async def test_the_cost_functions_sentence_stays_whole_under_the_lessons_row_at_80x24(tiny_mnist_dir):
    """A step taken on Training, then Cost under the lesson's row: the whole network's box, its verdict at its
    longest (a low cost at chance), took the rows of the sentence below that says which cost is used, cut to
    "… Cross-entropy needs"."""
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("n")
        await settle(pilot)
        screen = await _open_cost(pilot)
        await wait_for(pilot, lambda: screen.measurement is not None and screen.progress is None, "the measurement")
        about = " ".join(screen._about().split())
        assert about.endswith("this network's are sigmoid."), about
        text = screen_text(app)
        assert "this network's are sigmoid." in " ".join(text.split()), text
