"""A training run: its history, its epochs from 0, and the truth of what it says about itself."""

import dataclasses
import math
import textwrap

import numpy as np
import pytest

from gdtui.core.dataset import load_dataset
from gdtui.core.drive import advance, advice, after_going_back, reason
from gdtui.core.health import CHECK_IMAGES, STUCK_IMAGES, Health, check
from gdtui.core.network import Network
from gdtui.core.run import RISING_FACTOR, Checkpoint, TrainingRun, Trend, Verdict, window_for
from gdtui.core.training import Refusal


@pytest.fixture(scope="module")
def tiny(tiny_mnist_dir):
    return load_dataset(tiny_mnist_dir)


def lesson_run(tiny, **options) -> TrainingRun:
    settings = {"cost": "quadratic", "learning_rate": 1.5, "batch_size": 10, **options}
    return TrainingRun(Network(seed=0), tiny.train, tiny.test, **settings)


def steps(run: TrainingRun, count: int) -> None:
    for _ in range(count):
        _, end = run.step()
        if end is not None:
            run.add_epoch(run.evaluate(end))


def test_mini_batch_noise_around_a_steady_cost_is_never_a_rise():
    rng = np.random.default_rng(0)
    trend = Trend(200)
    for _ in range(200 * 500):  # 500 windows of a cost that only wobbles, as mini-batches do
        trend.add(float(rng.gamma(1.0, 0.17)))
        assert not trend.rising


def test_a_real_rise_is_one_whatever_the_noise():
    rng = np.random.default_rng(1)
    trend = Trend(50)
    for mean in (0.3, 0.2, 0.15, 0.3, 0.4, 0.45):
        for _ in range(50):
            trend.add(float(rng.gamma(4.0, mean / 4)))
        assert not trend.rising or mean >= 0.4  # three windows well above the best, no fewer
    assert trend.rising and trend.latest >= RISING_FACTOR * trend.best[0]


def test_a_change_of_learning_rate_is_judged_on_whole_windows_of_its_own_steps():
    trend = Trend(10)
    for cost in [0.2] * 30:
        trend.add(cost)
    trend.rate_changed(larger=True)
    for _ in range(29):
        trend.add(5.0)  # one high cost after another, but not yet three whole windows of them
        assert not trend.rising
    trend.add(5.0)
    assert trend.rising  # a larger η is held to the best before it
    trend.rate_changed(larger=False)
    for _ in range(30):
        trend.add(0.9)  # the smaller η inherits a high cost: its own windows do not rise
    assert not trend.rising


def test_the_trend_window_spans_about_two_thousand_images():
    assert window_for(10) == 200 and window_for(100) == 20 and window_for(1) == 200 and window_for(60_000) == 5


def test_epoch_zero_is_the_network_before_the_first_step(tiny):
    run = lesson_run(tiny)
    start = run.start()
    assert start is not None and start.epoch == 0 and start.step == 0 and start.train_cost is None
    run.add_epoch(run.evaluate(start))
    (record,) = run.epochs
    assert 0.0 <= record.test_accuracy <= 0.3  # a random network: about one in ten
    assert run.start() is None
    steps(run, 100)  # one epoch of the tiny set
    assert [r.epoch for r in run.epochs] == [0, 1]
    assert run.epochs[1].test_accuracy > record.test_accuracy


def test_a_start_measured_after_the_first_epoch_is_dropped(tiny):
    run = lesson_run(tiny)
    start = run.start()
    steps(run, 100)
    run.add_epoch(run.evaluate(start))
    assert [r.epoch for r in run.epochs] == [1]


def stuck_after(run: TrainingRun, epochs: int) -> int | None:
    """The first step, within `epochs` of the tiny set, at which the run is judged stuck; None if never."""
    for _ in range(epochs * len(run.trainer.train) // run.batch_size):
        steps(run, 1)
        if run.verdict.kind == "stuck":
            return run.trainer.steps
    return None


def step_until(run: TrainingRun, kind: str, epochs: int = 10) -> None:
    """Step until the run's verdict is of that kind; within `epochs` of the tiny set, or the test fails."""
    for _ in range(epochs * len(run.trainer.train) // run.batch_size):
        if run.verdict.kind == kind:
            return
        steps(run, 1)
    raise AssertionError(f"no {kind!r} verdict within {epochs} epochs")


def test_dead_relus_are_found_stuck(tiny):
    # The tuned preset's network at the lesson's η: its ReLUs die within the first epoch.
    run = TrainingRun(
        Network(activation="relu", output="softmax", seed=0),
        tiny.train,
        tiny.test,
        cost="cross-entropy",
        learning_rate=1.5,
        batch_size=10,
    )
    assert stuck_after(run, 10) is not None
    verdict = run.verdict
    assert verdict.health is not None and verdict.health.blind and verdict.span >= STUCK_IMAGES
    assert 16 in verdict.health.dead  # a whole layer of neurons that give 0 for every image
    assert "dead ReLUs" in verdict.health.sentence(verdict.span)
    assert max(record.test_accuracy for record in run.epochs) < 0.2  # no better than one answer for everything


@pytest.mark.parametrize("eta", [50.0, 200.0])
def test_a_huge_step_saturates_sigmoid_neurons_and_the_run_says_so_once_it_lasts(tiny, eta):
    run = lesson_run(tiny, learning_rate=eta)
    steps(run, 2)
    assert run.verdict.kind == "failing"  # told at once, but a moment proves nothing: the run goes on
    assert stuck_after(run, 10) is not None
    verdict = run.verdict
    assert verdict.health is not None and verdict.span >= STUCK_IMAGES
    assert "saturated sigmoids" in verdict.health.sentence(verdict.span)
    assert run.snapshot().verdict.kind == "stuck"


def test_a_network_the_checks_find_unable_to_learn_is_told_so_long_before_the_run_is_judged_stuck(tiny):
    run = lesson_run(tiny)
    steps(run, 300)  # it learns for a while at the lesson's η
    run.learning_rate = 50.0
    seen = []
    for _ in range(10 * len(tiny.train) // run.batch_size):  # ten epochs at most: never a test that hangs
        if run.verdict.kind == "stuck":
            break
        steps(run, 1)
        if run.verdict.kind not in seen:
            seen.append(run.verdict.kind)
            if run.verdict.kind == "failing":
                first, told = run.trainer.steps, advice(run.verdict)
    assert seen == ["", "failing", "stuck"]
    # Within two checks of the larger η, not after the span that proves it stuck.
    assert (first - 300) * run.batch_size <= 2 * CHECK_IMAGES < STUCK_IMAGES
    assert "saturated sigmoids" in told and "η = 50" in told and f"{STUCK_IMAGES:,} training images" in told
    assert "u goes back to the weights of step 300, and - lowers η" in told


def test_weights_a_check_finds_saturated_are_never_the_ones_to_go_back_to(tiny):
    # From random weights, whose cost (about 3) is higher than a saturated network's (about 1).
    run = lesson_run(tiny, learning_rate=50.0)
    step_until(run, "failing")
    good = run.verdict.good
    assert good is None or (good.step < run.trainer.steps and not good.health.saturated)
    assert "u goes back" not in advice(run.verdict) or good is not None


def test_a_warning_is_of_the_learning_rate_the_check_was_taken_at(tiny):
    run = lesson_run(tiny)
    steps(run, 300)
    run.learning_rate = 50.0
    step_until(run, "failing")
    run.learning_rate = 1.5  # too late: the damage is done, and the checks go on finding it
    for _ in range(2 * CHECK_IMAGES // run.batch_size):
        steps(run, 1)
        told = advice(run.verdict)
        assert "η = 1.5" not in told, told
    assert run.verdict.kind == "failing" and "The steps at η = 50 were likely too large" in told, told


def test_a_paused_run_s_warning_does_not_say_space_pauses(tiny):
    run = lesson_run(tiny, learning_rate=50.0)
    step_until(run, "failing")
    assert "space pauses" in advice(run.verdict)
    assert "space pauses" not in advice(run.verdict, paused=True)


def test_pinned_softmax_outputs_are_found_stuck(tiny):
    run = TrainingRun(
        Network(output="softmax", seed=0), tiny.train, tiny.test, cost="quadratic", learning_rate=100.0, batch_size=10
    )
    assert stuck_after(run, 10) is not None
    assert run.verdict.health is not None and run.verdict.health.vanished


def test_the_lessons_network_at_batch_1_is_never_stuck_while_it_learns(tiny):
    run = lesson_run(tiny, batch_size=1)
    assert stuck_after(run, 5) is None
    assert run.epochs[-1].test_accuracy > 0.5


def test_confident_wrong_outputs_are_no_proof_of_a_stuck_network(tiny):
    """Most outputs at 0 or 1 and a high cost: how a confident network learning at batch 1 can look for a moment.

    Its outputs still differ from image to image and its gradient has not vanished: it can learn.
    """
    run = lesson_run(tiny, batch_size=1)
    steps(run, 2000)
    run.network.weights[-1][:] *= 3
    run.network.biases[-1][:] *= 3
    outputs = run.network.forward(run._probe[0])
    flat = np.mean(outputs * (1 - outputs) < 1e-3)
    assert flat >= 0.8 and check(run.network, *run._probe, "quadratic", 0, 0.0).cost >= 0.5  # how it looks
    steps(run, 1000)  # past the next check
    assert run.watch.latest is not None and run.watch.latest.samples > 2000
    assert not run.watch.latest.hopeless
    assert stuck_after(run, 5) is None


def test_healthy_training_at_the_lessons_rate_says_nothing(tiny):
    run = lesson_run(tiny)
    for _ in range(20):  # 2,000 steps, twenty epochs of the tiny set
        steps(run, 100)
        assert run.verdict.kind == ""


def test_a_diverged_step_is_reported_and_the_next_step_tries_again(tiny):
    run = lesson_run(tiny, learning_rate=1e9)
    result, _ = run.step()
    assert result.diverged and run.verdict.kind == "diverged" and run.snapshot().steps == 0
    run.learning_rate = 1.5
    result, _ = run.step()
    assert not result.diverged and run.verdict.kind == ""


def test_the_snapshot_is_a_copy_and_the_last_cost_is_the_last_batch(tiny):
    run = lesson_run(tiny)
    result, _ = run.step()
    shot = run.snapshot()
    assert shot.last_cost == result.cost and shot.steps == 1 and shot.samples == 10
    batch = shot.last_batch.copy()
    run.step()
    assert (shot.last_batch == batch).all() and shot.steps == 1
    assert run.snapshot().last_cost != shot.last_cost


def test_the_network_gradient_is_the_steps_not_the_health_checks(tiny):
    run = lesson_run(tiny)
    run.step()
    grad = run.network.grad.copy()
    assert run.verdict.kind == ""  # checking it works the network out on the probe images
    assert (run.network.grad == grad).all()


def test_settings_asked_for_take_effect_at_the_next_step_and_show_at_once(tiny):
    run = lesson_run(tiny)
    run.request(learning_rate=0.5)
    assert run.requested == (0.5, 10) and run.learning_rate == 1.5
    run.request(batch_size=100)
    assert run.requested == (0.5, 100)
    result, _ = run.step()
    assert run.learning_rate == 0.5 and len(result.labels) == 100 and run.trend.window == 20


def test_advance_stops_at_its_goal_and_measures_each_epoch_it_ends(tiny):
    run = lesson_run(tiny)
    assert advance(run, "step") == "step" and run.trainer.steps == 1 and not run.epochs
    assert advance(run, "epoch") == "epoch" and run.trainer.epochs_done == 1
    assert [record.epoch for record in run.epochs] == [1]
    assert advance(run, "run", going=lambda: False) == "paused" and run.trainer.epochs_done == 1


def test_advance_stops_a_run_that_can_go_no_further_and_both_say_why(tiny):
    run = lesson_run(tiny, learning_rate=1e9)
    assert advance(run, "run") == "diverged" and run.trainer.steps == 0
    assert reason(run.verdict).endswith("the learning rate is too large")
    assert "Lower η with -" in advice(run.verdict)
    run = lesson_run(tiny, learning_rate=50.0)
    assert advance(run, "run") == "stuck"
    assert reason(run.verdict).startswith(run.verdict.health.sentence(run.verdict.span))
    assert "The run stopped" in advice(run.verdict)


def test_a_snapshot_changes_nothing_and_new_settings_wait_for_their_step(tiny):
    run = lesson_run(tiny)
    run.step()
    run.request(learning_rate=0.5)
    assert run.snapshot().learning_rate == 1.5 and run.learning_rate == 1.5
    run.apply_requests()
    assert run.learning_rate == 0.5 and run.verdict.learning_rate == 0.5


def test_a_run_a_huge_step_left_stuck_keeps_the_weights_from_before_the_damage(tiny):
    run = lesson_run(tiny)
    steps(run, 300)  # it learns for a while at the lesson's η
    learned = run.network.params.copy()
    run.learning_rate = 50.0
    assert stuck_after(run, 10) is not None
    good = run.verdict.good
    # The weights as the larger η found them: a check after its first step finds them worse already.
    assert good is not None and good.step == 300 and np.array_equal(good.params, learned)
    assert not good.health.hopeless and good.health.accuracy > 0.5
    assert "u goes back to the weights of step" in advice(run.verdict)
    run.go_back(good)
    assert np.array_equal(run.network.params, good.params) and run.verdict.kind == ""
    assert run.verdict.good is None
    # The guesses shown beside the last mini-batch are those of the weights put back, not of those given up.
    shot = run.snapshot()
    assert shot.back_to == 300
    expected = run.network.forward(tiny.train.inputs(shot.last_batch)).argmax(axis=1)
    assert np.array_equal(shot.last_outputs.argmax(axis=1), expected)


@pytest.mark.parametrize(("better_by", "kept"), [(1.03, "the weights before the raise"), (1.2, "the older weights")])
def test_a_larger_rate_keeps_the_weights_from_before_it_if_older_ones_did_little_better_on_the_probe(tiny, better_by, kept):
    """Going back after a raise of η is going back to just before it: the learner asked for no older weights, which
    the probe's 200 images may rank a little better. Weights much worse there are damage already: the best stays."""
    run = lesson_run(tiny)
    steps(run, 200)
    older = run.good
    assert older is not None
    steps(run, 100)
    before = run.network.params.copy()
    now = check(run.network, *run._probe, run.cost, run.trainer.samples_seen, math.inf).cost
    run.good = Checkpoint(older.step, older.held, older.params, dataclasses.replace(older.health, cost=now / better_by))
    run.learning_rate = 50.0
    assert run.good is not None
    if kept == "the weights before the raise":
        assert run.good.step == 300 and np.array_equal(run.good.params, before)
    else:
        assert run.good.step == older.step


def test_a_step_refused_after_damaging_steps_offers_the_weights_before_them(tiny):
    run = lesson_run(tiny)
    steps(run, 300)
    run.learning_rate = 50.0
    steps(run, 400)  # saturated, not yet judged stuck
    assert run.verdict.kind == "failing"
    run.learning_rate = 1e30  # a leap even where the saturated network's gradient is ~1e-15
    result, _ = run.step()
    assert result.diverged and run.verdict.kind == "diverged"
    good = run.verdict.good
    assert good is not None and good.step <= 400 and not good.health.hopeless
    assert "u goes back to the weights of step" in advice(run.verdict)


def test_a_step_refused_on_weights_that_can_learn_offers_nothing_to_go_back_to(tiny):
    run = lesson_run(tiny)
    steps(run, 50)
    run.learning_rate = 1e9
    result, _ = run.step()
    assert result.diverged and run.verdict.good is None
    assert "the weights are the last good ones" in advice(run.verdict) and "u goes back" not in advice(run.verdict)


def _health(**changes) -> Health:
    fields = {
        "samples": 3_000,
        "images": 200,
        "cost": 0.95,
        "accuracy": 0.105,
        "gradient_norm": 5e-8,
        "spread": 0.0,
        "baseline": 0.9,
        "activation": "sigmoid",
        "output": "sigmoid",
        "dead": (0, 0),
        "widths": (16, 16),
        "pinned": 1.0,
    }
    return Health(**{**fields, **changes})


GOOD = Checkpoint(
    step=12_345, held=12_345, params=np.zeros(3), health=_health(accuracy=0.75, spread=0.9, pinned=0.0, gradient_norm=0.4)
)
VERDICTS = {
    "refused": Verdict("diverged", 500.0, refusal=Refusal(cost=2.0, step_length=760.0, size=6.46)),
    "refused after damage": Verdict("diverged", 500.0, refusal=Refusal(cost=2.0, step_length=760.0, size=6.46), good=GOOD),
    "blew up": Verdict("diverged", 500.0, refusal=Refusal(cost=float("inf"), step_length=float("nan"), size=6.46)),
    "stuck": Verdict("stuck", 50.0, health=_health(), span=5_000),
    "stuck after learning": Verdict("stuck", 50.0, health=_health(), span=5_000, good=GOOD),
    "failing once": Verdict("failing", 50.0, health=_health(), blamed=50.0),
    "failing after learning": Verdict("failing", 50.0, health=_health(), span=2_000, blamed=50.0, good=GOOD),
    "failing a while, η lowered since": Verdict("failing", 5.0, health=_health(), span=2_000, blamed=50.0, good=GOOD),
    "rising": Verdict("rising", 9.0, best=0.41, latest=0.47, window=200),
}
# What the learner is told to press, and the weights named: the brief message leaves out figures, not these.
KEYS = ("space pauses", "u goes back", "step 12,345", "r resets", "r to fresh", "r for fresh", "lower η with -", "- lowers η")


@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
@pytest.mark.parametrize("verdict", VERDICTS.values(), ids=VERDICTS.keys())
def test_the_brief_message_fits_two_lines_and_names_the_same_keys(verdict, paused):
    full, brief = advice(verdict, paused=paused), advice(verdict, paused=paused, brief=True)
    assert len(textwrap.wrap(brief, 80)) <= 2 and len(brief) < len(full), brief
    assert [key for key in KEYS if key in brief.lower()] == [key for key in KEYS if key in full.lower()], (brief, full)
    rates = {f"η = {rate:g}" for rate in (verdict.learning_rate, verdict.blamed)}
    assert {rate for rate in rates if rate in brief} == {rate for rate in rates if rate in full}, (brief, full)


def test_weights_put_back_say_which_rate_broke_them_until_a_step_or_a_smaller_rate(tiny):
    run = lesson_run(tiny)
    steps(run, 300)
    run.learning_rate = 50.0
    steps(run, 400)  # saturated, not yet judged stuck
    run.learning_rate = 1e30  # a leap even where the saturated network's gradient is ~1e-15
    result, _ = run.step()  # refused: not a step that broke anything
    assert result.diverged and run.verdict.good is not None
    run.go_back(run.verdict.good)
    shot = run.snapshot()
    told = after_going_back(shot, shot.learning_rate)
    assert "η = 50 " in told and "lower η with -" in told, told
    assert after_going_back(shot, 50.0) == told and after_going_back(shot, 20.0) == ""
    run.learning_rate = 1.5
    steps(run, 1)
    assert after_going_back(run.snapshot(), 50.0) == "", "the weights put back are moved on"


def test_a_rate_set_but_never_stepped_at_is_blamed_for_nothing(tiny):
    run = lesson_run(tiny)
    steps(run, 300)
    run.learning_rate = 50.0
    steps(run, 400)  # saturated, not yet judged stuck
    run.learning_rate = 5000.0  # + pressed, no step taken at it
    run.go_back(run.verdict.good)
    assert run.snapshot().broke_at == 50.0
    run.learning_rate = 500.0
    step_until(run, "failing")
    assert run.verdict.blamed == 500.0, "the rate of the steps taken since the weights were put back"
    assert "η = 5000" not in advice(run.verdict)


def test_weights_put_back_at_the_step_an_epoch_ended_are_measured_all_the_same(tiny):
    """An epoch run to its end by e, then u: the epoch's record and the weights put back share a step, and each
    is a measurement of other weights. The second is kept, and is the one the stats read."""
    run = lesson_run(tiny)
    good = run.good
    assert good is not None
    while not run.trainer.epochs_done:
        steps(run, 1)
    ended = run.epochs[-1]
    assert ended.epoch == 1 and ended.step == run.trainer.steps
    run.add_epoch(run.evaluate(run.go_back(good)))
    back = run.epochs[-1]
    assert back is not ended and back.weights_of == good.step and back.step == ended.step


def test_outputs_mostly_pinned_at_a_cost_far_above_a_blind_networks_are_saturated_and_said_to_be():
    """Put back, then stepped at η = 5000 again, the network read 10% of the test set for 47,000 steps while no
    check said a word: 80% of its outputs stuck at 0 or 1, three times a blind network's cost, and a gradient
    still flowing through the rest. Those outputs cannot move, and they are wrong."""
    wrecked = _health(cost=3.30, baseline=0.897, accuracy=0.105, gradient_norm=0.68, spread=0.92, dead=(10, 12), pinned=0.805)
    assert wrecked.saturated
    assert wrecked.cause().startswith("80.5% of its outputs are stuck at 0 or 1 (saturated sigmoids), where their slope is 0")
    # A fresh network costs as much, with no output pinned; a learning one, mostly pinned, costs little.
    assert not _health(cost=2.5, baseline=0.9, gradient_norm=0.5, spread=0.3, pinned=0.0).saturated
    assert not _health(cost=0.12, baseline=0.9, gradient_norm=0.05, spread=0.99, pinned=0.8).saturated


def test_weights_put_back_are_named_by_the_steps_they_hold_as_every_other_count_of_them(tiny):
    """Weights gone back to, then kept again before a raise, are the same weights at a later step of the run:
    named by the run's step, they read "step 400" beside a network every other screen calls trained 300 steps."""
    run = lesson_run(tiny)
    steps(run, 300)
    first = run.good
    assert first is not None
    steps(run, 100)
    run.go_back(first)
    run.learning_rate = 2.0  # a raise: the weights just put back are kept again, now at the run's step 400
    again = run.good
    assert again is not None and again.step == 400 and again.held == first.held, "the case this test is about"
    for verdict in (
        Verdict("failing", 50.0, health=_health(), blamed=50.0, good=again),
        Verdict("stuck", 50.0, health=_health(), span=5_000, good=again),
        Verdict("diverged", 50.0, refusal=Refusal(cost=2.0, step_length=760.0, size=6.46), good=again),
    ):
        for brief in (False, True):
            offered = advice(verdict, brief=brief)
            assert f"weights of step {again.held:,}" in offered and f"step {again.step:,}" not in offered, offered
    run.go_back(again)
    shot = run.snapshot()
    assert shot.back_to == again.held == shot.steps - shot.undone


def test_a_larger_rate_set_after_the_checks_found_the_network_failing_is_not_the_one_blamed(tiny):
    """The checks found the network failing at η = 50 and said so; the learner raised η to 200 on the broken network,
    and the words after u then read 'The steps at η = 200 left the network unable to learn', cleared by η = 100."""
    run = lesson_run(tiny)
    steps(run, 300)
    run.learning_rate = 50.0
    steps(run, 400)  # saturated, not yet judged stuck
    assert run.verdict.kind == "failing" and run.verdict.blamed == 50.0, "the case this test is about"
    run.learning_rate = 200.0
    steps(run, 20)
    assert run.verdict.blamed == 50.0
    good = run.verdict.good
    assert good is not None
    run.go_back(good)
    shot = run.snapshot()
    assert "η = 50 " in after_going_back(shot, 100.0), "a rate between the two still asks for a smaller one"
