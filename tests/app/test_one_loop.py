"""`gdtui train` and the Training screen drive a run with the same loop: same seed, same steps, same words."""

from __future__ import annotations

import json

from gdtui.cli import main
from gdtui.core.drive import reason
from tests.helpers import full_speed, settle, wait_for


def train(capsys, data, *argv) -> tuple[int, str, str]:
    status = main(["train", "--data", str(data), "--json", *argv])
    out, err = capsys.readouterr()
    return status, out, err


async def test_two_epochs_on_the_screen_are_two_epochs_of_gdtui_train(screen_on, tiny_mnist_dir, capsys):
    status, out, _ = train(capsys, tiny_mnist_dir, "--epochs", "2")
    summary = json.loads(out)
    assert status == 0
    async with screen_on("6") as (pilot, screen):
        await full_speed(pilot, screen)
        for _ in range(2):
            await pilot.press("e")
            await settle(pilot)
        run = screen.training.run
        assert [record.epoch for record in run.epochs] == [0, 1, 2]
        assert run.trainer.steps == summary["steps"]
        assert run.epochs[-1].test_accuracy == summary["test_accuracy"]
        assert run.epochs[-1].test_cost == summary["test_cost"]


async def test_a_run_too_steep_to_learn_stops_at_the_same_step_for_the_same_reason(screen_on, tiny_mnist_dir, capsys):
    status, out, err = train(capsys, tiny_mnist_dir, "--epochs", "12", "--eta", "50")
    summary = json.loads(out)
    assert status == 1 and summary["stuck"]
    async with screen_on("6") as (pilot, screen):
        await full_speed(pilot, screen)
        while screen.training.run.requested[0] != 50:
            await pilot.press("plus")
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop", deadline=120)
        await settle(pilot)
        run = screen.training.run
        assert run.verdict.kind == "stuck"
        assert run.trainer.steps == summary["steps"]
        assert f": {reason(run.verdict)}\n" in err
