"""Ctrl-C and SIGTERM during ``bprop train --save``: exit 130 / 143, where training stopped, no file written,
the previous one intact, no temporary left behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

# Ctrl-C as an interactive shell delivers it: a command started in the background of a script inherits SIGINT
# ignored (POSIX), and Python then installs no KeyboardInterrupt handler; the child puts the default one back.
CODE = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from bprop.cli import main; sys.exit(main(sys.argv[1:]))")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum, code, name", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_during_training_stops_cleanly_and_keeps_the_previous_file(tmp_path, signum, code, name):
    target = tmp_path / "net.npz"
    target.write_bytes(b"the previous model")
    child = subprocess.Popen([sys.executable, "-c", CODE, "train", "--iters", "1000000", "--save", str(target)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert child.stdout.readline()  # the net's summary: MNIST is loaded and training begins
    time.sleep(1.5)
    child.send_signal(signum)
    _, err = child.communicate(timeout=60)
    assert child.returncode == code, err.decode()
    text = err.decode()
    assert f"stopped by {name} at step" in text and "of 1,000,000" in text
    assert "was not written (a previous file there is unchanged)" in text
    assert "Traceback" not in text
    assert target.read_bytes() == b"the previous model"
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]  # no temporary left


def test_a_full_disk_during_a_save_keeps_the_previous_file(tmp_path, monkeypatch):
    import errno

    from bprop import fileio
    from bprop.nets import TwoLayerNet

    target = tmp_path / "net.npz"
    target.write_bytes(b"the previous model")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(OSError, match="No space left on device"):
        TwoLayerNet(4, 3, 2).save(target)
    assert target.read_bytes() == b"the previous model"
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
