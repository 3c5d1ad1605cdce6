"""Model files: a faithful round trip, atomic writes, and one clear line for every bad file."""

import io
import os
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gdtui.core.dataset import Dataset, Split
from gdtui.core.errors import ModelFileError
from gdtui.core.model_io import FORMAT, VERSION, check_fits, load_model, network_too_big, save_model, save_target
from gdtui.core.network import Network
from tests.memory import peak_memory_of


def fields(network: Network | None = None, **changes) -> dict:
    """What save_model writes, with some fields replaced (None removes one)."""
    network = network or Network((6, 4, 3), seed=1)
    values = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "sizes": np.array(network.sizes, dtype=np.int64),
        "activation": np.array(network.activation),
        "output": np.array(network.output),
        "params": network.params,
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def refused(path, *words: str) -> str:
    """Load path, expecting a ModelFileError of one line that names the file and says words."""
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    for word in words:
        assert word in message
    return message


def test_round_trip(tmp_path):
    network = Network(activation="relu", output="softmax", seed=3)
    network.params[:] += np.linspace(-1, 1, network.num_params, dtype=np.float32)
    path = save_model(network, tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    loaded = load_model(path)
    assert (loaded.sizes, loaded.activation, loaded.output) == ((784, 16, 16, 10), "relu", "softmax")
    assert loaded.params.dtype == np.float32
    np.testing.assert_array_equal(loaded.params, network.params)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    np.testing.assert_array_equal(loaded.forward(x), network.forward(x))


def test_round_trip_of_another_shape(tmp_path):
    network = Network((6, 5, 4, 3), seed=2)
    loaded = load_model(save_model(network, tmp_path / "small.npz"))
    assert (loaded.sizes, loaded.activation, loaded.output) == ((6, 5, 4, 3), "sigmoid", "sigmoid")
    np.testing.assert_array_equal(loaded.params, network.params)


def test_the_npz_suffix_is_added_when_missing(tmp_path):
    assert save_model(Network((6, 3)), tmp_path / "model") == tmp_path / "model.npz"
    assert save_model(Network((6, 3)), tmp_path / "model.v2") == tmp_path / "model.v2.npz"
    assert save_model(Network((6, 3)), str(tmp_path / "plain.npz")) == tmp_path / "plain.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz", "model.v2.npz", "plain.npz"]


def test_saving_over_a_model_replaces_it_and_leaves_no_temporary_file(tmp_path):
    save_model(Network((6, 3), seed=1), tmp_path / "model.npz")
    second = Network((6, 3), seed=2)
    save_model(second, tmp_path / "model.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    np.testing.assert_array_equal(load_model(tmp_path / "model.npz").params, second.params)


def test_a_model_file_is_a_plain_npz(tmp_path):
    path = save_model(Network((6, 3)), tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["activation", "format", "output", "params", "sizes", "version"]


def test_saving_where_no_directory_exists_is_a_model_file_error(tmp_path):
    with pytest.raises(ModelFileError) as caught:
        save_model(Network((6, 3)), tmp_path / "missing" / "model.npz")
    assert "\n" not in str(caught.value)
    assert "model.npz" in str(caught.value)


def test_saving_under_a_regular_file_is_a_model_file_error(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(ModelFileError) as caught:
        save_model(Network((6, 3)), tmp_path / "file" / "model.npz")
    assert "\n" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_missing_file(tmp_path):
    refused(tmp_path / "nothing.npz", "no such file")


def test_a_directory(tmp_path):
    refused(tmp_path, "directory")


@pytest.mark.parametrize(
    "content",
    [os.urandom(1000), b"", b"just some text\n", b"\x80\x04\x95 looks like a pickle"],
    ids=["random", "empty", "text", "pickle-header"],
)
def test_a_file_that_is_not_a_zip_archive(tmp_path, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    message = refused(path, "not a gdtui model file")
    assert "allow_pickle" not in message


def test_a_bare_npy_array(tmp_path):
    path = tmp_path / "params.npy"
    np.save(path, Network((6, 3)).params)
    refused(path, "not a gdtui model file")


def test_a_truncated_file(tmp_path):
    whole = save_model(Network(), tmp_path / "model.npz").read_bytes()
    path = tmp_path / "truncated.npz"
    path.write_bytes(whole[: len(whole) // 2])
    refused(path, "not a gdtui model file")


def test_a_zip_that_is_not_numpy(tmp_path):
    path = tmp_path / "archive.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(path, "missing")


@pytest.mark.parametrize("key", ["format", "version", "sizes", "activation", "output", "params"])
def test_a_missing_field(tmp_path, key):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(**{key: None}))
    refused(path, "missing", key)


def test_the_wrong_format(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(format=np.array("someone-elses-model")))
    refused(path, "not a gdtui model file")


@pytest.mark.parametrize("version", [np.array(2), np.array(0)])
def test_another_version(tmp_path, version):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(version=version))
    refused(path, f"version {int(version)}")


@pytest.mark.parametrize("version", [np.array("1"), np.array([1, 1]), np.array(1.0)])
def test_a_version_that_is_not_a_whole_number(tmp_path, version):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(version=version))
    refused(path, "version")


@pytest.mark.parametrize(
    "sizes",
    [np.array([6]), np.array([6, 0, 3]), np.array([6.0, 3.0]), np.array([[6, 3]])],
    ids=["one-layer", "empty-layer", "floats", "2-d"],
)
def test_sizes_that_make_no_network(tmp_path, sizes):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(sizes=sizes))
    refused(path, "layer sizes")


@pytest.mark.parametrize(
    "params",
    [np.zeros(42, np.float32), np.zeros(44, np.float32), np.zeros((43, 1), np.float32), np.zeros(43, np.int64)],
    ids=["short", "long", "2-d", "integers"],
)
def test_parameters_that_do_not_fit(tmp_path, params):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(params=params))
    refused(path, "6-4-3", "43")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_parameters_that_are_not_finite(tmp_path, bad):
    params = Network((6, 4, 3)).params.copy()
    params[5] = bad
    path = tmp_path / "model.npz"
    np.savez(path, **fields(params=params))
    refused(path, "NaN or infinity")


def test_an_object_array_is_never_unpickled(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(params=np.array([object()] * 43, dtype=object)))
    refused(path, "pickle")


@pytest.mark.parametrize(
    "change",
    [{"activation": np.array("tanh")}, {"output": np.array("linear")}],
)
def test_an_unknown_activation(tmp_path, change):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(**change))
    refused(path, "unknown activation")


def test_text_fields_must_be_text(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(activation=np.array(b"sigmoid")))
    refused(path, "'activation' should be a text value")


def test_a_float64_model_loads_as_float32(tmp_path):
    network = Network((6, 4, 3), seed=1)
    path = tmp_path / "model.npz"
    np.savez(path, **fields(network, params=network.params.astype(np.float64)))
    loaded = load_model(path)
    assert loaded.params.dtype == np.float32
    np.testing.assert_array_equal(loaded.params, network.params)


# Files that claim more than they hold, or hold more than a model needs


def npy_bytes(array: np.ndarray, *, shape: tuple[int, ...] | None = None, extra: bytes = b"") -> bytes:
    """array as a .npy file whose header may declare another shape, followed by extra bytes."""
    header = np.lib.format.header_data_from_array_1_0(array)
    if shape is not None:
        header["shape"] = shape
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + array.tobytes() + extra


def write_members(path, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def model_members(**changes: bytes) -> dict[str, bytes]:
    """The members of a model file as bytes, some replaced by raw .npy bytes."""
    members = {f"{key}.npy": npy_bytes(value) for key, value in fields().items()}
    members.update({f"{key}.npy": value for key, value in changes.items()})
    return members


def write_zeros_member(archive: zipfile.ZipFile, name: str, size: int, prefix: bytes = b"") -> None:
    """A deflated member of prefix then size zero bytes: a few KB on disk per MB inflated."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as member:
        member.write(prefix)
        chunk = bytes(1 << 20)
        for _ in range(size // len(chunk)):
            member.write(chunk)


BIG = 64 << 20  # what a hostile member inflates to; a model of 43 parameters needs a few hundred bytes


def test_members_that_are_no_part_of_a_model_are_never_read(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **fields())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        write_zeros_member(archive, "padding.npy", BIG)
    assert path.stat().st_size < BIG // 100
    loaded = []
    assert peak_memory_of(lambda: loaded.append(load_model(path))) < BIG // 8
    assert loaded[0].sizes == (6, 4, 3)


def test_parameters_that_inflate_beyond_their_header_are_refused_unread(tmp_path):
    params = Network((6, 4, 3)).params
    path = tmp_path / "model.npz"
    members = model_members()
    del members["params.npy"]
    write_members(path, members)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        write_zeros_member(archive, "params.npy", BIG, prefix=npy_bytes(params))
    peak = peak_memory_of(lambda: refused(path, "params", "172"))
    assert peak < BIG // 8


@pytest.mark.parametrize(
    ("key", "shape", "words"),
    [("params", (10**12,), ["1,000,000,000,000 parameters", "43 floats"]), ("sizes", (10**12,), ["'sizes'", "declares"])],
)
def test_a_header_that_declares_a_huge_array_is_refused_unread(tmp_path, key, shape, words):
    value = fields()[key]
    path = tmp_path / "model.npz"
    write_members(path, model_members(**{key: npy_bytes(value, shape=shape)}))
    assert peak_memory_of(lambda: refused(path, *words)) < 1 << 20


def test_a_small_member_that_is_too_large_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    write_members(path, model_members(format=npy_bytes(np.array("x" * 10_000))))
    refused(path, "'format'", "bytes")


def test_a_member_compressed_as_numpy_never_does_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    write_members(path, model_members(), compression=zipfile.ZIP_BZIP2)
    refused(path, "compressed")


def test_a_compressed_model_loads(tmp_path):
    network = Network((6, 4, 3), seed=1)
    path = tmp_path / "model.npz"
    np.savez_compressed(path, **fields(network))
    np.testing.assert_array_equal(load_model(path).params, network.params)


def test_an_encrypted_member_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **fields())
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag of every entry, in the local headers and the central directory.
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + flags_at] |= 0x01
            start += 4
    path.write_bytes(bytes(data))
    refused(path, "encrypted")


def test_damaged_parameter_bytes_fail_the_zip_checksum(tmp_path):
    path = save_model(Network((6, 4, 3), seed=1), tmp_path / "model.npz")
    data = bytearray(path.read_bytes())
    at = data.find(Network((6, 4, 3), seed=1).params.tobytes())
    data[at + 10] ^= 0xFF
    path.write_bytes(bytes(data))
    refused(path, "CRC")


@pytest.mark.parametrize("compressed", [False, True], ids=["stored", "deflated"])
def test_any_damaged_byte_gives_a_model_or_one_clear_line(tmp_path, compressed):
    network = Network((6, 4, 3), seed=1)
    path = tmp_path / "model.npz"
    (np.savez_compressed if compressed else np.savez)(path, **fields(network))
    whole = path.read_bytes()
    rng = np.random.default_rng(0)
    for at in rng.choice(len(whole), size=200, replace=False):
        damaged = bytearray(whole)
        damaged[at] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(damaged))
        try:
            load_model(path)
        except ModelFileError as err:
            assert "\n" not in str(err)


def test_float64_parameters_beyond_float32_are_refused(tmp_path):
    params = Network((6, 4, 3)).params.astype(np.float64)
    params[7] = 1e300
    path = tmp_path / "model.npz"
    np.savez(path, **fields(params=params))
    refused(path, "parameter 7", "1e+300", "float32")


# Files that are not files


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "model.npz"
    os.mkfifo(path)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(ModelFileError, load_model, path)), daemon=True)
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():
        # Free the reader stuck in open(): a writer lets it through.
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_model waited on a named pipe")
    assert "named pipe" in str(outcome[0].value)


def test_a_device_is_refused(tmp_path):
    refused(Path(os.devnull), "character device")


def test_a_symbolic_link_to_a_model_loads(tmp_path):
    network = Network((6, 4, 3), seed=1)
    target = save_model(network, tmp_path / "model.npz")
    (tmp_path / "link.npz").symlink_to(target)
    np.testing.assert_array_equal(load_model(tmp_path / "link.npz").params, network.params)


# Networks too big for the machine


def test_the_lessons_network_fits_in_little_memory():
    assert network_too_big((784, 16, 16, 10), limit=100 * 10**6) is None


def test_a_network_too_big_is_described_with_what_it_needs_and_what_there_is():
    assert network_too_big((784, 3_000_000, 10), limit=8 * 10**9) == (
        "a 784-3000000-10 network (2,385,000,010 parameters) needs about 110 GB of memory to train; 8 GB is available"
    )


def test_a_model_too_big_for_memory_is_refused_before_its_parameters_are_read(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, **fields(sizes=np.array([784, 10**9, 10])))
    refused(path, "784-1000000000-10", "needs about", "TB of memory")


# Where a model is saved


def test_a_save_target_is_absolute_with_the_suffix_added(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert save_target("model") == tmp_path / "model.npz"
    assert save_target("model.npz") == tmp_path / "model.npz"
    assert save_target(tmp_path / "sub" / ".." / "other") == tmp_path / "other.npz"
    assert list(tmp_path.iterdir()) == []


def test_a_save_target_starting_with_a_tilde_is_in_the_home_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert save_target("~/model") == tmp_path / "model.npz"


@pytest.mark.parametrize("text", ["", "  "])
def test_an_empty_save_target_is_refused(text):
    with pytest.raises(ModelFileError, match="no file name given"):
        save_target(text)


@pytest.mark.parametrize("text", [".", "..", "/", "~", "runs", "runs/", "runs/.", "new/", "runs/.."])
def test_a_directory_as_save_target_is_refused_with_a_file_name_to_use(tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "runs").mkdir()
    with pytest.raises(ModelFileError) as caught:
        save_target(text)
    message = str(caught.value)
    assert message.startswith(f"{text}: is a directory; save the model as a file, such as /")
    assert message.endswith("/gdtui-model.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_saving_to_a_directory_is_a_model_file_error_not_a_crash(tmp_path):
    with pytest.raises(ModelFileError, match="is a directory"):
        save_model(Network((6, 3)), tmp_path)


def test_a_save_target_whose_directory_is_missing(tmp_path):
    with pytest.raises(ModelFileError, match="no such directory"):
        save_target(tmp_path / "missing" / "model.npz")


def test_a_save_target_under_a_file(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ModelFileError, match="file: is not a directory"):
        save_target(tmp_path / "file" / "model.npz")


def test_a_save_target_that_is_a_named_pipe(tmp_path):
    os.mkfifo(tmp_path / "model.npz")
    with pytest.raises(ModelFileError, match="is a named pipe"):
        save_target(tmp_path / "model")


@pytest.mark.parametrize("name", ["pipe", "pipe.txt"])
def test_a_save_target_typed_as_something_that_is_not_a_file_is_refused_not_given_a_suffix(tmp_path, name):
    os.mkfifo(tmp_path / name)
    with pytest.raises(ModelFileError, match=f"{name}: is a named pipe"):
        save_target(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_dev_null_is_no_place_for_a_model():
    with pytest.raises(ModelFileError, match="/dev/null: is a character device"):
        save_target("/dev/null")
    assert not os.path.exists("/dev/null.npz")


def test_a_save_target_with_a_name_too_long(tmp_path):
    with pytest.raises(ModelFileError, match="cannot save the model"):
        save_target(tmp_path / ("m" * 300))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_save_target_in_a_read_only_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ModelFileError, match="Permission denied"):
        save_target(locked / "model.npz")


def test_an_existing_model_may_be_saved_over(tmp_path):
    path = save_model(Network((6, 3)), tmp_path / "model.npz")
    assert save_target(path) == path
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


# Whether a model suits a data set


def tiny_dataset(rows=3, cols=2, classes=("0", "1", "2", "3")) -> Dataset:
    images = np.zeros((4, rows, cols), dtype=np.uint8)
    labels = np.arange(4, dtype=np.uint8) % len(classes)
    split = Split(images, labels)
    return Dataset("shapes", Path("shapes"), split, split, tuple(classes), "", None)


def test_a_model_that_suits_the_data_set():
    check_fits(Network((6, 5, 4)), tiny_dataset(), "model.npz")


@pytest.mark.parametrize("outputs", [1, 3, 5, 20])
def test_a_model_with_other_outputs_than_the_classes_is_refused_naming_both(outputs):
    with pytest.raises(ModelFileError) as caught:
        check_fits(Network((6, 5, outputs)), tiny_dataset(), "model.npz")
    assert str(caught.value) == f"model.npz: the model has {outputs} outputs but shapes has 4 classes"


def test_a_model_for_other_images_is_refused_naming_both_sizes():
    with pytest.raises(ModelFileError) as caught:
        check_fits(Network((784, 5, 4)), tiny_dataset(), "model.npz")
    assert str(caught.value) == "model.npz: the model takes 784 inputs but the images of shapes have 6 pixels (3×2)"
