"""safetensors: bprop's own writer and strict reader, exact round trips, damaged files refused, the real library agrees."""

import json

import numpy as np
import pytest

from bprop.interop.safetensors import (
    MAX_HEADER,
    SafetensorsError,
    load_metadata,
    load_safetensors,
    load_weights,
    save_safetensors,
    weights,
)
from bprop.nets import GPT, MultiLayerNetExtend, Rnnlm, TwoLayerNet


def _file(tmp_path, header, data=b"", *, length=None, name="t.safetensors"):
    """A file of a hand-made header (a dict, or raw bytes) and data; length overrides the header's size field."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    path = tmp_path / name
    path.write_bytes((len(raw) if length is None else length).to_bytes(8, "little") + raw + data)
    return path


def _arrays():
    rng = np.random.default_rng(0)
    return {
        "W": rng.standard_normal((3, 4)).astype(np.float32),
        "double": rng.standard_normal((2, 2, 2)),
        "half": rng.standard_normal(5).astype(np.float16),
        "ids": rng.integers(-5, 5, (4,)).astype(np.int64),
        "bytes": np.arange(7, dtype=np.uint8),
        "flags": np.array([True, False, True]),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "big_endian": np.arange(3, dtype=">i4"),
    }


def test_a_dict_of_arrays_comes_back_exactly_with_its_dtypes_and_shapes(tmp_path):
    arrays = _arrays()
    path = save_safetensors(arrays, tmp_path / "a.safetensors")
    back = load_safetensors(path)
    assert list(back) == list(arrays)  # offsets in the order written
    for name, a in arrays.items():
        assert back[name].shape == a.shape
        assert back[name].dtype == a.dtype.newbyteorder("=")
        np.testing.assert_array_equal(back[name], a)
        assert back[name].flags.writeable and back[name].dtype.isnative


def test_the_file_is_the_format_a_length_a_padded_json_header_then_little_endian_bytes(tmp_path):
    W = np.array([[1.0, -2.0], [3.5, 0.25]], dtype=np.float32)
    path = save_safetensors({"W": W}, tmp_path / "w.safetensors", metadata={"note": "hi"})
    blob = path.read_bytes()
    n = int.from_bytes(blob[:8], "little")
    assert (8 + n) % 8 == 0  # the data starts aligned
    header = json.loads(blob[8:8 + n])
    assert header == {"__metadata__": {"note": "hi"}, "W": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}
    assert blob[8 + n:] == W.astype("<f4").tobytes()


def test_a_nets_weights_are_named_as_its_params_and_fill_a_fresh_net_exactly(tmp_path):
    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, dtype=np.float32, rng=0)
    bn = net.layers["BatchNormalization1"]
    bn.running_mean = np.linspace(-1, 1, 5, dtype=np.float32)
    bn.running_var = np.linspace(0.5, 2, 5, dtype=np.float32)
    path = save_safetensors(net, tmp_path / "net.safetensors")
    assert list(load_safetensors(path)) == ["W1", "b1", "gamma1", "beta1", "BatchNormalization1.running_mean",
                                            "BatchNormalization1.running_var", "W2", "b2", "gamma2", "beta2",
                                            "BatchNormalization2.running_mean", "BatchNormalization2.running_var",
                                            "W3", "b3"]
    assert load_metadata(path) == {"producer": "bprop", "class": "MultiLayerNetExtend"}
    fresh = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, dtype=np.float32, rng=1)
    x = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)
    assert not np.array_equal(fresh.predict(x), net.predict(x))
    W1 = fresh.params["W1"]
    assert load_weights(fresh, path) is fresh
    assert fresh.params["W1"] is W1  # copied into the net's own arrays (an optimizer keeps holding them)
    np.testing.assert_array_equal(fresh.predict(x), net.predict(x))


def test_a_gpt_keeps_its_tied_weight_once_and_stays_tied_after_loading(tmp_path):
    model = GPT(11, 6, d_model=8, num_heads=2, num_layers=1, rng=0)
    names = list(weights(model))
    assert "embed.W" in names and "affine.W" not in names and "block1.attn.W_q" in names
    path = save_safetensors(model, tmp_path / "gpt.safetensors")
    fresh = GPT(11, 6, d_model=8, num_heads=2, num_layers=1, rng=1)
    load_weights(fresh, path)
    ids = np.array([[1, 4, 2, 9]])
    np.testing.assert_array_equal(fresh.predict(ids), model.predict(ids))
    assert np.shares_memory(fresh.affine.W, fresh.embed.W)  # still one array


def test_a_book2_model_round_trips_its_weights(tmp_path):
    model = Rnnlm(vocab_size=9, wordvec_size=4, hidden_size=5, rng=0)
    path = save_safetensors(model, tmp_path / "lm.safetensors")
    back = load_safetensors(path)
    assert set(back) == set(weights(model))
    for name, a in weights(model).items():
        np.testing.assert_array_equal(back[name], a)


def test_loading_weights_that_do_not_fit_names_the_difference_and_changes_nothing(tmp_path):
    net = TwoLayerNet(4, 3, 2, rng=0)
    before = {k: v.copy() for k, v in net.params.items()}
    path = save_safetensors({"W1": np.ones((4, 3)), "b1": np.ones(3), "W2": np.ones((3, 2)), "extra": np.ones(1)},
                            tmp_path / "w.safetensors")
    with pytest.raises(ValueError, match="missing 'b2'; unexpected 'extra'"):
        load_weights(net, path)
    bad = {"W1": np.ones((4, 3)), "b1": np.ones(3), "W2": np.ones((2, 3)), "b2": np.ones(2)}
    with pytest.raises(ValueError, match=r"'W2' has shape \(2, 3\), the net's has \(3, 2\)"):
        load_weights(net, bad)
    bad["W2"] = np.full((3, 2), np.nan)
    with pytest.raises(ValueError, match="'W2' holds NaN or infinity"):
        load_weights(net, bad)
    with pytest.raises(TypeError, match="expected a bprop net"):
        load_weights(object(), bad)
    for k, v in net.params.items():
        np.testing.assert_array_equal(v, before[k])


def test_the_writer_refuses_what_safetensors_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match="cannot hold 'o' of dtype object"):
        save_safetensors({"o": np.array([None])}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="cannot hold 'c' of dtype complex128"):
        save_safetensors({"c": np.ones(2, dtype=complex)}, tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match="other than '__metadata__'"):
        save_safetensors({"__metadata__": np.ones(1)}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="metadata must map texts to texts"):
        save_safetensors({"a": np.ones(1)}, tmp_path / "x.safetensors", metadata={"epoch": 3})
    with pytest.raises(TypeError, match="expected a bprop net"):
        save_safetensors(object(), tmp_path / "x.safetensors")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


_F32 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize("header, data, length, message", [
    ({"a": _F32}, b"\0" * 8, 2**40, "exceeds the 104,857,600-byte limit"),
    ({"a": _F32}, b"\0" * 8, 500, "runs past the end of the file"),
    (b"{not json", b"", None, "the header is not valid JSON"),
    (b"\xff\xfe{}", b"", None, "the header is not UTF-8"),
    (b"[1, 2]", b"", None, "must be a JSON object, got list"),
    (b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "a": {"dtype": "F32", "shape": [2], '
     b'"data_offsets": [0, 8]}}', b"\0" * 8, None, "names 'a' more than once"),
    ({"a": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8, None,
     "dtype 'F33', which is not a safetensors dtype"),
    ({"a": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4, None, "has no NumPy equivalent"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2],
      "data_offsets": [4, 12]}}, b"\0" * 12, None, "'b' at bytes 4…12 overlaps the tensor before it"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12, None, "leaves bytes 0…4 unused"),
    ({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8, None,
     "ends at byte 16, past the end of the data \\(8 bytes: truncated\\)"),
    ({"a": _F32}, b"\0" * 12, None, "the tensors cover 8 bytes but the data holds 12"),
    ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, None, "needs 12 bytes"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}, b"\0" * 8, None, "0 <= begin <= end"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}, b"\0" * 8, None, "0 <= begin <= end"),
    ({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8, None, "list of whole numbers"),
    ({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, b"\0" * 8, None, "list of whole numbers"),
    ({"a": {"dtype": "F32", "shape": [2]}}, b"\0" * 8, None, "must have exactly dtype, shape and data_offsets"),
    ({"__metadata__": {"epoch": 3}, "a": _F32}, b"\0" * 8, None, "'__metadata__' must map texts to texts"),
    ({"a": {"dtype": "F32", "shape": [0, 2**62, 2**62], "data_offsets": [0, 0]}}, b"", None, "NumPy cannot hold"),
])
def test_a_damaged_file_is_refused_with_a_message_naming_the_file_and_the_problem(tmp_path, header, data, length,
                                                                                  message):
    path = _file(tmp_path, header, data, length=length)
    with pytest.raises(SafetensorsError, match=message) as caught:
        load_safetensors(path)
    assert str(caught.value).startswith(f"{path}: not a valid safetensors file: ")
    assert MAX_HEADER == 104_857_600


def test_a_file_cut_short_is_refused(tmp_path):
    path = save_safetensors({"W": np.ones((10, 10), dtype=np.float32)}, tmp_path / "w.safetensors")
    blob = path.read_bytes()
    path.write_bytes(blob[:-1])
    with pytest.raises(SafetensorsError, match="past the end of the data.*truncated"):
        load_safetensors(path)
    path.write_bytes(blob[:5])
    with pytest.raises(SafetensorsError, match="5 bytes, shorter than the 8-byte header length"):
        load_safetensors(path)


def test_a_missing_file_or_a_folder_is_said_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such safetensors file"):
        load_safetensors(tmp_path / "missing.safetensors")
    with pytest.raises(SafetensorsError, match="is a folder"):
        load_safetensors(tmp_path)


def test_the_safetensors_library_reads_our_files_and_we_read_its(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    arrays = {k: v for k, v in _arrays().items() if k != "big_endian"}
    ours = save_safetensors(arrays, tmp_path / "ours.safetensors", metadata={"who": "bprop"})
    theirs_read = st.load_file(str(ours))
    assert set(theirs_read) == set(arrays)
    for name, a in arrays.items():
        np.testing.assert_array_equal(theirs_read[name], a)
        assert theirs_read[name].dtype == a.dtype
    theirs = tmp_path / "theirs.safetensors"
    st.save_file(arrays, str(theirs), metadata={"format": "np"})
    back = load_safetensors(theirs)
    assert load_metadata(theirs) == {"format": "np"}
    for name, a in arrays.items():
        np.testing.assert_array_equal(back[name], a)
        assert back[name].dtype == a.dtype


def test_torch_loads_a_gpts_weights_from_our_file(tmp_path):
    pytest.importorskip("safetensors")
    torch_st = pytest.importorskip("safetensors.torch")
    model = GPT(11, 6, d_model=8, num_heads=2, num_layers=1, rng=0)
    path = save_safetensors(model, tmp_path / "gpt.safetensors")
    tensors = torch_st.load_file(str(path))
    assert set(tensors) == set(weights(model))
    np.testing.assert_array_equal(tensors["block1.attn.W_q"].numpy(), model.blocks[0].attn.W_q)
