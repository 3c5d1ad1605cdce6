"""``gdtui train``: the Training screen's loop without the screen."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from gdtui.commands import say, user_path
from gdtui.core import costs
from gdtui.core.dataset import Dataset, load_dataset
from gdtui.core.drive import HALTS, advance, kept, reason, warning
from gdtui.core.errors import GdtuiError
from gdtui.core.model_io import check_fits, load_model, network_too_big, save_model, save_new, save_target
from gdtui.core.network import ACTIVATIONS, LESSON_SIZES, Network
from gdtui.core.presets import PRESETS, Preset
from gdtui.core.run import EpochEnd, TrainingRun
from gdtui.core.training import evaluate
from gdtui.core.words import counted, done, percent

HIDDEN = LESSON_SIZES[1:-1]  # the lesson's network's, whatever the data set


def _hidden_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 16,16, not {text!r}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("every hidden layer needs at least one neuron")
    return sizes


def seed(text: str) -> int:
    """A seed for numpy's random generator, which takes whole numbers from 0 up."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _preset_default(setting: str) -> str:
    """What a setting left out comes to, as the presets set it: "default: 10", or each preset's."""
    values = {name: getattr(preset, setting) for name, preset in PRESETS.items()}
    if len(set(values.values())) == 1:
        return f"default: {next(iter(values.values()))}"
    return "default: the preset's: " + ", ".join(f"{name} {value}" for name, value in values.items())


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "train",
        help="train a network without the UI",
        description="Train a network by mini-batch gradient descent without the UI, "
        "printing the test accuracy and cost after each epoch.",
        epilog="presets: " + "; ".join(f"{p.name} = {p.summary}" for p in PRESETS.values()),
    )
    parser.add_argument("--preset", choices=PRESETS, default="lesson", help="the set-up to start from (default: lesson)")
    parser.add_argument(
        "--epochs", type=int, metavar="N", help=f"passes over the training set ({_preset_default('epochs')}; 0 only evaluates)"
    )
    parser.add_argument(
        "--batch-size", type=_positive(int), metavar="N", help=f"examples per gradient step ({_preset_default('batch_size')})"
    )
    parser.add_argument(
        "--learning-rate",
        "--eta",
        type=_positive(float),
        metavar="η",
        help=f"step size η ({_preset_default('learning_rate')})",
    )
    # --seed and --model are options of 'gdtui' too, which gives their defaults: a default
    # here would overwrite a value given before the subcommand, as in 'gdtui --seed 3 train'.
    parser.add_argument(
        "--seed",
        type=seed,
        default=argparse.SUPPRESS,
        metavar="N",
        help="seed of the weights and the shuffle (default: 0)",
    )
    parser.add_argument(
        "--hidden", type=_hidden_sizes, metavar="N,N", help=f"hidden layer sizes (default: {','.join(map(str, HIDDEN))})"
    )
    parser.add_argument("--activation", choices=ACTIVATIONS, help=f"hidden-layer activation ({_preset_default('activation')})")
    parser.add_argument(
        "--cost",
        choices=costs.COSTS,
        help=f"cost function, cross-entropy with softmax outputs ({_preset_default('cost')})",
    )
    parser.add_argument(
        "--model",
        type=user_path,
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="start from a saved model instead of random weights",
    )
    parser.add_argument(
        "--save", metavar="FILE", help="save the trained model here ('.npz' is added if missing; not a directory)"
    )
    parser.add_argument("--json", action="store_true", help="print a final JSON summary on stdout")
    parser.set_defaults(run=run)
    return parser


def _network(args: argparse.Namespace, preset: Preset, cost: str, data: Dataset) -> Network:
    if args.model:
        network = load_model(args.model)
        check_fits(network, data, str(args.model))
        return network
    output = "softmax" if cost == "cross-entropy" else preset.output
    activation = args.activation or preset.activation
    hidden = HIDDEN if args.hidden is None else args.hidden
    sizes = (data.pixels, *hidden, len(data.classes))
    too_big = network_too_big(sizes)
    if too_big:
        raise GdtuiError(f"--hidden {','.join(map(str, hidden))}: {too_big}")
    return Network(sizes, activation=activation, output=output, seed=args.seed)


class _Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0

    def show(self, epoch: int, epochs: int, fraction: float) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        filled = int(30 * fraction)
        sys.stderr.write(f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (30 - filled)}] {done(fraction):>4}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _save_last_good(run: TrainingRun, save: Path) -> tuple[int | None, str]:
    """Save the weights of a run that could go no further, as the screen offers them: those from before
    the damage, or the last ones if the refused step left them able to learn. Which step's (None: none
    saved), and the words that say so."""
    verdict = run.verdict
    if verdict.good is not None:
        network = run.network.copy()
        network.params[:] = verdict.good.params
        written = save_model(network, save)
        return verdict.good.held, f"saved {written}: {kept(verdict.good)}, not the last ones, which cannot learn"
    if verdict.kind == "diverged" and verdict.health is None:
        step = run.trainer.steps
        written = save_model(run.network, save)
        return step, f"saved {written}: the weights of step {step:,}, the last good ones (the refused step was not taken)"
    return None, "not saved: no weights of this run were found able to learn"


def _keep_interrupted(network: Network, steps: int, save: Path | None) -> tuple[int | None, str]:
    """Save the network of a run that Ctrl-C or an ending signal stopped, as it is: to --save's file or,
    without one, under a free name in the current folder, so that what was trained is not lost.
    The step saved (None where it could not be), and the words that say where."""
    try:
        written = save_model(network, save) if save else save_new(network, Path.cwd())
    except GdtuiError as err:  # a folder that cannot be written in
        return None, f"not saved: {err}"
    except OSError as err:  # the current folder removed meanwhile
        return None, f"not saved: the current folder cannot be found ({err.strerror or err})"
    unasked = "" if save else " (no --save was given)"
    return steps, f"saved {written}: the network as interrupted, at step {steps:,}{unasked}"


class _Ended(Exception):
    """A signal that ends the process, taken as Ctrl-C is: the run stops and keeps what it trained."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# Ctrl-C, a closed terminal or a dropped SSH link (SIGHUP), a job's time limit or a shutdown (SIGTERM).
_ENDING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class _EndingSignals:
    """While the run trains, an ending signal stops it, to keep what it trained. Once it has stopped, one
    more waits until its network is saved, which would otherwise be lost, a file half written: a second
    Ctrl-C, or one as a finished run is tested. The first that waited is `late`."""

    def __init__(self) -> None:
        self.training = True
        self.late = 0

    def __call__(self, signum: int, _frame: object) -> None:
        if self.training:
            raise _Ended(signum)
        self.late = self.late or signum


@contextlib.contextmanager
def _signals_handled(handler: _EndingSignals) -> Iterator[None]:
    previous = {signum: signal.signal(signum, handler) for signum in _ENDING}
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


def run(args: argparse.Namespace) -> int:
    preset = PRESETS[args.preset]
    cost = args.cost or preset.cost
    epochs = preset.epochs if args.epochs is None else args.epochs
    if epochs < 0:
        raise GdtuiError("--epochs must be 0 or more")
    if args.model:
        for option, given in (("--hidden", args.hidden), ("--activation", args.activation)):
            if given is not None:
                raise GdtuiError(f"{option} shapes a new network; the one from --model is as it was saved")
    # Checked now: a place that cannot be written to should not be found after an hour of training.
    save = None if args.save is None else save_target(args.save)
    data = load_dataset(args.data)
    network = _network(args, preset, cost, data)
    try:
        costs.check(cost, network.output)
        run = TrainingRun(
            network,
            data.train,
            data.test,
            cost=costs.known(cost),
            learning_rate=args.learning_rate or preset.learning_rate,
            batch_size=min(args.batch_size or preset.batch_size, len(data.train)),
            seed=args.seed,
        )
    except ValueError as err:
        raise GdtuiError(str(err)) from None
    trainer = run.trainer
    log = sys.stderr if args.json else sys.stdout
    source = f" from {args.model}" if args.model else ""
    tested = f"test accuracy and cost ({len(data.test):,} images)"
    # Lines that fit a terminal's 80 columns, which would break one where it reaches them: "η = 1." above "5".
    say(
        f"{'-'.join(map(str, network.sizes))} network{source}, {network.num_params:,} parameters, "
        f"{network.activation}/{network.output}, {cost} cost",
        f"η = {trainer.learning_rate:g}, batch {trainer.batch_size:,}, {len(data.train):,} training images of {data.name}",
        # The times are the training's alone, summed as it goes: the evaluations are left out.
        f"not trained (--epochs 0): {tested}" if epochs == 0 else f"after each epoch: {tested}, training time so far",
        file=log,
    )
    progress = _Progress(sys.stderr.isatty())
    started, seconds, stopped = time.perf_counter(), 0.0, ""
    epoch = 0  # the epoch under way, or the last one done
    eta = trainer.learning_rate

    def timed(_: EpochEnd) -> None:
        nonlocal seconds
        seconds = time.perf_counter() - started  # the training's time: the test set's evaluation is not part of it

    failing = False  # the run is in a spell of failing checks, already told

    def shown() -> None:
        nonlocal failing
        if (run.verdict.kind == "failing") != failing:
            failing = not failing
            if failing:
                progress.clear()
                say(f"epoch {epoch}: {warning(run.verdict)}", file=log)
        progress.show(epoch, epochs, trainer.epoch - (epoch - 1))

    ended = 0  # the signal that stopped the run early, if one did
    signals = _EndingSignals()
    with _signals_handled(signals):
        try:
            for epoch in range(1, epochs + 1):
                run.learning_rate = preset.learning_rate_for(epoch - 1, epochs, eta)
                stop = advance(run, "epoch", between=shown, ended=timed)
                progress.clear()
                if stop == "epoch":
                    record = run.epochs[-1]
                    say(
                        f"epoch {epoch:>{len(str(epochs))}}/{epochs}  test accuracy {percent(record.test_accuracy, 2):>7}  "
                        f"test cost {record.test_cost:.4f}  {seconds:6.1f} s",
                        file=log,
                    )
                if run.verdict.kind in HALTS:
                    stopped = reason(run.verdict)
                    break
        except _Ended as end:
            ended = end.signum
        signals.training = False
        saved_step = None
        if ended:
            # Kept before a word is said: the terminal whose hang-up ended the run takes no more output.
            saved_step, kept_words = _keep_interrupted(network, trainer.steps, save)
            with contextlib.suppress(OSError):
                progress.clear()
            say(f"interrupted after {counted(trainer.steps, 'step')}", file=log)
        if stopped and save and not ended:
            # Kept before a word is said, as for a signal: a terminal that went as the run stopped takes none.
            saved_step, kept_words = _save_last_good(run, save)
        if stopped:
            say(f"epoch {epoch}: {stopped}", file=log)
        seconds = seconds or time.perf_counter() - started
        final = evaluate(network, data.test, run.cost)
        if epochs == 0:
            say(f"test accuracy {percent(final.accuracy, 2):>7}  test cost {final.cost:.4f}", file=log)
        elif ended:
            # The last epoch's figures are of the network as it was then, steps before.
            say(f"the network as interrupted: test accuracy {percent(final.accuracy, 2)}  test cost {final.cost:.4f}", file=log)
        if ended or (stopped and save):
            say(kept_words, file=log)
        elif save:
            say(f"saved {save_model(network, save)}", file=log)
            saved_step = trainer.steps
        elif epochs:
            say("not saved: the same command with --save FILE keeps the network", file=log)
    if args.json:
        summary = {
            "test_accuracy": final.accuracy,
            "test_cost": final.cost,
            "epochs": trainer.epoch,
            "steps": trainer.steps,
            "parameters": network.num_params,
            "seconds": seconds,
            "samples_per_second": trainer.samples_seen / seconds if seconds else None,
            "diverged": trainer.diverged,
            "stuck": run.verdict.kind == "stuck",
            "preset": preset.name,
            "saved_step": saved_step,
            "seed": args.seed,
        }
        say(json.dumps(summary))
    if stopped:
        return 1
    ended = ended or signals.late
    return 128 + ended if ended else 0
