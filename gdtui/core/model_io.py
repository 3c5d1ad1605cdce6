"""Save and load a network as a plain ``.npz`` file (no pickle, ever).

A model file holds the layer sizes, the activations and the flat parameter
vector. Loading checks all of it, so a wrong, damaged or hostile file gives one
clear line instead of a traceback or, worse, code run from a pickle.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from gdtui.core.errors import ModelFileError
from gdtui.core.files import replacing
from gdtui.core.network import ACTIVATIONS, OUTPUTS, Network, count_parameters

FORMAT = "gdtui-model"
VERSION = 1
_ZIP_MAGIC = b"PK\x03\x04"


def save_model(network: Network, path: str | os.PathLike) -> Path:
    """Write atomically: a crash mid-write never leaves a half file in the model's place."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    try:
        with replacing(path) as f:
            np.savez(
                f,
                format=np.array(FORMAT),
                version=np.array(VERSION),
                sizes=np.array(network.sizes, dtype=np.int64),
                activation=np.array(network.activation),
                output=np.array(network.output),
                params=network.params,
            )
    except OSError as err:
        raise ModelFileError(f"{path}: cannot write the model: {err.strerror or err}") from None
    return path


def load_model(path: str | os.PathLike) -> Network:
    path = Path(path)
    try:
        with path.open("rb") as file:
            # np.load takes a file it does not recognise for a pickle, and a .npy for a bare
            # array: only a zip archive can be a model, so anything else is turned away first.
            if file.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
                raise ModelFileError(f"{path}: not a gdtui model file (.npz): not a zip archive")
            file.seek(0)
            with np.load(file, allow_pickle=False) as data:
                fields = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a directory, not a model file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        if "pickle" in str(err):
            raise ModelFileError(f"{path}: holds Python objects (pickle), which gdtui never loads") from None
        raise ModelFileError(f"{path}: not a gdtui model file (.npz): {err}") from None
    return _network_from(path, fields)


def _text(fields: dict, key: str, path: Path) -> str:
    value = fields[key]
    if value.shape != () or value.dtype.kind != "U":
        raise ModelFileError(f"{path}: '{key}' should be a text value")
    return str(value)


def _network_from(path: Path, fields: dict) -> Network:
    missing = {"format", "version", "sizes", "activation", "output", "params"} - fields.keys()
    if missing:
        raise ModelFileError(f"{path}: not a gdtui model file: missing {', '.join(sorted(missing))}")
    if _text(fields, "format", path) != FORMAT:
        raise ModelFileError(f"{path}: not a gdtui model file")
    version = fields["version"]
    if version.shape != () or version.dtype.kind not in "iu":
        raise ModelFileError(f"{path}: 'version' should be a whole number")
    if int(version) != VERSION:
        raise ModelFileError(f"{path}: model format version {int(version)}; this gdtui reads {VERSION}")
    sizes = fields["sizes"]
    if sizes.ndim != 1 or sizes.size < 2 or sizes.dtype.kind not in "iu" or (sizes < 1).any():
        raise ModelFileError(f"{path}: layer sizes {sizes.tolist()} make no network")
    sizes = tuple(int(n) for n in sizes)
    activation, output = _text(fields, "activation", path), _text(fields, "output", path)
    if activation not in ACTIVATIONS or output not in OUTPUTS:
        raise ModelFileError(f"{path}: unknown activation {activation!r} or output {output!r}")
    params = fields["params"]
    expected = count_parameters(sizes)
    if params.shape != (expected,) or params.dtype.kind != "f":
        raise ModelFileError(
            f"{path}: {params.size:,} parameters of type {params.dtype}; "
            f"a {'-'.join(map(str, sizes))} network has {expected:,} floats"
        )
    if not np.isfinite(params).all():
        raise ModelFileError(f"{path}: parameters contain NaN or infinity; the model diverged when saved")
    return Network(sizes, activation=activation, output=output, params=params.astype(np.float32))
