"""The layered layout: layers, order, spacing and routes, checked on the geometry itself."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bprop.graph.layout import Box, Link, layered_layout, text_box, text_width
from bprop.graph.layout import _fit as fit


def test_text_width_counts_characters_with_wider_capitals_and_east_asian_characters():
    assert text_width("0.7311", 10) == pytest.approx(37.2)
    assert text_width("りんご", 10) == pytest.approx(30.0)
    assert text_width("AB", 10) > text_width("ab", 10) > text_width("a", 10) > 0
    assert text_width("Affine", 14, bold=True) == pytest.approx(1.1 * text_width("Affine", 14))
    assert text_box("ab", 100, 50, 10) == pytest.approx((93.8, 41.5, 106.2, 52.5))
    assert text_box("ab", 100, 50, 10, anchor="start")[0] == 100


def test_a_chain_runs_left_to_right_in_one_straight_line():
    layout = layered_layout([Box("a", 20, 20), Box("b", 30, 30), Box("c", 10, 10)],
                            [Link("a", "b", 40, 20), Link("b", "c")])
    a, b, c = (layout.boxes[k] for k in "abc")
    assert a.x < b.x < c.x and a.y == b.y == c.y
    first = layout.routes[0]
    assert first.runs[0][0] == a.x + 10 and first.runs[-1][1] == b.x - 15  # from a's right side to b's left side
    assert first.label == ((first.runs[1][0] + first.runs[1][1]) / 2, a.y)
    assert layout.routes[1].label is None
    assert first.runs[1][1] - first.runs[1][0] >= 40  # the column holds the label


def test_a_source_sits_just_before_its_first_use():
    # x → p → q → r, and the constant k feeds only r: k belongs one layer before r, not at the start.
    boxes = [Box(k, 20, 20) for k in ("x", "p", "q", "r", "k")]
    layout = layered_layout(boxes, [Link("x", "p"), Link("p", "q"), Link("q", "r"), Link("k", "r")])
    xs = {k: b.x for k, b in layout.boxes.items()}
    assert xs["k"] == xs["q"] and xs["x"] < xs["p"] < xs["q"] < xs["r"]


def test_barycenter_sweeps_remove_an_avoidable_crossing():
    # Listed so that the first order crosses: s0 → t1, s1 → t0.
    boxes = [Box("s0", 20, 20), Box("s1", 20, 20), Box("t0", 20, 20), Box("t1", 20, 20)]
    layout = layered_layout(boxes, [Link("s0", "t1"), Link("s1", "t0")])
    y = {k: b.y for k, b in layout.boxes.items()}
    assert (y["s0"] < y["s1"]) == (y["t1"] < y["t0"])


def test_fit_is_the_nearest_placement_that_keeps_the_spacing():
    # Three boxes of height 10 that all want y = 0, at least 10 + 4 apart: spread evenly around 0.
    assert fit([0.0, 0.0, 0.0], [10, 10, 10], 4) == pytest.approx([-14, 0, 14])
    assert fit([0.0, 100.0], [10, 10], 4) == [0.0, 100.0]  # far enough apart already: unchanged
    assert fit([5.0, 0.0], [10, 20], 5) == pytest.approx([-7.5, 12.5])  # swapped wishes meet in the middle


@pytest.mark.parametrize(
    "boxes, links, message",
    [
        ([Box("a", 1, 1), Box("a", 1, 1)], [], "vertex 'a' twice"),
        ([Box("a", 1, 1)], [Link("a", "b")], "'b' is no vertex"),
        ([Box("a", 1, 1)], [Link("a", "a")], "to itself"),
        ([Box("a", 1, 1), Box("b", 1, 1)], [Link("a", "b"), Link("b", "a")], "cycle"),
    ],
    ids=["repeated", "unknown", "self-loop", "cycle"],
)
def test_bad_graphs_are_refused(boxes, links, message):
    with pytest.raises(ValueError, match=message):
        layered_layout(boxes, links)


def _random_dag(seed: int, n: int = 30):
    rng = np.random.default_rng(seed)
    boxes = [Box(f"v{k}", float(rng.uniform(5, 80)), float(rng.uniform(5, 40))) for k in range(n)]
    links = []
    for k in range(1, n):
        for j in rng.choice(k, size=min(k, int(rng.integers(1, 3))), replace=False):
            label = rng.random() < 0.7
            links.append(Link(f"v{j}", f"v{k}", float(rng.uniform(10, 150)) * label, 30.0 * label))
    return boxes, links


@pytest.mark.parametrize("seed", range(4))
def test_random_graphs_get_no_overlapping_boxes_and_routes_that_join_their_ends(seed):
    boxes, links = _random_dag(seed)
    layout = layered_layout(boxes, links)
    rects = [(p.x - p.width / 2, p.y - p.height / 2, p.x + p.width / 2, p.y + p.height / 2, key)
             for key, p in layout.boxes.items()]
    for link, route in zip(links, layout.routes):
        if route.label is not None:
            x, y = route.label
            rects.append((x - link.label_width / 2, y - link.label_height / 2,
                          x + link.label_width / 2, y + link.label_height / 2, f"label {link.source}→{link.target}"))
        s, t = layout.boxes[link.source], layout.boxes[link.target]
        assert route.runs[0][:1] + route.runs[0][2:] == (s.x + s.width / 2, s.y)
        assert route.runs[-1][1:] == (t.x - t.width / 2, t.y)
        assert all(x0 <= x1 for x0, x1, _ in route.runs)
        assert all(a[1] < b[0] for a, b in zip(route.runs, route.runs[1:]))  # a gap before each bend
    for a, b in itertools.combinations(rects, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    for x0, y0, x1, y1, _ in rects:
        assert -1e-9 <= x0 and x1 <= layout.width + 1e-9 and -1e-9 <= y0 and y1 <= layout.height + 1e-9


def test_the_layout_is_deterministic():
    boxes, links = _random_dag(11)
    assert layered_layout(boxes, links) == layered_layout(list(boxes), list(links))
