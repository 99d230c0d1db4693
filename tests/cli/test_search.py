"""``bprop search``: the ranked table, the picture, one-line errors."""

import xml.etree.ElementTree as ET

import pytest

from bprop.cli import main


@pytest.mark.slow  # trains on MNIST
def test_search_command_prints_the_ranked_table_and_draws_the_best_runs(tmp_path, capsys):
    figure = tmp_path / "best.svg"
    code = main(["search", "--trials", "4", "--epochs", "2", "--train-size", "200", "--show", "3",
                 "-o", str(figure)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "val", "acc", "train", "acc", "lr", "weight", "decay"]
    rows = [line.split() for line in lines[1:5]]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    accuracies = [float(row[1]) for row in rows]
    assert accuracies == sorted(accuracies, reverse=True)
    assert all(1e-6 <= float(row[3]) <= 1e-2 for row in rows)
    assert lines[-1] == f"wrote the best 3 runs to {figure}"
    assert ET.parse(figure).getroot().tag.endswith("svg")


@pytest.mark.parametrize("argv, message", [
    (["--lr", "1e-2,1e-6"], "--lr expects LOW,HIGH with 0 < LOW <= HIGH"),
    (["--weight-decay", "small"], "--weight-decay expects LOW,HIGH"),
    (["--trials", "0"], "--trials expects a whole number >= 1, got '0'"),
    (["-o", "search.jpg"], "expected a figure file name ending in .png, .svg, .pdf"),
])
def test_search_command_reports_bad_arguments_in_one_line(capsys, argv, message):
    assert main(["search", *argv]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bprop search: error: ") and message in lines[0]
