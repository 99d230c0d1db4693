"""Benchmark: a book script run as it is, against the same script ported to bprop by changing its imports.

    python bench/book_scripts.py --book ~/deep-learning-from-scratch            # ch05/train_neuralnet.py
    python bench/book_scripts.py --book DIR --repeat 5
    python bench/book_scripts.py --book DIR --script ch07/train_convnet.py      # minutes: 20 epochs
    python bench/book_scripts.py --book DIR --profile 25                        # both runs under cProfile

``--book`` is a checkout of the book's repository (oreilly-japan/deep-learning-from-scratch),
read only: the bench copies it to a temporary folder and works there. Nothing of the
book's is stored in this repository; its script is read and rewritten at run time.

- The book's run: the script as it is, ``python SCRIPT`` in its own folder. Its
  ``dataset/mnist.py`` downloads four .gz files into ``dataset/`` and pickles them to
  ``dataset/mnist.pkl``; the bench puts copies of the MNIST files there (by default those
  bprop ships, the same bytes; ``--mnist DIR`` for others) and runs ``dataset/mnist.py``
  once, untimed, so that every timed run reads the pickle as a learner's second run does.
- The ported run: the same text with only its import lines rewritten (``PORTS``: the
  book's ``from dataset.mnist import load_mnist`` becomes ``from bprop.datasets import
  load_mnist``, and so on), written beside the original in the copy and run the same way.
  An import of the book's own code that bprop has no replacement for stops the bench.

Prints the whole-process wall time of each (best and range over ``--repeat`` runs,
alternating book and ported so that drift hits both), the last line each printed (ch05:
the final train and test accuracy), the ratio ported/book against the goal (≤ 0.25), the
OpenBLAS kernel and NumPy's version. Timings on a shared machine drift by tens of
percent: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import load_average, openblas_info

GOAL = 0.25  # ported / book wall time (issue 18)

# The book's imports of its own code → bprop's, as a learner ports a script (README: "ports
# by changing one import"). The key is the import line, stripped; the value replaces it.
PORTS = {
    "from dataset.mnist import load_mnist": "from bprop.datasets import load_mnist",
    "from two_layer_net import TwoLayerNet": "from bprop.nets import TwoLayerNet",
    "from common.multi_layer_net import MultiLayerNet": "from bprop.nets import MultiLayerNet",
    "from common.multi_layer_net_extend import MultiLayerNetExtend": "from bprop.nets import MultiLayerNetExtend",
    "from simple_convnet import SimpleConvNet": "from bprop.nets import SimpleConvNet",
    "from deep_convnet import DeepConvNet": "from bprop.nets import DeepConvNet",
    "from common.trainer import Trainer": "from bprop.train import Trainer",
    "from common.optimizer import *": "from bprop.optim import *",
    "from common.layers import *": "from bprop.layers import *",
}
_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\b|import\s+([\w.]+))")
_MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def port(text: str, local: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """The script's text with its imports of the book's own modules replaced by bprop's.

    local: the top-level names of the book's own modules (folders and .py files of the
    checkout and of the script's folder). Only lines importing one of them change; any
    other line is kept byte for byte. Returns (ported text, [(old line, new line)]).
    Raises SystemExit naming an import of the book's code that ``PORTS`` lacks.
    """
    lines, changed = text.splitlines(keepends=True), []
    for i, line in enumerate(lines):
        match = _IMPORT.match(line)
        if not match or (match.group(1) or match.group(2)).split(".")[0] not in local:
            continue
        stripped = line.strip()
        if stripped not in PORTS:
            raise SystemExit(f"line {i + 1} imports the book's own code and bprop has no replacement listed "
                             f"in PORTS: {stripped!r}")
        indent = line[:len(line) - len(line.lstrip())]
        ending = line[len(line.rstrip("\r\n")):]
        lines[i] = indent + PORTS[stripped] + ending
        changed.append((stripped, PORTS[stripped]))
    return "".join(lines), changed


def local_modules(root: Path, script_dir: Path) -> set[str]:
    """Top-level module names the book's own files provide (what its scripts can import from it)."""
    names = set()
    for folder in (root, script_dir):
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.name.startswith("."):
                names.add(entry.name)
            elif entry.suffix == ".py":
                names.add(entry.stem)
    return names


def prepare(book: Path, work: Path, mnist: Path) -> Path:
    """Copy the checkout to work/book, put the MNIST .gz files in its dataset/ and build its pickle (untimed)."""
    root = work / "book"
    shutil.copytree(book, root, ignore=shutil.ignore_patterns(".git", "mnist.pkl", "__pycache__"))
    for name in _MNIST_FILES:
        source = mnist / name
        if not source.is_file():
            raise SystemExit(f"--mnist {mnist}: {name} is missing (the book's loader wants the four .gz files)")
        shutil.copyfile(source, root / "dataset" / name)
    # The book's loader: dataset/mnist.py run as a script converts the .gz files and writes
    # dataset/mnist.pkl, which every later load_mnist() reads.
    subprocess.run([sys.executable, "mnist.py"], cwd=root / "dataset", check=True, stdout=subprocess.DEVNULL)
    return root


def run_script(path: Path, extra: tuple[str, ...] = ()) -> tuple[float, str]:
    """Run ``python [extra] SCRIPT`` in the script's folder: (wall seconds, its last printed line)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *extra, path.name], cwd=path.parent, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{path} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return wall, lines[-1] if lines else ""


def profile(path: Path, top: int) -> None:
    """Run the script under cProfile and print the ``top`` functions by own time and by cumulative time."""
    stats_file = path.with_suffix(".prof")
    wall, _ = run_script(path, ("-m", "cProfile", "-o", str(stats_file)))
    print(f"\ncProfile of {path.name} ({wall:.2f} s with the profiler's overhead)")
    for key in ("tottime", "cumulative"):
        stats = pstats.Stats(str(stats_file))
        stats.strip_dirs().sort_stats(key).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", required=True, type=Path,
                        help="a checkout of oreilly-japan/deep-learning-from-scratch (read only)")
    parser.add_argument("--script", default="ch05/train_neuralnet.py",
                        help="the script, relative to the checkout (default ch05/train_neuralnet.py)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating (default 3)")
    parser.add_argument("--mnist", type=Path, default=None,
                        help="a folder with MNIST's four .gz files (default: those bprop ships)")
    parser.add_argument("--profile", type=int, metavar="TOP", default=0,
                        help="instead of timing, run the book's and the ported script under cProfile and "
                             "print TOP rows of each")
    args = parser.parse_args()
    if args.mnist is None:
        from bprop.datasets.mnist import DATA_DIR

        args.mnist = DATA_DIR
    book = args.book.expanduser().resolve()
    if not (book / args.script).is_file():
        raise SystemExit(f"--book {book}: no {args.script} there; is it a checkout of the book's repository?")

    with tempfile.TemporaryDirectory(prefix="bprop-book-") as tmp:
        root = prepare(book, Path(tmp), args.mnist)
        original = root / args.script
        text, changed = port(original.read_text(encoding="utf-8"), local_modules(root, original.parent))
        if not changed:
            raise SystemExit(f"{args.script} imports none of the book's own code: nothing to port")
        ported = original.with_name(f"{original.stem}_bprop.py")
        ported.write_text(text, encoding="utf-8")

        print(f"NumPy {np.__version__}, {openblas_info()}, {os.cpu_count()} CPUs, "
              f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, load average {load_average()}")
        print(f"{args.script} ported by changing {len(changed)} import line(s):")
        for old, new in changed:
            print(f"  {old}  ->  {new}")
        if args.profile:
            for path in (original, ported):
                profile(path, args.profile)
            return

        runs: dict[str, list[float]] = {"book": [], "ported": []}
        last: dict[str, str] = {}
        for _ in range(args.repeat):
            for name, path in (("book", original), ("ported", ported)):
                wall, last[name] = run_script(path)
                runs[name].append(wall)

    print(f"\nwhole-process wall time, {args.repeat} run(s) each, alternating; load average after {load_average()}")
    print(f"{'':8s} {'best s':>7s} {'range s':>13s}  last line printed")
    for name, walls in runs.items():
        print(f"{name:8s} {min(walls):7.2f} {min(walls):6.2f}-{max(walls):<6.2f}  {last[name]}")
    ratio = min(runs["ported"]) / min(runs["book"])
    print(f"ported/book {ratio:.2f} (best against best); goal <= {GOAL}: {'met' if ratio <= GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
