"""A long run in the app keeps its memory flat: nothing the app holds grows with the steps taken.

Memory is measured, never time: the machines that run the tests are shared.
What grows with each frame drawn rather than each step would need minutes to
show: benchmarks/long_run.py watches the app's resident memory for those.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

import gdtui
from gdtui.core.history import EPOCHS_KEPT, EpochRecord, bounded
from tests.helpers import full_speed, wait_for

# Each frame drawn, as on a terminal: the memory the drawing keeps is part of what is measured.
pytestmark = pytest.mark.frames

EPOCHS = 5  # between the two measurements: 5,000 steps at batch 1 on the tiny set
# The app's own frame, and the one it called: what a Rich or Textual object that the app
# makes allocates for itself counts too. Each frame more slows every allocation down.
FRAMES = 2
# What the app holds legitimately varies by less: the cost curve keeps between 512 and
# 1,024 points, a swing of about 35 KB, and each epoch adds one small record. Keeping one
# float per step would add 32 KB an epoch, 160 KB over the run.
BOUND_KB = 96
APP_CODE = str(Path(gdtui.__file__).parent / "*")


def app_memory() -> int:
    """Bytes allocated by the app's own code, or for it, and still held."""
    gc.collect()
    # Rich's and Textual's caches fill up for minutes while frames are drawn; bounded, they are
    # no leak, and they would drown one: only what the app's code allocated counts.
    ours = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, APP_CODE, all_frames=True)])
    return sum(trace.size for trace in ours.traces)


async def run_until_epoch(pilot, screen, epoch: int) -> None:
    await pilot.press("space")
    await wait_for(pilot, lambda: screen.training.run.trainer.epochs_done >= epoch, f"epoch {epoch}", deadline=600)
    await pilot.press("space")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.slow
async def test_a_long_run_at_batch_1_keeps_the_apps_memory_flat(screen_on):
    async with screen_on("6") as (pilot, screen):
        while screen.training.run.requested[1] != 1:
            await pilot.press("b")
        await full_speed(pilot, screen)
        tracemalloc.start(FRAMES)
        try:
            await run_until_epoch(pilot, screen, 1)  # the first epoch fills what is filled once
            first_epoch, before = screen.training.run.trainer.epochs_done, app_memory()
            await run_until_epoch(pilot, screen, first_epoch + EPOCHS)
            last_epoch, after = screen.training.run.trainer.epochs_done, app_memory()
        finally:
            tracemalloc.stop()
    growth_kb = (after - before) / 1024
    assert growth_kb < BOUND_KB, f"the app holds {growth_kb:.0f} KB more after epoch {last_epoch} than after epoch {first_epoch}"


def test_the_records_of_a_hundred_thousand_epochs_stay_few_and_span_the_run():
    records: list[EpochRecord] = []
    for epoch in range(1, 100_001):
        records.append(EpochRecord(epoch, 10 * epoch, 0.1, 0.1, 0.9))
        records = bounded(records)
        assert len(records) <= EPOCHS_KEPT
    assert records[0].epoch == 1 and records[-1].epoch == 100_000
    assert len(records) > EPOCHS_KEPT // 2
    assert [r.epoch for r in records] == sorted({r.epoch for r in records})
