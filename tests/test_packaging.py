"""The sdist carries what its tests need and the wheel's metadata says the licence and the version.

Both are built offline with setuptools' PEP 517 backend into a temporary folder, in a subprocess
run from the repository root; the only thing it writes in the tree is the gitignored
``src/bprop.egg-info``.
"""

import json
import os
import re
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

import pytest

import bprop

ROOT = Path(__file__).resolve().parents[1]


def test_ci_wheel_run_imports_the_installed_wheel_not_src():
    """.ci/matrix's Python 3.13 leg installs the built wheel and sets BPROP_CI_INSTALLED_FROM_WHEEL."""
    if not os.environ.get("BPROP_CI_INSTALLED_FROM_WHEEL"):
        pytest.skip("only in .ci/matrix's wheel run")
    where = Path(bprop.__file__).resolve()
    assert not where.is_relative_to(ROOT / "src"), f"bprop came from the source tree: {where}"
    assert "site-packages" in where.parts, where
    assert version("bprop") == bprop.__version__
    assert (where.parent / "py.typed").is_file()


def _skip_unless_buildable():
    pytest.importorskip("setuptools.build_meta", reason="setuptools builds the sdist")
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not run from a source tree")
    # The build runs with this environment's setuptools, not pip's isolated one: it must be as new as
    # pyproject's build-system asks (PEP 639's license fields need 77).
    needed = int(re.search(r'"setuptools>=(\d+)', (ROOT / "pyproject.toml").read_text()).group(1))
    here = version("setuptools")
    if int(here.split(".")[0]) < needed:
        pytest.skip(f"setuptools {here} here; pyproject's build needs >= {needed} (pip's isolated build "
                    f"installs it)")

_BUILD = """
import json, sys
from setuptools import build_meta
out = sys.argv[1]
print(json.dumps({"sdist": build_meta.build_sdist(out + "/sdist"),
                  "metadata": build_meta.prepare_metadata_for_build_wheel(out + "/metadata")}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    _skip_unless_buildable()
    out = tmp_path_factory.mktemp("build")
    (out / "sdist").mkdir()
    (out / "metadata").mkdir()
    run = subprocess.run([sys.executable, "-c", _BUILD, str(out)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-4000:]
    names = json.loads(run.stdout.strip().splitlines()[-1])
    return out / "sdist" / names["sdist"], out / "metadata" / names["metadata"]


@pytest.fixture(scope="module")
def sdist_files(built):
    sdist, _ = built
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    return {name[len(top) + 1:] for name in names if name.startswith(top + "/")}


@pytest.mark.parametrize("path", [
    "LICENSE", "README.md", "README.ja.md", "pyproject.toml", "MANIFEST.in",
    "src/bprop/py.typed",
    "src/bprop/datasets/data/README.md", "src/bprop/datasets/data/SHA256SUMS",
    "src/bprop/datasets/data/train-images-idx3-ubyte.gz",
    "src/bprop/datasets/data/corpus/README.md", "src/bprop/datasets/data/corpus/SHA256SUMS",
    "src/bprop/datasets/data/corpus/austen.train.txt.gz", "src/bprop/datasets/data/corpus/analogy.txt",
    "src/bprop/learn/templates/README.en.md",
    "tests/conftest.py", "tests/learn/conftest.py", "tests/support.py", "tests/layer_table.py",
    "tests/book2_table.py", "tests/transformer_table.py", "tests/learner/relu.py", "tests/learner/affine.py",
    "docs/transformer.md", "docs/transformer.ja.md", "tools/build_corpus.py", ".ci/run",
])
def test_the_sdist_carries(sdist_files, path):
    assert path in sdist_files


def test_the_sdist_carries_every_tracked_test_support_and_learner_file(sdist_files):
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("*.py") if "__pycache__" not in p.parts}
    assert wanted - sdist_files == set()


def test_the_sdist_carries_the_exercises_package_data(sdist_files):
    exercises = ROOT / "src" / "bprop" / "learn" / "exercises"
    wanted = {p.relative_to(ROOT).as_posix() for p in exercises.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert any(name.endswith("/meta.json") for name in wanted)
    assert wanted - sdist_files == set()


def test_the_sdist_carries_no_build_artefacts(sdist_files):
    junk = [n for n in sdist_files if "__pycache__" in n or n.endswith((".pyc", ".npz"))
            or n.startswith((".venv", "build/", "dist/", ".hypothesis", ".pytest_cache"))]
    assert junk == []


def test_the_wheel_metadata_says_mit_and_bprops_version(built):
    _, metadata = built
    fields = [line.partition(": ") for line in (metadata / "METADATA").read_text(encoding="utf-8").splitlines()]
    fields = [(key, value) for key, sep, value in fields if sep]
    assert ("Version", bprop.__version__) in fields
    assert ("License-Expression", "MIT") in fields or ("License", "MIT") in fields
    assert ("License-File", "LICENSE") in fields
    assert not any(key == "Classifier" and value.startswith("License ::") for key, value in fields)
    assert ("Classifier", "Programming Language :: Python :: 3.13") in fields


def test_the_wheel_metadata_names_the_extras_for_what_they_add(built):
    _, metadata = built
    lines = (metadata / "METADATA").read_text(encoding="utf-8").splitlines()
    extras = {line.partition(": ")[2] for line in lines if line.startswith("Provides-Extra: ")}
    assert {"progress", "cli", "plot", "test"} <= extras
    requires = [line.partition(": ")[2].replace(" ", "") for line in lines if line.startswith("Requires-Dist: ")]
    assert any(r.startswith("tqdm") and 'extra=="progress"' in r for r in requires)
    assert any(r.startswith("tqdm") and 'extra=="cli"' in r for r in requires)
    assert any(r.startswith("mypy") and 'extra=="test"' in r for r in requires)
    assert [r for r in requires if "extra" not in r] == ["numpy>=1.24"]
