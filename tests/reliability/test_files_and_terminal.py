"""Reliability: damaged model files close what they open; a terminal that cannot show ± still gets bprop's
help and errors; one sample given to an Affine is told how to pass it."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bprop.layers import Affine
from bprop.nets import TwoLayerNet, load
from bprop.serialize import ModelFileError


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory):
    path = TwoLayerNet(4, 3, 2).save(tmp_path_factory.mktemp("model") / "net.npz")
    return path.read_bytes()


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1, 100, 30, 1])
def test_a_truncated_model_file_is_refused_and_its_handle_closed(tmp_path, model_bytes, keep):
    path = tmp_path / "cut.npz"
    path.write_bytes(model_bytes[: int(len(model_bytes) * keep) if keep < 1 else keep])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # an unclosed file would be one
        with pytest.raises(ModelFileError, match="cut.npz"):
            load(path)
        import gc

        gc.collect()
    assert path.read_bytes()  # the file is left as it was


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["train", "--lr", "-1"]])
def test_an_ascii_terminal_gets_help_and_errors_without_a_traceback(argv):
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    code = "import sys; from bprop.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, env=env, timeout=60)
    assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr
    assert done.returncode in (0, 2)
    assert (done.stdout + done.stderr).strip()


def test_one_sample_given_to_an_affine_is_told_how_to_pass_it():
    affine = Affine(np.ones((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"got shape \(4,\); for one sample pass a batch of one, x\[None\] or "
                                         r"x\.reshape\(1, -1\)"):
        affine.forward(np.ones(4))
    assert affine.forward(np.ones(4)[None]).shape == (1, 3)
