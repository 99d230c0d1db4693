"""``bprop check`` on code that misbehaves: sys.exit, os._exit, endless loops, lists, prints — always a verdict,
exit 0 only when the checks passed; --json, --param and --strict."""

import json

import pytest

from support import LEARNER, run_cli

RELU = '''import numpy as np


class Relu:
    def forward(self, x):
        {forward}
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)
'''


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def relu_file(tmp_path, forward="pass", top=""):
    path = tmp_path / "my_relu.py"
    path.write_text(top + RELU.format(forward=forward))
    return f"{path}:Relu"


def test_sys_exit_at_import_exits_2_and_says_the_file_is_run(capsys, tmp_path):
    status, _, err = run_cli(capsys, "check", relu_file(tmp_path, top="import sys\nsys.exit(0)\n"))
    assert status == 2
    assert "called sys.exit(0): bprop check imports and runs the file" in err
    assert 'if __name__ == "__main__":' in err


def test_sys_exit_in_forward_is_a_failed_check(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "check", relu_file(tmp_path, forward="raise SystemExit(0)"))
    assert status == 1
    assert "forward raised SystemExit(0)" in out
    assert "my_relu.py:6: raise SystemExit(0)" in out
    assert "a layer must return its result, never end the program" in out


def test_os_exit_in_forward_is_reported_as_ending_the_process(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "check", relu_file(tmp_path, forward="import os; os._exit(0)"))
    assert status == 1
    assert "the checked code ended the process during forward (exit status 0" in out


def test_an_endless_forward_is_stopped_after_the_timeout(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "check", relu_file(tmp_path, forward="while True: pass"), "--timeout", "3")
    assert status == 1
    assert "forward did not return within 3 s: an endless loop?" in out


def test_forward_returning_a_list_fails(capsys, tmp_path):
    path = tmp_path / "listy.py"
    path.write_text("class Identity:\n    def forward(self, x):\n        return x.tolist()\n"
                    "    def backward(self, dout):\n        return dout\n")
    status, out, _ = run_cli(capsys, "check", f"{path}:Identity")
    assert status == 1
    assert "forward returned a list, not an array of numbers" in out


def test_what_the_checked_code_prints_stays_out_of_the_report(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "check", relu_file(tmp_path, forward="print('debug', x.shape)",
                                                        top="print('loading')\n"))
    assert status == 0, out
    assert "debug" not in out and "loading" not in out
    assert out.rstrip().endswith("All checks passed.")


def test_an_exception_names_the_learners_line_and_reads_it(capsys, tmp_path):
    path = tmp_path / "affine.py"
    path.write_text("import numpy as np\n\n\nclass Affine:\n    def __init__(self, W, b):\n"
                    "        self.W, self.b = W, b\n\n    def forward(self, x):\n        self.x = x\n"
                    "        return x @ self.W + self.b\n\n    def backward(self, dout):\n"
                    "        self.dW = np.dot(self.x.T, dout)\n        self.db = dout.sum(axis=0)\n"
                    "        return np.dot(dout, self.W)\n")
    status, out, _ = run_cli(capsys, "check", f"{path}:Affine")
    assert status == 1
    assert "affine.py:15: return np.dot(dout, self.W)" in out
    assert "a matrix product of (4, 3) and (5, 3): the inner sizes differ; (4, 3)·(3, 5): the second factor needs .T" \
        in out


def test_json_gives_the_verdict_checks_numbers_and_tolerance(capsys):
    status, out, _ = run_cli(capsys, "check", str(LEARNER / "affine_db_mean.py") + ":Affine", "--json")
    data = json.loads(out)
    assert status == 1 and data["ok"] is False and data["verdict"] == "fail"
    assert data["tolerance"] == 1e-6
    failed = [c for c in data["checks"] if c["status"] == "fail"]
    assert [c["key"] for c in failed] == ["grad.mean_not_sum"]
    assert {g["target"]: g["ok"] for g in data["gradients"]} == {"dx": True, "dW": True, "db": False}


def test_json_of_a_target_that_cannot_be_checked(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "check", f"{tmp_path / 'none.py'}:Relu", "--json")
    assert status == 2
    assert json.loads(out)["verdict"] == "cannot check"


def test_param_sets_constructor_arguments_and_arrays_by_shape(capsys):
    status, out, _ = run_cli(capsys, "check", str(LEARNER / "affine.py") + ":Affine", "--param", "W=6,2",
                             "--param", "b=2")
    assert status == 0, out
    assert "x (4, 6) float64" in out and "dW        " in out


@pytest.mark.parametrize("param", ["stride", "=3", "W=4,x"])
def test_bad_param_exits_2(capsys, param):
    status, _, err = run_cli(capsys, "check", str(LEARNER / "affine.py") + ":Affine", "--param", param)
    assert status == 2
    assert "--param expects NAME=VALUE" in err


def test_bad_timeout_exits_2(capsys):
    status, _, err = run_cli(capsys, "check", str(LEARNER / "affine.py") + ":Affine", "--timeout", "0")
    assert status == 2
    assert "--timeout expects a number > 0" in err


def test_help_says_the_file_is_imported_and_run(capsys):
    with pytest.raises(SystemExit):
        run_cli(capsys, "check", "--help")
    assert "The file is imported and run" in " ".join(capsys.readouterr().out.split())
