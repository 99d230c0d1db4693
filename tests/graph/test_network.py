"""Networks drawn as chains of layers: the presets, specs, inline SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import bprop.graph as bg
from bprop.graph import network_graph

from support import needs_dot, png_size


def test_two_layer_preset_counts_the_books_parameters():
    net = bg.NETWORKS["two-layer"]()
    assert [name for name, _, _ in net.layers] == ["Affine", "Relu", "Affine", "SoftmaxWithLoss"]
    assert net.n_params == 784 * 50 + 50 + 50 * 10 + 10
    dot = net.to_dot()
    for text in ("Affine", "SoftmaxWithLoss", "39,250 parameters", "510 parameters", "(N, 784)", "(N, 50)", "39,760"):
        assert text in dot, text


def test_multi_layer_preset_has_four_hidden_layers():
    net = bg.NETWORKS["multi-layer"]()
    assert [name for name, _, _ in net.layers].count("Relu") == 4
    assert net.n_params == 784 * 100 + 100 + 3 * (100 * 100 + 100) + 100 * 10 + 10


def test_network_graph_from_specs_draws_each_layer():
    net = network_graph([("Convolution", (1, 30, 24, 24), 780), ("Pooling", ("N", 30, 12, 12), 0)], title="conv")
    dot = net.to_dot()
    assert "Convolution" in dot and "780 parameters" in dot and "(N, 30, 12, 12)" in dot
    assert "Pooling" in str(net) and net.n_params == 780


def test_network_graph_displays_inline():
    net = bg.NETWORKS["two-layer"]()
    texts = {t.text for t in ET.fromstring(net._repr_svg_()).iter("{http://www.w3.org/2000/svg}text")}
    assert {"Affine", "Relu", "SoftmaxWithLoss", "39,250 parameters"} <= texts


@needs_dot
def test_network_graph_saves_png(tmp_path):
    net = bg.NETWORKS["two-layer"]()
    net.save(tmp_path / "net.png")
    width, height = png_size((tmp_path / "net.png").read_bytes())
    assert width > 50 and height > 100


@pytest.mark.parametrize(
    "layers, error",
    [([], ValueError), ([("Affine", (3,))], TypeError), ([("Affine", (3,), -1)], ValueError),
     ([(3, (3,), 1)], TypeError), ([("Affine", (3.5,), 1)], ValueError)],
    ids=["empty", "two-fields", "negative-params", "name-not-str", "float-size"],
)
def test_network_graph_rejects_bad_specs(layers, error):
    with pytest.raises(error):
        network_graph(layers)
