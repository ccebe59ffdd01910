"""Shared chart helpers: accessible names in the page's language, colours whose text stays readable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gptlab import charts as C
from gptlab.i18n import t

LANGS = ("pt-BR", "en")


def test_a_described_chart_names_its_kind_and_title_in_the_pages_language():
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q")
    pt = C.described(chart, kind="bars", title="Tokens por idioma.", details="O maior: 3.", language="pt-BR")
    assert pt.to_dict()["description"] == "Gráfico de barras: Tokens por idioma. O maior: 3."
    en = C.described(chart, kind="heatmap", title="Weights", details="", language="en")
    assert en.to_dict()["description"] == "Heatmap: Weights."
    with pytest.raises(ValueError, match="kind"):
        C.described(chart, kind="pie", title="x", details="", language="en")


def test_top_items_lists_the_largest_values_in_the_pages_number_format():
    assert C.top_items(["a", "b", "c", "d"], [0.1, 0.52, 0.31, 0.07], "pt-BR") == "«b» 0,52; «c» 0,31; «a» 0,10"
    assert C.top_items(["a", "b"], [0.25, 0.75], "en", n=1, percent=True) == "«b» 75.0 %"


def test_cividis_has_vegas_end_colours_and_runs_from_dark_to_light():
    assert (C.cividis(0), C.cividis(1)) == ("#002051", "#fce647")
    assert C.cividis(-3) == C.cividis(0) and C.cividis(7) == C.cividis(1)
    lights = [C.relative_luminance(C.cividis(x)) for x in np.linspace(0, 1, 101)]
    assert lights == sorted(lights)  # monotone: the ink switches from white to black once


@pytest.mark.parametrize("x", np.linspace(0, 1, 257))
def test_the_ink_on_any_cividis_cell_meets_wcag_aa(x):
    fill = C.cividis(x)
    assert C.contrast_ratio(C.readable_ink(fill), fill) >= 4.5


def test_contrast_ratio_matches_wcags_reference_values():
    assert C.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert C.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert C.contrast_ratio("#ffffff", "#ffffff") == 1


@pytest.mark.parametrize("lang", LANGS)
def test_the_heatmap_says_what_it_shows_and_how_many_cells_are_masked(lang):
    labels = ["0 a", "1 b", "2 c"]
    scores = np.array([[1.0, -np.inf, -np.inf], [0.5, 2.0, -np.inf], [0.25, 0.375, 3.0]])
    spec = C.attention_heatmap(scores, labels, title="Scores", value_title="v", language=lang)
    description = spec["description"]
    assert description.startswith(t("charts.kind.heatmap", lang) + ": Scores.")
    assert t("charts.heatmap_masked", lang, n=3, masked="−∞") in description
    assert ("de 0,25 (azul-escuro) a 3,00" if lang == "pt-BR" else "from 0.25 (dark blue) to 3.00") in description
    no_mask = C.attention_heatmap(np.eye(2) / 2 + 0.25, labels[:2], title="W", value_title="v", language=lang)
    assert len(no_mask["layer"]) == 2  # cells and numbers: no empty layer for masked cells


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("large", (False, True))
@pytest.mark.parametrize("size", (None, 220, 420))
def test_every_kind_of_heatmap_is_valid_vega_lite_with_one_cell_per_query_and_key(lang, large, size):
    """The heatmap is written as a dict (no Altair checks on the way): the schema Altair ships checks it here."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    inf = float("-inf")
    labels = ["0 <b>", "1 'a'", '2 "c"']
    matrices = {
        "masked": np.array([[1.0, inf, inf], [0.5, 2.0, inf], [0.25, 0.375, 3.0]]),
        "full": np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05]]),
        "constant": np.zeros((3, 3)),
        "all masked": np.full((3, 3), inf),
    }
    for name, matrix in matrices.items():
        spec = C.attention_heatmap(matrix, labels, title=name, value_title="v", language=lang, large=large, size=size)
        validate_jsonschema(spec, load_schema())
        cells = spec["datasets"][spec["data"]["name"]]
        assert len(cells) == 9
        for i in range(3):
            for j in range(3):
                cell = cells[3 * i + j]
                assert (cell["query"], cell["key"]) == (labels[i], labels[j])
                assert cell["masked"] == (matrix[i, j] == inf)
                assert cell["value"] == (None if cell["masked"] else matrix[i, j])
        legend = spec["layer"][0]["encoding"]["color"]["legend"]
        assert (legend is None) == (name in ("constant", "all masked"))  # one value: nothing to read off a scale
        assert ("config" in spec) == large  # projector mode: large black axes, legend and title


@pytest.mark.parametrize("lang", LANGS)
def test_attention_bars_and_token_inflation_are_described_in_the_pages_language(lang):
    bars = C.attention_bars([0.1, 0.7, 0.2], ["a", "b", "c"], title="Focus", value_title="w", key_title="k",
                            language=lang).to_dict()
    assert bars["description"].startswith(t("charts.kind.bars", lang) + ": Focus.")
    assert bars["description"].endswith("«b» " + ("0,70; «c» 0,20; «a» 0,10." if lang == "pt-BR" else "0.70; «c» 0.20; «a» 0.10."))
    totals = pd.DataFrame({"tokenizer": ["GPT-2", "GPT-2"], "language": ["pt-BR", "en"], "tokens": [31, 20]})
    spec = C.token_inflation_chart(totals, x_title="x", y_title="tokens", colour_title="lang", title="Inflation",
                                   language=lang).to_dict()
    assert spec["description"].startswith(t("charts.kind.bars", lang) + ": Inflation.")
    assert "GPT-2: pt-BR 31, en 20" in spec["description"]


def test_cividis_many_gives_cividis_colours():
    import random

    from gptlab.charts import cividis, cividis_many

    rng = random.Random(3)
    xs = [rng.random() for _ in range(5000)] + [-1.0, 0.0, 1 / 3, 0.5, 1.0, 2.0] + [k / 255 for k in range(256)]
    assert cividis_many(xs) == [cividis(x) for x in xs]
