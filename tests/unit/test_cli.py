"""The headless command line: gdtui --version, gdtui data and gdtui train."""

import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdtui import __version__
from gdtui.cli import build_parser, main
from gdtui.core import memory
from gdtui.core.dataset import NOT_KNOWN, load_dataset
from gdtui.core.dataset import cache_size as dataset_cache_size
from gdtui.core.health import check
from gdtui.core.idx import write_idx
from gdtui.core.model_io import load_model, save_model
from gdtui.core.network import Network


def run(capsys, *argv) -> tuple[int, str, str]:
    """main(argv) in this process: (exit status, stdout, stderr)."""
    try:
        status = main([str(arg) for arg in argv])
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def train_json(capsys, *argv) -> dict:
    status, out, _ = run(capsys, "train", "--json", *argv)
    assert status == 0
    return json.loads(out.strip().splitlines()[-1])


def assert_one_line_error(err: str) -> None:
    assert err.startswith("gdtui: error:")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"gdtui {__version__}"


def test_version_as_a_module():
    done = subprocess.run([sys.executable, "-m", "gdtui", "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"gdtui {__version__}"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--help"], ["train", "data", "serve", "--data", "--model"]),
        (["train", "--help"], ["--learning-rate", "--batch-size", "--epochs", "presets:", "tuned"]),
        (["data", "--help"], ["--data", "Load the data set"]),
        (["serve", "--help"], ["-p 2222", "--authorized-keys", "--password-file", "--hash-password", "--no-auth"]),
    ],
)
def test_help(capsys, argv, words):
    status, out, _ = run(capsys, *argv)
    assert status == 0
    for word in words:
        assert word in out


def test_data_reports_counts_and_a_histogram(capsys, tiny_mnist_dir):
    status, out, _ = run(capsys, "data", "--data", tiny_mnist_dir)
    assert status == 0
    assert "training images    1,000" in out
    assert "test images          200" in out
    assert NOT_KNOWN in out
    counts = np.bincount(load_dataset(tiny_mnist_dir).train.labels, minlength=10)
    rows = out.splitlines()[-10:]
    for label, (count, row) in enumerate(zip(counts, rows)):
        assert row.split()[:2] == [str(label), f"{count:,}"]
    # The most frequent digit gets the full bar.
    assert rows[int(counts.argmax())].count("█") == 30


def test_data_shows_the_cache_and_clears_it(capsys, tiny_mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    status, out, _ = run(capsys, "data", "--data", tiny_mnist_dir)
    assert status == 0
    size, count = dataset_cache_size()
    assert count == 1
    folder = tmp_path / "gdtui" / "datasets"
    assert f"all caches       {memory.describe(size)} for 1 data set in {folder} (--clear-cache removes them)" in out
    status, out, _ = run(capsys, "data", "--clear-cache")
    assert status == 0
    assert out == f"removed {memory.describe(size)} of cached data sets from {folder}\n"
    assert dataset_cache_size() == (0, 0)


def test_data_directory_given_before_the_subcommand(capsys, tiny_mnist_dir):
    status, out, _ = run(capsys, "--data", tiny_mnist_dir, "data")
    assert status == 0
    assert "training images    1,000" in out


def test_train_prints_a_json_summary(capsys, tiny_mnist_dir):
    summary = train_json(capsys, "--data", tiny_mnist_dir, "--epochs", "1")
    assert 0.0 <= summary["test_accuracy"] <= 1.0
    assert summary["test_cost"] > 0
    assert summary["epochs"] == 1.0
    assert summary["steps"] == 100
    assert summary["parameters"] == 13_002
    assert summary["seconds"] > 0
    assert summary["samples_per_second"] == pytest.approx(1000 / summary["seconds"])
    assert summary["diverged"] is False
    assert (summary["preset"], summary["seed"]) == ("lesson", 0)


def test_train_without_json_logs_each_epoch(capsys, tiny_mnist_dir):
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "2")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "784-16-16-10 network, 13,002 parameters, sigmoid/sigmoid, quadratic cost"
    assert lines[1].startswith("η = 1.5, batch 10, 1,000 training images")
    assert lines[3].startswith("epoch 1/2  test accuracy")
    assert lines[4].startswith("epoch 2/2  test accuracy")
    # A line longer than a terminal's 80 columns breaks where it reaches them, "η = 1." above "5".
    assert all(len(line) <= 80 for line in lines), "\n".join(line for line in lines if len(line) > 80)


def test_a_trained_network_left_unsaved_is_said_to_be(capsys, tiny_mnist_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1")
    assert status == 0 and out.splitlines()[-1] == "not saved: the same command with --save FILE keeps the network"
    assert list(tmp_path.iterdir()) == []  # said, not done: a run asked for no file
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--save", tmp_path / "m")
    assert "not saved" not in out
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--model", tmp_path / "m.npz")
    assert "not saved" not in out  # evaluated only: nothing new to keep


def test_the_figures_printed_say_what_they_are_of(capsys, tiny_mnist_dir, tmp_path):
    name = load_dataset(tiny_mnist_dir).name
    status, out, _ = run(
        capsys, "train", "--data", tiny_mnist_dir, "--epochs", "2", "--batch-size", "5000", "--save", tmp_path / "m"
    )
    assert status == 0
    lines = out.splitlines()
    # The batch as taken: the whole training set, not more.
    assert lines[1] == f"η = 1.5, batch 1,000, 1,000 training images of {name}"
    assert lines[2] == "after each epoch: test accuracy and cost (200 images), training time so far"
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--model", tmp_path / "m.npz")
    lines = out.splitlines()
    assert lines[0].startswith(f"784-16-16-10 network from {tmp_path / 'm.npz'}, 13,002 parameters")
    assert lines[2] == "not trained (--epochs 0): test accuracy and cost (200 images)"


def test_the_same_seed_gives_the_same_run(capsys, tiny_mnist_dir):
    first, second, other = (train_json(capsys, "--data", tiny_mnist_dir, "--epochs", "1", "--seed", seed) for seed in (4, 4, 5))
    assert (first["test_accuracy"], first["test_cost"]) == (second["test_accuracy"], second["test_cost"])
    assert first["test_cost"] != other["test_cost"]


def test_options_given_before_the_subcommand(capsys, tiny_mnist_dir, tmp_path):
    model = tmp_path / "model.npz"
    after = train_json(capsys, "--data", tiny_mnist_dir, "--epochs", "1", "--seed", "4", "--save", model)
    status, out, _ = run(capsys, "--seed", "4", "--data", tiny_mnist_dir, "train", "--epochs", "1", "--json")
    before = json.loads(out.splitlines()[-1])
    assert status == 0
    assert before["seed"] == 4
    assert before["test_cost"] == after["test_cost"]
    status, out, _ = run(capsys, "--model", model, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--json")
    assert json.loads(out.splitlines()[-1])["test_cost"] == after["test_cost"]


def test_save_then_evaluate_the_saved_model(capsys, tiny_mnist_dir, tmp_path):
    model = tmp_path / "saved.npz"
    trained = train_json(capsys, "--data", tiny_mnist_dir, "--epochs", "1", "--seed", "2", "--save", model)
    network = load_model(model)
    assert network.sizes == (784, 16, 16, 10)
    evaluated = train_json(capsys, "--data", tiny_mnist_dir, "--epochs", "0", "--model", model)
    assert evaluated["steps"] == 0
    assert evaluated["epochs"] == 0
    assert evaluated["test_accuracy"] == trained["test_accuracy"]
    assert evaluated["test_cost"] == trained["test_cost"]
    # Evaluating changes nothing in the file.
    np.testing.assert_array_equal(load_model(model).params, network.params)


def test_the_tuned_preset(capsys, tiny_mnist_dir):
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--preset", "tuned")
    assert status == 0
    assert out.splitlines()[0].endswith("relu/softmax, cross-entropy cost")
    assert out.splitlines()[1].startswith("η = 0.05,")


def test_a_missing_data_directory(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--data", tmp_path / "nowhere", "--epochs", "1")
    assert status == 2
    assert_one_line_error(err)
    assert "nowhere" in err


def test_data_with_a_missing_directory(capsys, tmp_path):
    status, _, err = run(capsys, "data", "--data", tmp_path / "nowhere")
    assert status == 2
    assert_one_line_error(err)


def test_a_bad_model_file(capsys, tiny_mnist_dir, tmp_path):
    model = tmp_path / "bad.npz"
    model.write_bytes(b"not a model")
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--model", model)
    assert status == 2
    assert_one_line_error(err)
    assert "bad.npz" in err


def test_a_model_for_other_images(capsys, tiny_mnist_dir, tmp_path):
    model = save_model(Network((6, 3)), tmp_path / "small.npz")
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--model", model)
    assert status == 2
    assert_one_line_error(err)
    assert "6 inputs" in err


def test_saving_where_it_cannot(capsys, tiny_mnist_dir, tmp_path):
    (tmp_path / "file").write_text("")
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--save", tmp_path / "file" / "model.npz")
    assert status == 2
    assert_one_line_error(err)


def test_saving_to_dev_null_is_refused_in_one_line(capsys, tiny_mnist_dir):
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "0", "--save", "/dev/null")
    assert status == 2
    assert_one_line_error(err)
    assert "/dev/null: is a character device" in err
    assert not os.path.exists("/dev/null.npz")


@pytest.mark.filterwarnings("error")
def test_a_diverging_run_exits_with_1(capsys, tiny_mnist_dir, tmp_path):
    model = tmp_path / "diverged.npz"
    status, out, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "2", "--eta", "1e30", "--save", model)
    assert status == 1
    assert "learning rate is too large" in out
    assert "the step would move the parameters" in out and "infinite" not in out
    assert "Traceback" not in err and "Warning" not in err
    # The refused step was not taken: the weights it left are the last good ones, and the log says which they are.
    assert f"saved {model}: the weights of step 0, the last good ones (the refused step was not taken)" in out
    assert model.exists()


def test_a_run_stopped_as_its_terminal_goes_keeps_its_last_good_weights(capsys, tiny_mnist_dir, tmp_path, monkeypatch):
    # The terminal hangs up as the run stops itself: the words saying why find no reader. The weights come first.
    from gdtui.commands import OutputError, say
    from gdtui.commands import train as train_command

    def dead_after_the_run(*lines, file=None):
        if any(line.startswith("epoch ") and "learning rate" in line for line in lines):
            raise OutputError(OSError(5, "Input/output error"))
        say(*lines, file=file)

    monkeypatch.setattr(train_command, "say", dead_after_the_run)
    model = tmp_path / "diverged.npz"
    run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "2", "--eta", "1e30", "--save", model)
    assert model.exists()


def test_a_run_that_saturates_the_network_stops_and_says_so(capsys, tiny_mnist_dir, tmp_path):
    model = tmp_path / "saturated.npz"
    status, out, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "12", "--eta", "50", "--save", model, "--json")
    assert status == 1
    assert "the network can no longer learn" in err and "saturated sigmoids" in err
    summary = json.loads(out)
    assert summary["stuck"] is True
    # Not the weights that can no longer learn: those from before the damage, and the log says so.
    saved = re.search(r"saved (\S+): the weights of step ([\d,]+), which a check found able to learn", err)
    assert saved is not None and saved[1] == str(model), err
    assert summary["saved_step"] == int(saved[2].replace(",", "")) < summary["steps"]
    data = load_dataset(tiny_mnist_dir)
    probe = slice(0, 200)
    health = check(load_model(model), data.train.inputs(probe), data.train.labels[probe], "quadratic", 0, math.inf)
    assert not health.hopeless


def test_a_run_that_saturates_the_network_is_warned_of_before_it_stops_once_a_spell(capsys, tiny_mnist_dir):
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "12", "--eta", "50")
    assert status == 1
    lines = out.splitlines()
    warned = [index for index, line in enumerate(lines) if ": warning, a check of the network: " in line]
    stop = next(index for index, line in enumerate(lines) if "can no longer learn" in line)
    assert warned and warned[0] < stop, out
    assert "saturated sigmoids" in lines[warned[0]] and "η = 50" in lines[warned[0]], lines[warned[0]]
    assert len(warned) <= 2, "once a spell, not at every check"


def test_dead_relus_stop_the_run_instead_of_training_on_at_chance(capsys, tiny_mnist_dir):
    status, out, _ = run(
        capsys, "train", "--data", tiny_mnist_dir, "--epochs", "12", "--activation", "relu", "--cost", "cross-entropy"
    )
    assert status == 1
    assert "the network can no longer learn" in out and "dead ReLUs" in out
    epochs = [line for line in out.splitlines() if "test accuracy" in line]
    # The stop is labelled with the epoch it came in: the last one reported, or the one under way.
    stop = next(line for line in out.splitlines() if "can no longer learn" in line)
    assert stop.startswith(f"epoch {len(epochs)}:") or stop.startswith(f"epoch {len(epochs) + 1}:")
    assert len(epochs) < 12


def test_a_stop_found_as_an_epoch_ends_is_labelled_with_that_epoch(capsys, tiny_mnist_dir):
    # At a batch of the whole tiny set every step ends an epoch: the stop comes right after one is reported.
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "12", "--eta", "50", "--batch-size", "1000")
    assert status == 1
    lines = out.splitlines()
    stop = next(index for index, line in enumerate(lines) if "can no longer learn" in line)
    last = lines[stop - 1].split()
    assert last[0] == "epoch" and lines[stop].startswith(f"epoch {last[1].split('/')[0]}:")


def test_the_lessons_network_at_batch_1_is_not_stopped_while_it_learns(capsys, tiny_mnist_dir):
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "4", "--batch-size", "1")
    assert status == 0 and "can no longer learn" not in out


@pytest.mark.parametrize(
    "argv",
    [["--eta", "0"], ["--eta", "nan"], ["--batch-size", "0"], ["--hidden", "16,x"], ["--cost", "hinge"]],
)
def test_invalid_options_are_usage_errors(capsys, tiny_mnist_dir, argv):
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, *argv)
    assert status == 2
    assert "Traceback" not in err
    assert "usage:" in err


def test_negative_epochs(capsys, tiny_mnist_dir):
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "-1")
    assert status == 2
    assert_one_line_error(err)


def test_serve_will_not_start_without_a_way_to_check_logins(capsys, monkeypatch):
    monkeypatch.delenv("GDTUI_LAB_PASSWORD_HASH", raising=False)
    assert main(["serve", "--port", "0"]) == 2
    assert "no way to check who logs in" in capsys.readouterr().err


def test_serve_refuses_a_plain_password_where_a_hash_belongs(capsys, tmp_path):
    (tmp_path / "lab-password").write_text("hunter2\n")
    assert main(["serve", "--password-file", str(tmp_path / "lab-password")]) == 2
    assert "was a plain password given instead?" in capsys.readouterr().err


def test_serve_reports_a_missing_password_file(capsys, tmp_path):
    assert main(["serve", "--password-file", str(tmp_path / "nowhere")]) == 2
    assert "cannot read the password file" in capsys.readouterr().err


def test_serve_hash_password_prints_a_hash_of_the_password_typed_twice(capsys, monkeypatch):
    from gdtui.serve.passwords import verify_password

    monkeypatch.setattr("getpass.getpass", lambda prompt: "lab 42")
    assert main(["serve", "--hash-password"]) == 0
    assert verify_password("lab 42", capsys.readouterr().out.strip())


def test_serve_hash_password_refuses_two_different_passwords(capsys, monkeypatch):
    answers = iter(["lab 42", "lab 43"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["serve", "--hash-password"]) == 2
    assert "differ" in capsys.readouterr().err


def test_the_app_without_a_terminal_says_so_instead_of_waiting(tiny_mnist_dir):
    done = subprocess.run(
        [sys.executable, "-m", "gdtui", "--data", str(tiny_mnist_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "the app needs a terminal" in done.stderr


def test_a_network_too_big_for_any_machine_is_refused_before_training(capsys, tiny_mnist_dir):
    status, out, err = run(capsys, "train", "--data", tiny_mnist_dir, "--hidden", "1000000000", "--epochs", "1")
    assert status == 2
    assert_one_line_error(err)
    assert "--hidden 1000000000: a 784-1000000000-10 network" in err
    assert "TB of memory" in err
    assert out == ""


def test_a_network_too_big_for_this_machine_says_how_much_it_needs(capsys, tiny_mnist_dir, monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: 8 * 10**9)
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--hidden", "3000000")
    assert status == 2
    assert err.strip() == (
        "gdtui: error: --hidden 3000000: a 784-3000000-10 network (2,385,000,010 parameters) "
        "needs about 110 GB of memory to train; 8 GB is available"
    )


@pytest.mark.parametrize(("save", "problem"), [("", "no file name given"), (".", "is a directory"), ("/", "is a directory")])
def test_a_save_target_that_cannot_be_a_model_file(capsys, tiny_mnist_dir, save, problem):
    status, out, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--save", save)
    assert status == 2
    assert_one_line_error(err)
    assert problem in err
    assert out == ""


def test_a_save_target_that_cannot_be_written_is_found_before_training(capsys, tiny_mnist_dir, tmp_path):
    status, out, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--save", tmp_path / "missing" / "m.npz")
    assert status == 2
    assert_one_line_error(err)
    assert "no such directory" in err
    assert out == ""


def test_the_save_message_shows_the_whole_path(capsys, tiny_mnist_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--save", "trained")
    assert status == 0
    assert out.splitlines()[-1] == f"saved {tmp_path / 'trained.npz'}"
    assert load_model(tmp_path / "trained.npz").sizes == (784, 16, 16, 10)


@pytest.mark.parametrize("argv", [["--seed", "-1"], ["train", "--seed", "-1"], ["--seed", "x"], ["train", "--seed", "1.5"]])
def test_a_seed_must_be_a_whole_number_from_0(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert "Traceback" not in err
    assert "argument --seed:" in err
    assert out == ""


def test_evaluating_a_model_without_training_prints_the_evaluation(capsys, tiny_mnist_dir, tmp_path):
    model = tmp_path / "model.npz"
    trained = train_json(capsys, "--data", tiny_mnist_dir, "--epochs", "1", "--save", model)
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--model", model, "--epochs", "0")
    assert status == 0
    assert out.splitlines()[-1] == f"test accuracy {trained['test_accuracy']:7.2%}  test cost {trained['test_cost']:.4f}"


def gdtui_process(*argv, stdout) -> subprocess.CompletedProcess:
    """gdtui as a program, its standard output sent to stdout, its standard error read."""
    command = [sys.executable, "-m", "gdtui", *map(str, argv)]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    "argv",
    [["data"], ["train", "--epochs", "1"], ["train", "--epochs", "1", "--json"]],
    ids=["data", "train", "train --json"],
)
def test_a_reader_that_has_gone_ends_the_command_quietly(tiny_mnist_dir, argv):
    read_end, write_end = os.pipe()
    os.close(read_end)  # as 'head' does once it has read enough
    try:
        done = gdtui_process(*argv, "--data", tiny_mnist_dir, stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 128 + signal.SIGPIPE
    assert "Error" not in done.stderr and "Traceback" not in done.stderr


def test_help_for_a_reader_that_has_gone_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = gdtui_process("--help", stdout=write_end)
    finally:
        os.close(write_end)
    assert done.stderr == ""


@pytest.mark.parametrize("argv", [["data"], ["--version"], ["train", "--epochs", "0"]], ids=["data", "version", "train"])
def test_a_closed_standard_output_is_one_line(tiny_mnist_dir, argv):
    # As 'gdtui data >&-': Python then has no sys.stdout at all.
    command = [sys.executable, "-m", "gdtui", *argv, "--data", str(tiny_mnist_dir)]
    if argv == ["--version"]:
        command = command[:-2]
    done = subprocess.run(command, stderr=subprocess.PIPE, text=True, timeout=120, check=False, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert done.stderr == "gdtui: error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize(
    ("argv", "status"), [(["data"], 0), (["train", "--epochs", "0"], 0), (["data", "--data", "/nowhere"], 2)]
)
def test_a_closed_standard_error_leaves_standard_output_to_the_output(tiny_mnist_dir, argv, status):
    argv = [*argv, "--data", str(tiny_mnist_dir)] if "--data" not in argv else argv
    command = [sys.executable, "-m", "gdtui", *argv]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=120, check=False, preexec_fn=lambda: os.close(2))
    assert done.returncode == status
    assert "error" not in done.stdout and "Traceback" not in done.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("argv", [["data"], ["train", "--epochs", "1"]], ids=["data", "train"])
def test_output_to_a_full_disk_is_one_line(tiny_mnist_dir, argv):
    with open("/dev/full", "w") as full:
        done = gdtui_process(*argv, "--data", tiny_mnist_dir, stdout=full)
    assert done.returncode == 1
    assert done.stderr == "gdtui: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("outputs", [5, 1, 20])
def test_a_model_with_other_outputs_than_the_classes(capsys, tiny_mnist_dir, tmp_path, outputs):
    model = save_model(Network((784, 16, outputs)), tmp_path / "model.npz")
    status, out, err = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--model", model)
    assert status == 2
    assert_one_line_error(err)
    assert f"the model has {outputs} outputs but tiny-mnist0 has 10 classes" in err
    assert out == ""


def write_set(directory: Path, *, rows: int, cols: int, classes: int, names: list[str] | None = None) -> Path:
    """A small data set of rows×cols images in classes classes, named in classes.txt if names are given."""
    rng = np.random.default_rng(0)
    for name, count in (("train", 300), ("t10k", 60)):
        labels = (np.arange(count) % classes).astype(np.uint8)
        images = rng.integers(0, 256, (count, rows, cols), dtype=np.uint8)
        write_idx(directory / f"{name}-labels-idx1-ubyte.gz", labels, compress=True)
        write_idx(directory / f"{name}-images-idx3-ubyte.gz", images, compress=True)
    if names:
        (directory / "classes.txt").write_text("\n".join(names) + "\n")
    return directory


def test_data_shows_the_names_of_the_classes(capsys, tmp_path):
    names = ["circle", "square", "triangle"]
    directory = write_set(tmp_path, rows=12, cols=9, classes=3, names=names)
    status, out, _ = run(capsys, "data", "--data", directory)
    assert status == 0
    assert "  image size       12×9 pixels = 108 input values" in out
    assert "  classes          3: circle, square, triangle" in out
    rows = out.splitlines()[-3:]
    assert [row.split()[:3] for row in rows] == [["0", "circle", "100"], ["1", "square", "100"], ["2", "triangle", "100"]]


def test_data_numbers_classes_without_names(capsys, tmp_path):
    status, out, _ = run(capsys, "data", "--data", write_set(tmp_path, rows=5, cols=4, classes=4))
    assert status == 0
    assert "  classes          4, numbered 0–3" in out
    assert [row.split()[:2] for row in out.splitlines()[-4:]] == [["0", "75"], ["1", "75"], ["2", "75"], ["3", "75"]]


@pytest.mark.parametrize(("rows", "cols", "classes"), [(5, 4, 3), (40, 40, 12), (1, 1, 2)])
def test_train_on_images_of_any_size_and_any_number_of_classes(capsys, tmp_path, rows, cols, classes):
    directory = write_set(tmp_path, rows=rows, cols=cols, classes=classes)
    model = tmp_path / "model.npz"
    status, out, _ = run(capsys, "train", "--data", directory, "--epochs", "1", "--save", model)
    assert status == 0
    assert out.startswith(f"{rows * cols}-16-16-{classes} network")
    status, out, _ = run(capsys, "train", "--data", directory, "--epochs", "0", "--model", model)
    assert status == 0
    assert "test accuracy" in out


@pytest.mark.parametrize(
    ("argv", "usage", "option"),
    [
        (["train", "--out", "m.npz"], "usage: gdtui train", "--save"),
        (["class", "new", "--teacher", "t", "--bogus"], "usage: gdtui class new", "--names"),
    ],
)
def test_an_option_a_command_does_not_know_is_told_with_that_commands_usage(capsys, argv, usage, option):
    # The top level's usage names none of the command's options: the one the user meant is not in sight.
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert usage in err and option in err
    assert f"unrecognized arguments: {' '.join(argv[-2:] if argv[0] == 'train' else argv[-1:])}" in err


def test_an_accuracy_short_of_all_is_never_printed_as_all(capsys, tmp_path):
    # 1 of 30,000 test images wrong: 99.997 %, which two places round to 100.00 %.
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (20, 2, 2), dtype=np.uint8), compress=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", (np.arange(20) % 2).astype(np.uint8), compress=True)
    labels = np.zeros(30_000, dtype=np.uint8)
    labels[0] = 1
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (30_000, 2, 2), dtype=np.uint8), compress=True)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels, compress=True)
    network = Network((4, 3, 2), params=np.zeros(4 * 3 + 3 + 3 * 2 + 2))
    network.biases[-1][0] = 1.0  # every image a 0
    save_model(network, tmp_path / "zero.npz")
    status, out, _ = run(capsys, "train", "--data", tmp_path, "--model", tmp_path / "zero.npz", "--epochs", "0")
    assert status == 0
    assert "test accuracy 99.997%" in out, out


@pytest.mark.parametrize("port", ["-1", "0", "70000"])
def test_web_refuses_a_port_it_cannot_listen_on_as_a_usage_error(capsys, port):
    # 0 would have the system pick a port, while the address printed says :0.
    status, _, err = run(capsys, "web", "--port", port)
    assert status == 2
    assert err.splitlines()[-1] == f"gdtui web: error: argument --port: expected a port from 1 to 65535, not {port}"


def web_process(*argv) -> subprocess.CompletedProcess:
    # Where it fails it must end at once; where it would serve instead, the timeout says so.
    command = [sys.executable, "-m", "gdtui", "web", *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_web_on_an_address_it_cannot_listen_on_says_so_in_one_line():
    done = web_process("--host", "999.1.1.1", "--port", random_port())
    assert done.returncode == 2
    assert done.stderr.startswith("gdtui: error: cannot listen on 999.1.1.1:")
    assert_one_line_error(done.stderr)


def test_web_on_a_port_already_taken_says_so_in_one_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = web_process("--port", port)
    assert done.returncode == 2
    assert done.stderr == f"gdtui: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert_one_line_error(done.stderr)


def test_web_checks_the_data_set_before_it_serves_tabs_that_cannot_open(tmp_path):
    done = web_process("--port", random_port(), "--data", tmp_path / "nowhere")
    assert done.returncode == 2
    assert done.stderr == f"gdtui: error: data directory not found: {tmp_path / 'nowhere'}\n"


def random_port() -> int:
    import random

    return random.randint(20000, 60000)


def interrupted_training(tiny_mnist_dir: Path, folder: Path, *argv, signum: int = signal.SIGINT) -> tuple[int, str]:
    """gdtui train in folder, sent signum (Ctrl-C) once its first epoch is reported: (exit status, standard output)."""
    command = [sys.executable, "-m", "gdtui", "train", "--data", str(tiny_mnist_dir), "--epochs", "100000", *argv]
    training = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not (line := training.stdout.readline()).startswith("epoch"):
            assert line, "the run ended before its first epoch"
            lines.append(line)
        training.send_signal(signum)
        out, err = training.communicate(timeout=60)
    finally:
        training.kill()
    assert "Traceback" not in err, err
    return training.returncode, "".join(lines) + line + out


def test_ctrl_c_keeps_the_network_trained_so_far_and_says_where(tiny_mnist_dir, tmp_path):
    (tmp_path / "gdtui-model.npz").write_bytes(b"another model")  # not to be replaced
    status, out = interrupted_training(tiny_mnist_dir, tmp_path)
    assert status == 130
    steps = int(re.search(r"interrupted after ([\d,]+) steps", out)[1].replace(",", ""))
    kept = tmp_path / "gdtui-model-2.npz"
    assert f"saved {kept}: the network as interrupted, at step {steps:,} (no --save was given)" in out
    assert (tmp_path / "gdtui-model.npz").read_bytes() == b"another model"
    network = load_model(kept)
    data = load_dataset(tiny_mnist_dir)
    right = np.count_nonzero(network.predict(data.test.inputs(slice(None))) == data.test.labels)
    # What the kept network does, said of it: not the last epoch's figure, taken steps before.
    assert f"the network as interrupted: test accuracy {right / len(data.test):.2%}" in out


def test_ctrl_c_with_save_says_the_file_holds_the_network_as_interrupted(tiny_mnist_dir, tmp_path):
    status, out = interrupted_training(tiny_mnist_dir, tmp_path, "--save", "mine")
    assert status == 130
    steps = re.search(r"interrupted after ([\d,]+) steps", out)[1]
    assert f"saved {tmp_path / 'mine.npz'}: the network as interrupted, at step {steps}\n" in out
    assert load_model(tmp_path / "mine.npz").sizes == (784, 16, 16, 10)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_run_ended_by_a_signal_keeps_its_network_as_ctrl_c_does(tiny_mnist_dir, tmp_path, signum):
    # A closed terminal, a dropped SSH link, a job's time limit: an hour's training is not to be lost.
    status, out = interrupted_training(tiny_mnist_dir, tmp_path, "--save", "mine", signum=signum)
    assert status == 128 + signum
    assert f"saved {tmp_path / 'mine.npz'}: the network as interrupted, at step " in out
    assert load_model(tmp_path / "mine.npz").sizes == (784, 16, 16, 10)


def ctrl_c_then(monkeypatch, name: str) -> None:
    """gdtui train's own `name` sends this process a Ctrl-C, as a user's key would come, before it does its work."""
    from gdtui.commands import train

    work = getattr(train, name)

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return work(*args, **kwargs)

    monkeypatch.setattr(train, name, interrupted)


def test_ctrl_c_as_a_finished_run_is_tested_waits_for_its_network_to_be_saved(capsys, monkeypatch, tiny_mnist_dir, tmp_path):
    # All its epochs done, the run measures its network and saves it: a key pressed then is not to lose them.
    ctrl_c_then(monkeypatch, "evaluate")
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "1", "--save", tmp_path / "mine")
    assert status == 130
    assert f"saved {tmp_path / 'mine.npz'}" in out
    assert load_model(tmp_path / "mine.npz").sizes == (784, 16, 16, 10)


def test_a_second_ctrl_c_waits_for_the_interrupted_network_to_be_saved(capsys, monkeypatch, tiny_mnist_dir, tmp_path):
    # The first stopped the run; one more, pressed as the network is written, would otherwise lose it.
    monkeypatch.chdir(tmp_path)
    ctrl_c_then(monkeypatch, "advance")
    ctrl_c_then(monkeypatch, "save_model")
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "3")
    assert status == 130
    assert f"saved {tmp_path / 'gdtui-model.npz'}: the network as interrupted, at step 0 (no --save was given)" in out
    assert load_model(tmp_path / "gdtui-model.npz").sizes == (784, 16, 16, 10)


def test_an_interrupted_network_saved_under_a_free_name_never_replaces_one_that_came_meanwhile(
    capsys, monkeypatch, tiny_mnist_dir, tmp_path
):
    # Two runs in one folder, ended by one hang-up, both find the same name free: the first to save keeps it.
    monkeypatch.chdir(tmp_path)
    ctrl_c_then(monkeypatch, "advance")
    savez = np.savez

    def the_other_run_saves_first(file, **arrays):
        if not (tmp_path / "gdtui-model.npz").exists():
            (tmp_path / "gdtui-model.npz").write_bytes(b"the other run's network")
        savez(file, **arrays)

    monkeypatch.setattr(np, "savez", the_other_run_saves_first)
    status, out, _ = run(capsys, "train", "--data", tiny_mnist_dir, "--epochs", "3")
    assert status == 130
    assert (tmp_path / "gdtui-model.npz").read_bytes() == b"the other run's network"
    assert f"saved {tmp_path / 'gdtui-model-2.npz'}: the network as interrupted" in out
    assert load_model(tmp_path / "gdtui-model-2.npz").sizes == (784, 16, 16, 10)


def test_a_run_whose_terminal_has_gone_saves_before_it_speaks(tiny_mnist_dir, tmp_path):
    # Its output can no longer be written: the network is kept all the same.
    command = [sys.executable, "-m", "gdtui", "train", "--data", str(tiny_mnist_dir), "--epochs", "100000"]
    read_end, write_end = os.pipe()
    training = subprocess.Popen(command, cwd=tmp_path, stdout=write_end, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as output:
            while not output.readline().startswith("epoch"):
                pass
        # The reader gone, as a hung-up terminal's is: every write now fails.
        training.send_signal(signal.SIGHUP)
        training.wait(timeout=60)
    finally:
        training.kill()
    assert load_model(tmp_path / "gdtui-model.npz").sizes == (784, 16, 16, 10)


def test_train_help_gives_the_default_of_every_option_the_preset_sets(capsys):
    status, out, _ = run(capsys, "train", "--help")
    assert status == 0
    said = " ".join(out.split())
    assert "passes over the training set (default: 30; 0 only evaluates)" in said
    assert "examples per gradient step (default: 10)" in said
    assert "step size η (default: the preset's: lesson 1.5, tuned 0.05)" in said
    assert "hidden-layer activation (default: the preset's: lesson sigmoid, tuned relu)" in said


@pytest.mark.parametrize(("argv", "named"), [(["--hidden", "32"], "--hidden"), (["--activation", "relu"], "--activation")])
def test_options_that_shape_a_new_network_are_refused_beside_a_model(capsys, tiny_mnist_dir, tmp_path, argv, named):
    model = tmp_path / "m.npz"
    save_model(Network(seed=0), model)
    status, _, err = run(capsys, "train", "--data", tiny_mnist_dir, "--model", model, "--epochs", "0", *argv)
    assert status == 2
    assert_one_line_error(err)
    assert err == f"gdtui: error: {named} shapes a new network; the one from --model is as it was saved\n"


def test_the_progress_bar_never_reads_100_percent_before_the_epoch_is_done(capsys):
    from gdtui.commands.train import _Progress

    _Progress(True).show(1, 30, 0.996)
    assert capsys.readouterr().err.endswith("]  99%")


def test_the_tuned_presets_decay_takes_any_number_of_epochs():
    # 'gdtui train --preset tuned --epochs 1000…0' (400 digits) ended in a traceback on its first epoch.
    from gdtui.core.presets import PRESETS

    tuned = PRESETS["tuned"]
    assert tuned.learning_rate_for(0, 10**400, 0.05) == 0.05
    assert tuned.learning_rate_for(10**400 // 2, 10**400, 0.05) == pytest.approx(0.025)


@pytest.mark.parametrize("where", ["before", "after"], ids=["before the command", "after it"])
def test_a_tilde_the_shell_left_as_it_was_is_the_home_folder_as_for_save(capsys, tiny_mnist_dir, tmp_path, monkeypatch, where):
    # The shell expands '~' only at a word's start: '--data=~/set' reaches gdtui as it was typed.
    import shutil

    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copytree(tiny_mnist_dir, tmp_path / "set")
    save_model(Network(seed=0), tmp_path / "m.npz")
    options = ["--data=~/set", "--model=~/m.npz"]
    argv = [*options, "train", "--epochs", "0"] if where == "before" else ["train", "--epochs", "0", *options]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    assert f"network from {tmp_path / 'm.npz'}," in out


def _path_options(parser: argparse.ArgumentParser, command: str = "gdtui"):
    """Every option of every command whose value is a path: (command, option, its type)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _path_options(sub, f"{command} {name}")
        elif action.option_strings and callable(action.type) and isinstance(_typed(action.type, "x"), Path):
            yield command, action.option_strings[-1], action.type


def _typed(kind, text: str) -> object:
    try:
        return kind(text)
    except (ValueError, TypeError, argparse.ArgumentTypeError):
        return None  # not a type that takes any text: a number, a choice


def test_every_path_on_the_command_line_takes_a_tilde_as_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    found = list(_path_options(build_parser()))
    assert {"gdtui train --model", "gdtui class new --dir", "gdtui serve --roster"} <= {f"{c} {o}" for c, o, _ in found}
    unexpanded = [f"{command} {option}" for command, option, kind in found if kind("~/x") != tmp_path / "x"]
    assert not unexpanded, unexpanded
