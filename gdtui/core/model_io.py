"""Save and load a network as a plain ``.npz`` file (no pickle, ever).

A model file holds the layer sizes, the activations and the flat parameter
vector. Loading checks all of it, so a wrong, damaged or hostile file gives one
clear line instead of a traceback or, worse, code run from a pickle. Nothing is
read that a model does not hold, and nothing is read before its declared size
is checked: a file that claims a trillion elements, or a small member that
would inflate to gigabytes, is refused before any of it is allocated.
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from gdtui.core import memory
from gdtui.core.dataset import Dataset
from gdtui.core.errors import ModelFileError
from gdtui.core.files import FILE_KINDS, replacing
from gdtui.core.network import ACTIVATIONS, OUTPUTS, Network, count_parameters
from gdtui.core.training import CHUNK

FORMAT = "gdtui-model"
VERSION = 1
SUFFIX = ".npz"
DEFAULT_NAME = "gdtui-model.npz"
MEMBERS = ("format", "version", "sizes", "activation", "output", "params")

# Every member but the parameters is a .npy header and a few values; 4 KB holds 500 layer sizes.
_SMALL_MEMBER = 4096
# What numpy's savez and savez_compressed write; other methods could inflate without bound.
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}

# A training step holds the parameters, their gradient and two temporaries of the same
# size (η·∇C, and the sum over the chunks of a large batch).
_PARAMETER_COPIES = 4
# Training and evaluation work through at most CHUNK examples at once, holding every layer's
# activations for backprop, plus the error signal and a temporary of the same size.
_ACTIVATION_COPIES = 3
_FLOAT32 = 4


def network_bytes(sizes: tuple[int, ...]) -> int:
    """Roughly the most memory that training or evaluating a network of these layer sizes holds at once."""
    return _FLOAT32 * (_PARAMETER_COPIES * count_parameters(sizes) + _ACTIVATION_COPIES * CHUNK * sum(sizes))


def network_too_big(sizes: tuple[int, ...], limit: int | None = None) -> str | None:
    """Why a network of these layer sizes cannot be trained here, or None if it fits.

    limit is the memory it must fit in, by default what the system has available now, if it says.
    """
    need = network_bytes(sizes)
    limit = memory.available() if limit is None else limit
    if limit is None or need <= limit:
        return None
    return (
        f"a {'-'.join(map(str, sizes))} network ({count_parameters(sizes):,} parameters) needs about "
        f"{memory.describe(need)} of memory to train; {memory.describe(limit)} is available"
    )


def check_fits(network: Network, data: Dataset, source: str) -> None:
    """Refuse a network that cannot work on data: its inputs must be the pixels, its outputs the classes.

    source names the network in the message, such as the model file it came from.
    """
    rows, cols = data.image_shape
    if network.sizes[0] != data.pixels:
        raise ModelFileError(
            f"{source}: the model takes {network.sizes[0]:,} inputs but the images of {data.name} have "
            f"{data.pixels:,} pixels ({rows}×{cols})"
        )
    if network.sizes[-1] != len(data.classes):
        raise ModelFileError(
            f"{source}: the model has {network.sizes[-1]:,} outputs but {data.name} has {len(data.classes)} classes"
        )


def free_name(folder: Path) -> str:
    """The default model name, numbered if need be, that nothing in folder has taken yet:
    saving twice, or from two sessions in one folder, keeps both networks."""
    stem, suffix = os.path.splitext(DEFAULT_NAME)
    name, number = DEFAULT_NAME, 1
    while os.path.lexists(folder / name):
        number += 1
        name = f"{stem}-{number}{suffix}"
    return name


def save_target(text: str | os.PathLike[str]) -> Path:
    """The file a model named by text is saved as, checked before anything is computed to save.

    '~' is expanded and '.npz' added when missing; the path comes back absolute, to show
    the user exactly what was written. A directory (an existing one, or a name ending in
    '/', '.' or '..') is refused, not given a default file name inside it: a name the user
    never chose could overwrite another model. So is a device, a pipe or a socket, by the
    name typed or with '.npz' added, a parent that is missing, or one in which no file can
    be created.
    """
    given = os.fspath(text)
    if not given.strip():
        raise ModelFileError("no file name given to save the model as")
    expanded = os.path.expanduser(given)
    path = Path(os.path.abspath(expanded))
    if os.path.basename(expanded) in ("", ".", "..") or _file_type(path) == stat.S_IFDIR:
        raise ModelFileError(f"{given}: is a directory; save the model as a file, such as {path / DEFAULT_NAME}")
    typed = _file_type(path)
    if typed not in (None, stat.S_IFREG):
        # A device, a pipe or a socket by the name the user typed was meant: not a new file beside it.
        raise ModelFileError(f"{given}: is {FILE_KINDS.get(typed, 'not a regular file')}; save the model as a file")
    if path.suffix != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    parent = _file_type(path.parent)
    if parent != stat.S_IFDIR:
        problem = "no such directory" if parent is None else "is not a directory"
        raise ModelFileError(f"{path}: cannot save the model: {path.parent}: {problem}")
    kind = _file_type(path)
    if kind not in (None, stat.S_IFREG):
        raise ModelFileError(f"{path}: is {FILE_KINDS.get(kind, 'not a regular file')}; save the model as a file")
    try:
        # Creating a file is the only sure test: permissions, a read-only mount and a
        # full inode table all show here, and saving creates one just like it.
        handle, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        os.unlink(probe)
    except OSError as err:
        raise ModelFileError(f"{path}: cannot save the model: {err.strerror or err}") from None
    return path


def _file_type(path: Path) -> int | None:
    """What path is (stat.S_IFDIR, S_IFREG…), or None if nothing is there."""
    try:
        return stat.S_IFMT(path.stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise ModelFileError(f"{path}: cannot save the model: {err.strerror or err}") from None


def replaced_by_saving(text: str | os.PathLike[str]) -> Path | None:
    """The existing file a save under that name would replace, if any (save_target's refusals raised)."""
    target = save_target(text)
    return target if target.exists() else None


def save_model(network: Network, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
    """Write atomically to save_target(path), and return it: a crash mid-write never leaves a half file.
    Without overwrite, FileExistsError if a file has that name, even one that came while this wrote."""
    path = save_target(path)
    try:
        with replacing(path, overwrite=overwrite) as f:
            np.savez(
                f,
                format=np.array(FORMAT),
                version=np.array(VERSION),
                sizes=np.array(network.sizes, dtype=np.int64),
                activation=np.array(network.activation),
                output=np.array(network.output),
                params=network.params,
            )
    except FileExistsError:
        raise
    except OSError as err:
        raise ModelFileError(f"{path}: cannot write the model: {err.strerror or err}") from None
    return path


def save_new(network: Network, folder: Path) -> Path:
    """Save under the default name, numbered, that no file in folder has: never in place of one that
    came since the name was found free, as another run's, ended by the same hang-up, may."""
    while True:
        try:
            return save_model(network, folder / free_name(folder), overwrite=False)
        except FileExistsError:
            continue


def load_model(path: str | os.PathLike[str]) -> Network:
    path = Path(path)
    with _open_regular_file(path) as file:
        try:
            with zipfile.ZipFile(file) as archive:
                return _network_from(path, archive)
        # NotImplementedError: zipfile's word for an archive that needs a newer zip reader.
        except (OSError, ValueError, EOFError, NotImplementedError, zipfile.BadZipFile, zlib.error) as err:
            raise ModelFileError(f"{path}: not a gdtui model file (.npz): {err}") from None


def _open_regular_file(path: Path) -> BinaryIO:
    """Open path for reading if it is a regular file; refuse anything else before opening it.

    Opening a named pipe waits for a writer, and reading a device may never end.
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISREG(mode):
            # Non-blocking, in case the file was swapped for a pipe since the stat: then the
            # open returns at once, and the check on what was opened refuses it.
            file = os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")
            mode = os.fstat(file.fileno()).st_mode
            if stat.S_ISREG(mode):
                return file
            file.close()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except OSError as err:
        raise ModelFileError(f"{path}: cannot read the model: {err.strerror or err}") from None
    raise ModelFileError(f"{path}: is {FILE_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a model file")


Check = Callable[[tuple[int, ...], np.dtype], str | None]


def _text(key: str) -> Check:
    return lambda shape, dtype: None if shape == () and dtype.kind == "U" else f"'{key}' should be a text value"


def _whole_number(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    return None if shape == () and dtype.kind in "iu" else "'version' should be a whole number"


def _list_of_whole_numbers(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    return (
        None
        if len(shape) == 1 and dtype.kind in "iu"
        else f"layer sizes should be whole numbers in a list, not {dtype} of shape {shape}"
    )


def _parameters_of(sizes: tuple[int, ...]) -> Check:
    expected = count_parameters(sizes)

    def check(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
        if shape == (expected,) and dtype.kind == "f":
            return None
        return f"{math.prod(shape):,} parameters of type {dtype}; a {'-'.join(map(str, sizes))} network has {expected:,} floats"

    return check


def _network_from(path: Path, archive: zipfile.ZipFile) -> Network:
    missing = [key for key in MEMBERS if f"{key}.npy" not in archive.NameToInfo]
    if missing:
        raise ModelFileError(f"{path}: not a gdtui model file: missing {', '.join(sorted(missing))}")

    def read(key: str, check: Check) -> np.ndarray:
        return _read_member(archive, path, key, check)

    if str(read("format", _text("format"))) != FORMAT:
        raise ModelFileError(f"{path}: not a gdtui model file")
    version = int(read("version", _whole_number))
    if version != VERSION:
        raise ModelFileError(f"{path}: model format version {version}; this gdtui reads {VERSION}")
    declared = read("sizes", _list_of_whole_numbers)
    if declared.size < 2 or (declared < 1).any():
        raise ModelFileError(f"{path}: layer sizes {declared.tolist()} make no network")
    sizes = tuple(int(n) for n in declared)
    activation, output = str(read("activation", _text("activation"))), str(read("output", _text("output")))
    if activation not in ACTIVATIONS or output not in OUTPUTS:
        raise ModelFileError(f"{path}: unknown activation {activation!r} or output {output!r}")
    too_big = network_too_big(sizes)
    if too_big:
        raise ModelFileError(f"{path}: {too_big}")
    params = read("params", _parameters_of(sizes))
    if not np.isfinite(params).all():
        raise ModelFileError(f"{path}: parameters contain NaN or infinity; the model diverged when saved")
    with np.errstate(over="ignore"):
        converted = params.astype(np.float32)
    # A float64 file can hold numbers float32 cannot: they would become infinite here.
    beyond = np.flatnonzero(~np.isfinite(converted))
    if beyond.size:
        k = int(beyond[0])
        raise ModelFileError(f"{path}: parameter {k:,} is {params[k]:.3g}, beyond the range of float32 (±3.4e38)")
    return Network(sizes, activation=activation, output=output, params=converted)


def _read_member(archive: zipfile.ZipFile, path: Path, key: str, check: Check) -> np.ndarray:
    """Read member key.npy, once its header passes check and the member's size agrees with it.

    check(shape, dtype) says what is wrong with the declared array, or None.
    """
    info = archive.getinfo(f"{key}.npy")
    if info.compress_type not in _COMPRESSIONS:
        raise ModelFileError(f"{path}: '{key}' is compressed in a way numpy never writes (method {info.compress_type})")
    if key != "params" and info.file_size > _SMALL_MEMBER:
        raise ModelFileError(f"{path}: '{key}' takes {info.file_size:,} bytes; a model's takes a few dozen")
    try:
        member = archive.open(info)
    # zipfile's words for an encrypted member, and for one that needs a newer zip.
    except (RuntimeError, NotImplementedError) as err:
        raise ModelFileError(f"{path}: '{key}': {err}") from None
    with member:
        version = np.lib.format.read_magic(member)
        if version not in _NPY_HEADERS:
            raise ModelFileError(f"{path}: '{key}' is in .npy format {version[0]}.{version[1]}, which gdtui does not read")
        shape, fortran_order, dtype = _NPY_HEADERS[version](member)
        if dtype.hasobject:
            raise ModelFileError(f"{path}: holds Python objects (pickle), which gdtui never loads")
        wrong = check(shape, dtype)
        if wrong:
            raise ModelFileError(f"{path}: {wrong}")
        size = math.prod(shape) * dtype.itemsize
        stored = info.file_size - member.tell()
        if stored != size:
            raise ModelFileError(f"{path}: '{key}' holds {stored:,} bytes of data where its header declares {size:,}")
        data = member.read(size)
        # Reading to the end has zipfile check the member's CRC.
        if len(data) != size or member.read(1):
            raise ModelFileError(f"{path}: '{key}' is damaged")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
