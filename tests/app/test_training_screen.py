"""Step 6, Training: every key it advertises does what it says, and what it says is so."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from gdtui.core import files
from gdtui.core.drive import SPEEDS
from gdtui.core.files import FolderQuota
from gdtui.core.learning_rates import LEARNING_RATES
from gdtui.core.model_io import load_model, save_model
from gdtui.core.network import Network
from gdtui.core.presets import PRESETS
from gdtui.core.words import percent
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.path_prompt import PathPrompt
from gdtui.ui.screens.reset_prompt import ResetPrompt
from gdtui.ui.widgets.cost_plot import MEASURED_GLYPH, CostPlot
from gdtui.ui.widgets.progress_view import THUMB_WIDTH
from tests.app.test_lesson_walk import problem_with
from tests.helpers import (
    burst,
    drawn_in,
    full_speed,
    make_app,
    notices,
    open_step,
    screen_text,
    settle,
    stands_out,
    train_epochs,
    wait_for,
)
from tests.tiny_mnist import write_tiny_mnist


def text(screen, widget: str) -> str:
    return str(screen.query_one(f"#{widget}").render())


async def test_n_takes_one_step_and_changes_the_parameters(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        before = app.state.network.params.copy()
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 1
        assert not np.array_equal(before, app.state.network.params)
        assert "step 1 " in text(screen, "stats") and "10 images" in text(screen, "stats")
        assert app.state.network_origin.startswith("trained 1 step from")
        assert app.state.unsaved


async def test_the_cost_shown_is_the_last_mini_batchs(screen_on):
    async with screen_on("6") as (pilot, screen):
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
            assert f"cost {screen.training.run.last_cost:.4f} (last mini-batch)" in text(screen, "stats")


async def test_before_the_first_step_it_shows_the_random_networks_cost_and_accuracy(screen_on):
    async with screen_on("6") as (pilot, screen):
        await settle(pilot)
        (start,) = screen.training.run.epochs
        assert start.epoch == 0 and start.step == 0
        opening = text(screen, "opening")
        assert f"its cost is {start.test_cost:.3f}" in opening and f"right {percent(start.test_accuracy)}" in opening
        assert "13,002" in opening and "n one step" in opening
        assert f"test accuracy {percent(start.test_accuracy)} (before training)" in text(screen, "stats")
        await pilot.press("e")
        await settle(pilot)
        assert [r.epoch for r in screen.training.run.epochs] == [0, 1]  # the curve starts at the random network
        assert not screen.query_one("#opening").display


async def test_space_runs_at_the_speed_chosen_then_pauses(screen_on):
    async with screen_on("6") as (pilot, screen):
        assert screen.training.speed == 100 and "speed up to 100 steps/s" in text(screen, "stats")
        await pilot.press("space")
        assert screen.running
        await wait_for(pilot, lambda: screen.training.run.trainer.steps > 20, "20 steps")
        await pilot.press("space")
        await settle(pilot)
        assert not screen.running
        steps = screen.training.run.trainer.steps
        await pilot.pause(0.2)
        assert screen.training.run.trainer.steps == steps  # paused means paused


async def test_f_cycles_the_speeds_and_one_step_a_second_is_one(screen_on):
    async with screen_on("6") as (pilot, screen):
        seen = []
        for _ in SPEEDS:
            await pilot.press("f")
            seen.append(screen.training.speed)
        assert seen == [0, 1, 10, 100]
        await pilot.press("f", "f")  # one step a second
        assert "speed up to 1 step/s" in text(screen, "stats")  # a setting, not a figure measured
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.training.run.trainer.steps >= 1, "a step")
        await pilot.pause(0.3)
        assert screen.training.run.trainer.steps <= 2  # not a hundred
        await pilot.press("space")
        await settle(pilot)
        # e goes to the end of the epoch under way, and says which while it goes.
        await pilot.press("e")
        await wait_for(pilot, lambda: "running to the end of epoch 1" in text(screen, "stats"), "the epoch's end named")
        await pilot.press("space")
        await settle(pilot)


async def test_a_new_speed_drops_the_images_a_second_measured_at_the_old_one(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("f", "f", "f")  # 10 steps a second: a rate that differs from the next one's
        await pilot.press("space")
        await wait_for(pilot, lambda: "images/s" in text(screen, "stats"), "the images a second measured")
        pressed = time.monotonic()
        await pilot.press("f")  # 100 steps a second
        stats = text(screen, "stats")
        assert "speed up to 100 steps/s · running" in stats, stats
        # A rate is measured over a second: on a machine slow enough to take that long here, it may be the new one.
        if time.monotonic() - pressed < 1.0:
            assert "images/s" not in stats, stats
        await wait_for(pilot, lambda: "images/s" in text(screen, "stats"), "the images a second at the new speed")
        await pilot.press("space")
        await settle(pilot)


async def test_e_runs_exactly_one_epoch_and_records_test_accuracy(screen_on):
    async with screen_on("6") as (pilot, screen):
        await full_speed(pilot, screen)
        await pilot.press("e")
        await settle(pilot)
        trainer = screen.training.run.trainer
        assert trainer.epochs_done == 1 and trainer.position == 0
        assert trainer.steps == 100  # 1,000 images in batches of 10
        assert [r.epoch for r in screen.training.run.epochs] == [0, 1]
        assert f"test accuracy {percent(screen.training.run.epochs[-1].test_accuracy)} (after epoch 1)" in text(screen, "stats")


async def test_plus_and_minus_move_along_a_ladder_that_has_the_lessons_rate(screen_on):
    async with screen_on("6") as (pilot, screen):
        run = screen.training.run
        assert run.requested[0] == 1.5
        await pilot.press("plus")
        assert run.requested[0] == 2.0 and "η 2 " in text(screen, "stats")  # shown before any step takes it
        await pilot.press("minus", "minus")
        assert run.requested[0] == 1.0
        await pilot.press("equals_sign")  # + without shift
        assert run.requested[0] == 1.5  # the preset's own η is a rung: it can be had again
        await pilot.press("n")
        await settle(pilot)
        assert run.learning_rate == 1.5


async def test_plus_and_minus_at_the_ladders_ends_say_so(screen_on):
    async with screen_on("6") as (pilot, screen):
        run, app = screen.training.run, pilot.app
        for _ in range(len(LEARNING_RATES) + 1):  # the preset's η is a rung too
            await pilot.press("plus")
        assert run.requested[0] == LEARNING_RATES[-1]
        assert any("η = 5000 is the largest" in notice for notice in notices(app)), notices(app)
        for _ in range(len(LEARNING_RATES) + 1):  # the preset's η is a rung too
            await pilot.press("minus")
        assert run.requested[0] == LEARNING_RATES[0]
        assert any("η = 0.001 is the smallest" in notice for notice in notices(app)), notices(app)
        # A toast lasts seconds: on a slow machine the first may be gone already, never doubled.
        ends = [sum(f"is the {end}" in notice for notice in notices(app)) for end in ("largest", "smallest")]
        assert ends[0] <= 1 and ends[1] == 1, "one toast at each end, however often the key was pressed there"


async def test_b_cycles_the_batch_size_and_a_whole_set_step_mid_epoch_takes_the_whole_set(screen_on):
    async with screen_on("6") as (pilot, screen):
        sizes = []
        for _ in range(4):
            await pilot.press("b")
            sizes.append(screen.training.run.requested[1])
        assert sizes == [100, 1000, 1, 10]  # 1,000 is the whole tiny training set
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("b", "b", "n")
        await settle(pilot)
        trainer = screen.training.run.trainer
        assert len(trainer.last_batch) == 1000 and trainer.samples_seen == 10 + 1000
        assert "batch all" in text(screen, "stats")


async def test_an_absurd_learning_rate_ends_in_the_diverged_state_and_counts_no_samples(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        for _ in range(len(LEARNING_RATES) + 1):  # the preset's η is a rung too
            await pilot.press("plus")
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        assert screen.training.run.trainer.diverged and np.isfinite(app.state.network.params).all()
        refusal = screen.training.run.trainer.refusal
        # Sigmoid outputs keep the quadratic cost finite: the step was refused for its length, and says so.
        assert refusal is not None and np.isfinite(refusal.cost) and not refusal.blew_up
        message = text(screen, "message")
        assert "blew up" not in message and "not a finite number" not in message
        assert f"{refusal.step_length:,.3g} long" in message and f"{refusal.size:,.3g}" in message
        assert "step 0 " in text(screen, "stats") and " 0 images" in text(screen, "stats")
        assert not app.state.unsaved
        for _ in range(len(LEARNING_RATES) + 1):  # the preset's η is a rung too
            await pilot.press("minus")
        await pilot.press("n")  # stepping again recovers
        await settle(pilot)
        assert not screen.training.run.trainer.diverged and text(screen, "message") == ""


async def test_a_huge_step_that_saturates_the_network_is_told_at_once_but_stops_nothing_until_it_lasts(screen_on):
    async with screen_on("6") as (pilot, screen):
        for _ in range(7):  # η = 50: it kills the sigmoid network in a step or two
            await pilot.press("plus")
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        assert screen.training.run.verdict.kind == "failing" and screen.training.run.trainer.steps == 3
        message = " ".join(text(screen, "message").split())
        assert message.startswith("The last check of the network: ") and "saturated sigmoids" in message
        assert "The run stopped" not in message and f"At η = {screen.training.run.learning_rate:g} " in message


async def paused_once_failing(pilot, screen) -> None:
    """Two steps at the lesson's η, weights a check finds able to learn; then a run at η = 200, paused once a
    check finds it failing."""
    await pilot.press("n", "n")
    await settle(pilot)
    for _ in range(7):
        await pilot.press("plus")
    await pilot.press("space")
    await wait_for(pilot, lambda: screen.training.run.verdict.kind == "failing", "a check to find it saturated")
    await pilot.press("space")
    await wait_for(pilot, lambda: not screen.running, "the run to pause")
    await settle(pilot)


async def test_a_run_the_checks_find_unable_to_learn_says_so_while_it_goes_on_and_can_go_back(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await paused_once_failing(pilot, screen)
        verdict = screen.training.run.verdict
        assert verdict.kind == "failing" and verdict.good is not None, "paused before the span proves it stuck"
        words = " ".join(screen_text(app).split())
        assert "The last check of the network: " in words or "finds the network unable to learn; the last: " in words
        assert "saturated sigmoids" in words and "The run stopped" not in words
        assert f"u goes back to the weights of step {verdict.good.step:,}, and - lowers η." in words, "all of it at 80×24"
        await pilot.press("u")
        await settle(pilot)
        # Judged afresh from the weights put back; η is still the one whose steps broke them, and the message says so.
        assert screen.training.run.verdict.kind == ""
        assert text(screen, "message") == (
            f"The steps at η = {verdict.blamed:g} left the network unable to learn: lower η with - before the next step."
        )
        assert np.array_equal(app.state.network.params, verdict.good.params)
        await pilot.press("minus")
        assert text(screen, "message") == "", "η below the one that did the damage: nothing to say"


async def test_going_back_undoes_the_nudges_made_since_the_weights_put_back_and_says_so(screen_on):
    async with screen_on("6") as (pilot, screen):
        await paused_once_failing(pilot, screen)
        await gradient_view(pilot, screen)
        await pilot.press("right_square_bracket")  # a nudge of the saturated weights
        await settle(pilot)
        assert "1 nudge" in screen.state.network_origin
        good = screen.training.run.verdict.good
        await pilot.press("u")
        await settle(pilot)
        assert np.array_equal(screen.state.network.params, good.params)
        assert "nudge" not in screen.state.network_origin, screen.state.network_origin
        assert "Nudged" not in text(screen, "nudge"), "the nudge's figures are of weights given up"


async def test_a_run_that_saturates_stops_itself_and_says_why(screen_on):
    async with screen_on("6") as (pilot, screen):
        for _ in range(7):  # η = 50
            await pilot.press("plus")
        await full_speed(pilot, screen)
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop")
        verdict = screen.training.run.verdict
        assert verdict.kind == "stuck" and verdict.health is not None
        message = text(screen, "message")
        assert "The network can no longer learn" in message and "saturated sigmoids" in message
        assert "The run stopped" in message


async def test_dead_relus_stop_the_run(screen_on):
    network = Network(activation="relu", output="softmax", seed=0)
    async with screen_on("6", network=network) as (pilot, screen):
        for _ in range(5):  # from the tuned preset's η = 0.05 to 2
            await pilot.press("plus")
        await full_speed(pilot, screen)
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop")
        assert screen.training.run.verdict.kind == "stuck"
        assert "dead ReLUs" in text(screen, "message")


async def test_r_resets_to_fresh_seeded_weights_keeping_or_restoring_the_settings(screen_on):
    async with screen_on("6", seed=3) as (pilot, screen):
        app = pilot.app
        fresh = app.state.network.params.copy()
        await pilot.press("n", "n")
        await settle(pilot)
        await pilot.press("r")  # two unsaved steps: asked first
        assert isinstance(app.screen, DiscardPrompt)
        await pilot.press("r")  # yes; and the settings are the preset's: nothing more to ask
        await settle(pilot)
        np.testing.assert_array_equal(app.state.network.params, fresh)
        assert screen.training.run.trainer.steps == 0 and len(screen.training.run.history) == 0
        assert not app.state.unsaved
        await pilot.press("plus", "b", "n", "r", "r")
        assert isinstance(app.screen, ResetPrompt)
        await pilot.press("r")  # keep η = 2 and batch 100
        await settle(pilot)
        assert screen.training.run.requested == (2.0, 100) and screen.training.run.trainer.steps == 0
        await pilot.press("n", "r", "r", "p")  # back to the lesson's η = 1.5 and batch 10
        await settle(pilot)
        assert screen.training.run.requested == (1.5, 10)
        np.testing.assert_array_equal(app.state.network.params, fresh)


async def test_v_cycles_the_views(screen_on):
    async with screen_on("6") as (pilot, screen):
        seen = []
        for _ in range(3):
            await pilot.press("v")
            seen.append(screen.view)
        assert seen == ["gradient", "neurons", "progress"]


async def gradient_view(pilot, screen) -> None:
    await pilot.press("v")
    await settle(pilot)
    await wait_for(pilot, lambda: screen.query_one("#ranking", DataTable).row_count, "the ranking")


async def gradient_after_a_step(pilot, screen) -> DataTable:
    """One step, then the gradient view, its ranking worked out: the table."""
    await pilot.press("n")
    await settle(pilot)
    await gradient_view(pilot, screen)
    return screen.query_one("#ranking", DataTable)


async def test_the_gradient_view_ranks_the_largest_components(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        table = await gradient_after_a_step(pilot, screen)
        # The gradient at the weights as they are now, over the images the next step takes.
        trainer = screen.training.run.trainer
        here = app.state.network.copy(dtype=np.float64)
        batch = trainer.next_batch()
        images = trainer.train.inputs(batch)
        here.gradient(images.astype(np.float64), trainer.train.labels[batch], "quadratic")
        shown = [int(table.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(table.row_count)]
        magnitude = np.abs(here.grad)
        # As many of the largest as there is room for, then two of the smallest that are not 0.
        top = sum(table.get_row_at(row)[0] != "·" for row in range(table.row_count))
        assert top >= 5 and table.row_count == top + 2
        assert shown[:top] == list(np.lexsort((np.arange(magnitude.size), -magnitude))[:top])
        nonzero = np.flatnonzero(magnitude)
        assert shown[top:] == list(nonzero[np.lexsort((nonzero, magnitude[nonzero]))][:2])
        summary = text(screen, "gradient-summary")
        blank = int(np.count_nonzero(~np.any(images != 0, axis=0)))
        assert "13,002" in summary and f"the {blank:,} pixels blank in every image" in summary
        assert f"{np.count_nonzero(here.grad == 0):,} are exactly 0" in summary
        # Each row's step is −η·∂C/∂w: a bigger component, a bigger adjustment.
        first = table.get_row_at(0)
        assert float(first[3]) == pytest.approx(-1.5 * float(first[2]), rel=1e-2)


async def test_the_step_column_is_the_step_n_takes_next_after_a_step_too(screen_on):
    """−η·∂C/∂w is the step of each parameter: over the images the next step takes, at the weights as they are.
    After a step as before the first, n then moves the top parameter by what its row says."""
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        table = await gradient_after_a_step(pilot, screen)
        await wait_for(pilot, lambda: screen.training.report[0] == app.state.version, "the gradient of the weights now")
        k = int(table.coordinate_to_cell_key((0, 0)).row_key.value)
        before = float(app.state.network.params[k])
        # The row's figure, and the slope it is printed from: three digits alone could round either way.
        step = -screen.training.run.requested[0] * float(screen.training.report[1].gradient[k])
        assert table.get_row_at(0)[3] == f"{step:+.2e}"
        await pilot.press("n")
        await settle(pilot)
        # In float32, a step over these images is that to a part in a thousand; over others, a few percent off.
        assert float(app.state.network.params[k]) - before == pytest.approx(step, rel=1e-3)
        assert "over the next mini-batch (10 images)" in text(screen, "gradient-summary")


async def test_a_new_batch_size_gives_the_gradient_of_the_next_steps_images(screen_on):
    async with screen_on("6") as (pilot, screen):
        await gradient_after_a_step(pilot, screen)
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.training.current_report() is not None, "the gradient over the new batch")
        assert screen.training.current_report().images == 100
        summary = " ".join(text(screen, "gradient-summary").split())
        assert "over the next mini-batch (100 images)" in summary and "being worked out" not in summary, summary


async def test_a_nudges_images_are_named_as_they_were_once_the_batch_size_changes(screen_on):
    async with screen_on("6") as (pilot, screen):
        await gradient_after_a_step(pilot, screen)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.training.current_report() is not None, "the gradient over the new batch")
        nudge = " ".join(text(screen, "nudge").split())
        assert "the cost on the 10 images the next step was to take went" in nudge, nudge


async def test_nudging_a_weight_changes_the_cost_as_the_table_predicts(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        table = await gradient_after_a_step(pilot, screen)
        k = int(table.coordinate_to_cell_key((0, 0)).row_key.value)
        shown_slope = float(table.get_row_at(0)[2])
        before = float(app.state.network.params[k])
        await pilot.press("right_square_bracket")
        nudge = screen.training.last_nudge
        assert nudge.index == k and nudge.slope == pytest.approx(shown_slope, rel=1e-2)  # the table's own number
        assert float(app.state.network.params[k]) == np.float32(before + 0.1)
        assert abs(nudge.measured - nudge.predicted) < 0.25 * abs(nudge.predicted)
        assert app.state.network_origin.endswith("1 nudge") and app.state.unsaved
        # The table is worked out again, at the nudged weights, before the next nudge can use it.
        await wait_for(pilot, lambda: screen.training.report[0] == app.state.version, "the gradient at the nudged weights")
        await pilot.press("left_square_bracket")
        assert screen.training.last_nudge.delta == pytest.approx(-0.1, abs=1e-6)  # as float32 could make it
        assert "predicted" in text(screen, "nudge")


async def test_brackets_page_through_the_neurons(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("v", "v", "right_square_bracket")
        assert screen.page == 1
        assert "neurons 5–9 of 16" in text(screen, "neurons-title")


async def test_s_saves_and_says_where_and_o_opens_a_model(screen_on, tmp_path):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await settle(pilot)
        trained = app.state.network.params.copy()
        np.testing.assert_array_equal(load_model(tmp_path / "mine.npz").params, trained)
        assert not app.state.unsaved
        assert any(str(tmp_path / "mine.npz") in str(n.message) for n in app._notifications)
        await pilot.press("r", "o")
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await settle(pilot)
        np.testing.assert_array_equal(app.state.network.params, trained)
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.run.network is app.state.network


async def test_a_path_that_cannot_be_saved_to_stays_in_the_prompt_with_why(screen_on, tmp_path):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        prompt = app.screen
        prompt.query_one(Input).value = str(tmp_path / "missing" / "mine.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt.query_one("#outside").display, "the refusal")
        assert app.screen is prompt and app.state.unsaved
        assert f"{tmp_path / 'missing'}: no such directory" in text(prompt, "outside")
        prompt.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        assert (tmp_path / "mine.npz").is_file() and not app.state.unsaved


async def test_what_training_changes_the_network_step_shows(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "6")
        await full_speed(pilot, screen)
        await pilot.press("e")
        await settle(pilot)
        await open_step(pilot, "2")
        assert "trained 100 steps" in text(app.screen, "architecture")


async def test_a_rising_cost_is_said_to_rise_with_the_figures_that_show_it(screen_on):
    async with screen_on("6") as (pilot, screen):
        await full_speed(pilot, screen)
        for _ in range(2):  # two sensible epochs: the cost falls, and nothing is said
            await pilot.press("e")  # an e during an epoch means nothing: each waits for the last to end
            await settle(pilot)
        assert screen.training.run.verdict.kind == "" and text(screen, "message") == ""
        trend = screen.training.run.trend
        # Three whole windows of mini-batch costs three times the best so far: a real rise.
        for _ in range(3 * trend.window):
            trend.add(3 * trend.best[0])
        screen.training.run.judge()  # as a step would, having added its cost
        screen.redraw()
        verdict = screen.training.run.verdict
        assert verdict.kind == "rising"
        message = text(screen, "message")
        assert f"the last {trend.window:,} steps averaged {verdict.latest:.3f}, up from {verdict.best:.3f}" in message
        await pilot.press("minus")  # the remedy: a smaller η is judged on its own steps
        screen.redraw()
        assert screen.training.run.verdict.kind == "" and text(screen, "message") == ""


async def test_randomising_elsewhere_starts_the_training_record_afresh(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await full_speed(pilot, screen)
        await pilot.press("plus", "e")
        await settle(pilot)
        await open_step(pilot, "2")
        await pilot.press("r", "r")  # yes, lose the epoch
        await open_step(pilot, "6")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 0 and len(screen.training.run.history) == 0
        assert [r.epoch for r in screen.training.run.epochs] == [0]
        assert screen.training.run.requested[0] == 2.0  # the learner's η stays
        assert "step 0 " in text(screen, "stats") and app.state.network_origin == "random, seed 1"


async def test_a_run_never_steps_while_another_step_changes_the_network(screen_on):
    """The race: a whole-set step in the worker, and r on Network re-randomising in the middle of it."""
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        entered, release = threading.Event(), threading.Event()
        run = screen.driver.ensure()
        real_step = run.trainer.step

        def slow_step():
            entered.set()
            release.wait(10)  # the step is under way, holding the network's lock
            return real_step()

        run.trainer.step = slow_step
        await pilot.press("n")
        await wait_for(pilot, entered.is_set, "the step to start")
        randomised = threading.Thread(target=app.state.randomize_network)
        randomised.start()
        randomised.join(0.2)
        assert randomised.is_alive()  # it waits for the step to end: it must not change weights mid-step
        release.set()
        await wait_for(pilot, lambda: not randomised.is_alive(), "the network re-randomised")
        await settle(pilot)
        assert app.state.network_origin == "random, seed 1"  # not "trained": the step came before it
        np.testing.assert_array_equal(app.state.network.params, type(app.state.network)(seed=1).params)


async def test_keys_rest_while_the_window_is_too_small(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 1


async def test_in_a_lab_session_models_are_saved_only_inside_its_folder(tiny_mnist_dir, tmp_path):
    folder = tmp_path / "session"
    folder.mkdir()
    app = make_app(tiny_mnist_dir, files_root=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("s")
        prompt = app.screen
        for outside in ("../escaped.npz", str(tmp_path / "escaped.npz"), "~/escaped.npz", ".", str(folder)):
            prompt.query_one(Input).value = outside
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is prompt
            assert "session's folder" in text(prompt, "outside")
        prompt.query_one(Input).value = "mine.npz"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PathPrompt)
        assert any("Saved as mine.npz" in str(n.message) for n in app._notifications)  # not the server's path
    assert (folder / "mine.npz").is_file()
    assert not list(tmp_path.glob("*.npz"))


async def test_a_save_past_the_folders_quota_is_refused_in_the_prompt_and_the_app_goes_on(tiny_mnist_dir, tmp_path, monkeypatch):
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "older.npz").write_bytes(b"x" * 90_000)  # and a model of this network takes some 54 kB
    monkeypatch.setattr(files, "folder_quota", FolderQuota(folder, 100_000))
    app = make_app(tiny_mnist_dir, files_root=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("s")
        prompt = app.screen
        prompt.query_one(Input).value = "mine.npz"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt
        refusal = text(prompt, "outside")
        assert "mine.npz: cannot write the model: 90 kB of this folder's 100 kB are used" in refusal
        assert str(folder) not in refusal
        assert sorted(p.name for p in folder.iterdir()) == ["older.npz"]  # nothing partial
        # Room made (here by hand), the same prompt saves.
        (folder / "older.npz").unlink()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PathPrompt), text(prompt, "outside")
        assert app.is_running
    assert load_model(folder / "mine.npz").sizes


async def test_a_run_pauses_when_the_learner_leaves_training(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.training.run.trainer.steps > 0, "a step")
        assert screen.running
        await open_step(pilot, "2")
        await settle(pilot)
        steps = screen.training.run.trainer.steps
        await pilot.pause(0.2)
        assert not screen.running and screen.training.run.trainer.steps == steps


async def test_a_run_at_full_speed_shows_its_steps_between_epoch_ends(tmp_path):
    """At full speed the training thread all but always holds the lock: the figures shown must
    still follow the run, not freeze from one epoch's end to the next.

    The lock is free while an epoch's end is measured, so a screen that could read the run only
    then would show epochs' ends alone: with epochs of 20,000 steps, far longer than a frame, a
    screen that follows the run shows other counts too, however busy the machine.
    """
    app = make_app(write_tiny_mnist(tmp_path, train=20_000, compress=False))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "6")
        while screen.training.run.requested[1] != 1:
            await pilot.press("b")
        await full_speed(pilot, screen)
        await pilot.press("space")
        shown: set[int] = set()
        give_up = time.monotonic() + 60
        while len(shown) < 12 and time.monotonic() < give_up:
            await pilot.pause(0.05)
            if screen.training.shown is not None and screen.running:
                shown.add(screen.training.shown.samples)
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop")
        epoch = len(app.state.data.train)
        assert any(samples % epoch for samples in shown), f"only epochs' ends were shown: {sorted(shown)}"


async def test_an_opened_model_is_measured_as_opened_not_as_untrained_or_guessing(tiny_mnist_dir, tmp_path):
    trained = make_app(tiny_mnist_dir)
    async with trained.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "6")
        await full_speed(pilot, screen)
        for _ in range(3):
            await pilot.press("e")
            await settle(pilot)
        accuracy = screen.training.run.epochs[-1].test_accuracy
        save_model(trained.state.network, tmp_path / "mine.npz")
        # Quit knowingly: a run that just ended would leave its unsaved training to offer back.
        await pilot.press("q", "q")
    assert accuracy > 0.5  # well above guessing, one in ten
    app = make_app(tiny_mnist_dir, network=load_model(tmp_path / "mine.npz"), model_name="mine.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "6")
        await settle(pilot)
        (start,) = screen.training.run.epochs
        stats, opening = text(screen, "stats"), text(screen, "opening")
        assert f"test accuracy {percent(start.test_accuracy)} (as opened)" in stats
        assert "before training" not in stats
        assert f"right {percent(start.test_accuracy)} of the time" in opening
        assert f"right {percent(start.test_accuracy)} of the time, where guessing would be 10%." in opening


async def test_after_a_reset_the_views_show_no_gradient_of_the_old_network(screen_on):
    async with screen_on("6", size=(120, 40)) as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("v")
        await wait_for(pilot, lambda: screen.query_one("#ranking", DataTable).row_count > 0, "the ranking")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.training.last_nudge is not None, "the nudge")
        await pilot.press("r", "r")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 0
        # The new network's gradient, over the images its first step will take: none of the old one's.
        await wait_for(pilot, lambda: screen.training.current_report() is not None, "the new network's gradient")
        await settle(pilot)
        assert "Here, over the next mini-batch (10 images)" in text(screen, "gradient-summary")
        table = screen.query_one("#ranking", DataTable)
        k = int(table.coordinate_to_cell_key((0, 0)).row_key.value)
        assert table.get_row_at(0)[2] == f"{screen.training.current_report().gradient[k]:+.2e}"
        assert "Nudged" not in text(screen, "nudge")
        await pilot.press("v")
        await settle(pilot)
        assert screen.view == "neurons"
        assert "no step yet" in text(screen, "neurons-title")
        assert not np.any(app.state.network.grad)


async def test_o_warns_that_an_unsaved_network_would_be_replaced(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("o")
        assert "not saved" not in str(app.screen.query_one("Static").render())
        await pilot.press("escape", "n", "o")
        await settle(pilot)
        assert isinstance(app.screen, PathPrompt)
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert f"The network ({app.state.network_origin}) is not saved" in shown


async def test_a_network_of_another_kind_trains_with_its_own_presets_rate(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("plus")
        await settle(pilot)
        assert screen.training.run.requested[0] == 2.0
        app.state.use_network(Network(activation="relu", output="softmax", seed=2), "tuned.npz")
        await settle(pilot)
        tuned = PRESETS["tuned"]
        assert screen.driver.ensure().requested == (tuned.learning_rate, tuned.batch_size)
        assert f"η {tuned.learning_rate:g}" in text(screen, "stats")
        app.state.use_network(Network(activation="relu", output="softmax", seed=3), "other.npz")
        await pilot.press("plus")
        await settle(pilot)
        chosen = screen.driver.ensure().requested
        app.state.use_network(Network(activation="relu", output="softmax", seed=4), "third.npz")
        await settle(pilot)
        assert screen.driver.ensure().requested == chosen  # the same kind of network: the learner's η stays


async def test_the_gradient_view_of_a_dead_network_lists_its_few_components_once(screen_on):
    network = Network(activation="relu", output="softmax", seed=0)
    network.biases[1][:] = -1e3  # the second hidden layer never fires: only the output biases have a gradient
    async with screen_on("6", size=(100, 40), network=network) as (pilot, screen):
        table = await gradient_after_a_step(pilot, screen)
        shown = [int(table.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(table.row_count)]
        assert len(shown) == len(set(shown)) == np.count_nonzero(screen.training.report[1].gradient) <= 10
        assert pilot.app._exception is None


async def test_the_gradient_view_of_a_saturated_network_says_no_parameter_matters_much(screen_on):
    network = Network(seed=0)
    network.biases[-1][:] = 16.0  # every sigmoid output stuck at 1, where its slope is all but 0
    async with screen_on("6", network=network) as (pilot, screen):
        await gradient_after_a_step(pilot, screen)
        report = screen.training.report[1]
        assert report.largest and report.norm < 1e-4
        assert "all but vanished: no parameter matters much" in " ".join(text(screen, "gradient-summary").split())
        table = screen.query_one("#ranking", DataTable)
        said = {str(table.get_row_at(row)[-1]) for row in range(table.row_count)}
        assert said == {"hardly at all"}, "the largest of a vanished gradient is no weight that matters a lot"


async def test_the_neurons_sign_legend_is_true_without_colour(tiny_mnist_dir, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # the images are drawn in shade glyphs, not blue and red
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "6")
        await pilot.press("n", "v", "v")
        await settle(pilot)
        title = text(screen, "neurons-title")
        assert "lue" not in title and "red" not in title, title
        assert "− ≡=-· 0 ░▒▓█ +" in title, title


async def test_the_nudges_cost_says_which_images_it_is_of_beside_the_last_mini_batchs(screen_on):
    """Two costs of two batches: 'cost 2.9 (last mini-batch)' above, of the step taken, and the nudge's, of the
    images the next step takes, which the gradient and its nudge are about."""
    async with screen_on("6") as (pilot, screen):
        await gradient_after_a_step(pilot, screen)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        stats, nudge = text(screen, "stats"), " ".join(text(screen, "nudge").split())
        assert f"{screen.training.shown.last_cost:.4f} (last mini-batch)" in stats
        assert f"the cost on the next step's 10 images went {screen.training.last_nudge.cost_before:.6f} → " in nudge, nudge


async def test_the_test_accuracy_measured_before_a_nudge_says_so(screen_on):
    async with screen_on("6") as (pilot, screen):
        await gradient_view(pilot, screen)
        await wait_for(pilot, lambda: "(before training)" in text(screen, "stats"), "the start's accuracy")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.training.last_nudge is not None
        assert "(before the nudge)" in text(screen, "stats"), text(screen, "stats")
        await pilot.press("n")
        await settle(pilot)
        assert "(at step 0)" in text(screen, "stats"), text(screen, "stats")


async def test_the_neurons_captions_are_all_on_screen_at_80_by_24(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("v", "v")
        await settle(pilot)
        shown = screen_text(pilot.app)
        neurons = range(screen.query_one("NeuronsView").per_page())
        for j in neurons:
            assert f"{j} w " in shown and f"{j} ∂C/∂w" in shown, j


async def test_one_image_after_a_step_of_a_batch_of_one_is_one_image(screen_on):
    async with screen_on("6") as (pilot, screen):
        for _ in range(4):
            if screen.training.run.requested[1] == 1:
                break
            await pilot.press("b")
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 1 and " 1 image " in text(screen, "stats"), text(screen, "stats")


def shown_comparisons(nudge_text: str) -> list[tuple[float, float]]:
    """Every (measured, predicted) pair the nudge's lines show."""
    number = r"([-+]?\d\.\d+e[-+]\d+)"
    return [(float(m), float(p)) for m, p in re.findall(rf"measured ΔC = {number}.*?predicted [^=]*= {number}", nudge_text)]


async def test_a_nudge_of_a_parameter_that_hardly_matters_agrees_with_its_slope_or_says_it_cannot_be_measured(screen_on):
    async with screen_on("6") as (pilot, screen):
        table = await gradient_after_a_step(pilot, screen)
        for _ in range(table.row_count - 2):  # the first of the smallest components that are not 0
            await pilot.press("down")
        assert table.get_row_at(table.cursor_row)[0] == "·"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        shown = text(screen, "nudge")
        if "below what can be measured" not in shown:
            pairs = shown_comparisons(shown)
            assert pairs, shown
            # The last pair shown is the one the screen stands by: same sign, about the same size.
            measured, predicted = pairs[-1]
            assert np.sign(measured) == np.sign(predicted) and abs(measured - predicted) < 0.25 * abs(predicted), shown


async def test_after_a_nudge_the_highlight_stays_on_the_parameter_just_nudged(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        table = await gradient_after_a_step(pilot, screen)
        view = screen.query_one("#gradient-view")
        # One that hardly matters, then the one that matters most.
        for key, times in (("down", table.row_count - 2), ("up", table.row_count)):
            for _ in range(times):
                await pilot.press(key)
            k = view.picked()
            await pilot.press("right_square_bracket")
            # The ranking is worked out again at the nudged weights, and sorted anew.
            await wait_for(pilot, lambda: screen.training.report[0] == app.state.version, "the gradient after the nudge")
            await settle(pilot)
            assert view.picked() == k == screen.training.last_nudge.index
            row = table.get_row_at(table.cursor_row)
            assert row[1] == app.state.network.parameter(k).describe(app.state.data.image_shape)
            assert float(row[2]) == pytest.approx(screen.training.report[1].gradient[k], rel=1e-2)
            assert row[0] != "…" or "… is the pick." in text(screen, "gradient-summary")


async def test_the_nudges_result_goes_once_steps_have_changed_the_network(screen_on):
    async with screen_on("6") as (pilot, screen):
        await gradient_after_a_step(pilot, screen)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "Nudged" in text(screen, "nudge")
        for key in ("n", "e"):
            await pilot.press(key)
            await wait_for(pilot, lambda: not screen.busy() and not screen.running, "the steps")
            await settle(pilot)
            shown = text(screen, "nudge")
            assert "Nudged" not in shown and "measured" not in shown and "Pick a parameter" in shown, shown


async def test_the_accuracy_says_when_it_was_measured(screen_on):
    async with screen_on("6") as (pilot, screen):
        await settle(pilot)
        accuracy = f"{percent(screen.training.run.epochs[0].test_accuracy)}"
        assert f"test accuracy {accuracy} (before training)" in text(screen, "stats")
        await pilot.press("n", "n", "n")
        await settle(pilot)
        assert f"test accuracy {accuracy} (at step 0)" in text(screen, "stats")
        await pilot.press("e")
        await wait_for(pilot, lambda: len(screen.training.run.epochs) == 2, "the epoch's test")
        await settle(pilot)
        assert f"test accuracy {percent(screen.training.run.epochs[1].test_accuracy)} (after epoch 1)" in text(screen, "stats")


async def test_a_whole_set_steps_cost_says_it_is_of_all_the_training_images(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("n")
        await settle(pilot)
        assert "(last mini-batch)" in text(screen, "stats")
        await pilot.press("b", "b")  # 100, then all 1,000
        await settle(pilot)
        assert "(last mini-batch)" in text(screen, "stats")  # the last step's was still a mini-batch of 10
        await pilot.press("n")
        await settle(pilot)
        stats = text(screen, "stats")
        assert f"cost {screen.training.run.last_cost:.4f} (whole training set)" in stats and "mini-batch" not in stats


async def test_the_accuracy_line_marks_the_points_it_was_measured_at(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("e")
        await wait_for(pilot, lambda: len(screen.training.run.epochs) == 2, "the epoch's test")
        await pilot.press("e")
        await wait_for(pilot, lambda: len(screen.training.run.epochs) == 3, "the epoch's test")
        await settle(pilot)
        plot = str(screen.query_one("#plot").render())
        assert plot.count(MEASURED_GLYPH) == 3, plot  # before training and after each epoch
        assert f"{MEASURED_GLYPH}" in text(screen, "legend")


def lines_too_wide(widget) -> list[str]:
    width = widget.content_region.width
    return [line for line in str(widget.render()).splitlines() if len(line) > width]


async def test_the_stats_fit_80_columns_with_the_whole_set_before_its_test_and_after_many_epochs(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("b", "b", "n")  # a step over all the training images: it ends epoch 1
        await wait_for(pilot, lambda: len(screen.training.run.epochs) == 2, "the epoch's test")
        await settle(pilot)
        shot, stats = screen.training.shown, screen.query_one("#stats")
        start, first = shot.epochs
        # The moment between the step and its epoch's test, and a long run's figures.
        for epochs in ((start,), (start, replace(first, epoch=12_345, step=12_345, test_accuracy=1.0))):
            screen._draw_stats(screen.training.run, replace(shot, epochs=epochs))
            assert not lines_too_wide(stats), str(stats.render())


async def test_the_progress_view_cuts_nothing_at_80_by_24_while_advice_shows(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("n")
        await settle(pilot)
        trend = screen.training.run.trend
        for cost in [1.0] * trend.window + [3.0] * 3 * trend.window:  # a real rise: the screen advises a smaller η
            trend.add(cost)
        screen.training.run.judge()
        screen.redraw()
        await settle(pilot)
        assert "The cost is rising" in screen_text(pilot.app)
        view = screen.query_one("ProgressView")
        for child in view.children:
            if child.display:
                assert child.region.bottom <= view.region.bottom, f"{child.id} cut"
        assert screen.query_one("#plot").region.height >= 8


async def test_the_neurons_captions_stay_on_screen_at_80_by_24_while_advice_shows(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("v", "v")
        await settle(pilot)
        trend = screen.training.run.trend
        for cost in [1.0] * trend.window + [3.0] * 3 * trend.window:  # a real rise: the screen advises a smaller η
            trend.add(cost)
        screen.training.run.judge()
        screen.redraw()
        await settle(pilot)
        shown = screen_text(pilot.app)
        assert "The cost is rising" in shown and "lower η with -" in shown, shown
        view = screen.query_one("NeuronsView")
        neurons = range(view.per_page())
        for j in neurons:
            assert f"{j} w " in shown and f"{j} ∂C/∂w" in shown, (j, shown)
        for thumbs in view.query("Thumbnails"):
            assert thumbs.region.bottom <= view.region.bottom, f"{thumbs.id} cut"


async def test_a_run_that_left_the_network_unable_to_learn_offers_u_back_to_its_weights_from_before(screen_on):
    async with screen_on("6") as (pilot, screen):
        await full_speed(pilot, screen)
        await pilot.press("e")  # a network that has learned something
        await wait_for(pilot, lambda: screen.training.run.trainer.epochs_done == 1 and not screen.running, "an epoch")
        learned, step = screen.state.network.params.copy(), screen.training.run.trainer.steps
        assert "u Go back" not in screen_text(pilot.app)  # nothing to undo: not listed
        while screen.training.run.requested[0] < 50:
            await pilot.press("plus")
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop", deadline=120)
        await settle(pilot)
        assert screen.training.run.verdict.kind == "stuck"
        message = " ".join(text(screen, "message").split())
        assert f"u goes back to the weights of step {step:,}" in message, message
        assert "u Go back" in screen_text(pilot.app)  # listed, at 80×24
        await pilot.press("u")
        await settle(pilot)
        assert np.array_equal(screen.state.network.params, learned)
        # What the network is said to be, as the prompts to save or discard it say: the weights put back's.
        assert screen.state.steps_trained == step
        assert f"trained {step:,} steps" in screen.state.network_origin, screen.state.network_origin
        assert screen.training.run.verdict.kind == "" and "lower η with - before the next step" in text(screen, "message")
        assert "u Go back" not in screen_text(pilot.app)
        # Every figure kept was of the weights given up: the accuracy is measured again, on the weights put back.
        now = screen.training.run.trainer.steps
        await wait_for(pilot, lambda: screen.training.run.epochs[-1].step == now, "the weights put back measured")
        await settle(pilot)
        stats = " ".join(text(screen, "stats").split())
        again = screen.training.run.epochs[-1].test_accuracy
        first = next(record for record in screen.training.run.epochs if record.epoch == 1)
        assert first.step == step and again == first.test_accuracy  # the same weights, the same verdict
        # Of the weights put back, not "at step {now}": their steps are {step}, which the lesson's words count.
        assert f"weights of step {step:,} put back test accuracy {percent(again)} (of those weights)" in stats, stats
        # A nudge of them: the measurement is of the weights from before it.
        await pilot.press("v")
        await wait_for(pilot, lambda: screen.training.current_report() is not None, "the gradient of the weights put back")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.training.last_nudge is not None, "the nudge")
        await settle(pilot)
        assert f"test accuracy {percent(again)} (before the nudge)" in " ".join(text(screen, "stats").split())
        # A step on: the measurement is still of those weights, not of what the run had at step {now}.
        await pilot.press("minus", "minus", "n")
        await wait_for(pilot, lambda: screen.training.shown.steps == now + 1, "a step from the weights put back")
        stats = " ".join(text(screen, "stats").split())
        assert f"test accuracy {percent(again)} (of the weights put back)" in stats, stats


@pytest.mark.parametrize("key", ["f", "plus", "b"])
async def test_a_key_that_changes_a_setting_over_a_network_another_step_replaced_starts_its_new_run(screen_on, key):
    # The run shown is of the network before: the key's run is a new one, with nothing measured yet to show.
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.shown is not None
        await open_step(pilot, "2")
        app.state.use_network(Network(seed=5), "random, seed 5")
        await burst(pilot, "6", key)
        await settle(pilot)
        assert app._exception is None and app.is_running
        assert screen.training.run.network is app.state.network


@pytest.mark.parametrize("themes", [("textual-dark", "catppuccin-latte"), ("solarized-light", "nord")])
async def test_a_new_theme_draws_the_accuracy_and_its_key_again_in_a_colour_that_reads_on_it(screen_on, themes):
    async with screen_on("6") as (pilot, screen):
        pilot.app.theme = themes[0]
        await train_epochs(pilot, screen, 1)
        plot, key = screen.query_one(CostPlot), screen.query_one("#legend", Static)
        for theme in themes:
            pilot.app.theme = theme
            await pilot.pause()  # the run paused: only the new theme draws them again
            drawn = drawn_in(plot, plot.render(), MEASURED_GLYPH)
            keyed = drawn_in(plot, Content.from_markup(str(key.content)), MEASURED_GLYPH)
            assert drawn == keyed and stands_out(plot, drawn), (theme, drawn.hex, keyed.hex)


@pytest.mark.parametrize("batch_presses", [0, 1], ids=["batch 10", "batch 100"])
async def test_the_strip_of_images_says_whose_they_are_and_how_to_read_its_captions(screen_on, batch_presses):
    """At 80×24 the strip under the plot shows a few of the last step's images: a heading says which, of how many,
    and what the captions under them are (the network's guess; ✓, or ✗ and the right digit)."""
    async with screen_on("6") as (pilot, screen):
        for _ in range(batch_presses):
            await pilot.press("b")
        await pilot.press("n")
        await settle(pilot)
        run = screen.training.run
        strip = screen.query_one("#batch")
        assert problem_with(strip) is None, problem_with(strip)
        heading = screen.query_one("#batch-title")
        assert problem_with(heading) is None, problem_with(heading)
        count = strip.fits_in_row(THUMB_WIDTH)
        words = " ".join(str(heading.render()).split())
        assert words.startswith(f"{count} of the last step's {run.batch_size} images: "), words
        assert words.endswith("guess, ✓, or ✗ and the right digit") and words in screen_text(pilot.app), "whole at 80 columns"


async def test_the_step_column_follows_eta_as_soon_as_it_is_changed(screen_on):
    """−η·∂C/∂w is the step the next step would take: with η raised or lowered, the η it will take it at."""
    async with screen_on("6") as (pilot, screen):
        table = await gradient_after_a_step(pilot, screen)
        for key in ("plus", "plus", "minus"):
            await pilot.press(key)
            await settle(pilot)
            eta = screen.training.run.requested[0]
            k = int(table.coordinate_to_cell_key((0, 0)).row_key.value)
            _, _, slope, step, _ = table.get_row_at(0)
            # Of the slope itself, not of its three digits shown beside it.
            assert step == f"{-eta * screen.training.report[1].gradient[k]:+.2e}", (key, eta, slope, step)


async def test_a_nudge_after_going_back_says_whose_weights_it_measured(screen_on):
    """After u the weights are those of an earlier step, not those after the last step taken: the nudge's
    words say which weights its cost is of."""
    async with screen_on("6") as (pilot, screen):
        await paused_once_failing(pilot, screen)
        good = screen.training.run.verdict.good
        await pilot.press("u")
        await settle(pilot)
        await gradient_view(pilot, screen)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        words = " ".join(text(screen, "nudge").split())
        assert "after it" not in words, words
        assert f"the weights of step {good.step:,} put back" in words, words


async def test_the_step_count_after_going_back_says_how_many_were_undone(screen_on):
    """The run's count goes on from the steps taken; the network's, on every other step, from those its weights
    hold. After u the stats say both: the steps taken, and how many of them were undone."""
    async with screen_on("6") as (pilot, screen):
        await paused_once_failing(pilot, screen)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("minus", "minus", "minus", "n")
        await settle(pilot)
        run, state = screen.training.run, pilot.app.state
        assert run.undone > 0
        stats = " ".join(text(screen, "stats").split())
        assert stats.startswith(f"step {run.trainer.steps:,} ({run.undone:,} undone)"), stats
        assert f"trained {run.trainer.steps - run.undone:,} steps" in state.network_origin
        assert len(text(screen, "stats").splitlines()[0]) <= screen.query_one("#stats").content_size.width


async def test_the_strips_heading_fits_again_when_the_terminal_narrows(screen_on):
    async with screen_on("6", size=(120, 40)) as (pilot, screen):
        await pilot.press("b", "n")
        await settle(pilot)
        heading = screen.query_one("#batch-title")
        assert "the network's guess" in str(heading.render())
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        words = " ".join(str(heading.render()).split())
        assert words.endswith("or ✗ and the right digit") and words in screen_text(pilot.app), words


async def test_nudges_typed_in_one_burst_each_wait_for_the_gradient_of_the_last(screen_on):
    """] ] over a laggy link: the second nudge comes while the first one's gradient is being worked out, and acts
    once it is, as keys typed after a step act once the step is done."""
    async with screen_on("6") as (pilot, screen):
        await gradient_after_a_step(pilot, screen)
        await burst(pilot, "right_square_bracket", "right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: "3 nudges" in screen.state.network_origin, "three nudges")
        await settle(pilot)
        assert not [n for n in screen.app._notifications if "worked out first" in n.message]


async def test_a_stats_line_too_long_for_the_terminal_is_cut_and_keeps_the_next_line(screen_on):
    """The stats are three lines drawn with no layout of the screen: a line wrapped would push the speed out of sight.
    Labels are kept short (a cost of 10 or more beside an accuracy measured of weights put back, say, just fits)."""
    async with screen_on("6") as (pilot, screen):
        await wait_for(pilot, lambda: "(before training)" in text(screen, "stats"), "the start's accuracy")
        screen.training.start_words = "restored: " + "1,234,567,890 " * 5 + "steps"
        screen.redraw()
        await pilot.pause()
        lines = [line.rstrip() for line in screen_text(pilot.app).splitlines()[1:4]]
        assert lines[1].endswith("…") and len(lines[1]) <= 80, lines
        assert lines[2].startswith("speed"), lines
