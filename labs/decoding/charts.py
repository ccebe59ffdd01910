"""The decoding lab's charts, written as Vega-Lite specs: the next-token distribution and many draws against it.

Every student's prompt gives other numbers, so a class opening the lab builds 40 of each at once.
Built with Altair, each chart went through pandas (a long table by melt), Altair's objects and their
to_dict: a quarter of the page's Python time (py-spy, one session). Written as the dicts Altair
produced, they cost a few lists; tests validate them against the Vega-Lite schema Altair ships
(tests/pages/test_chart_specs.py, labs/decoding/tests/test_charts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gptlab.charts import OKABE_ITO, PROJECTOR_FONT, decimal_labels, described, readable, top_items
from gptlab.i18n import fmt_floats, t

MODEL_COLOUR, STRATEGY_COLOUR = OKABE_ITO[0], OKABE_ITO[1]


@dataclass(frozen=True)
class DistributionTitles:
    """Every word the chart shows, in the user's language."""

    title: str
    token: str
    probability: str
    model: str  # series name: the model's own distribution
    strategy: str  # series name: after temperature, top-k, top-p
    cumulative: str
    cut: str  # label on a cut token
    top_p_rule: str  # e.g. "top-p = 0,9"


def _nominal(field: str, title: str | None = None, **more) -> dict:
    out = {"field": field, "type": "nominal", **more}
    if title is not None:
        out["title"] = title
    return out


def _token_axis(order: list[str], title: str, font: int, large: bool) -> dict:
    """x: one band per candidate, in the given order, every one named (none thinned out)."""
    return {"field": "label", "type": "nominal", "sort": order, "title": title,
            "axis": {"labelAngle": -45, "labelFontSize": font, "titleFontSize": font,
                     "labelLimit": 280 if large else 160, "labelOverlap": False}}


def _grouped_bars(data: str, order: list[str], *, token_title: str, value: str, value_title: str, series: list[str],
                  colours: list[str], font: int, language: str, large: bool, legend: dict, y_scale: dict | None) -> dict:
    """Bars grouped by token, one per series (xOffset), coloured by series, with a tooltip per bar."""
    y = {"field": value, "type": "quantitative", "title": value_title,
         "axis": {"labelFontSize": font, "titleFontSize": font, **decimal_labels(language)}}
    if y_scale is not None:
        y["scale"] = y_scale
    return {
        "data": {"name": data},
        "mark": {"type": "bar"},
        "encoding": {
            "x": _token_axis(order, token_title, font, large),
            "xOffset": _nominal("series_name", sort=series),
            "y": y,
            "color": {"field": "series_name", "type": "nominal", "title": None, "sort": series,
                      "scale": {"domain": series, "range": colours}, "legend": legend},
            "tooltip": [_nominal("label", token_title), _nominal("series_name", " "), _nominal("shown", value_title)],
        },
    }


def next_token_chart(rows: pd.DataFrame, *, titles: DistributionTitles, language: str, top_p: float | None,
                     large: bool = False) -> dict:
    """Bars: each candidate's probability under the model and after the settings; a cut candidate
    has no bar after the settings and carries the word "cut". Line: the running sum of the
    probabilities top-p is handed (after temperature and top-k), with the threshold p drawn across:
    top-p keeps a token while the line before it is still below p.

    `rows` columns: rank, label, model, strategy, cumulative, kept (one row per candidate, best first).
    """
    font = PROJECTOR_FONT if large else 12
    order = [str(label) for label in rows["label"]]
    model, strategy = [float(p) for p in rows["model"]], [float(p) for p in rows["strategy"]]
    cumulative, kept = [float(c) for c in rows["cumulative"]], [bool(k) for k in rows["kept"]]
    series = [titles.model, titles.strategy]
    bars = [{"label": label, "series_name": name, "p": p, "shown": shown}
            for name, values in zip(series, (model, strategy))
            for label, p, shown in zip(order, values, fmt_floats(values, language, 4))]
    cut = [{"label": label, "model": p, "text": titles.cut} for label, p, k in zip(order, model, kept) if not k]
    line = [{"label": label, "cumulative": c, "shown": shown}
            for label, c, shown in zip(order, cumulative, fmt_floats(cumulative, language, 4))]
    x = _token_axis(order, titles.token, font, large)
    legend = {"orient": "top", "labelFontSize": font, "symbolSize": 200 if large else 100, "labelLimit": 0}
    layers = [
        _grouped_bars("bars", order, token_title=titles.token, value="p", value_title=titles.probability, series=series,
                      colours=[MODEL_COLOUR, STRATEGY_COLOUR], font=font, language=language, large=large, legend=legend,
                      y_scale={"domain": [0, 1]}),
        {"data": {"name": "cut"},
         "mark": {"type": "text", "dy": -10, "fontSize": font, "fontWeight": "bold", "color": "#444"},
         "encoding": {"x": x, "y": {"field": "model", "type": "quantitative"}, "text": _nominal("text")}},
        {"data": {"name": "cumulative"},
         "mark": {"type": "line", "color": "black", "strokeDash": [5, 3],
                  "point": {"filled": True, "size": 60 if large else 35}},
         "encoding": {"x": x, "y": {"field": "cumulative", "type": "quantitative"},
                      "tooltip": [_nominal("label", titles.token), _nominal("shown", titles.cumulative)]}},
    ]
    datasets = {"bars": bars, "cut": cut, "cumulative": line}
    if top_p is not None:
        datasets["rule"] = [{"p": float(top_p), "text": titles.top_p_rule}]
        layers.append({"data": {"name": "rule"}, "mark": {"type": "rule", "color": OKABE_ITO[5], "strokeWidth": 2},
                       "encoding": {"y": {"field": "p", "type": "quantitative"}}})
        layers.append({"data": {"name": "rule"},
                       "mark": {"type": "text", "align": "left", "dx": 4, "dy": -8, "fontSize": font,
                                "color": OKABE_ITO[5], "fontWeight": "bold"},
                       "encoding": {"y": {"field": "p", "type": "quantitative"}, "x": {"value": 0},
                                    "text": _nominal("text")}})
    chart = {"layer": layers, "title": {"text": titles.title, "fontSize": font + 2}, "height": 440 if large else 340,
             "datasets": datasets}
    details = t("decoding.chart.a11y", language, n=len(order), model=titles.model, strategy=titles.strategy,
                cumulative=titles.cumulative, top=top_items(order, model, language, percent=True), kept=sum(kept))
    return readable(described(chart, kind="bars", title=titles.title, details=details, language=language), large)


def draws_chart(rows: pd.DataFrame, *, title: str, token_title: str, share_title: str, drawn: str, expected: str,
                language: str, large: bool = False) -> dict:
    """Grouped bars: share of the draws that gave each token, beside its probability.

    `rows` columns: label, drawn, expected (shares in [0, 1]), one row per token, in order.
    """
    font = PROJECTOR_FONT if large else 12
    order = [str(label) for label in rows["label"]]
    shares = [float(s) for s in rows["drawn"]], [float(s) for s in rows["expected"]]
    series = [drawn, expected]
    bars = [{"label": label, "series_name": name, "share": share, "shown": shown}
            for name, values in zip(series, shares)
            for label, share, shown in zip(order, values, fmt_floats(values, language, 4))]
    details = t("decoding.draws.a11y", language, n=len(order), drawn=drawn, expected=expected,
                top=top_items(order, shares[0], language, percent=True))
    chart = {
        **_grouped_bars("bars", order, token_title=token_title, value="share", value_title=share_title, series=series,
                        colours=[OKABE_ITO[2], OKABE_ITO[0]], font=font, language=language, large=large,
                        legend={"orient": "top", "labelFontSize": font, "labelLimit": 0}, y_scale=None),
        "title": {"text": title, "fontSize": font + 2},
        "height": 380 if large else 300,
        "datasets": {"bars": bars},
    }
    return readable(described(chart, kind="bars", title=title, details=details, language=language), large)
