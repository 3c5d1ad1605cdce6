"""Step 7, Next: the numbers it shows are the gradient, measured two ways on the current network."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from gdtui.core import backprop
from gdtui.core.network import Network
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.next import SAMPLE, TIMED, agreement, duration, figures, source_lines, speed_up
from tests.helpers import make_app, open_step, settle, wait_for, wait_until_loaded


def _gradient_in_float64(app, cost: str) -> np.ndarray:
    """Backprop on the same sample, done here from scratch, for the screen's numbers to match."""
    live = app.state.network
    network = Network(live.sizes, activation=live.activation, output=live.output, params=live.params, dtype=np.float64)
    split = app.state.data.train
    network.gradient(split.inputs(slice(0, SAMPLE)).astype(np.float64), split.labels[:SAMPLE], cost)
    return network.grad


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_the_backprop_value_shown_is_the_gradient_and_the_estimate_agrees(screen_on):
    async with screen_on("7") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        grad = _gradient_in_float64(app, "quadratic")
        first = screen.comparisons[screen.selected]
        assert abs(grad[first.index]) == np.abs(grad).max()  # the steepest parameter of all comes first
        for c in screen.comparisons:
            assert c.backprop == grad[c.index]
            assert abs(c.estimate - grad[c.index]) <= 1e-6 * abs(grad[c.index])
        shown = _text(screen, "#check")
        assert f"∂C/∂w = {grad[first.index]:+.9e}" in shown
        assert f"= {first.estimate:+.9e}" in shown
        assert app.state.network.parameter(first.index).describe((28, 28)) in shown
        assert agreement(first.backprop, first.estimate, first.relative_difference) in shown


async def test_n_steps_through_each_layers_steepest_weight_and_bias(screen_on):
    async with screen_on("7") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        network = app.state.network
        layers_and_kinds = {(network.parameter(c.index).layer, network.parameter(c.index).kind) for c in screen.comparisons}
        assert layers_and_kinds == {(layer, kind) for layer in (1, 2, 3) for kind in ("weight", "bias")}
        await pilot.press("n")
        assert screen.selected == 1
        second = screen.comparisons[1]
        shown = _text(screen, "#check")
        assert shown.startswith("Parameter 2 of 6 · ")
        assert network.parameter(second.index).describe((28, 28)) in shown
        assert f"{second.backprop:+.9e}" in shown
        await pilot.press(*"n" * 5)
        assert screen.selected == 0  # round again
        await pilot.press("n", "n", "m")
        await settle(pilot)
        assert screen.selected == 2  # measuring the same network again stays on the parameter shown


async def test_both_ways_are_timed_and_finite_differences_extrapolated(screen_on):
    async with screen_on("7") as (pilot, screen):
        await settle(pilot)
        timing = screen.timing
        assert timing.measured == TIMED and timing.parameters == 13_002
        assert timing.backprop_seconds > 0 and timing.per_parameter_seconds > 0
        assert timing.finite_differences_seconds == pytest.approx(13_002 * timing.per_parameter_seconds)
        shown = _text(screen, "#timing")
        assert duration(timing.backprop_seconds) in shown
        assert duration(timing.finite_differences_seconds) in shown
        assert f"{TIMED} parameters timed, their median × 13,002" in shown
        assert f"{figures(speed_up(timing.backprop_seconds, timing.finite_differences_seconds))}× faster" in shown
        assert "measuring" not in shown


async def test_m_measures_the_network_as_it_is_now(screen_on):
    async with screen_on("7") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        before = screen.timing
        app.state.randomize_network()
        await pilot.press("m")
        app.state.randomize_network()  # changed again while the first measurement runs
        await pilot.press("m")
        await settle(pilot)
        assert screen.timing is not before
        grad = _gradient_in_float64(app, "quadratic")
        assert all(c.backprop == grad[c.index] for c in screen.comparisons)
        assert "random, seed 2" in _text(screen, "#teaser")


async def test_a_network_changed_while_shown_is_measured_again_without_a_key(screen_on):
    async with screen_on("7") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        app.state.randomize_network()
        await wait_for(pilot, lambda: screen.measured_version == app.state.version, "the new network to be measured")
        await settle(pilot)
        grad = _gradient_in_float64(app, "quadratic")
        assert all(c.backprop == grad[c.index] for c in screen.comparisons)
        assert screen.timing is not None and "random, seed 1" in _text(screen, "#teaser")


async def test_coming_back_after_training_shows_the_trained_network(screen_on):
    async with screen_on("7") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        await pilot.press("6", "n")
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        grad = _gradient_in_float64(app, "quadratic")
        assert all(c.backprop == grad[c.index] for c in screen.comparisons)
        teaser = _text(screen, "#teaser")
        assert "trained 1 step from seed 0" in teaser
        assert f"quadratic cost {screen.sample_cost:.4f}" in teaser


async def test_a_softmax_network_is_checked_on_cross_entropy(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, network=Network(activation="relu", output="softmax", seed=4))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "7")
        await settle(pilot)
        grad = _gradient_in_float64(app, "cross-entropy")
        assert all(c.backprop == grad[c.index] for c in screen.comparisons)
        assert all(c.relative_difference < 1e-6 for c in screen.comparisons)
        assert "cross-entropy" in _text(screen, "#teaser")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_everything_fits_for_every_parameter_even_with_a_long_network_origin(tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=size) as pilot:
        await wait_until_loaded(pilot)
        app.state.use_network(app.state.network.copy(), "model-123456-steps-seed-0.npz, more")
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        # Each parameter in turn: a weight's name ("layer 1 neuron 0 → layer 2 neuron 0") may wrap its line.
        for number in range(len(screen.comparisons)):
            await wait_for(pilot, lambda n=number: screen.selected == n, f"parameter {number + 1}")
            body = screen.query_one("#body").region
            shown = [widget for widget in screen.query("#page > *") if widget.display]
            assert [w.id for w in shown][-1] == ("closing" if size[1] >= 40 else "timing")
            for widget in shown:
                assert body.contains_region(widget.region), f"parameter {number + 1}: {widget.id}"
            await pilot.press("n")


async def test_the_table_of_every_parameter_shows_only_where_it_fits(screen_on):
    async with screen_on("7") as (pilot, screen):
        await settle(pilot)
        assert not screen.query_one("#parameters").display
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        table = screen.query_one("#parameters")
        assert table.display and table.row_count == len(screen.comparisons)
        await pilot.press("n")
        assert table.cursor_row == 1


async def test_the_footer_offers_both_keys_and_help_explains_them(screen_on):
    async with screen_on("7") as (pilot, screen):
        app = pilot.app
        await settle(pilot)
        offered = {key: b.binding.description for key, b in screen.active_bindings.items() if b.binding.show}
        assert offered["n"] == "Next parameter" and offered["m"] == "Measure again"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        assert "`n`" in text and "`m`" in text and "(C(w+h) − C(w−h)) / 2h" in text


def test_the_code_shown_is_the_reference_backprop_line_for_line():
    lines = source_lines(backprop.backprop)
    assert lines[0] == "def backprop(weights, biases, x, y, activation, output, cost):"
    assert lines[-1].strip() == "return average, nabla_w, nabla_b"
    body = "\n".join(lines[1:])
    assert body in "".join(inspect.getsourcelines(backprop.backprop)[0])
    shown = "\n".join(lines + source_lines(backprop.output_error))
    for equation in ("BP1 δᴸ = ∇ₐC ⊙ σ'(zᴸ)", "BP2 δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)", "BP3 ∂C/∂bˡ = δˡ", "BP4 ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ"):
        assert equation in shown


async def test_b_shows_backprops_code_whole_at_80x24_and_b_again_the_numbers(screen_on):
    async with screen_on("7") as (pilot, screen):
        await settle(pilot)
        await pilot.press("b")
        code = screen.query_one("#backprop")
        await wait_for(pilot, lambda: code.region.height, "the code to be drawn")
        lines = source_lines(backprop.backprop)
        assert code.region.height == len(lines)  # not one line wrapped
        assert screen.query_one("#code").region.contains_region(code.region)
        offered = {key: b.binding.description for key, b in screen.active_bindings.items() if b.binding.show}
        assert offered["b"] == "Numbers" and "n" not in offered
        await pilot.press("n", "b")  # n has no parameter to show beside the code
        assert screen.query_one("#page").display and screen.selected == 0


def test_durations_and_ratios_read_in_two_figures():
    assert duration(1.84e-4) == "180 µs"
    assert duration(0.0123) == "12 ms"
    assert duration(2.46) == "2.5 s"
    assert duration(150.0) == "2.5 min"
    assert duration(12_345.0) == "3.4 hours"
    assert duration(3 * 86_400.0) == "3 days"
    assert figures(12_345.0) == "12,000" and figures(999.0) == "1,000" and figures(4.56) == "4.6"
    assert agreement(0.0078750544974, 0.0078750544975, 1.3e-11) == (
        "Their first 9 of the 10 digits shown agree: relative difference 1.3e-11."
    ), "the 10th as printed differs, rounded on either side of a half: the count is of the digits the reader sees"
    assert agreement(0.25, 0.25000000000001, 4e-14) == "All 10 digits shown agree: relative difference 4.0e-14."
    assert agreement(0.25, 0.25, 0.0) == "They agree exactly."
    assert agreement(0.00999999999, 0.01000000001, 2e-9).startswith("Their digits differ from the first")


@pytest.mark.parametrize(("backprop", "differences"), [(146e-6, 2.34), (150e-6, 2.3), (9.96e-5, 1.04), (1.2e-3, 45.6)])
def test_the_speed_up_is_the_ratio_of_the_two_timings_as_shown(backprop, differences):
    """'150 µs … 2.3 s … 16,000× faster': worked out from the unrounded timings, where the figures shown give 15,000."""
    units = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}

    def as_shown(seconds: float) -> float:
        number, unit = duration(seconds).split()
        return float(number.replace(",", "")) * units[unit]

    assert figures(speed_up(backprop, differences)) == figures(as_shown(differences) / as_shown(backprop))
