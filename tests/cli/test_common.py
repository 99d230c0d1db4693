"""The parsers every subcommand shares: what each accepts, and the one message for what it does not."""

import math

import pytest

from bprop.cli._common import CommandError, check_output_path, count, counts, number, numbers


@pytest.mark.parametrize("text, kwargs, value", [
    ("3", {}, 3), ("0", {"minimum": 0}, 0), ("19", {"minimum": 0, "maximum": 19}, 19),
])
def test_count_takes_whole_numbers_in_range(text, kwargs, value):
    assert count(text, "--n", **kwargs) == value


@pytest.mark.parametrize("text, kwargs, message", [
    ("0", {}, "--n expects a whole number >= 1, got '0'"),
    ("1.5", {}, "--n expects a whole number >= 1, got '1.5'"),
    ("many", {"minimum": 0}, "--n expects a whole number >= 0, got 'many'"),
    ("20", {"minimum": 0, "maximum": 19}, "--n expects a whole number from 0 to 19, got '20'"),
])
def test_count_refuses_anything_else_saying_what_it_expects(text, kwargs, message):
    with pytest.raises(CommandError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        count(text, "--n", **kwargs)


def test_counts_split_on_commas_and_spaces():
    assert counts("100,100", "--hidden") == [100, 100]
    assert counts(" 50 ", "--hidden") == [50]
    with pytest.raises(CommandError, match="--hidden expects sizes like 50 or 100,100, got ','"):
        counts(",", "--hidden")
    with pytest.raises(CommandError, match="--hidden expects a whole number >= 1, got '0'"):
        counts("10,0", "--hidden")


@pytest.mark.parametrize("text, kwargs, message", [
    ("-1", {"low": 0, "open_low": True}, "--x expects a number > 0, got '-1'"),
    ("0", {"low": 0, "open_low": True}, "--x expects a number > 0, got '0'"),
    ("-0.5", {"low": 0}, "--x expects a number >= 0, got '-0.5'"),
    ("1", {"low": 0, "high": 1, "open_high": True}, r"--x expects a number in \[0, 1\), got '1'"),
    ("nan", {}, "--x expects a number, got 'nan'"),
    ("inf", {"low": 0}, "--x expects a number >= 0, got 'inf'"),
    ("2", {"low": 0, "high": 1, "what": "a share in [0, 1]"}, r"--x expects a share in \[0, 1\], got '2'"),
])
def test_number_refuses_values_outside_its_range_and_non_finite_ones(text, kwargs, message):
    with pytest.raises(CommandError, match=message):
        number(text, "--x", **kwargs)


def test_number_and_numbers_read_floats():
    assert number("0.25", "--x", low=0, high=1) == 0.25
    assert math.isclose(number("1e-3", "--x", low=0, open_low=True), 0.001)
    assert numbers("1.5", "--x") == 1.5
    assert numbers("1,-2,3", "--x") == [1.0, -2.0, 3.0]
    for bad in ("a,b", "4,", ""):
        with pytest.raises(CommandError, match=f"--x expected a number or a comma list of numbers, got '{bad}'"):
            numbers(bad, "--x")


def test_an_output_path_needs_an_existing_folder_and_must_not_be_one(tmp_path):
    check_output_path(str(tmp_path / "f.png"), "-o", example="figure.png")
    with pytest.raises(CommandError, match=f"-o {tmp_path}/no/f.png: the folder {tmp_path}/no does not exist"):
        check_output_path(str(tmp_path / "no" / "f.png"), "-o", example="figure.png")
    with pytest.raises(CommandError, match="is a directory; give a file name such as net.npz"):
        check_output_path(str(tmp_path), "--save", example="net.npz", folder_word="directory")


@pytest.mark.parametrize("argv, words", [
    (["trian"], "unknown command 'trian'; did you mean 'train'?"),
    (["train", "--optimzer", "adam"], "bprop train: error: unrecognized arguments: --optimzer (did you mean --optimizer?) adam"),
    (["train", "--batchsize=10"], "unrecognized arguments: --batchsize=10 (did you mean --batch-size?)"),
    (["train", "--model", "gtp"], "bprop train: error: argument --model: invalid choice 'gtp'; did you mean 'gpt'?"),
])
def test_a_misspelt_command_or_option_gets_the_name_it_likely_meant(capsys, argv, words):
    from bprop.cli import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert words in capsys.readouterr().err


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    """`bprop check … | head -1`: the reader goes away before bprop writes; no "Broken pipe" error, exit 141."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    learner = Path(__file__).parents[1] / "learner" / "affine.py"
    read, write = os.pipe()
    os.close(read)  # the reader has gone before bprop prints a line
    child = subprocess.run([sys.executable, "-m", "bprop", "check", f"{learner}:Affine"], stdout=write,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write)
    assert child.stderr == ""
    assert child.returncode == 141
