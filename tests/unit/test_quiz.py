"""The ranking quiz and each output's share of the cost."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdtui.core import costs, quiz
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.training import Trainer
from tests.numerics import network_output_tolerance


@pytest.fixture(scope="module")
def tiny_data(tiny_mnist_dir):
    return load_dataset(tiny_mnist_dir)


@pytest.fixture(scope="module")
def trained(tiny_data):
    """A network that has learned enough for its costs to differ from image to image."""
    network = Network(seed=1)
    trainer = Trainer(network, tiny_data.train, seed=1)
    for _ in range(300):
        trainer.step()
    return network


def test_quadratic_terms_are_each_outputs_squared_miss():
    outputs = np.array([[0.43, 0.28, 0.9, 0.19]])
    targets = costs.one_hot(np.array([3]), 4, dtype=np.float64)
    terms = costs.terms("quadratic", outputs, targets)
    np.testing.assert_allclose(terms, [[0.43**2, 0.28**2, 0.9**2, 0.81**2]])
    np.testing.assert_allclose(terms.sum(axis=1), costs.cost("quadratic", outputs, targets))


def test_cross_entropy_has_one_term_the_right_digits():
    outputs = np.array([[0.1, 0.7, 0.2], [0.0, 0.0, 1.0]])
    targets = costs.one_hot(np.array([1, 2]), 3, dtype=np.float64)
    terms = costs.terms("cross-entropy", outputs, targets)
    np.testing.assert_allclose(terms, [[0.0, -math.log(0.7), 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(terms.sum(axis=1), costs.cost("cross-entropy", outputs, targets))
    assert not np.signbit(terms).any()  # no "-0.00" in a table


def test_a_right_ranking_passes_and_a_wrong_one_fails():
    option_costs = [1.11, 0.02, 1.94, 0.45]
    assert quiz.grade(option_costs, [2, 0, 3, 1])
    assert not quiz.grade(option_costs, [0, 2, 3, 1])
    assert not quiz.grade(option_costs, [1, 3, 0, 2])  # exactly backwards


def test_costs_equal_to_the_shown_precision_may_come_in_either_order():
    option_costs = [0.5012, 0.4988, 0.2, 0.1]  # both shown as 0.50
    assert quiz.grade(option_costs, [0, 1, 2, 3])
    assert quiz.grade(option_costs, [1, 0, 2, 3])
    apart = [0.51, 0.49, 0.2, 0.1]
    assert not quiz.grade(apart, [1, 0, 2, 3])


def test_a_ranking_must_be_a_permutation():
    with pytest.raises(ValueError, match="each of the 4 options once"):
        quiz.grade([1.0, 0.5, 0.2, 0.1], [0, 0, 1, 2])


def test_placed_right_marks_each_place():
    option_costs = [1.11, 0.02, 1.94, 0.45]
    assert quiz.placed_right(option_costs, [2, 0, 3, 1]) == [True] * 4
    assert quiz.placed_right(option_costs, [2, 3, 0, 1]) == [True, False, False, True]


def test_the_classic_question_costs_most_for_a_confident_miss_and_least_near_the_ideal():
    question = quiz.classic()
    assert question.label == 4 and question.kind == quiz.LESSON
    notes = [question.options[i].note for i in question.answer()]
    assert notes[0].startswith("confident and wrong: the 9")
    # Nine of the ten, the 4 among them at the top: "nine outputs" alone read as the nine others.
    assert notes[1].startswith("undecided: nine of the ten middling, 0.22 to 0.41,"), notes[1]
    assert notes[2].startswith("right but unsure")
    assert notes[3].startswith("near the ideal")
    np.testing.assert_allclose(question.options[1].cost, ((quiz.CLASSIC[1] - np.eye(10)[4]) ** 2).sum())
    assert quiz.rankable(question.costs)


def test_with_cross_entropy_the_classic_outputs_add_up_to_one_and_keep_their_order():
    question = quiz.classic("cross-entropy")
    rows = np.array([option.outputs for option in question.options])
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    np.testing.assert_allclose(question.costs, -np.log(rows[:, 4]))
    assert question.answer() == quiz.classic("quadratic").answer()
    assert quiz.recost(quiz.classic(), "cross-entropy").costs == question.costs


def test_explanations_say_what_kind_of_answer_it_is():
    ideal = np.eye(10)[7] * 0.9 + 0.02
    assert quiz.explain(ideal, 7, "quadratic") == "near the ideal: the 7 high, the rest near 0"
    miss = np.full(10, 0.02)
    miss[1], miss[7] = 0.9, 0.05
    assert quiz.explain(miss, 7, "quadratic") == "confident and wrong: the 1 at 0.90, the 7 off by 0.95"
    assert quiz.explain(miss, 7, "cross-entropy") == "confident and wrong: the 1 at 0.90, −ln 0.05"
    assert quiz.explain(np.full(10, 0.4), 7, "quadratic") == "undecided: all ten outputs middling, at 0.40, the 7 off by 0.60"
    assert quiz.explain(np.full(10, 0.1), 7, "cross-entropy") == "undecided: all ten outputs middling, at 0.10, −ln 0.10"


def test_the_first_question_is_the_lessons_and_an_untrained_network_gets_made_up_ones(tiny_data):
    rng = np.random.default_rng(0)
    assert quiz.next_question(0, Network(), tiny_data.test, "quadratic", rng).kind == quiz.LESSON
    question = quiz.next_question(1, Network(), tiny_data.test, "quadratic", rng)
    assert question.kind == quiz.MADE_UP and question.label == 4
    assert quiz.rankable(question.costs)


def test_generated_questions_are_the_networks_real_outputs_and_rankable(tiny_data, trained):
    rng = np.random.default_rng(3)
    labels, orders = [], set()
    for number in range(1, 8):
        question = quiz.next_question(number, trained, tiny_data.test, "quadratic", rng)
        assert question.kind == quiz.REAL
        assert quiz.rankable(question.costs)
        indices = [option.index for option in question.options]
        assert len(set(indices)) == 4
        orders.add(tuple(question.answer()))
        assert (tiny_data.test.labels[indices] == question.label).all()
        outputs = trained.forward(tiny_data.test.inputs(np.array(indices)))
        # Computed over the whole split there, over four rows here: rounded in another order.
        close = network_output_tolerance(trained.sizes)
        np.testing.assert_allclose([o.outputs for o in question.options], outputs, rtol=0, atol=close)
        targets = costs.one_hot(np.full(4, question.label), 10)
        # Ten squared misses of at most 1 each, every one off by at most 2·close.
        np.testing.assert_allclose(question.costs, costs.cost("quadratic", outputs, targets), rtol=0, atol=10 * 2 * close)
        labels.append(question.label)
    assert labels[0] == 4
    assert len(set(labels)) > 2  # other digits too
    assert len(orders) > 2  # the costliest option is not always in the same place


def test_recost_keeps_the_real_outputs(tiny_data, trained):
    question = quiz.next_question(1, trained, tiny_data.test, "quadratic", np.random.default_rng(0))
    again = quiz.recost(question, "quadratic")
    assert again.kind == quiz.REAL and again.costs == pytest.approx(question.costs)
    assert [o.index for o in again.options] == [o.index for o in question.options]


@given(label=st.integers(0, 9), seed=st.integers(0, 2**32 - 1))
def test_made_up_questions_are_rankable_and_of_the_four_kinds(label, seed):
    question = quiz.made_up(label, "quadratic", np.random.default_rng(seed))
    assert quiz.rankable(question.costs)
    notes = [question.options[i].note for i in question.answer()]
    assert notes[0].startswith("confident and wrong")
    assert "middling" in notes[1]
    assert notes[3].startswith("near the ideal")


def test_made_up_questions_for_cross_entropy_are_softmax_outputs():
    rng = np.random.default_rng(0)
    for label in range(10):
        question = quiz.made_up(label, "cross-entropy", rng)
        np.testing.assert_allclose([o.outputs.sum() for o in question.options], 1.0)
        assert quiz.rankable(question.costs)


def test_the_quiz_logic_does_not_need_textual():
    code = "import sys, gdtui.core.quiz, gdtui.core.costs; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("classes", [2, 4, 12])
def test_a_set_without_ten_classes_is_asked_about_its_own(tiny_data, classes):
    rng = np.random.default_rng(0)
    network = Network((784, 16, classes), seed=2)
    for number in range(3):
        question = quiz.next_question(number, network, tiny_data.test, "quadratic", rng)
        assert 0 <= question.label < classes
        assert all(option.outputs.shape == (classes,) for option in question.options)
        assert quiz.rankable(question.costs)


def test_explanations_and_questions_name_the_classes_when_they_have_names():
    names = tuple(f"class {k}" for k in range(10))
    miss = np.full(10, 0.02)
    miss[1], miss[7] = 0.9, 0.05
    assert quiz.explain(miss, 7, "quadratic", names) == "confident and wrong: class 1 at 0.90, class 7 off by 0.95"
    question = quiz.classic("quadratic", names)
    assert question.names == names and "class 4" in question.options[1].note
    assert quiz.recost(question, "cross-entropy").names == names


def test_an_undecided_answer_names_the_outputs_it_counts_so_they_can_be_checked():
    # The count of "middling" outputs is a judgement the reader cannot check; which outputs they are, they can.
    rng = np.random.default_rng(5)
    for outputs in (quiz.CLASSIC[0], *(rng.uniform(0.15, 0.33, size=10) for _ in range(20))):
        note = quiz.explain(outputs, 4, "quadratic")
        assert note.startswith("undecided: "), note
        low, high = (float(x) for x in re.findall(r"middling, (\d\.\d\d) to (\d\.\d\d)", note)[0])
        counted = int(np.count_nonzero((outputs.round(2) >= low) & (outputs.round(2) <= high)))
        said = "all ten outputs" if counted == 10 else f"{quiz.count(counted)} of the ten"
        assert note.startswith(f"undecided: {said} middling"), (note, outputs.round(2))
