"""The ``bprop`` command: an argparse front end over the library.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable
taking the parsed arguments and returning an exit status); what they share is
in ``_common`` (the one-line ``CommandError``, number parsers, output paths)
and ``_data`` (``--data`` and model files). Errors a user can cause (bad
arguments, missing or broken files) end in one line on stderr and exit status
2, never a traceback (set BPROP_DEBUG=1 to see it).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bprop.cli._common import CommandError

__all__ = ["main", "build_parser", "CommandError"]

# Subcommand modules, in the order ``bprop --help`` lists them.
_COMMANDS = ("check", "graph", "train", "evaluate", "predict", "plot", "search")


def build_parser() -> argparse.ArgumentParser:
    from bprop import __version__

    parser = argparse.ArgumentParser(
        prog="bprop",
        description="Deep learning from scratch in NumPy: layers with forward/backward, "
        "gradient checks, training on MNIST.",
    )
    parser.add_argument("--version", action="version", version=f"bprop {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"bprop.cli.{name}").register(subparsers)
    return parser


def _encodable_streams() -> None:
    """Where stdout or stderr cannot encode bprop's ± · − (PYTHONIOENCODING=ascii, a C locale), they write
    ? in their place instead of dying with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            "±·−…→".encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    _encodable_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("bprop: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, TypeError, OSError) as exc:
        if os.environ.get("BPROP_DEBUG"):
            raise  # the full traceback, for whoever is debugging bprop itself
        print(f"bprop {args.command}: error: {exc}", file=sys.stderr)
        return 2
