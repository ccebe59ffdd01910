"""Altair charts of the decoding lab: the next-token distribution and many draws against it."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from gptlab.charts import OKABE_ITO, PROJECTOR_FONT, decimal_labels, described, readable, top_items
from gptlab.i18n import fmt_float, t

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


def next_token_chart(rows: pd.DataFrame, *, titles: DistributionTitles, language: str, top_p: float | None,
                     large: bool = False) -> alt.LayerChart:
    """Bars: each candidate's probability under the model and after the settings; a cut candidate
    has no bar after the settings and carries the word "cut". Line: the running sum of the
    probabilities top-p is handed (after temperature and top-k), with the threshold p drawn across:
    top-p keeps a token while the line before it is still below p.

    `rows` columns: rank, label, model, strategy, cumulative, kept (one row per candidate, best first).
    """
    font = PROJECTOR_FONT if large else 12
    order = list(rows["label"])
    long = rows.melt(id_vars=["rank", "label", "cumulative", "kept"], value_vars=["model", "strategy"],
                     var_name="series", value_name="p")
    long["series_name"] = long["series"].map({"model": titles.model, "strategy": titles.strategy})
    long["shown"] = [fmt_float(v, language, 4) for v in long["p"]]
    x = alt.X("label:N", sort=order, title=titles.token,
              axis=alt.Axis(labelAngle=-45, labelFontSize=font, titleFontSize=font, labelLimit=280 if large else 160,
                            labelOverlap=False))  # every candidate named, none thinned out
    y_axis = alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language))
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=x,
            xOffset=alt.XOffset("series_name:N", sort=[titles.model, titles.strategy]),
            y=alt.Y("p:Q", title=titles.probability, scale=alt.Scale(domain=[0, 1]), axis=y_axis),
            color=alt.Color(
                "series_name:N",
                title=None,
                sort=[titles.model, titles.strategy],
                scale=alt.Scale(domain=[titles.model, titles.strategy], range=[MODEL_COLOUR, STRATEGY_COLOUR]),
                legend=alt.Legend(orient="top", labelFontSize=font, symbolSize=200 if large else 100, labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=titles.token),
                alt.Tooltip("series_name:N", title=" "),
                alt.Tooltip("shown:N", title=titles.probability),
            ],
        )
    )
    cut_marks = (
        alt.Chart(rows[~rows["kept"]].assign(text=titles.cut))
        .mark_text(dy=-10, fontSize=font, fontWeight="bold", color="#444")
        .encode(x=x, y=alt.Y("model:Q"), text="text:N")
    )
    cumulative_rows = rows.assign(shown=[fmt_float(v, language, 4) for v in rows["cumulative"]],
                                  series_name=titles.cumulative)
    line = (
        alt.Chart(cumulative_rows)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=60 if large else 35), color="black", strokeDash=[5, 3])
        .encode(
            x=x,
            y=alt.Y("cumulative:Q"),
            tooltip=[alt.Tooltip("label:N", title=titles.token), alt.Tooltip("shown:N", title=titles.cumulative)],
        )
    )
    layers = [bars, cut_marks, line]
    if top_p is not None:
        rule_data = pd.DataFrame({"p": [top_p], "text": [titles.top_p_rule]})
        layers.append(alt.Chart(rule_data).mark_rule(color=OKABE_ITO[5], strokeWidth=2).encode(y="p:Q"))
        layers.append(
            alt.Chart(rule_data)
            .mark_text(align="left", dx=4, dy=-8, fontSize=font, color=OKABE_ITO[5], fontWeight="bold")
            .encode(y="p:Q", x=alt.value(0), text="text:N")
        )
    chart = alt.layer(*layers, title=alt.TitleParams(titles.title, fontSize=font + 2)).properties(
        height=440 if large else 340
    )
    details = t("decoding.chart.a11y", language, n=len(rows), model=titles.model, strategy=titles.strategy,
                cumulative=titles.cumulative, top=top_items(order, list(rows["model"]), language, percent=True),
                kept=int(rows["kept"].sum()))
    return readable(described(chart, kind="bars", title=titles.title, details=details, language=language), large)


def draws_chart(rows: pd.DataFrame, *, title: str, token_title: str, share_title: str, drawn: str, expected: str,
                language: str, large: bool = False) -> alt.Chart:
    """Grouped bars: share of the draws that gave each token, beside its probability.

    `rows` columns: label, drawn, expected (shares in [0, 1]), one row per token, in order.
    """
    font = PROJECTOR_FONT if large else 12
    long = rows.melt(id_vars=["label"], value_vars=["drawn", "expected"], var_name="series", value_name="share")
    long["series_name"] = long["series"].map({"drawn": drawn, "expected": expected})
    long["shown"] = [fmt_float(v, language, 4) for v in long["share"]]
    details = t("decoding.draws.a11y", language, n=len(rows), drawn=drawn, expected=expected,
                top=top_items(list(rows["label"]), list(rows["drawn"]), language, percent=True))
    chart = (
        alt.Chart(long, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar()
        .encode(
            x=alt.X("label:N", sort=list(rows["label"]), title=token_title,
                    axis=alt.Axis(labelAngle=-45, labelFontSize=font, titleFontSize=font, labelLimit=280 if large else 160,
                                  labelOverlap=False)),
            xOffset=alt.XOffset("series_name:N", sort=[drawn, expected]),
            y=alt.Y("share:Q", title=share_title,
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language))),
            color=alt.Color("series_name:N", title=None, sort=[drawn, expected],
                            scale=alt.Scale(domain=[drawn, expected], range=[OKABE_ITO[2], OKABE_ITO[0]]),
                            legend=alt.Legend(orient="top", labelFontSize=font, labelLimit=0)),
            tooltip=[alt.Tooltip("label:N", title=token_title), alt.Tooltip("series_name:N", title=" "),
                     alt.Tooltip("shown:N", title=share_title)],
        )
        .properties(height=380 if large else 300)
    )
    return readable(described(chart, kind="bars", title=title, details=details, language=language), large)
