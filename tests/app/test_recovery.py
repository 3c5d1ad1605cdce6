"""Training never saved is kept while it goes on, offered back at the next start, and removed once
saved or given up knowingly."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input, Static

from gdtui.core.files import data_home
from gdtui.core.model_io import load_model
from gdtui.core.network import Network, count_parameters
from gdtui.ui import recovery
from gdtui.ui.screens.restore_prompt import RestorePrompt
from gdtui.ui.state import Provenance
from tests.helpers import make_app, open_step, settle, wait_for, wait_until_loaded


async def train_steps(pilot, steps: int) -> None:
    for _ in range(steps):
        await pilot.press("n")
        await settle(pilot)


async def test_unsaved_training_is_kept_while_it_goes_on(screen_on):
    async with screen_on("6") as (pilot, _screen):
        app = pilot.app
        await train_steps(pilot, 3)

        def kept_steps() -> int | None:
            kept = recovery.find()
            return kept and kept.provenance.steps

        # A copy at most every few seconds: the one after the third step may come a little later.
        await wait_for(pilot, lambda: kept_steps() == 3, "a copy of the unsaved training")
        kept = recovery.find()
        assert kept is not None
        np.testing.assert_array_equal(kept.network.params, app.state.network.params)
        assert kept.provenance == Provenance("random, seed 0", True, 0, 3, 0)


async def test_an_ending_signal_keeps_the_newest_steps_at_once(screen_on):
    async with screen_on("6") as (pilot, _screen):
        app = pilot.app
        await train_steps(pilot, 1)
        await wait_for(pilot, lambda: recovery.find() is not None, "a copy of the unsaved training")
        await train_steps(pilot, 2)
        app._keep()  # what an ending signal has done before the app exits
        kept = recovery.find()
        assert kept is not None and kept.provenance.steps == 3
        np.testing.assert_array_equal(kept.network.params, app.state.network.params)


async def test_saving_the_network_removes_the_copy(screen_on, tmp_path):
    async with screen_on("6") as (pilot, _screen):
        app = pilot.app
        await train_steps(pilot, 2)
        await wait_for(pilot, lambda: recovery.find() is not None, "a copy of the unsaved training")
        await pilot.press("s")
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.state.unsaved, "the network saved")
        await wait_for(pilot, lambda: recovery.find() is None, "the copy removed")
        assert not list(data_home().glob("unsaved.*"))


async def test_quitting_knowingly_removes_the_copy(screen_on):
    async with screen_on("6") as (pilot, _screen):
        app = pilot.app
        await train_steps(pilot, 2)
        await wait_for(pilot, lambda: recovery.find() is not None, "a copy of the unsaved training")
        await pilot.press("q", "q")
        await wait_for(pilot, lambda: app._exit, "the app to quit")
    assert recovery.find() is None


def leave_unsaved(tiny_mnist_dir, steps: int = 40, nudges: int = 0) -> tuple[Network, Provenance]:
    """What a run ended by a signal leaves: a network trained on the tiny set, never saved."""
    from gdtui.core.dataset import load_dataset
    from gdtui.core.training import Trainer

    data = load_dataset(tiny_mnist_dir)
    network = Network((data.pixels, 16, 16, len(data.classes)), seed=0)
    trainer = Trainer(network, data.train, learning_rate=1.5, batch_size=10, seed=0)
    for _ in range(steps):
        trainer.step()
    provenance = Provenance("random, seed 0", True, 0, steps, nudges)
    assert recovery.keep(network, provenance, data)
    return network, provenance


async def the_offer(pilot) -> RestorePrompt:
    await wait_until_loaded(pilot)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RestorePrompt), "the offer to restore")
    return pilot.app.screen


async def test_the_next_start_offers_the_network_back_and_y_restores_it_as_it_was(tiny_mnist_dir):
    network, provenance = leave_unsaved(tiny_mnist_dir, nudges=1)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = await the_offer(pilot)
        words = str(prompt.query_one(Static).render())
        outputs = load_model(data_home() / "unsaved.npz").forward(app.state.data.test.inputs(slice(None)))
        right = np.count_nonzero(outputs.argmax(axis=1) == app.state.data.test.labels)
        images = len(app.state.data.test)
        origin = "trained 40 steps from seed 0, 1 nudge"  # the words the network's origin says once restored
        assert f"Restore the network you were training: {origin}?" in words
        share = f"{100 * right / images:.1f}%"
        name = app.state.data.name
        assert f"It reads {share} of the {images:,} test images of {name} right, measured just now." in words
        assert "never saved" not in words  # an earlier state of it may well have been
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, RestorePrompt), "the offer to close")
        np.testing.assert_array_equal(app.state.network.params, network.params)
        assert app.state.unsaved
        assert app.state.network_origin == origin
        # Training goes on from where it was.
        screen = await open_step(pilot, "6")
        await pilot.press("n")
        await settle(pilot)
        assert screen.training.run.network is app.state.network
        assert app.state.network_origin == "trained 41 steps from seed 0, 1 nudge"


async def test_n_discards_the_copy_and_starts_afresh(tiny_mnist_dir):
    network, _ = leave_unsaved(tiny_mnist_dir)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_offer(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, RestorePrompt), "the offer to close")
        assert not np.array_equal(app.state.network.params, network.params)
        assert not app.state.unsaved
        assert recovery.find() is None


async def test_an_offer_not_yet_answered_keeps_the_copy_whatever_happens_meanwhile(tiny_mnist_dir):
    network, _ = leave_unsaved(tiny_mnist_dir)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_offer(pilot)
        app.keep_before_ending()  # what a signal does now
        app._keep_unsaved()
    kept = recovery.find()
    assert kept is not None
    np.testing.assert_array_equal(kept.network.params, network.params)


async def test_a_copy_for_another_data_set_is_not_offered_and_is_kept(tiny_mnist_dir):
    from gdtui.core.dataset import load_dataset

    other = Network((4, 3, 2), seed=0)
    assert recovery.keep(other, Provenance("random, seed 0", True, 0, 5, 0), load_dataset(tiny_mnist_dir))
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.pause(0.2)
        assert not isinstance(app.screen, RestorePrompt)
    assert recovery.find() is not None


@pytest.mark.parametrize(
    "words",
    [
        b"",
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"origin": "x", "random": true, "seed": 0, "steps": -1, "nudges": 0}',
        b'{"origin": "x", "random": true, "seed": 0, "steps": true, "nudges": 0}',
        b'{"origin": 3, "random": true, "seed": 0, "steps": 1, "nudges": 0}',
        b'{"origin": "x", "random": 1, "seed": 0, "steps": 1, "nudges": 0}',
        b'{"origin": "x", "random": true, "seed": 0, "steps": 1}',
        b'{"origin": "x", "random": true, "seed": 0, "steps": 1, "nudges": 0, "more": 1}',
        b'{"origin": "x", "random": true, "seed": 0, "steps": 1, "nudges": 0, "data": 3}',
        b'{"origin": "' + b"x" * 10_000 + b'", "random": true, "seed": 0, "steps": 1, "nudges": 0}',
    ],
    ids=lambda words: repr(words[:20]),
)
async def test_damaged_words_mean_nothing_to_offer(tiny_mnist_dir, words: bytes):
    leave_unsaved(tiny_mnist_dir, steps=1)
    (data_home() / "unsaved.json").write_bytes(words)
    assert recovery.find() is None


def test_a_damaged_model_means_nothing_to_offer(tiny_mnist_dir):
    leave_unsaved(tiny_mnist_dir, steps=1)
    (data_home() / "unsaved.npz").write_bytes(b"PK\x03\x04 not a model")
    assert recovery.find() is None
    (data_home() / "unsaved.npz").unlink()
    assert recovery.find() is None


async def test_a_restored_network_is_measured_as_it_was_not_as_untrained(tiny_mnist_dir):
    leave_unsaved(tiny_mnist_dir)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_offer(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, RestorePrompt), "the offer to close")
        screen = await open_step(pilot, "6")
        await settle(pilot)
        stats = str(screen.query_one("#stats").render())
        # The restored network, named as the Network step names it: not "as opened", nor untrained.
        assert "(restored: 40 steps)" in stats and "before training" not in stats, stats
        assert "as opened" not in stats


async def test_the_offer_shows_a_model_files_name_as_text(tiny_mnist_dir):
    from gdtui.core.dataset import load_dataset

    data = load_dataset(tiny_mnist_dir)
    network = Network((data.pixels, 16, 16, len(data.classes)), seed=0)
    assert recovery.keep(network, Provenance("[b]mine[/b].npz", False, 0, 3, 0), data)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = await the_offer(pilot)
        assert "training: [b]mine[/b].npz, trained 3 steps more?" in str(prompt.query_one(Static).render())


async def test_a_restored_network_saved_before_it_changes_takes_its_copy_away(tiny_mnist_dir, tmp_path, monkeypatch):
    """The copy on disk is the restored network's own: saved at once, before the app had any reason to
    write a newer copy, the old one must still go."""
    import gdtui.ui.app

    monkeypatch.setattr(gdtui.ui.app, "CHECK_UNSAVED_S", 3600.0)  # no check of its own meanwhile
    leave_unsaved(tiny_mnist_dir)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_offer(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, RestorePrompt), "the offer to close")
        await open_step(pilot, "6")
        await pilot.press("s")
        app.screen.query_one(Input).value = str(tmp_path / "restored.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.state.unsaved, "the network saved")
        app._keep_unsaved()  # the check, as its interval would run it
        assert recovery.find() is None


def a_set_with_one_odd_test_image(directory, test: int, odd: int, others: int):
    """The tiny set, its test images all labelled `others` but one labelled `odd`."""
    from gdtui.core.dataset import bundled_data_dir
    from gdtui.core.idx import read_idx, write_idx
    from tests.tiny_mnist import write_tiny_mnist

    directory.mkdir()
    write_tiny_mnist(directory)
    images = read_idx(bundled_data_dir() / "t10k-images-idx3-ubyte.gz")[:test]
    labels = np.full(test, others, dtype=np.uint8)
    labels[0] = odd
    write_idx(directory / "t10k-images-idx3-ubyte.gz", images, compress=True)
    write_idx(directory / "t10k-labels-idx1-ubyte.gz", labels, compress=True)
    return directory


@pytest.mark.parametrize(("odd", "others", "share"), [(0, 1, "0.3%"), (1, 0, "99.7%")], ids=["one-right", "one-wrong"])
async def test_the_offer_never_rounds_one_image_right_to_none_nor_one_wrong_to_all(tmp_path, odd, others, share):
    data_dir = a_set_with_one_odd_test_image(tmp_path / "set", test=300, odd=odd, others=others)
    # A network that calls every image a 0: right on the images labelled 0, wrong on the rest.
    network = Network((784, 16, 16, 10), params=np.zeros(count_parameters((784, 16, 16, 10))))
    network.biases[-1][0] = 1.0
    from gdtui.core.dataset import load_dataset

    assert recovery.keep(network, Provenance("random, seed 0", True, 0, 3, 0), load_dataset(data_dir))
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = await the_offer(pilot)
        words = " ".join(str(prompt.query_one(Static).render()).split())
        assert f"It reads {share} of the 300 test images of {data_dir.name} right" in words


async def test_a_copy_trained_on_another_set_of_the_same_shape_waits_for_a_start_on_its_own(tiny_mnist_dir, tmp_path):
    """Fashion-MNIST's images and classes are MNIST's in number: a network trained on one fits the other.
    Offered there, its figure would be of images it never learnt, and n would throw its training away."""
    from tests.tiny_mnist import write_tiny_set

    network, _ = leave_unsaved(tiny_mnist_dir)
    (tmp_path / "clothes").mkdir()
    other = write_tiny_set(tmp_path / "clothes", classes=[f"kind {k}" for k in range(10)])
    app = make_app(other)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.pause(0.2)
        assert not isinstance(app.screen, RestorePrompt)
    kept = recovery.find()
    assert kept is not None
    np.testing.assert_array_equal(kept.network.params, network.params)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_offer(pilot)
