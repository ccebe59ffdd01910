"""The decoding lab's charts, written as Vega-Lite dicts: valid, complete, and readable on a projector."""

from __future__ import annotations

import pandas as pd
import pytest

from gptlab.charts import PROJECTOR_FONT
from labs.decoding.charts import DistributionTitles, draws_chart, next_token_chart
from tests.pages.test_chart_specs import validate

ROWS = pd.DataFrame({"rank": [1, 2, 3], "label": ["1. ▁a", "2. <b>", "3. ⏎"], "model": [0.5, 0.3, 0.1],
                     "strategy": [0.625, 0.375, 0.0], "cumulative": [0.5, 0.8, 0.9], "kept": [True, True, False]})
TITLES = DistributionTitles("Próximo token", "token", "probabilidade", "modelo", "estratégia", "acumulada", "cortado",
                            "top-p = 0,9")


def _layer(chart: dict, mark: str) -> dict:
    return next(layer for layer in chart["layer"] if layer["mark"]["type"] == mark)


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("top_p", [None, 0.9])
def test_the_distribution_chart_is_valid_and_shows_every_number(large, top_p):
    chart = next_token_chart(ROWS, titles=TITLES, language="pt-BR", top_p=top_p, large=large)
    validate(chart)
    bars = chart["datasets"][_layer(chart, "bar")["data"]["name"]]
    assert [(b["label"], b["series_name"], b["p"]) for b in bars] == [
        ("1. ▁a", "modelo", 0.5), ("2. <b>", "modelo", 0.3), ("3. ⏎", "modelo", 0.1),
        ("1. ▁a", "estratégia", 0.625), ("2. <b>", "estratégia", 0.375), ("3. ⏎", "estratégia", 0.0)]
    assert [b["shown"] for b in bars[:2]] == ["0,5000", "0,3000"]  # tooltips in the page's language
    assert _layer(chart, "bar")["encoding"]["x"]["sort"] == list(ROWS["label"])  # likeliest first, every one named
    cut = chart["datasets"][_layer(chart, "text")["data"]["name"]]
    assert [(c["label"], c["text"]) for c in cut] == [("3. ⏎", "cortado")]
    assert ("rule" in [layer["mark"]["type"] for layer in chart["layer"]]) == (top_p is not None)
    assert chart["description"].startswith("Gráfico de barras: Próximo token.") and "«1. ▁a» 50,0 %" in chart["description"]
    assert (chart.get("config", {}).get("axis", {}).get("labelFontSize") == PROJECTOR_FONT) == large


@pytest.mark.parametrize("large", [False, True])
def test_the_draws_chart_is_valid_and_says_what_came_out_most(large):
    rows = pd.DataFrame({"label": ["1. a", "2. b", "outros"], "drawn": [0.52, 0.3, 0.18], "expected": [0.5, 0.3, 0.2]})
    chart = draws_chart(rows, title="1.000 sorteios", token_title="token", share_title="fração", drawn="sorteados",
                        expected="esperados", language="pt-BR", large=large)
    validate(chart)
    bars = chart["datasets"][chart["data"]["name"]]
    assert len(bars) == 6 and bars[0] == {"label": "1. a", "series_name": "sorteados", "share": 0.52, "shown": "0,5200"}
    assert chart["encoding"]["color"]["scale"]["domain"] == ["sorteados", "esperados"]
    assert "«1. a» 52,0 %" in chart["description"]
    assert (chart.get("config", {}).get("title", {}).get("color") == "#000000") == large
