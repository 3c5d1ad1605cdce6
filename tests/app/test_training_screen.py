"""Step 6, Training: every key it advertises does what it says."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import DataTable, Input

from gdtui.core.learning_rates import LEARNING_RATES
from gdtui.core.model_io import load_model
from gdtui.ui.screens.path_prompt import PathPrompt
from tests.helpers import make_app, open_step, settle, wait_for


async def test_n_takes_one_step_and_changes_the_parameters(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        before = app.state.network.params.copy()
        await pilot.press("n")
        await settle(pilot)
        assert screen.trainer.steps == 1
        assert not np.array_equal(before, app.state.network.params)
        assert "step 1 " in str(screen.query_one("#stats").render())
        assert app.state.network_origin.startswith("trained 1 step from")


async def test_space_runs_then_pauses(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("space")
        assert screen.running
        await wait_for(pilot, lambda: screen.trainer.steps > 50, "50 steps")
        await pilot.press("space")
        await settle(pilot)
        assert not screen.running
        steps = screen.trainer.steps
        assert steps > 50
        await pilot.pause(0.2)
        assert screen.trainer.steps == steps  # paused means paused


async def test_e_runs_exactly_one_epoch_and_records_test_accuracy(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("e")
        await settle(pilot)
        assert screen.trainer.epochs_done == 1 and screen.trainer.position == 0
        assert screen.trainer.steps == 100  # 1,000 images in batches of 10
        assert len(screen.epochs) == 1 and 0 <= screen.epochs[0].test_accuracy <= 1
        assert "test accuracy" in str(screen.query_one("#stats").render())


async def test_plus_and_minus_change_the_learning_rate(screen_on):
    async with screen_on("6") as (pilot, screen):
        assert screen.trainer.learning_rate == 1.5  # the lesson preset's, between two rungs
        await pilot.press("plus")
        assert screen.trainer.learning_rate == 2.0
        await pilot.press("plus")
        assert screen.trainer.learning_rate == 5.0
        await pilot.press("minus", "minus")
        assert screen.trainer.learning_rate == 1.0
        await pilot.press("equals_sign")  # + without shift
        assert screen.trainer.learning_rate == 2.0
        assert "η 2 " in str(screen.query_one("#stats").render())


async def test_b_cycles_the_batch_size(screen_on):
    async with screen_on("6") as (pilot, screen):
        sizes = []
        for _ in range(4):
            await pilot.press("b")
            sizes.append(screen.trainer.batch_size)
        assert sizes == [100, 1000, 1, 10]  # 1,000 is the whole tiny training set
        await pilot.press("b", "b", "n")
        await settle(pilot)
        assert screen.trainer.epochs_done == 1  # one step over the whole set is an epoch


async def test_an_absurd_learning_rate_ends_in_the_diverged_state_not_a_crash(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        for _ in range(len(LEARNING_RATES)):
            await pilot.press("plus")
        assert screen.trainer.learning_rate == LEARNING_RATES[-1]
        await pilot.press("e")
        await settle(pilot)
        assert screen.trainer.diverged
        assert np.isfinite(app.state.network.params).all()
        assert "blew up" in str(screen.query_one("#message").render())
        for _ in range(len(LEARNING_RATES)):
            await pilot.press("minus")
        await pilot.press("n")  # stepping again recovers
        await settle(pilot)
        assert not screen.trainer.diverged


async def test_r_resets_to_fresh_seeded_weights(screen_on):
    async with screen_on("6", seed=3) as (pilot, screen):
        app = pilot.app
        fresh = app.state.network.params.copy()
        await pilot.press("n", "n")
        await settle(pilot)
        await pilot.press("r")
        np.testing.assert_array_equal(app.state.network.params, fresh)
        assert screen.trainer.steps == 0 and len(screen.history) == 0


async def test_v_cycles_the_views(screen_on):
    async with screen_on("6") as (pilot, screen):
        seen = []
        for _ in range(3):
            await pilot.press("v")
            seen.append(screen.view)
        assert seen == ["gradient", "neurons", "progress"]


async def test_the_gradient_view_ranks_the_largest_components(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("v")
        table = screen.query_one("#ranking", DataTable)
        # The gradient at the weights as they are now, over the images of the step just taken.
        trainer = screen.trainer
        here = app.state.network.copy(dtype=np.float64)
        images = trainer.train.inputs(trainer.last_batch)
        here.gradient(images.astype(np.float64), trainer.train.labels[trainer.last_batch], "quadratic")
        shown = [int(table.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(table.row_count)]
        magnitude = np.abs(here.grad)
        assert shown[:8] == list(np.lexsort((np.arange(magnitude.size), -magnitude))[:8])
        nonzero = np.flatnonzero(magnitude)
        assert shown[8:] == list(nonzero[np.lexsort((nonzero, magnitude[nonzero]))][:3])
        summary = str(screen.query_one("#gradient-summary").render())
        blank = int(np.count_nonzero(~np.any(images != 0, axis=0)))
        assert "13,002" in summary and f"the {blank:,} pixels blank in every image" in summary
        assert f"{np.count_nonzero(here.grad == 0):,} are exactly 0" in summary


async def test_nudging_a_weight_changes_the_cost_as_the_gradient_predicts(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("v")
        k = int(screen.query_one("#ranking", DataTable).coordinate_to_cell_key((0, 0)).row_key.value)
        before = float(app.state.network.params[k])
        await pilot.press("right_square_bracket")
        nudge = screen.last_nudge
        assert nudge.index == k
        assert float(app.state.network.params[k]) == np.float32(before + 0.1)
        assert abs(nudge.measured - nudge.predicted) < 0.25 * abs(nudge.predicted)
        await pilot.press("left_square_bracket")
        assert screen.last_nudge.delta == pytest.approx(-0.1, abs=1e-6)  # as float32 could make it
        assert "predicted" in str(screen.query_one("#nudge").render())


async def test_brackets_page_through_the_neurons(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("v", "v", "right_square_bracket")
        assert screen.page == 1
        assert "neurons 5–9 of 16" in str(screen.query_one("#neurons-title").render())


async def test_s_saves_and_o_opens_a_model(screen_on, tmp_path):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await pilot.pause()
        trained = app.state.network.params.copy()
        np.testing.assert_array_equal(load_model(tmp_path / "mine.npz").params, trained)
        await pilot.press("r", "o")
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await pilot.pause()
        np.testing.assert_array_equal(app.state.network.params, trained)
        assert screen.trainer.network is app.state.network


async def test_what_training_changes_the_network_step_shows(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("2")
        assert "trained 100 steps" in str(app.screen.query_one("#architecture").render())


async def test_a_rising_cost_says_the_learning_rate_is_too_large(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("e")  # one sensible epoch first: the cost falls
        await settle(pilot)
        assert not screen.rising
        for _ in range(7):
            await pilot.press("plus")
        assert screen.trainer.learning_rate == 200.0
        await pilot.press("e", "e", "e")
        await settle(pilot)
        assert screen.rising and not screen.trainer.diverged
        assert "The cost is rising" in str(screen.query_one("#message").render())
        await pilot.press("minus")  # a new η is judged on its own steps
        assert not screen.rising


async def test_randomising_elsewhere_starts_the_training_record_afresh(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("plus", "e")
        await settle(pilot)
        await pilot.press("2", "r", "6")
        await pilot.pause()
        assert screen.trainer.steps == 0 and len(screen.history) == 0 and not screen.epochs
        assert screen.trainer.learning_rate == 2.0  # the learner's η stays
        assert "step 0 " in str(screen.query_one("#stats").render())


async def test_keys_rest_while_the_window_is_too_small(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert screen.trainer.steps == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert screen.trainer.steps == 1


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
            assert "session's folder" in str(prompt.query_one("#outside").render())
        prompt.query_one(Input).value = "mine.npz"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, PathPrompt)
    assert (folder / "mine.npz").is_file()
    assert not list(tmp_path.glob("*.npz"))


async def test_a_run_pauses_when_the_learner_leaves_training(screen_on):
    async with screen_on("6") as (pilot, screen):
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.trainer.steps > 0, "a step")
        assert screen.running
        await pilot.press("2")
        await settle(pilot)
        steps = screen.trainer.steps
        await pilot.pause(0.2)
        assert not screen.running and screen.trainer.steps == steps
