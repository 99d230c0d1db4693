"""An exception from the learner's code, read in plain words (bprop.gradcheck.readings)."""

import numpy as np
import pytest

from bprop.gradcheck import messages, readings


def _raised(fn):
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - SystemExit included on purpose
        return exc
    raise AssertionError("no exception")


class Layer:
    x = None


@pytest.mark.parametrize("where, fn, key, phrase", [
    ("backward", lambda: np.dot(np.ones((4, 3)), np.ones((5, 3))), "reading.transpose",
     "(4, 3)·(3, 5): the second factor needs .T"),
    ("backward", lambda: np.dot(np.ones((3, 4)), np.ones((3, 5))), "reading.transpose",
     "(4, 3)·(3, 5): the first factor needs .T"),
    ("backward", lambda: np.ones((4, 3)) @ np.ones((5, 3)), "reading.matmul", "a transpose is probably missing"),
    ("backward", lambda: np.ones((4, 5)) - np.ones(4), "reading.labels", "not one-hot rows (N, C)"),
    ("backward", lambda: np.ones((4, 5)) * np.ones((3, 2)), "reading.broadcast", "(4, 5) and (3, 2)"),
    ("backward", lambda: Layer().mask, "reading.not_stored", "backward reads self.mask, but forward never stored it"),
    ("backward", lambda: Layer().x.T, "reading.none", "a value that should be an array is None"),
    ("forward", lambda: np.int, "reading.np_alias", "np.int was removed in NumPy 1.24"),
    ("forward", lambda: undefined_name, "reading.name", "undefined_name is not defined there"),  # noqa: F821
    ("forward", lambda: (_ for _ in ()).throw(SystemExit(2)), "reading.exit", "never end the program"),
])
def test_known_errors_get_a_reading(where, fn, key, phrase):
    exc = _raised(fn)
    sentences = readings.explain(where, exc)
    assert sentences[-1][0] == key
    text = "".join(messages.text(k, "en", **p) for k, p in sentences)
    assert phrase in text


def test_the_learners_own_line_is_named():
    exc = _raised(lambda: np.dot(np.ones((4, 3)), np.ones((5, 3))))
    file, line, code = readings.learner_frame(exc)
    assert file == "test_readings.py" and code == "exc = _raised(lambda: np.dot(np.ones((4, 3)), np.ones((5, 3))))"


def test_an_unknown_error_gets_no_reading_but_its_place():
    exc = _raised(lambda: {}["W"])
    assert [k for k, _ in readings.explain("forward", exc)] == ["exception.at"]
    assert readings.error_text(exc) == "KeyError: 'W'"
