"""mypy finds no error in src/bprop, with pyproject's [tool.mypy] settings (the public API is annotated).

Run from a source tree with mypy installed (the `test` extra has it); skipped otherwise. Its cache goes to
the gitignored .pytest_cache/mypy (a cold run takes about a minute, a warm one seconds). .ci/matrix leaves
it to the main run.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT / "pyproject.toml").is_file() or not (ROOT / "src" / "bprop").is_dir():
    pytest.skip("not run from a source tree", allow_module_level=True)
api = pytest.importorskip("mypy.api", reason="mypy checks the annotations")


def test_mypy_finds_no_error_in_src_bprop(monkeypatch):
    monkeypatch.chdir(ROOT)
    cache = ROOT / ".pytest_cache" / "mypy"
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                "--no-error-summary", "--hide-error-context"])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 0 and errors == [], "\n".join(errors or [out, err])
