"""Walking part two of the guided lesson, backpropagation, at 80×24 as a student would.

Every beat's figures are on screen whole, beside the guide's words, and every number either
shows is the live network's own: computed here again from the core, not read off the screen.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.core import backprop, finite_differences, wishes
from gdtui.core.network import Network
from gdtui.core.presets import PRESETS
from gdtui.ui.beats import BEATS, PART_TWO
from gdtui.ui.screens.backprop import factor, number, precise, short, strongest_source
from gdtui.ui.widgets.guide_panel import GuidePanel
from tests.app.test_lesson_walk import at_beat, go_to_beat, guide_text, on_beat, screen_text, shows_its_point
from tests.helpers import make_app, wait_for, wait_until_loaded

FIRST = BEATS.index(PART_TWO[0])


def beat_titled(title: str) -> int:
    return next(i for i, beat in enumerate(BEATS) if beat.title == title)


def live(app) -> tuple[Network, wishes.Wishes]:
    """The wishes of the image the Backprop step is on, from the core, in float64."""
    screen = app.screen
    split = app.state.data.train
    network = app.state.copy_network()
    cost = "quadratic" if network.output == "sigmoid" else "cross-entropy"
    return network, wishes.wishes(network, split.inputs(screen.index)[0], int(split.labels[screen.index]), cost)


def chain_of(app) -> tuple[Network, wishes.Wishes, wishes.ChainRule]:
    network, w = live(app)
    j = app.screen.neuron
    k = strongest_source(w, j)
    i = int(np.argmax(np.abs(w.a[1] * w.slope(2)[k])))
    return network, w, wishes.chain_rule(w, j, k, i)


def finite_difference(app, network: Network, w: wishes.Wishes, index: int) -> float:
    x = app.state.data.train.inputs(app.screen.index).astype(np.float64)
    return finite_differences.finite_difference(finite_differences.in_double(network), index, x, np.array([w.label]), w.cost)


def averaged(app) -> tuple[int, np.ndarray, float]:
    """The weight the images view is about, its ten images' wishes, and backprop's ∂C/∂w over the ten.

    Of the chosen output's weights, the one the ten images disagree on most: the widest spread of wishes.
    """
    network, w = live(app)
    j = app.screen.neuron
    split = app.state.data.train
    rows = (app.screen.index + np.arange(10)) % len(split)
    x, labels = split.inputs(rows).astype(np.float64), split.labels[rows]
    every = np.array([wishes.weight_wishes_of_images(network, x, labels, w.cost, 3, j, k) for k in range(16)])
    k = int(np.argmax(np.ptp(every, axis=1)))
    _, grad = backprop.gradient(network, x, labels, w.cost)
    return k, every[k], float(grad[wishes.weight_index(network, 3, j, k)])


def same_to_six(a: float, b: float) -> bool:
    return f"{a:.6g}" == f"{b:.6g}"


def _outputs(app) -> list[str]:
    _, w = live(app)
    wish = w.wish_a[3] if w.cost == "quadratic" else w.wish_z[3]
    formula = "−∂C₀/∂aⱼ = −2(aⱼ − yⱼ)" if w.cost == "quadratic" else "−∂C₀/∂zⱼ = yⱼ − aⱼ"
    scale = float(np.abs(wish).max())
    return [
        formula,
        f"its wish is {wish[w.label]:+.4g}",
        *(number(float(v)) for v in wish),
        "C₀, the cost of this one image",
        f"full bar {scale:.2g}",
    ]


def _smallest(app) -> list[str]:
    _, w = live(app)
    j = app.screen.neuron
    z, a, slope = float(w.z[3][j]), float(w.a[3][j]), float(w.slope(3)[j])
    weights, before = w.network.weights[2][j], w.a[2]
    products = float(weights @ before)
    assert products + float(w.network.biases[2][j]) == pytest.approx(z, rel=1e-12)
    assert a * (1 - a) == pytest.approx(slope, rel=1e-12)
    cost = float(np.sum((w.a[3] - w.target) ** 2))
    return [
        f"z = Σ wₖaₖ + b = {products:+.6g} + ({float(w.network.biases[2][j]):+.6g}) = {z:+.6g}",
        f"a = σ(z) = 1/(1 + e^−z) = {a:.6f}",
        "σ'(z) = e^−z/(1 + e^−z)² = σ(z)·(1 − σ(z)) = a(1 − a)",
        f"= {a:.6f} × {1 - a:.6f} = {slope:.6f}",
        f"C₀ = Σⱼ (aⱼ − yⱼ)² = {cost:.6f}",
        "σ squashes any z into 0–1",
        "the cost of this one image",
    ]


def _levers(app) -> list[str]:
    _, w = live(app)
    j = app.screen.neuron
    top = int(np.argmax(np.abs(w.weight_wishes(3, j))))
    slope, on_a = number(float(w.slope(3)[j])), number(float(w.wish_a[3][j]))
    return [
        f"wish on z = σ'(z) × wish on a = ({slope}) × ({on_a}) = {number(float(w.wish_z[3][j]))}",
        f"{float(w.wish_z[3][j]):+.4g}. Its levers",
        f"1 bias {number(w.bias_wish(3, j))}",
        f"{w.a[2][top]:.4f} {w.network.weights[2][j, top]:+.4f}",
        f"2 wish for wₖ, full bar {float(np.abs(w.weight_wishes(3, j)).max()):.2g}",
        number(float(w.weight_wishes(3, j)[top])),
    ]


def _layers(app) -> list[str]:
    _, w = live(app)
    scale = float(max(np.abs(w.wish_a[2]).max(), np.abs(w.wish_a[1]).max()))
    return [
        "layer 2 −∂C₀/∂aₖ",
        "layer 1 −∂C₀/∂aₖ",
        *(short(float(v)) for v in (*w.wish_a[2], *w.wish_a[1])),
        f"Bars of both: full bar {scale:.2g}.",
    ]


def _images(app) -> list[str]:
    k, each, component = averaged(app)
    assert each.mean() == pytest.approx(-component, rel=1e-9), "the average wish is minus backprop's component"
    return [
        f"The weight from neuron {k} of layer 2 to output",
        f"wish −∂C₀/∂w full bar {float(np.abs(each).max()):.2g}",
        *(number(float(v)) for v in each),
        precise(float(each.mean())),
        f"over these 10 images: {precise(component)}",
        f"their average, {each.mean():+.6g}, is −∂C/∂w over them, backprop's {component:+.6g}",
    ]


def _race(app) -> list[str]:
    race = app.screen.race
    full = min(10_000, len(app.state.data.train))
    assert "Two parameters step" not in guide_text(app), "the slice is named for what it is"
    return [
        f"images/step {race.full_batch:,} {race.batch_size:,}",
        f"η = {race.learning_rate:g}",  # the walkers' one η: the help says it is the same
        f"({full:,} images a step)",
        "(10) set off",
        "two of this network's parameters",
    ]


def _chain(app) -> list[str]:
    network, w, chain = chain_of(app)
    estimate = finite_difference(app, network, w, wishes.weight_index(network, 3, chain.j, chain.k))
    assert same_to_six(chain.weight_derivative, estimate), "the chain rule's product is the finite difference"
    assert chain.slope is not None and chain.cost_slope is not None
    assert chain.a_prev * chain.slope * chain.cost_slope == pytest.approx(chain.weight_derivative, rel=1e-12)
    return [
        f"({factor(chain.a_prev)}) × ({factor(chain.slope)}) × ({factor(chain.cost_slope)}) = {precise(chain.weight_derivative)}",
        f"finite difference {precise(estimate)}",
        f"a(L−1) = {chain.a_prev:+.6g}",
        f"σ'(z) = {chain.slope:+.6g}",
        f"2(a − y) = {chain.cost_slope:+.6g}",
        f"their product, {chain.weight_derivative:+.6g}",
    ]


def _further_back(app) -> list[str]:
    network, w, chain = chain_of(app)
    estimate = finite_difference(app, network, w, wishes.weight_index(network, 2, chain.k, chain.i))
    assert same_to_six(chain.earlier_weight_derivative, estimate)
    assert chain.dz == pytest.approx(chain.bias_derivative, rel=0)
    return [
        f"= {factor(chain.activation_derivative)}",
        f"the sum over them, {chain.activation_derivative:+.6g}",
        f"w × ∂C₀/∂z = ({factor(chain.weight)}) × ({factor(chain.dz)}) = {factor(chain.path)}",
        "∂C₀/∂z, which is ∂C₀/∂b",
        f"= {chain.path:+.6g}",
        f"= {precise(chain.earlier_weight_derivative)}",
        f"finite difference {precise(estimate)}",
    ]


def _averaged(app) -> list[str]:
    _, each, component = averaged(app)
    assert same_to_six(-each.mean(), component)
    return [f"{-each.mean():+.6g} over these 10, backprop's {component:+.6g}", f"all {app.state.network.num_params:,} such"]


def _sum(app) -> list[str]:
    _, w = live(app)
    k = strongest_source(w, app.screen.neuron)
    parts = w.terms(2, k)
    assert parts.sum() == pytest.approx(w.wish_a[2][k], rel=1e-12)
    return [f"neuron {k} of layer 2 hears", f"sum = {short(float(parts.sum()))}", f"as a wish −∂C₀/∂aₖ = {w.wish_a[2][k]:+.3g}"]


def _four_equations(app) -> list[str]:
    network, w, chain = chain_of(app)
    # BP2's δ one layer back is that neuron's bias derivative: measured, not only multiplied.
    estimate = finite_difference(app, network, w, wishes.bias_index(network, 2, chain.k))
    assert same_to_six(chain.hidden_delta, estimate)
    text = " ".join(guide_text(app).split())
    assert "Step 7's b" not in text, "keys are named as the key bar names them"
    close = abs(chain.a_prev - 1) < 0.01
    assert ("nearly the same" in text) == close, "two numbers that agree are said to, and why"
    return [
        f"BP1 δ = ∂C₀/∂z = {chain.dz:+.6g}",
        f"a(L−1)·δ = {chain.weight_derivative:+.6g}",
        f"× its slope, both marked, = {chain.hidden_delta:+.6g}",
        f"δ = ∂C₀/∂z = ∂C₀/∂b = σ'(z) · 2(a − y) = {precise(chain.bias_derivative)} BP1 BP3",
        "a(L−1) · σ'(z) · 2(a − y) BP4",
        "BP2",
        # Beside an earlier activation of about 1, δ a layer back reads like the ∂C₀/∂w shown: said so, in the
        # rows the code's key would take.
        *(["× a(L−2) ≈ 1, the ∂C₀/∂w shown."] if abs(chain.a_prev_prev - 1) < 0.01 else ["7 Next", "b Code"]),
    ]


# The sentences and figures each beat is about, from the core: the guide's words and the screen together.
FACTS = {
    "Part two: one image, one wish list": _outputs,
    "The smallest piece: one output neuron": _smallest,
    "Three levers of one output neuron": _levers,
    "Wishes flow backwards": _layers,
    "Every image wants something else": _images,
    "Mini-batches: stumble down fast": _race,
    "The chain rule: three factors": _chain,
    "One layer further back": _further_back,
    "Averaged over the images": _averaged,
    "More neurons a layer": _sum,
    "Back to the four equations": _four_equations,
}


def on_screen(app) -> str:
    return f"{screen_text(app)} {' '.join(guide_text(app).split())}"


async def two_race_steps(pilot) -> None:
    """As the race's beat invites: both walkers step, and the figures are of the steps taken."""
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.race is not None and screen.surface is not None, "the race")
    await pilot.press("n", "n")
    await wait_for(pilot, lambda: screen.race.mini.steps == 2, "two steps of both walkers")


@pytest.mark.slow
async def test_every_beat_of_part_two_shows_the_network_s_own_figures_at_80x24(tiny_mnist_dir):
    assert [beat.title for beat in PART_TWO] == list(FACTS), "every beat of part two is checked, in order"
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await on_beat(pilot, 0)
        await go_to_beat(pilot, FIRST - 1)
        assert "Press . for part two" in guide_text(app), "part one's closing beat leads on"
        for index, beat in enumerate(PART_TWO, start=FIRST):
            await pilot.press("full_stop")
            await on_beat(pilot, index)
            if beat.title.startswith("Mini-batches"):
                await two_race_steps(pilot)
            await shows_its_point(pilot, index)
            for fact in FACTS[beat.title](app):
                await wait_for(pilot, lambda f=fact: f in on_screen(app), f"beat {index + 1}'s {fact!r} on screen")
            panel = app.screen.query_one(GuidePanel)
            needs = panel.get_content_height(panel.size, app.size, panel.content_region.width)
            assert needs <= panel.content_region.height, f"beat {index + 1}'s words are cut off"
        assert app.guide.beat == len(BEATS) - 1


@pytest.fixture(scope="module")
def tuned() -> Network:
    preset = PRESETS["tuned"]
    return Network(activation=preset.activation, output=preset.output, seed=3)


async def test_a_softmax_network_s_beats_say_its_formulas(tiny_mnist_dir, tuned):
    app = make_app(tiny_mnist_dir, lesson=True, network=tuned.copy(), model_name="tuned.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await go_to_beat(pilot, FIRST)
        _, w = live(app)
        text = " ".join(guide_text(app).split())
        assert "with softmax and cross-entropy the wish is y − a on z" in text and "−2(a − y)" not in text
        assert "C₀, the cost of this one image, being −ln a" in text

        neuron_beat = beat_titled("The smallest piece: one output neuron")
        await go_to_beat(pilot, neuron_beat)
        words = " ".join(guide_text(app).split())
        assert "With cross-entropy, C₀ = −ln a_right, the formula in use" in words
        assert f"a = softmax(z) = e^z / Σᵢ e^zᵢ = {w.a[3][app.screen.neuron]:.6f}" in screen_text(app)
        assert f"its wish is {w.wish_z[3][w.label]:+.4g}" in text
        assert "softmax outputs, cross-entropy" in screen_text(app)

        chain_beat = beat_titled("The chain rule: three factors")
        await go_to_beat(pilot, chain_beat)
        network, w, chain = chain_of(app)
        text = " ".join(guide_text(app).split())
        assert f"z moves C₀ by a − y = {chain.dz:+.6g}" in text and "σ'(z)" not in text
        estimate = finite_difference(app, network, w, wishes.weight_index(network, 3, chain.j, chain.k))
        assert same_to_six(chain.weight_derivative, estimate)
        assert f"their product, {chain.weight_derivative:+.6g}" in text

        for index in range(FIRST, len(BEATS)):  # its words are its own: each beat still leaves its figures whole
            await go_to_beat(pilot, index)
            if BEATS[index].title.startswith("Mini-batches"):
                await two_race_steps(pilot)
            await shows_its_point(pilot, index)
            panel = app.screen.query_one(GuidePanel)
            needs = panel.get_content_height(panel.size, app.size, panel.content_region.width)
            assert needs <= panel.content_region.height, f"beat {index + 1}'s words are cut off"
            assert "σ'(z) ×" not in guide_text(app) and "2(a − y)" not in guide_text(app), "no quadratic formula"


async def test_part_two_is_resumed_where_the_student_stopped(tiny_mnist_dir):
    stop = beat_titled("The chain rule: three factors")
    async with at_beat(tiny_mnist_dir, stop):
        pass  # the lesson's bookmark is kept as the app ends
    again = make_app(tiny_mnist_dir, lesson=True)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await on_beat(pilot, stop)
        await wait_for(pilot, lambda: again.screen.view == "chain", "the chain rule's view")
        await pilot.press("comma")
        await on_beat(pilot, stop - 1)


async def test_the_words_follow_the_image_and_the_neuron_the_student_picks(tiny_mnist_dir):
    async with at_beat(tiny_mnist_dir, FIRST) as pilot:
        app = pilot.app
        await pilot.press("n")  # as the beat invites: another image's wish list
        await wait_for(pilot, lambda: app.screen.index == 1, "the next image")
        for fact in _outputs(app)[:2]:
            await wait_for(pilot, lambda f=fact: f in on_screen(app), f"the words of image 1: {fact!r}")
        assert f"here {app.state.a_class(int(app.state.data.train.labels[1]))}." in on_screen(app)

        beat = beat_titled("More neurons a layer")
        await go_to_beat(pilot, beat)
        before = app.screen.hidden_neuron(live(app)[1])
        await pilot.press("right_square_bracket")  # as the beat invites: the sum for another neuron of layer 2
        await wait_for(pilot, lambda: app.screen.hidden == (before + 1) % 16, "the next neuron")
        _, w = live(app)
        k = app.screen.hidden
        await wait_for(pilot, lambda: f"Neuron {k} of layer 2 feeds" in on_screen(app), "the words of the next neuron")
        assert f"as a wish −∂C₀/∂aₖ = {w.wish_a[2][k]:+.3g}" in on_screen(app)
        for _ in range(16):  # every neuron of layer 2, one- and two-digit: the words leave the lists their rows
            await shows_its_point(pilot, beat)
            await pilot.press("right_square_bracket")


async def test_the_header_of_part_two_ends_whole_at_80x24(tiny_mnist_dir):
    name = "lesson-network-trained-6000-steps-seed-1.npz"
    app = make_app(tiny_mnist_dir, lesson=True, network=Network(seed=1), model_name=name)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for index in range(FIRST, len(BEATS)):
            await go_to_beat(pilot, index)
            await pilot.pause()
            header = app.screen.query_one("#header")
            row = [strip.text for strip in app.screen._compositor.render_strips()][header.region.y].rstrip()
            assert header.region.height == 1 and row.endswith(name), f"beat {index + 1}: {row!r}"


async def test_the_output_picked_on_the_wish_list_is_the_one_the_next_beats_take_apart(tiny_mnist_dir):
    """The wish list marks the output "the next views take apart; [ and ] pick another": picked there, it is the one
    of the next two beats (one output neuron, its levers); back on the wish list, the image's own output again."""
    async with at_beat(tiny_mnist_dir, FIRST) as pilot:
        app = pilot.app
        screen = app.screen
        own = int(app.state.data.train.labels[screen.index])
        await pilot.press("right_square_bracket", "right_square_bracket")
        picked = (own + 2) % 10
        await wait_for(pilot, lambda: screen.neuron == picked, "another output picked")
        for beat in (FIRST + 1, FIRST + 2):
            await pilot.press("full_stop")
            await on_beat(pilot, beat)
            assert screen.neuron == picked, f"beat {beat + 1} took output {screen.neuron} apart, not {picked}"
        await pilot.press("comma", "comma")
        await on_beat(pilot, FIRST)
        assert screen.neuron == own
