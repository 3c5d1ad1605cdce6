"""Training never saved, kept so that a closed window, a dropped connection or a kill loses none of it.

While the network holds changes never saved, a copy of it is kept beside the
lesson bookmark, in the user's data directory (a lab session's own): a model
file, and a few words on where it came from and the data set it was trained on.
The next start on that data set offers it back. It
is removed once the network is saved, or the learner quits knowingly. Both
files are ours: a missing, unreadable or damaged one means there is nothing to
offer, whatever it holds.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path

from gdtui.core.dataset import Dataset
from gdtui.core.errors import ModelFileError
from gdtui.core.files import data_home, read_small_json, write_small_json
from gdtui.core.model_io import load_model, save_model
from gdtui.core.network import Network
from gdtui.ui.state import Provenance

# The words take a few dozen bytes, a model file's name included: more than this is not ours.
_LARGEST = 4096


@dataclass(frozen=True)
class Unsaved:
    network: Network
    provenance: Provenance
    data: str | None  # the data set it was trained on, as _data_set names it; None in a copy from before it was named

    def trained_on(self, data: Dataset) -> bool:
        """Whether it was trained on data: another set of the same shape (Fashion-MNIST beside MNIST) would take
        it, but its figures there would be of images it never learnt, and n would throw away its training."""
        return self.data is None or self.data == _data_set(data)


def _data_set(data: Dataset) -> str:
    # The folder the files were read from: a set's name may be a folder's, which another folder can share.
    return str(data.source.resolve())


def _paths() -> tuple[Path, Path]:
    home = data_home()
    return home / "unsaved.npz", home / "unsaved.json"


def keep(network: Network, provenance: Provenance, data: Dataset) -> bool:
    """Keep a copy of the network trained on data in place of the last; False if it cannot be written."""
    model, words = _paths()
    try:
        model.parent.mkdir(parents=True, exist_ok=True)
        save_model(network, model)
    except (OSError, ModelFileError):
        return False
    return write_small_json(words, {**asdict(provenance), "data": _data_set(data)})


def find() -> Unsaved | None:
    """The copy kept last, if both its files are whole and agree."""
    model, words = _paths()
    saved = read_small_json(words, _LARGEST)
    if not isinstance(saved, dict):
        return None
    data = saved.pop("data", None)
    if not isinstance(data, str | None):
        return None
    try:
        provenance = Provenance(**saved)
        network = load_model(model)
    # TypeError: the words name other fields than a Provenance has.
    except (OSError, ValueError, TypeError, ModelFileError):
        return None
    if not _sensible(provenance):
        return None
    return Unsaved(network, provenance, data)


def _sensible(provenance: Provenance) -> bool:
    counts = (provenance.seed, provenance.steps, provenance.nudges)
    # A JSON true is a Python int, and no count.
    return (
        isinstance(provenance.origin, str)
        and type(provenance.random) is bool
        and all(type(count) is int and count >= 0 for count in counts)
    )


def discard() -> None:
    for path in _paths():
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
