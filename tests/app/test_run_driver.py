"""The Training step's run driver alone: it steps the shared run in a thread and says why the steps stopped."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult

from gdtui.core.dataset import load_dataset
from gdtui.core.learning_rates import LEARNING_RATES
from gdtui.core.network import Network
from gdtui.ui.state import LessonState
from gdtui.ui.widgets.run_driver import RunDriver
from tests.helpers import wait_for


class DriverAlone(App):
    def __init__(self, state: LessonState) -> None:
        super().__init__()
        self.state = state
        self.stops: list[str] = []

    def compose(self) -> ComposeResult:
        yield RunDriver(self.state.training)

    @on(RunDriver.Stopped)
    def _heard(self, event: RunDriver.Stopped) -> None:
        self.stops.append(event.why)


async def test_the_driver_says_why_each_request_stopped_and_takes_no_second_while_one_goes(tiny_mnist_dir):
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    app = DriverAlone(state)
    async with app.run_test() as pilot:
        driver = app.query_one(RunDriver)
        run = driver.ensure()
        assert driver.start("step")
        await wait_for(pilot, lambda: app.stops == ["step"], "a step's stop heard")
        assert run.trainer.steps == 1 and not driver.stepping

        state.training.speed = 1  # a step a second: the epoch is still going when asked again
        assert driver.start("epoch") and driver.stepping
        assert not driver.start("step"), "a second request while the first goes"
        driver.pause()
        await wait_for(pilot, lambda: app.stops == ["step", "paused"], "the pause heard")
        assert not driver.go_back(), "nothing to undo: the run never broke the network"

        state.training.request(run, learning_rate=LEARNING_RATES[-1])
        state.training.speed = 0
        assert driver.start("run")
        await wait_for(pilot, lambda: app.stops[-1:] == ["diverged"], "the halt heard")
