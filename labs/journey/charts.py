"""The journey lab's charts (Altair, returned to the caller) and the tables beside them (their text alternatives).

Pure: no Streamlit. Labels are the caller's, already translated; numbers are written the language's way.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gptlab.charts import OKABE_ITO, cividis, decimal_labels, described, readable, readable_ink, top_items
from gptlab import i18n
from gptlab.i18n import fmt_float, fmt_int, fmt_percent

CELL_TEXT = 9  # characters of a token printed inside a heatmap cell (the tooltip has all of it)


def _font(large: bool) -> int:
    return 16 if large else 12


def short(piece: str, limit: int = CELL_TEXT) -> str:
    return piece if len(piece) <= limit else piece[: limit - 1] + "…"


def embedding_strip(values: np.ndarray, labels: list[str], *, title: str, dim_title: str, value_title: str,
                    language: str, large: bool = False) -> alt.Chart:
    """(T, D) the first D dimensions of each token's embedding row: one row of cells per token.

    Blue below zero, orange above (a diverging scheme that colour-blind readers tell apart); the tooltip
    gives each number."""
    T, D = values.shape
    rows, cols = np.meshgrid(np.arange(T), np.arange(D), indexing="ij")
    frame = pd.DataFrame({"token": [labels[i] for i in rows.ravel()], "dim": cols.ravel(),
                          "value": values.ravel().astype(float),
                          "shown": [fmt_float(float(v), language, 4) for v in values.ravel()]})
    bound = float(np.abs(values).max()) or 1.0
    font = _font(large)
    chart = readable(
        alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_rect()
        .encode(
            x=alt.X("dim:O", title=dim_title, axis=alt.Axis(labelFontSize=font, titleFontSize=font, labelAngle=0)),
            y=alt.Y("token:N", sort=labels, title=None,
                    axis=alt.Axis(labelFontSize=font, labelLimit=200, labelOverlap=False)),
            color=alt.Color("value:Q", title=value_title,
                            scale=alt.Scale(scheme="blueorange", domain=[-bound, bound]),
                            legend=alt.Legend(**decimal_labels(language))),
            tooltip=[alt.Tooltip("token:N"), alt.Tooltip("dim:O", title=dim_title),
                     alt.Tooltip("shown:N", title=value_title)],
        )
        .properties(height=max(120, (26 if large else 20) * T), width="container"),
        large,
    )
    details = i18n.t("journey.a11y.embedding", language, tokens=fmt_int(T, language), dims=fmt_int(D, language),
                low=fmt_float(float(values.min()), language, 3), high=fmt_float(float(values.max()), language, 3))
    return described(chart, kind="heatmap", title=title, details=details, language=language)


def layer_lines(series: dict[str, np.ndarray], layers: list[int], *, title: str, layer_title: str, value_title: str,
                language: str, large: bool = False, log: bool = True) -> alt.Chart:
    """One line per series across layers; each series has its colour, its dash and its point shape."""
    names = list(series)
    frame = pd.DataFrame([{"layer": layer, "series": name, "value": float(v), "shown": fmt_float(float(v), language, 2)}
                          for name in names for layer, v in zip(layers, series[name])])
    font = _font(large)
    shapes = ["circle", "square", "triangle-up", "diamond"]
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]]
    y_scale = alt.Scale(type="log") if log else alt.Scale()
    chart = readable(
        alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_line(point=True, strokeWidth=3 if large else 2)
        .encode(
            x=alt.X("layer:Q", title=layer_title, axis=alt.Axis(tickMinStep=1, labelFontSize=font, titleFontSize=font)),
            y=alt.Y("value:Q", title=value_title, scale=y_scale,
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language, "~g"))),
            color=alt.Color("series:N", sort=names, title=None,
                            scale=alt.Scale(domain=names, range=list(OKABE_ITO[: len(names)])),
                            legend=alt.Legend(orient="top", labelFontSize=font, labelLimit=400)),
            strokeDash=alt.StrokeDash("series:N", sort=names, scale=alt.Scale(domain=names, range=dashes[: len(names)]),
                                      legend=None),
            shape=alt.Shape("series:N", sort=names, scale=alt.Scale(domain=names, range=shapes[: len(names)]),
                            legend=None),
            tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("layer:Q", title=layer_title),
                     alt.Tooltip("shown:N", title=value_title)],
        )
        .properties(height=380 if large else 300, width="container"),
        large,
    )
    lines = "; ".join(i18n.t("journey.a11y.series", language, name=name, first=fmt_float(float(series[name][0]), language, 2),
                        last=fmt_float(float(series[name][-1]), language, 2)) for name in names)
    details = i18n.t("journey.a11y.layers", language, layers=fmt_int(len(layers), language), series=lines)
    return described(chart, kind="lines", title=title, details=details, language=language)


def lens_heatmap(top_pieces: list[list[str]], top_probs: np.ndarray, positions: list[str], *, title: str,
                 layer_title: str, prob_title: str, language: str, large: bool = False,
                 tooltips: list[list[str]] | None = None) -> alt.Chart:
    """(L+1, T) the lens's top-1 token at each layer (rows, the output on top) and position (columns).

    The cell's shade is the top 1's probability (cividis, colour-blind safe: light is likely); its token is
    printed in it in black or white, whichever contrasts more with that cell (WCAG AA)."""
    n_layers, T = top_probs.shape
    records = []
    for layer in range(n_layers):
        for t in range(T):
            p = float(top_probs[layer, t])
            records.append({"layer": layer, "position": positions[t], "p": p, "token": short(top_pieces[layer][t]),
                            "full": top_pieces[layer][t], "shown": fmt_percent(p, language, 1),
                            "top": tooltips[layer][t] if tooltips else "", "ink": readable_ink(cividis(p))})
    frame = pd.DataFrame(records)
    font = _font(large)
    layers_desc = list(range(n_layers - 1, -1, -1))
    base = alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2)).encode(
        x=alt.X("position:N", sort=positions, title=None,
                axis=alt.Axis(labelAngle=-50, labelFontSize=font, labelLimit=160, orient="top", labelOverlap=False)),
        y=alt.Y("layer:O", sort=layers_desc, title=layer_title,
                axis=alt.Axis(labelFontSize=font, titleFontSize=font, labelOverlap=False)),
        tooltip=[alt.Tooltip("layer:O", title=layer_title), alt.Tooltip("position:N"), alt.Tooltip("full:N"),
                 alt.Tooltip("shown:N", title=prob_title)] + ([alt.Tooltip("top:N", title="top 5")] if tooltips else []),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("p:Q", title=prob_title, scale=alt.Scale(scheme="cividis", domain=[0, 1]),
                        legend=alt.Legend(format="%", labelFontSize=font, titleFontSize=font)))
    # the token in black or white: one text layer per ink (a colour encoding with no scale beside the cells'
    # probability scale makes Vega-Lite fail to merge the two, and the chart is not drawn at all)
    texts = [base.transform_filter(alt.datum.ink == ink).mark_text(fontSize=font - 2 if large else font - 3, color=ink)
             .encode(text="token:N") for ink in sorted(set(frame["ink"]))]
    cell = 64 if large else 56
    chart = readable(alt.layer(cells, *texts).properties(width=cell * T, height=(30 if large else 24) * n_layers), large)
    details = i18n.t("journey.a11y.lens", language, layers=fmt_int(n_layers, language), positions=fmt_int(T, language),
                token=top_pieces[-1][-1], p=fmt_percent(float(top_probs[-1, -1]), language, 1))
    return described(chart, kind="heatmap", title=title, details=details, language=language)


def answer_lines(ranks: np.ndarray, probs: np.ndarray, *, rank_title: str, prob_title: str, layer_title: str,
                 title: str, language: str, large: bool = False) -> alt.ConcatChart:
    """The eventual answer's rank (log scale, 1 on top) and probability at every layer, side by side
    (one above the other in projector mode, where two would not fit the page's width)."""
    frame = pd.DataFrame({"layer": np.arange(len(ranks)), "rank": ranks.astype(int), "p": probs.astype(float),
                          "shown": [fmt_percent(float(p), language, 2) for p in probs]})
    font = _font(large)
    x = alt.X("layer:Q", title=layer_title, axis=alt.Axis(tickMinStep=1, labelFontSize=font, titleFontSize=font))
    tooltip = [alt.Tooltip("layer:Q", title=layer_title), alt.Tooltip("rank:Q", title=rank_title),
               alt.Tooltip("shown:N", title=prob_title)]
    height = 300 if large else 240
    rank = (alt.Chart(frame).mark_line(point=True, color=OKABE_ITO[0])
            .encode(x=x, y=alt.Y("rank:Q", title=rank_title, scale=alt.Scale(type="log", reverse=True),
                                 axis=alt.Axis(labelFontSize=font, titleFontSize=font)), tooltip=tooltip)
            .properties(height=height, width=320 if not large else 560))
    prob = (alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(shape="square"), color=OKABE_ITO[5], strokeDash=[6, 3])
            .encode(x=x, y=alt.Y("p:Q", title=prob_title, scale=alt.Scale(domain=[0, 1]),
                                 axis=alt.Axis(format="%", labelFontSize=font, titleFontSize=font)), tooltip=tooltip)
            .properties(height=height, width=320 if not large else 560))
    join = alt.vconcat if large else alt.hconcat
    chart = readable(join(rank, prob, title=alt.TitleParams(title, fontSize=font + 2)), large)
    top = [layer for layer, r in enumerate(ranks) if int(r) == 1]
    details = i18n.t("journey.a11y.answer", language, layer=fmt_int(top[0], language) if top else "—",
                rank=fmt_int(int(ranks[-1]), language), p=fmt_percent(float(probs[-1]), language, 1))
    return described(chart, kind="lines", title=title, details=details, language=language)


def next_token_bars(pieces: list[str], probs: np.ndarray, *, title: str, prob_title: str, language: str,
                    large: bool = False) -> alt.Chart:
    """The model's own most likely next tokens, most likely first."""
    labels = [f"{i + 1}. {p}" for i, p in enumerate(pieces)]
    frame = pd.DataFrame({"token": labels, "p": probs.astype(float),
                          "shown": [fmt_percent(float(p), language, 2) for p in probs]})
    font = _font(large)
    bars = alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2)).encode(
        y=alt.Y("token:N", sort=labels, title=None,
                axis=alt.Axis(labelFontSize=font, labelLimit=240, labelOverlap=False)),
        x=alt.X("p:Q", title=prob_title, scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", labelFontSize=font, titleFontSize=font)),
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("shown:N", title=prob_title)],
    )
    chart = (alt.layer(bars.mark_bar(color=OKABE_ITO[0]), bars.mark_text(align="left", dx=4, fontSize=font).encode(text="shown:N"))
             .properties(height=(32 if large else 24) * len(labels), width="container"))
    chart = readable(chart, large)
    return described(chart, kind="bars", title=title, details=top_items(pieces, probs, language, percent=True),
                     language=language)
