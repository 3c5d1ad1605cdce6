"""The trainer: shuffled mini-batches, epochs, settings that change mid-run, and divergence."""

import math
import warnings

import numpy as np
import pytest

from gdtui.core.dataset import Split, load_dataset
from gdtui.core.network import Network
from gdtui.core.training import MAX_STEP, Trainer, chunks, evaluate


@pytest.fixture(scope="module")
def tiny(tiny_mnist_dir):
    return load_dataset(tiny_mnist_dir)


def synthetic_split(n=23, seed=0) -> Split:
    rng = np.random.default_rng(seed)
    return Split(rng.integers(0, 256, (n, 2, 3), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8))


def small_trainer(n=23, batch_size=5, **kwargs) -> Trainer:
    return Trainer(Network((6, 4, 10)), synthetic_split(n), batch_size=batch_size, **kwargs)


def test_same_seed_same_run(tiny):
    runs = []
    for _ in range(2):
        trainer = Trainer(Network(seed=1), tiny.train, seed=2)
        costs = [trainer.step().cost for _ in range(120)]
        runs.append((trainer.network.params.copy(), costs))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_the_shuffle_depends_on_the_seed(tiny):
    a, b = (Trainer(Network(seed=1), tiny.train, seed=seed) for seed in (2, 3))
    for _ in range(10):
        a.step()
        b.step()
    assert not np.array_equal(a.network.params, b.network.params)


def test_epoch_arithmetic():
    trainer = small_trainer(n=23, batch_size=5)
    sizes = []
    for _ in range(4):
        result = trainer.step()
        sizes.append(len(trainer.last_batch))
    assert trainer.epochs_done == 0
    assert trainer.samples_seen == 20
    assert trainer.epoch == pytest.approx(20 / 23)
    assert result.step == trainer.steps == 4
    assert result.epoch == pytest.approx(20 / 23)
    # ceil(23 / 5) = 5 steps make an epoch; the fifth takes the 3 examples left.
    result = trainer.step()
    sizes.append(len(trainer.last_batch))
    assert sizes == [5, 5, 5, 5, 3]
    assert trainer.epochs_done == 1
    assert result.epoch == trainer.epoch == 1.0
    assert trainer.samples_seen == 23
    trainer.step()
    assert trainer.epoch == pytest.approx(1 + 5 / 23)
    assert trainer.samples_seen == 28


def test_each_epoch_visits_every_example_once():
    trainer = small_trainer(n=23, batch_size=4)
    orders = []
    for _ in range(3):
        seen = []
        epoch = trainer.epochs_done
        while trainer.epochs_done == epoch:
            trainer.step()
            seen.extend(trainer.last_batch.tolist())
        assert sorted(seen) == list(range(23))
        orders.append(seen)
    # A fresh shuffle every epoch, not the same order again.
    assert orders[0] != orders[1] != orders[2]


def test_batch_accuracy_and_outputs_belong_to_the_last_batch():
    trainer = small_trainer(n=23, batch_size=5)
    result = trainer.step()
    assert trainer.last_outputs.shape == (5, 10)
    labels = trainer.train.labels[trainer.last_batch]
    assert result.batch_accuracy == np.mean(trainer.last_outputs.argmax(axis=1) == labels)


def test_a_step_moves_the_parameters_by_minus_eta_times_the_gradient():
    trainer = small_trainer(learning_rate=0.5)
    trainer.step()
    trainer.learning_rate = 2.0
    before = trainer.network.params.copy()
    trainer.step()
    np.testing.assert_allclose(trainer.network.params, before - 2.0 * trainer.network.grad, rtol=1e-6)


def test_a_new_batch_size_takes_effect_at_the_next_step():
    trainer = small_trainer(n=23, batch_size=5)
    trainer.step()
    trainer.batch_size = 7
    trainer.step()
    assert len(trainer.last_batch) == 7
    assert trainer.samples_seen == 12


@pytest.mark.parametrize("eta", [0, -1.0, math.nan, math.inf, -math.inf])
def test_an_invalid_learning_rate_is_refused(eta):
    with pytest.raises(ValueError, match="learning rate"):
        small_trainer(learning_rate=eta)
    trainer = small_trainer(learning_rate=1.0)
    with pytest.raises(ValueError, match="learning rate"):
        trainer.learning_rate = eta
    assert trainer.learning_rate == 1.0


@pytest.mark.parametrize("size", [0, -1, 24])
def test_an_invalid_batch_size_is_refused(size):
    with pytest.raises(ValueError, match="batch size"):
        small_trainer(n=23, batch_size=size)
    trainer = small_trainer(n=23, batch_size=5)
    with pytest.raises(ValueError, match="batch size"):
        trainer.batch_size = size
    assert trainer.batch_size == 5


def test_the_whole_set_is_a_valid_batch():
    trainer = small_trainer(n=23, batch_size=23)
    trainer.step()
    assert trainer.epochs_done == 1


def test_a_cost_that_does_not_fit_the_outputs_is_refused():
    with pytest.raises(ValueError, match="softmax"):
        Trainer(Network((6, 4, 10)), synthetic_split(), cost="cross-entropy")


def test_an_empty_split_is_refused():
    with pytest.raises(ValueError, match="empty"):
        Trainer(Network((6, 4, 10)), synthetic_split(n=0))


@pytest.mark.parametrize(
    ("activation", "output", "cost", "eta"),
    [("sigmoid", "sigmoid", "quadratic", 3.0), ("relu", "softmax", "cross-entropy", 0.05)],
)
def test_the_cost_falls(tiny, activation, output, cost, eta):
    network = Network(activation=activation, output=output)
    trainer = Trainer(network, tiny.train, cost=cost, learning_rate=eta)
    before = evaluate(network, tiny.train, cost)
    for _ in range(300):
        trainer.step()
    after = evaluate(network, tiny.train, cost)
    assert after.cost < 0.5 * before.cost
    assert after.accuracy > 0.6


@pytest.mark.parametrize(
    ("activation", "output", "cost", "eta"),
    [
        ("relu", "softmax", "cross-entropy", 1e6),
        ("sigmoid", "sigmoid", "quadratic", 1e30),
        # Beyond float32's range: η itself becomes infinite in the update.
        ("sigmoid", "sigmoid", "quadratic", 1e39),
    ],
)
def test_a_huge_learning_rate_diverges_quietly_and_keeps_the_last_good_parameters(tiny, activation, output, cost, eta):
    trainer = Trainer(Network(activation=activation, output=output), tiny.train, cost=cost, learning_rate=eta)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(50):
            last_good = trainer.network.params.copy()
            steps = trainer.steps
            result = trainer.step()
            if result.diverged:
                break
    assert trainer.diverged and result.diverged
    assert trainer.steps == result.step == steps
    assert np.isfinite(trainer.network.params).all()
    np.testing.assert_array_equal(trainer.network.params, last_good)
    with pytest.raises(RuntimeError, match="diverged"):
        trainer.step()

    trainer.recover()
    trainer.learning_rate = 1e-3
    result = trainer.step()
    assert not result.diverged
    assert trainer.steps == steps + 1


def test_a_step_longer_than_max_step_is_taken_when_the_parameters_are_longer_still():
    trainer = small_trainer(n=23, batch_size=5)
    trainer.network.biases[0][0] = 1e4  # a saturated neuron, and parameters 10⁴ long
    probe = trainer.network.copy()
    batch = trainer.order[:5]
    probe.gradient(trainer.train.inputs(batch), trainer.train.labels[batch], trainer.cost)
    trainer.learning_rate = 2 * MAX_STEP / np.linalg.norm(probe.grad)
    result = trainer.step()
    assert not result.diverged and trainer.steps == 1
    assert trainer.learning_rate * result.gradient_norm == pytest.approx(2 * MAX_STEP, rel=1e-5)


def test_evaluate_matches_a_manual_count(tiny):
    network = Network(seed=4)
    trainer = Trainer(network, tiny.train)
    for _ in range(50):
        trainer.step()
    result = evaluate(network, tiny.test, "quadratic")
    outputs = network.forward(tiny.test.inputs(slice(None)))
    targets = np.eye(10)[tiny.test.labels]
    assert result.examples == len(tiny.test) == 200
    assert 0.0 <= result.accuracy <= 1.0
    assert result.accuracy == np.count_nonzero(outputs.argmax(axis=1) == tiny.test.labels) / 200
    assert result.cost == pytest.approx(((outputs - targets) ** 2).sum(axis=1).mean(), rel=1e-5)
    # Chunks that do not divide the split give the same answer.
    chunked = evaluate(network, tiny.test, "quadratic", chunk=7)
    assert chunked.accuracy == result.accuracy
    assert chunked.cost == pytest.approx(result.cost, rel=1e-6)


def test_chunks_cover_the_examples_in_order_the_last_one_what_is_left():
    assert list(chunks(1000, 300)) == [slice(0, 300), slice(300, 600), slice(600, 900), slice(900, 1000)]
    assert list(chunks(600, 300)) == [slice(0, 300), slice(300, 600)]
    assert list(chunks(0, 300)) == []


def test_a_batch_larger_than_a_chunk_gives_the_same_step_as_one_pass(tiny_mnist_dir, monkeypatch):
    import gdtui.core.training as training

    data = load_dataset(tiny_mnist_dir)
    whole = Trainer(Network(seed=1), data.train, batch_size=1000, seed=2)
    whole_result = whole.step()
    monkeypatch.setattr(training, "CHUNK", 300)  # 1,000 examples in chunks of 300, 300, 300, 100
    chunked = Trainer(Network(seed=1), data.train, batch_size=1000, seed=2)
    chunked_result = chunked.step()
    np.testing.assert_allclose(chunked.network.params, whole.network.params, rtol=1e-5, atol=1e-6)
    assert chunked_result.cost == pytest.approx(whole_result.cost, rel=1e-5)
    assert chunked.last_outputs.shape == (1000, 10)


def test_a_whole_set_step_mid_epoch_takes_the_whole_set_and_counts_as_an_epoch():
    trainer = small_trainer(n=23, batch_size=5)
    trainer.step()
    trainer.step()
    trainer.batch_size = 23
    result = trainer.step()
    assert sorted(trainer.last_batch.tolist()) == list(range(23))
    assert len(result.outputs) == 23
    assert trainer.epochs_done == 1 and trainer.samples_seen == 10 + 23
    trainer.batch_size = 5
    trainer.step()  # the interrupted epoch goes on where it was
    assert trainer.samples_seen == 10 + 23 + 5 and trainer.position == 15


def test_a_rejected_step_takes_no_samples():
    trainer = small_trainer(n=23, batch_size=5, learning_rate=1e9)
    for _ in range(3):
        result = trainer.step()
        assert result.diverged
        trainer.recover()
    assert trainer.steps == 0 and trainer.samples_seen == 0 and trainer.epoch == 0.0
    assert len(trainer.last_batch) == 0


def test_a_refused_step_says_whether_its_cost_blew_up_or_it_was_too_long():
    trainer = small_trainer(n=23, batch_size=5, learning_rate=1e9)
    trainer.step()
    refusal = trainer.refusal
    assert refusal is not None and not refusal.blew_up  # sigmoid outputs: the quadratic cost stays finite
    assert math.isfinite(refusal.cost) and refusal.step_length > MAX_STEP * max(refusal.size, 1.0)
    assert refusal.size == pytest.approx(float(np.linalg.norm(trainer.network.params.astype(np.float64))), rel=1e-5)
    trainer.recover()
    assert trainer.refusal is None
    trainer.learning_rate = 1.0
    trainer.network.params[:4] = np.nan  # what an overflow leaves behind: every output, and the cost, NaN
    trainer.step()
    assert trainer.refusal is not None and trainer.refusal.blew_up
