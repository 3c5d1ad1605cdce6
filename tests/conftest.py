"""Fixtures shared by the whole test suite.

The tests live in three folders, each a marker of the same name, so a part can
run alone: `pytest -m unit` (the math and the command line, in seconds), `-m app`
(the app under Textual's Pilot, and its snapshots), `-m e2e` (real processes on
pseudo-terminals and SSH connections). An app under the Pilot draws its screen when a
test reads it; `-m frames` are the app tests that draw every frame, as on a terminal.
"""

import functools
import gc
import os
import tempfile

# Before numpy loads its BLAS. The suite runs more workers than cores (pyproject's addopts), and
# OpenBLAS's threads, a core's worth in every worker, spin waiting for each other: one thread each,
# for the workers and every process they start, ran tests/app/test_next_screen.py 4 to 6 times faster.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import hypothesis  # noqa: F401 - see pytest_sessionfinish
import numpy as np
import pytest
import textual.constants
from textual.screen import Screen

import gdtui.ui.app
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.training import Trainer
from gdtui.ui import style_caches
from gdtui.ui.launch import space_out_collections
from tests.helpers import forget_frame, make_app, open_step
from tests.tiny_mnist import write_tiny_mnist

KINDS = ("unit", "app", "e2e")

# The app tests run apps in this process: it collects garbage as the app's own process does. At
# Python's default the collector took a tenth of the app tests' CPU.
space_out_collections()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = item.path.parent.name
        if kind in KINDS:
            item.add_marker(kind)


class _SlowFirst:
    """Orders the tests last of all: after -m and -k have left out what they leave out, each worker's run
    is cut from the tests that do run. (The markers above come first: -m reads them.)"""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        workers = getattr(config, "workerinput", {}).get("workercount", 1)
        items[:] = slow_first_on_every_worker(items, workers)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_SlowFirst(), "slow-first")


def slow_first_on_every_worker(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The long tests first, as many on each worker: they then overlap with everything else.

    Started last, one kept a worker busy after the others were done. pytest-xdist's worksteal
    hands each worker a run of the list, in order, the next `left // workers_left` tests: all
    sorted to the front, the long tests fell to one worker, one after another (a minute and more
    past the others). Each run here starts with its share of them; if xdist cut the list
    otherwise, only the balance would suffer.
    """
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    ordered: list[pytest.Item] = []
    for worker in range(workers):
        size = (len(items) - len(ordered)) // (workers - worker)
        mine = slow[worker::workers]
        take = max(0, size - len(mine))
        ordered += mine + rest[:take]
        del rest[:take]
    return ordered + rest


def pytest_collection_finish(session: pytest.Session) -> None:
    """Take everything alive once the tests are collected (the modules, their tables, the tests) out of the collector's sight.

    Python's full collections look at every object it tracks, and most of a test process's are
    the imports and the collected tests, alive to the end: each full collection of an app test
    spent about a tenth of a second looking at them again. Frozen, they are skipped.
    """
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _textual_style_caches_released() -> Iterator[None]:
    """Let each test's widgets go with its app, as the app lets a closed screen's go (gdtui/ui/style_caches.py).

    Kept otherwise, up to a thousand dead widgets' lines made several hundred thousand objects
    for each full collection of a test process to look at.
    """
    yield
    style_caches.release()


@pytest.fixture(autouse=True)
def _headless_apps_draw_when_read(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """An app under Pilot draws its screen when a test reads it, not at every frame.

    Textual draws each frame of a headless app, lines and all, to throw it away: that was a third of
    the CPU the app tests took. They read the screen with screen_text() (a whole screen, drawn as it
    is then), snapshots and widgets' own drawing. What is only done while drawing a frame is then not
    done between reads: a crash in drawing a screen no test reads, what drawing keeps in memory. The
    tests of frames and of memory, and those that look for a crash anywhere in drawing (key fuzz,
    bursts, hostile names), are marked `frames` and draw every frame, as the app does on a terminal;
    the end-to-end tests draw every frame on a real terminal. test_drawing_when_read.py checks that
    the screens read after the same keys are the same either way.
    """
    if request.node.get_closest_marker("frames") is None:
        monkeypatch.setattr(Screen, "_compositor_refresh", forget_frame)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Leave little for a test process to do once it has said it is finished.

    pytest-xdist's channel (execnet) sends a worker SIGINT if it is still busy 5 s after
    being told to end, which printed a KeyboardInterrupt traceback at the end of a green run.
    What kept workers busy came after this hook, where xdist says the worker is finished:
    pytest's five full garbage collections, each over everything hundreds of apps left
    (half a second apiece on a busy machine), and hypothesis importing itself for its summary
    where no test had (imported above instead). Collected once here, with pytest still
    watching for errors in finalizers, the survivors are frozen: the later collections skip them.
    """
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory):
    """Keep every cache the tests write out of the user's real cache directory; train at the tests' priority."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
        # Training runs as background work by default, and the test workers keep every core busy: a run
        # lowered to SCHED_IDLE would wait on other tests, not on its own. The tests of that priority ask for it.
        patch.setenv("GDTUI_TRAINING_PRIORITY", "normal")
        yield


@pytest.fixture(scope="session")
def _homes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("homes")


@pytest.fixture(autouse=True)
def _private_data_home(_homes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no lesson bookmark and no theme chosen, and never touches the user's own.

    Not under tmp_path: pytest numbers a test's folder by listing every folder made before it, which
    cost a worker more with each test, and most tests never ask for one.
    """
    home = Path(tempfile.mkdtemp(dir=_homes))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data-home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config-home"))


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the first 1,000 training and 200 test digits of MNIST, gzipped."""
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"))


@pytest.fixture
def truecolor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots look the same whatever terminal runs the tests: a truecolor one, with colour."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Textual reads TEXTUAL_COLOR_SYSTEM once, on import: set what it read.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")


@pytest.fixture(scope="session")
def trained(tiny_mnist_dir: Path) -> Network:
    """A network trained 300 steps on the tiny set: pass a copy to the app.

    In float64, so that every CPU reaches the same weights to far below any digit shown
    (see float64_network).
    """
    network = Network(seed=1, dtype=np.float64)
    trainer = Trainer(network, load_dataset(tiny_mnist_dir).train, seed=1)
    for _ in range(300):
        trainer.step()
    return network


@pytest.fixture
def float64_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's network in float64, for snapshots of figures a training run led to.

    float32 steps round in an order that depends on the CPU's kernels, and over a hundred
    steps the weights drift apart by more than the last digit shown; float64 steps drift by
    far less. The app itself trains in float32: these snapshots test what it shows, not that.
    """
    original = gdtui.ui.app.Network
    monkeypatch.setattr(gdtui.ui.app, "Network", functools.partial(original, dtype=np.float64))


@pytest.fixture
def screen_on(tiny_mnist_dir: Path):
    """`async with screen_on("6") as (pilot, screen)`: the app on the tiny data set, on that step.

    At 80×24 unless a size is given; other keyword arguments go to the app.
    """

    @asynccontextmanager
    async def on(key: str, *, size: tuple[int, int] = (80, 24), **app_options) -> AsyncIterator:
        app = make_app(tiny_mnist_dir, **app_options)
        async with app.run_test(size=size) as pilot:
            yield pilot, await open_step(pilot, key)

    return on
