"""Fuzz: damaged, truncated and hostile IDX and model files always end in a clear error (DataError,
ModelFileError, FileNotFoundError), never another exception, a hang or an unpickle."""

import io
import pickle
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bprop.datasets.idx import DataError, parse_idx
from bprop.nets import TwoLayerNet, load
from bprop.serialize import ModelFileError

from support import idx_bytes

IDX = idx_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))


def _mutated(data: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data[: cut % (len(data) + 1)])
    for at, value in flips:
        if out:
            out[at % len(out)] = value
    return bytes(out)


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(0, 10**6), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4))
def test_any_damage_to_an_idx_file_is_a_data_error_or_a_valid_array(cut, flips):
    data = _mutated(IDX, cut, flips)
    try:
        array = parse_idx(data, "fuzz")
    except DataError as exc:
        assert "fuzz" in str(exc)
    else:
        assert array.size == int(np.prod(array.shape))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_as_idx_are_a_data_error(data):
    try:
        parse_idx(data, "noise")
    except DataError:
        pass


def _model_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return TwoLayerNet(4, 3, 2).save(Path(folder) / "net.npz").read_bytes()


MODEL = _model_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10**6), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3))
def test_any_damage_to_a_model_file_is_a_model_file_error_or_a_net(tmp_path, cut, flips):
    path = tmp_path / "fuzz.npz"
    path.write_bytes(_mutated(MODEL, cut, flips))
    try:
        net = load(path)
    except ModelFileError as exc:
        assert "fuzz.npz" in str(exc)
    else:
        assert net.predict(np.ones((1, 4))).shape == (1, 2)


def test_a_hostile_pickle_inside_an_npz_is_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    path = tmp_path / "hostile.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("architecture.npy", pickle.dumps(Boom()))
        buffer = io.BytesIO()
        np.save(buffer, np.array([Boom()], dtype=object), allow_pickle=True)
        z.writestr("W.npy", buffer.getvalue())
    with pytest.raises(ModelFileError, match="never loaded|not a bprop model|damaged|pickle"):
        load(path)
