"""OpenBLAS's threads fitted to the free cores (bprop._blas): counted from /proc/stat, the user's choice kept."""

import pytest

from bprop import _blas

STAT = "cpu  1 2 3\nprocs_running {}\nprocs_blocked 0\n"


@pytest.mark.parametrize("running, cores, free", [(1, 2, 2), (2, 2, 1), (5, 2, 1), (3, 8, 6), (1, 1, 1)])
def test_free_cores_are_the_cores_less_the_other_runnable_processes(running, cores, free):
    assert _blas.free_cores(STAT.format(running), cores) == free


def test_without_procs_running_nothing_is_known():
    assert _blas.free_cores("cpu 1 2 3\n", 4) is None


def test_the_users_own_setting_is_kept(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert _blas.fit_threads_to_free_cores() is None


def test_threads_set_and_read_back_through_openblas():
    before = _blas.get_threads()
    if before is None:
        pytest.skip("NumPy's BLAS here is not a bundled OpenBLAS")
    try:
        assert _blas.set_threads(1) and _blas.get_threads() == 1
    finally:
        _blas.set_threads(before)
    assert _blas.get_threads() == before
