"""``bprop train``'s checkpoints: what a run records, and resuming it with the same options and data.

A checkpoint (``bprop.checkpoint``) carries a run record beside the trainer's
state::

    {"options": {"model": "two-layer", "hidden": [50], ..., "seed": 0, "dtype": "float32"},
     "iters": 10000, "checkpoint_every": 500,
     "data": {"spec": "mnist", "fingerprint": "3f0c…"}, "blas_threads": 2}

``--resume FILE`` fills every option left out from ``options``, refuses one
given with another value (the run would no longer be the one saved), loads the
recorded data (or the ``--data`` given) and refuses it unless its fingerprint
matches, sets OpenBLAS to the run's thread count (the sums' rounding depends
on it), then continues to ``iters`` or to a new ``--iters``/``--epochs``.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from bprop import _blas
from bprop.cli._common import CommandError, interrupts_deferred

# The options a run records: each key of bprop.cli.train._options with its flag.
FLAGS = {
    "model": "--model", "hidden": "--hidden", "activation": "--activation", "init": "--init",
    "weight_decay": "--weight-decay", "batchnorm": "--batchnorm", "dropout": "--dropout",
    "optimizer": "--optimizer", "lr": "--lr", "batch_size": "--batch-size", "eval_samples": "--eval-samples",
    "seed": "--seed", "dtype": "--dtype",
}


def _attribute(flag: str) -> str:
    return flag[2:].replace("-", "_")


def open_resume(args, choices: dict):
    """The checkpoint --resume names, after setting args' missing options (and --data) from its run record.

    An option given with another value than the saved run's is a CommandError naming each such option;
    choices: {option key: its allowed values} (model, activation, optimizer, dtype), which the record must
    respect.
    """
    from bprop import checkpoint
    from bprop.serialize import ModelFileError

    try:
        resumed = checkpoint.load(args.resume)
    except FileNotFoundError:
        raise CommandError(f"--resume {args.resume}: no such file") from None
    except ModelFileError as exc:
        raise CommandError(str(exc)) from None
    run = resumed.run
    options = run.get("options")
    data = run.get("data")
    if (not isinstance(options, dict) or set(options) != set(FLAGS) or not isinstance(data, dict)
            or not isinstance(data.get("spec"), str) or not _is_count(run.get("iters"))
            or not _is_count(run.get("checkpoint_every")) or run["checkpoint_every"] < 1):
        raise CommandError(f"{args.resume}: its training state was not written by bprop train (no record of "
                           f"the run's options and data), so it cannot be resumed here; "
                           f"bprop.train.Trainer.load_state_dict can take it")
    for key, allowed in choices.items():
        if options[key] not in allowed:
            raise CommandError(f"{args.resume}: its run record is damaged: {key} {options[key]!r} is not one of "
                               f"{', '.join(allowed)}")
    changed = []
    for key, flag in FLAGS.items():
        attribute = _attribute(flag)
        given = getattr(args, attribute)
        if given not in (None, False):
            if _normal(given) != _normal(options[key]):
                changed.append(f"{_given(key, given)} (it trained {_trained_with(key, options[key])})")
        elif options[key] is not None:
            setattr(args, attribute, options[key] if key == "batchnorm" else _as_text(options[key]))
    if changed:
        raise CommandError(f"--resume continues the run saved in {args.resume} with its own options; "
                           f"{'; '.join(changed)}: leave {'them' if len(changed) > 1 else 'it'} out, or start "
                           f"a new run without --resume")
    if args.data is None:
        args.data = data["spec"]
    return resumed


def check_steps(resumed, iters: int, *, given: bool) -> None:
    """The total steps must lie beyond the step the checkpoint reached."""
    step = resumed.state.get("step")
    if not _is_count(step):
        return  # Trainer.load_state_dict names the damage
    where = resumed.path
    if iters < step:
        raise CommandError(f"--iters/--epochs asks for {iters:,} steps, fewer than the {step:,} that {where} "
                           f"has trained")
    if iters == step and given:
        raise CommandError(f"{where} has trained {step:,} steps already; ask for more with --iters or --epochs")
    if iters == step:
        raise CommandError(f"{where} has finished its {step:,} steps; give --iters N (more than {step:,}) or "
                           f"--epochs N to train on")


def check_data(resumed, spec: str, data: tuple) -> None:
    """CommandError unless the data (x_train, t_train, x_test, t_test) is the one the checkpoint was trained on."""
    recorded = resumed.run["data"]
    if recorded.get("fingerprint") != fingerprint(*data):
        raise CommandError(f"the images of --data {spec} are not those {resumed.path} was "
                           f"trained on ({recorded['spec']}); a resumed run needs the same data")


def restore(trainer, resumed) -> None:
    """trainer continued from the checkpoint's state; a state that does not fit is a CommandError.

    The optimizer's saved hyperparameters must be those the run record names
    (an edited lr would otherwise train on unnoticed).
    """
    saved = resumed.state.get("optimizer") if isinstance(resumed.state, dict) else None
    hyper = saved.get("hyperparameters") if isinstance(saved, dict) else None
    if isinstance(hyper, dict) and hyper.get("lr") != trainer.optimizer.lr:
        raise CommandError(f"{resumed.path}: its training state is damaged: the optimizer's lr "
                           f"{hyper.get('lr')!r} is not the run's {trainer.optimizer.lr!r}")
    try:
        trainer.load_state_dict(resumed.state)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"{resumed.path}: cannot resume from its training state: {exc}") from None


def record(options: dict, iters: int, every: int, spec: str, data: tuple) -> dict:
    """The run record a checkpoint keeps (see the module docstring), with the BLAS threads in use now."""
    where = spec if spec == "mnist" else str(Path(spec).resolve())
    return {"options": options, "iters": iters, "checkpoint_every": every,
            "data": {"spec": where, "fingerprint": fingerprint(*data)},
            "blas_threads": _blas.get_threads()}


def same_threads(resumed) -> None:
    """OpenBLAS's thread count set to the saved run's, unless the user chose one.

    A matrix product split over another number of threads rounds its sums in
    another order: the losses would part from the uninterrupted run's in the
    last bits within a few dozen steps. Without a recorded count the threads
    are fitted to the free cores, as for a new run.
    """
    threads = resumed.run.get("blas_threads")
    cores = os.cpu_count() or 1
    if _is_count(threads) and 1 <= threads <= cores and not _blas.user_set():
        _blas.set_threads(threads)
        return
    if _is_count(threads) and threads > cores and not _blas.user_set():
        print(f"note: the run used {threads} BLAS threads and this machine has {cores} cores; the resumed losses "
              f"may differ from an uninterrupted run's in the last bits", file=sys.stderr)
    _blas.fit_threads_to_free_cores()


def fingerprint(*arrays: np.ndarray) -> str:
    """A hash of every byte of the data (training and test images and labels), with the shapes and dtypes."""
    digest = hashlib.blake2b(digest_size=16)
    for a in arrays:
        digest.update(f"{a.shape} {a.dtype};".encode())
        digest.update(np.ascontiguousarray(a).data)
    return digest.hexdigest()


class Writer:
    """Trainer.train's checkpoint callback: writes the net, the trainer state and the run record to path."""

    def __init__(self, path: str, run: dict):
        self.written: str | Path = path
        self.run = run
        self.step = None  # the step of the last checkpoint written, once one is

    def __call__(self, trainer) -> None:
        from bprop import checkpoint

        with interrupts_deferred():  # the file whole, and self.step the step it holds
            self.written = checkpoint.save(self.written, trainer, self.run)
            self.step = trainer.current_iter


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _given(key: str, value) -> str:
    return FLAGS[key] if key == "batchnorm" else f"{FLAGS[key]} {_as_text(value)}"


def _trained_with(key: str, value) -> str:
    if key == "batchnorm" and not value:
        return "without batch norm"
    if key == "dropout" and value is None:
        return "without dropout"
    if key == "eval_samples" and value is None:
        return "measuring all images"
    return "with" + ("" if key == "batchnorm" else f" {_as_text(value)}")


def _normal(value):
    """A value as typed or as saved, in one form for comparing: '0.10' and 0.1 alike, '8, 6' and [8, 6]."""
    text = _as_text(value).replace(" ", "").lower()
    try:
        return float(text)
    except ValueError:
        return text


def _as_text(value) -> str:
    """An option's value as it would be typed: [100, 100] → '100,100', 0.1 → '0.1'."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)
