"""Model files: a faithful round trip, atomic writes, and one clear line for every bad file."""

import os
import zipfile

import numpy as np
import pytest

from gdtui.core.errors import ModelFileError
from gdtui.core.model_io import FORMAT, VERSION, load_model, save_model
from gdtui.core.network import Network


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
