"""The journey lab's charts: each one's data and the language's numbers, without Streamlit."""

from __future__ import annotations

import numpy as np

from labs.journey import charts as C


def test_lens_heatmap_prints_each_cell_and_puts_the_output_on_top():
    probs = np.array([[0.1, 0.2], [0.9, 0.55]])
    chart = C.lens_heatmap([["a", "bb"], ["a-very-long-token", "c"]], probs, ["0 x", "1 y"], title="T",
                           layer_title="layer", prob_title="p", language="pt-BR")
    spec = chart.to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(data) == 4
    assert {d["token"] for d in data} == {"a", "bb", "a-very-l…", "c"}
    assert {d["shown"] for d in data} >= {"90,0%", "55,0%"} or {d["shown"] for d in data} >= {"90,0 %", "55,0 %"}
    y = spec["layer"][0]["encoding"]["y"]
    assert y["sort"] == [1, 0]  # the last layer (the output) on top


def test_layer_lines_tell_series_apart_without_colour():
    chart = C.layer_lines({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}, [0, 1], title="t",
                          layer_title="block", value_title="norm", language="en")
    enc = chart.to_dict()["encoding"]
    assert "strokeDash" in enc and "shape" in enc and enc["color"]["scale"]["range"][0] == "#0072B2"


def test_embedding_strip_is_symmetric_around_zero():
    values = np.array([[0.5, -1.5], [0.25, 0.0]])
    enc = C.embedding_strip(values, ["0 a", "1 b"], title="t", dim_title="d", value_title="v",
                            language="en").to_dict()["encoding"]
    assert enc["color"]["scale"]["domain"] == [-1.5, 1.5]


def test_answer_lines_and_next_token_bars_build():
    C.answer_lines(np.array([900, 12, 1]), np.array([0.0001, 0.01, 0.7]), rank_title="rank", prob_title="p",
                   layer_title="layer", title="t", language="en").to_dict()
    bars = C.next_token_bars(["␣Berlin", "␣the"], np.array([0.6, 0.1]), title="t", prob_title="p",
                             language="en").to_dict()
    data = bars["datasets"][next(iter(bars["datasets"]))]
    assert [d["token"] for d in data] == ["1. ␣Berlin", "2. ␣the"]


def test_lens_heatmap_cell_text_meets_wcag_aa_against_its_cell():
    from gptlab.charts import cividis, contrast_ratio

    probs = np.linspace(0, 1, 21).reshape(3, 7)
    chart = C.lens_heatmap([[f"t{i}" for i in range(7)] for _ in range(3)], probs, [str(i) for i in range(7)],
                           title="T", layer_title="layer", prob_title="p", language="en")
    spec = chart.to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["scheme"] == "cividis"
    assert min(contrast_ratio(d["ink"], cividis(d["p"])) for d in data) >= 4.5


def test_lens_heatmap_text_layers_need_no_colour_scale():
    """A colour encoding without a scale beside the cells' probability scale: Vega-Lite cannot merge them and
    draws nothing (seen in the browser). The tokens' black or white comes from one text layer per ink."""
    probs = np.array([[0.05, 0.95]])
    spec = C.lens_heatmap([["a", "b"]], probs, ["0 x", "1 y"], title="T", layer_title="layer", prob_title="p",
                          language="en").to_dict()
    colours = [layer["encoding"].get("color") for layer in spec["layer"]]
    assert all(c is None or c.get("scale") is not None for c in colours)
    inks = {layer["mark"].get("color") for layer in spec["layer"][1:]}
    assert len(inks) == 2  # a dark cell and a light one: both inks
