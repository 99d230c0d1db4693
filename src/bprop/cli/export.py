"""``bprop export MODEL.npz --onnx net.onnx | --safetensors net.safetensors``: a saved net for other tools.

    bprop export net.npz --onnx net.onnx                 # runs in onnxruntime, ONNX.js, TensorRT …
    bprop export net.npz --onnx net.onnx --probabilities # a second output: the softmax of the scores
    bprop export net.npz --safetensors net.safetensors   # the weights, for torch or Hugging Face tools

The model file is read with the safe loaders (``bprop.nets.load`` for book 1's
nets, ``load_model`` for book 2's and the GPT); the library does the work
(``bprop.interop``). With onnxruntime installed the ONNX file is run on random
inputs and compared with bprop's own predict (``--no-check`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bprop.cli._common import CommandError, check_output_path, count

if TYPE_CHECKING:
    from bprop.nets.sequence_model import SequenceModel
    from bprop.nets.sequential import Sequential

# The largest difference accepted between onnxruntime's scores and predict's (check_onnx's measure).
TOLERANCE = 1e-5
_DTYPES = ("float32", "float64")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="write a saved net as ONNX (for onnxruntime …) or its weights as safetensors",
        description="Read a model file saved by bprop and write it for other tools: --onnx writes "
                    "the whole net as an ONNX graph whose output 'scores' is what bprop's predict "
                    "gives (batch size free); --safetensors writes the weights, named as the net's "
                    "params. ONNX needs the optional onnx package: pip install 'bprop[onnx]'.",
        epilog="examples:\n  bprop export net.npz --onnx net.onnx\n"
               "  bprop export net.npz --safetensors net.safetensors",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file saved by bprop (bprop train --save)")
    p.add_argument("--onnx", metavar="OUT.onnx", help="write the net as an ONNX model")
    p.add_argument("--safetensors", metavar="OUT.safetensors", help="write the weights as a safetensors file")
    p.add_argument("--opset", metavar="N", default=None,
                   help="the ONNX operator set (default 17; a GPT needs 17 or later)")
    p.add_argument("--dtype", choices=_DTYPES, default=None,
                   help="the ONNX model's float type (default float32, which every ONNX runtime runs; "
                        "onnxruntime lacks float64 Conv)")
    p.add_argument("--probabilities", action="store_true",
                   help="ONNX: add a second output 'probabilities' (softmax of the scores)")
    p.add_argument("--no-check", action="store_true",
                   help="ONNX: do not compare onnxruntime's output with bprop's predict")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.onnx is None and args.safetensors is None:
        raise CommandError("nothing to write: give --onnx OUT.onnx, --safetensors OUT.safetensors, or both")
    if args.onnx is None and (args.opset or args.dtype or args.probabilities or args.no_check):
        raise CommandError("--opset, --dtype, --probabilities and --no-check apply to --onnx only")
    outputs = [(option, path, ext) for option, path, ext in
               (("--onnx", args.onnx, ".onnx"), ("--safetensors", args.safetensors, ".safetensors"))
               if path is not None]
    for option, path, ext in outputs:
        if not path.lower().endswith(ext):
            raise CommandError(f"{option} expects a file name ending in {ext}, got {path!r}")
        check_output_path(path, option, example=f"net{ext}")
        if os.path.abspath(path) == os.path.abspath(args.model):
            raise CommandError(f"{option} {path} is the model file itself; give another name")
    opset = None
    if args.opset is not None:
        opset = count(args.opset, "--opset", minimum=1)
    if args.onnx is not None:
        from bprop.interop import onnx as interop_onnx

        try:
            interop_onnx.require("onnx")
        except interop_onnx.OnnxMissing:
            raise CommandError(f"--onnx needs the onnx package, which is not installed: "
                               f"{interop_onnx.INSTALL_HINT}") from None
    net = load_any(args.model)
    if args.onnx is not None:
        _export_onnx(net, args, opset)
    if args.safetensors is not None:
        _export_safetensors(net, args.safetensors)
    return 0


def load_any(path: str) -> Sequential | SequenceModel:
    """The net in a bprop model file: a book-1 net (``bprop.nets.load``) or a book-2 model or GPT (``load_model``)."""
    from bprop import _npz
    from bprop.nets import load_model
    from bprop.nets.model_files import load_archive
    from bprop.nets.sequence_model import FORMAT

    if os.path.isdir(path):
        raise CommandError(f"{path} is a folder; give a model file saved by bprop (bprop train --save net.npz)")
    archive = _npz.read_archive(Path(path))  # FileNotFoundError, ModelFileError: the loaders' one-line errors
    try:
        kind = json.loads(archive[1]).get("format")
    except (ValueError, RecursionError, AttributeError):
        kind = None  # the book-1 reader says what is wrong with it
    return load_model(path, archive) if kind == FORMAT else load_archive(path, archive)


def _export_onnx(net: Sequential | SequenceModel, args: argparse.Namespace, opset: int | None) -> None:
    from bprop.interop.onnx import DEFAULT_OPSET, OnnxMissing, OnnxRuntimeRefused, check_onnx, to_onnx
    from bprop.nets import GPT, Sequential

    written = to_onnx(net, args.onnx, opset=opset or DEFAULT_OPSET, dtype=args.dtype or "float32",
                      probabilities=args.probabilities)
    check = ""
    if not args.no_check and isinstance(net, (Sequential, GPT)):  # always: to_onnx writes no other net
        try:
            difference = check_onnx(net, written)
        except OnnxMissing:
            check = "; not run: onnxruntime is not installed"
        except OnnxRuntimeRefused as exc:
            check = f"; not checked: {exc}"
        else:
            if difference > TOLERANCE:
                raise CommandError(f"{written}: onnxruntime's scores differ from bprop's predict by {difference:.2g} "
                                   f"(relative); the file is written, but do not trust it (please report this)")
            check = f"; onnxruntime agrees with predict to {difference:.1g}"
    size = os.path.getsize(written)
    print(f"wrote {written} ({type(net).__name__} as ONNX, opset {opset or DEFAULT_OPSET}, {size:,} bytes{check})")


def _export_safetensors(net: Sequential | SequenceModel, path: str) -> None:
    from bprop.interop.safetensors import save_safetensors, weights

    arrays = weights(net)
    written = save_safetensors(net, path)
    values = sum(a.size for a in arrays.values())
    dtypes = ", ".join(sorted({str(a.dtype) for a in arrays.values()}))
    print(f"wrote {written} ({len(arrays)} tensors of {type(net).__name__}, {values:,} values, {dtypes})")
