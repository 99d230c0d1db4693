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
import difflib
import importlib
import os
import sys

from bprop.cli._common import CommandError

__all__ = ["main", "build_parser", "CommandError"]

# Subcommand modules, in the order ``bprop --help`` lists them.
_COMMANDS = ("check", "learn", "graph", "train", "evaluate", "predict", "plot", "search", "words", "export")


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


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """parse_args, with a likely meant name for a misspelt command or option ("did you mean --optimizer?"),
    an option's error shown with its own command's usage."""
    commands = _commands(parser)
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first not in commands:
        guess = difflib.get_close_matches(first, commands, n=1)
        if guess:
            parser.error(f"unknown command {first!r}; did you mean {guess[0]!r}?")
    elif first is not None:
        _misspelt_choice(commands[first], argv)
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = commands.get(args.command, parser)  # build_parser's dest: None without a command
        options = [o for action in sub._actions for o in action.option_strings]
        hints = [f"{e} (did you mean {m[0]}?)" if (m := difflib.get_close_matches(e.split("=")[0], options, n=1))
                 else e for e in extra]
        sub.error(f"unrecognized arguments: {' '.join(hints)}")
    return args


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail a second time on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a file (a test's capture)
        pass


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Command name → its parser: the choices of the parser's subparsers action (build_parser adds one)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _misspelt_choice(sub: argparse.ArgumentParser, argv: list[str]) -> None:
    """`--model gtp`: argparse's invalid-choice error lists every choice; this names the likely one first."""
    for action in sub._actions:
        if not action.choices or not action.option_strings:
            continue
        for option, value in zip(argv, argv[1:]):
            if option in action.option_strings and value not in action.choices:
                guess = difflib.get_close_matches(value, [str(c) for c in action.choices], n=1)
                if guess:
                    sub.error(f"argument {option}: invalid choice {value!r}; did you mean {guess[0]!r}?")


def main(argv: list[str] | None = None) -> int:
    _encodable_streams()
    parser = build_parser()
    args = _parse(parser, sys.argv[1:] if argv is None else list(argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # `bprop … | head`: the reader has what it wanted
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command killed by a closed pipe
    except KeyboardInterrupt:
        print("bprop: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, TypeError, OSError) as exc:
        if os.environ.get("BPROP_DEBUG"):
            raise  # the full traceback, for whoever is debugging bprop itself
        print(f"bprop {args.command}: error: {exc}", file=sys.stderr)
        return 2
