"""The lesson on a network of another shape than 784-16-16-10, and on a set of other than ten classes.

A learner may open a model trained with other hidden layers (`gdtui train --hidden`), or a data set
of other classes. Every step and every beat of both parts of the guided lesson then works at 80×24,
and every sentence is true of the network shown: its layers, its widths, its parameters, never the
lesson's default ones. Where a beat cannot make its point on that shape, it says so in plain words.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from gdtui.core import finite_differences, wishes
from gdtui.core.network import Network
from gdtui.ui.beats import BEATS
from gdtui.ui.screens.backprop import precise, short, strongest_source
from gdtui.ui.widgets.guide_panel import GuidePanel
from gdtui.ui.widgets.layer_bars import LayerBars
from tests.app.test_lesson_walk import guide_text, on_beat, screen_text, shows_its_point
from tests.helpers import make_app, wait_for, wait_until_loaded
from tests.tiny_mnist import write_tiny_set

pytestmark = pytest.mark.slow

FOUR = ("circle", "square", "star", "cross")


@pytest.fixture(scope="module")
def four_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_set(tmp_path_factory.mktemp("four-classes"), classes=FOUR)


# Each shape with what the Network beat and the backward flow's beat say of it, written out by hand.
SHAPES = {
    "no hidden layer": (
        (784, 10),
        "The 784 values feed the 10 outputs directly, one per digit.",
        "This network has no hidden layer",
    ),
    "one hidden layer of 32": (
        (784, 32, 10),
        "The 784 values feed 32 neurons, which feed 10 outputs, one per digit.",
        "Layer 1 cannot be set, only asked: each neuron's wish adds up what the outputs ask of it",
    ),
    "two of 24 and 12, four classes": (
        (784, 24, 12, 4),
        "The 784 values feed 24 neurons, which feed 12, which feed 4 outputs, one per class.",
        "Layer 2 cannot be set, only asked: each neuron's wish adds up what the outputs ask of it, weight × "
        "wish on z. Layer 1 hears layer 2 alike.",
    ),
    "three of 20, 12 and 8": (
        (784, 20, 12, 8, 10),
        "The 784 values feed 20 neurons, which feed 12, which feed 8, which feed 10 outputs, one per digit.",
        "Layer 3 cannot be set, only asked: each neuron's wish adds up what the outputs ask of it, weight × "
        "wish on z. Layers 2 to 1 hear alike.",
    ),
}


def data_for(sizes: tuple[int, ...], tiny_mnist_dir: Path, four_classes: Path) -> Path:
    return four_classes if sizes[-1] == len(FOUR) else tiny_mnist_dir


def untrue(text: str, network: Network) -> list[str]:
    """The words of `text` that are not true of `network`: a layer it lacks, a width or a count it does not have."""
    hidden = network.layer_count - 1
    wrong = [m.group() for m in re.finditer(r"\b[Ll]ayers? (\d+)\b", text) if not 1 <= int(m.group(1)) <= hidden]
    widths = set(network.sizes[1:])
    wrong += [m.group() for m in re.finditer(r"\b(\d+) (?:more )?neurons\b", text) if int(m.group(1)) not in widths]
    # The network's parameters, or the others beside the two of a slice (a column of the screen may stand between
    # "the other" and its count); not those the Next step times.
    for m in re.finditer(r"(\bof )?\b(\d[\d,]*) parameters\b(?! timed)", text):
        if not m.group(1) and int(m.group(2).replace(",", "")) not in (network.num_params, network.num_params - 2):
            wrong.append(m.group())
    wrong += [m.group() for m in re.finditer(r"\b(\d+) outputs\b", text) if int(m.group(1)) != network.sizes[-1]]
    words = {0: "no", 1: "one", 2: "two", 3: "three"}
    if hidden != 2:
        wrong += re.findall(r"\btwo hidden layers\b", text)
    wrong += [m.group() for m in re.finditer(r"\b(one|two|three) hidden layers?\b", text) if m.group(1) != words.get(hidden)]
    return wrong


def live(app) -> tuple[Network, wishes.Wishes]:
    network = app.state.copy_network()
    split = app.state.data.train
    cost = "quadratic" if network.output == "sigmoid" else "cross-entropy"
    return network, wishes.wishes(network, split.inputs(app.screen.index)[0], int(split.labels[app.screen.index]), cost)


def finite_difference(app, network: Network, w: wishes.Wishes, index: int) -> float:
    x = app.state.data.train.inputs(app.screen.index).astype(np.float64)
    return finite_differences.finite_difference(finite_differences.in_double(network), index, x, np.array([w.label]), w.cost)


def _network_facts(app, sizes, flow, backwards) -> list[str]:
    bars = [bars for bars in app.screen.query(LayerBars) if bars.display]
    titles = [f"layer {n}" for n in range(1, len(sizes) - 1)] + ["output"]
    assert [b.title for b in bars] == titles, "a column of bars for every layer, named as the layers are"
    for b in bars:
        assert b.region.area > 0 and app.screen.region.contains_region(b.region), f"{b.title} on screen whole"
    return [flow]


def _layers_facts(app, sizes, flow, backwards) -> list[str]:
    if len(sizes) == 2:
        return [backwards, "This network has no hidden layer"]
    _, w = live(app)
    last = w.layers - 1
    k = app.screen.hidden_neuron(w)
    facts = [backwards, f"layer {last} −∂C₀/∂aₖ", f"neuron {k} of layer {last} hears", short(float(w.wish_a[last][k]))]
    if last > 1:
        facts.append(f"layer {last - 1} −∂C₀/∂aₖ")
    scale = max(float(np.abs(w.wish_a[layer]).max()) for layer in range(max(1, last - 1), last + 1))
    return [*facts, f"Bars of {'both' if last > 1 else 'the layer'}: full bar {scale:.2g}."]


def _chain_facts(app, sizes, flow, backwards) -> list[str]:
    if len(sizes) == 2:
        return ["This network has no hidden layer"]
    network, w = live(app)
    chain = app.screen.chain_rule(w)
    out = w.layers
    assert chain is not None and chain.k == strongest_source(w, app.screen.neuron)
    estimate = finite_difference(app, network, w, wishes.weight_index(network, out, chain.j, chain.k))
    assert f"{chain.weight_derivative:.6g}" == f"{estimate:.6g}", "the chain rule's product is the finite difference"
    return [f"from neuron {chain.k} of layer {out - 1} to output", precise(chain.weight_derivative)]


def _further_back_facts(app, sizes, flow, backwards) -> list[str]:
    if len(sizes) == 2:
        return ["This network has no hidden layer"]
    network, w = live(app)
    chain = app.screen.chain_rule(w)
    out = w.layers
    assert chain is not None
    estimate = finite_difference(app, network, w, wishes.weight_index(network, out - 1, chain.k, chain.i))
    assert f"{chain.earlier_weight_derivative:.6g}" == f"{estimate:.6g}"
    row, col = divmod(chain.i, app.state.data.image_shape[1])
    before = f"neuron {chain.i} of layer {out - 2}" if out > 2 else f"pixel ({row},{col})"  # as every screen names it
    return [f"w from {before} into neuron {chain.k} of layer {out - 1}", precise(chain.earlier_weight_derivative)]


def _sum_facts(app, sizes, flow, backwards) -> list[str]:
    if len(sizes) == 2:
        return ["This network has no hidden layer"]
    _, w = live(app)
    last = w.layers - 1
    k = app.screen.hidden_neuron(w)
    parts = w.terms(last, k)
    return [
        f"Neuron {k} of layer {last} feeds all {sizes[-1]} outputs",
        f"sum = {short(float(parts.sum()))}",
        f"] sums for another neuron of layer {last}.",
    ]


def _levers_facts(app, sizes, flow, backwards) -> list[str]:
    if len(sizes) == 2:  # what feeds an output are the pixels: no neurons, no activations to ask
        assert "bright neurons" not in on_screen(app) and "layer before" not in on_screen(app)
        return ["bright pixels' weights matter most", "3 pixels wₖ × that"]
    return ["bright neurons' weights matter most", "3 layer before wₖ × that"]


FACTS = {
    "A network of {sizes}": _network_facts,
    "Three levers of one output neuron": _levers_facts,
    "Wishes flow backwards": _layers_facts,
    "The chain rule: three factors": _chain_facts,
    "One layer further back": _further_back_facts,
    "More neurons a layer": _sum_facts,
}


def on_screen(app) -> str:
    return f"{screen_text(app)} {' '.join(guide_text(app).split())}"


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_beat_is_true_of_a_network_of_another_shape(tiny_mnist_dir, four_classes, shape):
    sizes, flow, backwards = SHAPES[shape]
    network = Network(sizes, seed=2)
    app = make_app(data_for(sizes, tiny_mnist_dir, four_classes), lesson=True, network=network, model_name="shaped.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        assert app.state.network.sizes == sizes
        for index, beat in enumerate(BEATS):
            if index:
                await pilot.press("full_stop")
            await on_beat(pilot, index)
            if beat.title == "Mini-batches: stumble down fast":
                screen = app.screen
                await wait_for(pilot, lambda s=screen: s.race is not None and s.surface is not None, "the race")
            await shows_its_point(pilot, index)
            for fact in FACTS.get(beat.title, lambda *_: [])(app, sizes, flow, backwards) if isinstance(beat.title, str) else []:
                await wait_for(pilot, lambda f=fact: f in on_screen(app), f"beat {index + 1}'s {fact!r} on screen")
            wrong = untrue(on_screen(app), app.state.network)
            assert not wrong, f"beat {index + 1} says {wrong} of a {'-'.join(map(str, sizes))} network"
            panel = app.screen.query_one(GuidePanel)
            needs = panel.get_content_height(panel.size, app.size, panel.content_region.width)
            assert needs <= panel.content_region.height, f"beat {index + 1}'s words are cut off"
        assert app.guide.beat == len(BEATS) - 1


# Every state of every step, as its keys reach it: the views, the choices, the help.
STEP_KEYS = {
    "1": ("n", "t", "z"),
    "2": ("n", "w", "right_square_bracket", "left_square_bracket", "w"),
    "3": ("v", "n", "v", "t"),
    "4": ("f", "f", "f", "p", "p", "p", "n"),
    "5": ("f", "f", "p", "n"),
    "6": ("n", "v", "right_square_bracket", "v", "right_square_bracket", "down", "v"),
    "7": ("n", "b", "b"),
    "8": (
        *("right_square_bracket", "n", "v") * 6,
        "n",
        "v",
    ),
}


async def walk_the_steps(pilot) -> None:
    """Every step in every state STEP_KEYS reaches, each true of the network shown, in its words and its help."""
    app = pilot.app
    for step, keys in STEP_KEYS.items():
        await pilot.press(step)
        await wait_for(pilot, lambda: app.screen.id is not None and app.current_mode == app.screen.id, f"step {step}")
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            wrong = untrue(screen_text(app), app.state.network)
            assert not wrong, f"step {step} after {key} says {wrong}"
        wrong = untrue(" ".join(type(app.screen).HELP.split()), app.state.network)
        assert not wrong, f"step {step}'s help says {wrong}"


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_step_works_and_is_true_of_a_network_of_another_shape(tiny_mnist_dir, four_classes, shape):
    sizes, _, _ = SHAPES[shape]
    app = make_app(data_for(sizes, tiny_mnist_dir, four_classes), network=Network(sizes, seed=2), model_name="shaped.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await walk_the_steps(pilot)
        await app.workers.wait_for_complete()


async def test_a_narrower_model_opened_on_a_chosen_neuron_is_shown_whole(tiny_mnist_dir):
    """Neurons chosen on the lesson's network (the 16th of layer 2, the 16th's weights) are not there in the model
    opened next: every step shows that model, its own neurons."""
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await walk_the_steps(pilot)
        await pilot.press("2", "left_square_bracket")
        await wait_for(pilot, lambda: app.screen.id == "network" and app.screen.neuron == 15, "the 16th neuron's weights")
        await pilot.press("8", "v", "v", "v")
        await wait_for(pilot, lambda: app.screen.id == "backprop" and app.screen.view == "layers", "the hidden layers' view")
        backprop_screen = app.screen
        for _ in range(16):
            if backprop_screen.hidden == 15:
                break
            await pilot.press("right_square_bracket")
            await pilot.pause()
        assert backprop_screen.hidden == 15, "the 16th neuron of layer 2 chosen"
        narrow = Network((784, 6, 5, 10), seed=4)
        app.state.use_network(narrow, "narrow.npz")
        await pilot.pause()
        _, w = live(app)
        k = backprop_screen.hidden_neuron(w)
        assert 0 <= k < 5
        await wait_for(pilot, lambda: f"neuron {k} of layer 2 hears" in screen_text(app), "the narrow model's own sum")
        for _ in range(len(STEP_KEYS["8"])):
            await pilot.press("v")
            await pilot.pause()
        await pilot.press("2")
        await wait_for(pilot, lambda: app.screen.id == "network", "the Network step")
        await wait_for(pilot, lambda: "784 → 6 → 5 → 10" in screen_text(app), "the narrow model's layers")
        assert [b.title for b in app.screen.query(LayerBars) if b.display] == ["layer 1", "layer 2", "output"]
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "neuron" in screen_text(app) and app.screen.neuron < 6, "a neuron of the narrow model")
        await walk_the_steps(pilot)
        await app.workers.wait_for_complete()
