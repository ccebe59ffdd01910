"""Altair chart builders: they return charts; the caller decides where they show."""

from __future__ import annotations

import altair as alt
import pandas as pd

from gptlab.i18n import decimal_symbol, fmt_float

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

# Projector mode (22 px body text at 1280x720): chart text at the size of the page's, in black.
PROJECTOR_FONT = 20  # axis labels, legends, text marks
PROJECTOR_TITLE_FONT = 24


def readable(chart, large: bool):
    """In projector mode, every axis, legend and title of `chart` large and black, and no legend label cut
    short ("Model (T = 1, nothi..."); unchanged otherwise. Call it on the chart a builder returns."""
    if not large:
        return chart
    ink = "#000000"
    chart = _configure(chart, "axis", labelFontSize=PROJECTOR_FONT, titleFontSize=PROJECTOR_FONT, labelColor=ink,
                       titleColor=ink, tickColor=ink, domainColor=ink, titleFontWeight="bold")
    chart = _configure(chart, "legend", labelFontSize=PROJECTOR_FONT, titleFontSize=PROJECTOR_FONT, labelColor=ink,
                       titleColor=ink, labelLimit=0, symbolSize=260)
    return _configure(chart, "title", fontSize=PROJECTOR_TITLE_FONT, color=ink)


def _configure(chart, part: str, **values):
    """chart.configure_<part>(...), keeping what the builder had configured there already (e.g. a legend's place)."""
    config = chart.config
    current = {} if config is alt.Undefined else getattr(config, part, alt.Undefined)
    kept = {} if current is alt.Undefined or current == {} else current.to_dict()
    return getattr(chart, f"configure_{part}")(**{**kept, **values})


def token_inflation_chart(
    data: pd.DataFrame, *, x_title: str, y_title: str, colour_title: str, title: str, large: bool = False
) -> alt.Chart:
    """Grouped bars: total tokens per tokenizer, one bar per language.

    `data` columns: tokenizer, language, tokens.
    """
    languages = sorted(data["language"].unique(), reverse=True)  # pt-BR first
    font = PROJECTOR_FONT if large else 13
    return readable(
        alt.Chart(data, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar()
        .encode(
            x=alt.X(
                "tokenizer:N",
                title=x_title,
                sort=None,  # the order the lab lists the tokenizers in
                axis=alt.Axis(labelAngle=0, labelFontSize=font, titleFontSize=font, labelLimit=400),
            ),
            xOffset=alt.XOffset("language:N", sort=languages),
            y=alt.Y("tokens:Q", title=y_title, axis=alt.Axis(labelFontSize=font, titleFontSize=font)),
            color=alt.Color(
                "language:N",
                title=colour_title,
                sort=languages,
                scale=alt.Scale(domain=languages, range=list(OKABE_ITO[: len(languages)])),
                legend=alt.Legend(labelFontSize=font, titleFontSize=font, orient="top"),
            ),
            tooltip=["tokenizer:N", "language:N", "tokens:Q"],
        )
        .properties(height=360 if large else 300),
        large,
    )


def inflation_totals(rows) -> pd.DataFrame:
    """InflationRow records -> one row per (tokenizer, language) with the summed token count."""
    frame = pd.DataFrame([{"tokenizer": r.tokenizer, "language": r.language, "tokens": r.n_tokens} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=["tokenizer", "language", "tokens"])
    return frame.groupby(["tokenizer", "language"], as_index=False, sort=False)["tokens"].sum()


def decimal_labels(language: str, fmt: str | None = None) -> dict:
    """Axis or legend settings that write tick numbers with the language's decimal symbol ('0,2' in pt-BR).

    `fmt` is a d3 format without grouping ("%", "~g"; default ".2~f"): its one '.' at most becomes the symbol.
    """
    symbol = decimal_symbol(language)
    if symbol == ".":
        return {"format": fmt} if fmt else {}
    return {"format": fmt or ".2~f", "labelExpr": f"replace(datum.label, '.', '{symbol}')"}


HEATMAP_SIDE = (420, 800)  # without a given size, the side grows with the text between these (pixels)


def attention_heatmap(
    matrix, labels: list[str], *, title: str, value_title: str, query_title: str = "query", key_title: str = "key",
    language: str = "en", masked_text: str = "−∞", large: bool = False, size: int | None = None,
) -> alt.Chart:
    """A (T, T) matrix as a heatmap: rows are the tokens that look, columns the tokens looked at.

    cividis is designed to read the same with colour-vision deficiencies; cells at -inf are
    drawn grey and labelled, since no colour can mean minus infinity. `size` fixes the side of
    the chart, a cap that small multiples need to fit their column (Streamlit draws the whole chart,
    axis labels included, inside it); without it the side grows with the text.
    Numbers are written for `language` (pt-BR: decimal comma) in the cells and the tooltip.
    """
    import numpy as np

    T = len(labels)
    rows, cols = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    values = np.asarray(matrix, dtype=float)
    finite = np.isfinite(values)
    flat, flat_finite = values.ravel(), finite.ravel()
    frame = pd.DataFrame(
        {
            "query": [labels[i] for i in rows.ravel()],
            "key": [labels[j] for j in cols.ravel()],
            "value": np.where(finite, values, np.nan).ravel(),
            "shown": [fmt_float(v, language, 4) if f else masked_text for v, f in zip(flat, flat_finite)],
            "short": [fmt_float(v, language, 2) if f else masked_text for v, f in zip(flat, flat_finite)],
            "masked": ~flat_finite,
        }
    )
    font = PROJECTOR_FONT if large else 11
    cell = 48 if large else 34
    if size is None:
        side = min(HEATMAP_SIDE[1], max(HEATMAP_SIDE[0], cell * T))  # cells grow with the text, up to a point
    else:
        side = size
    small = side < 400
    axis = dict(labelFontSize=font, titleFontSize=font, labelLimit=90 if small else 160,
                labelOverlap=False)
    base = alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2)).encode(
        x=alt.X("key:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-60, **axis)),
        y=alt.Y("query:N", sort=labels, title=None, axis=alt.Axis(**axis)),
        tooltip=[
            alt.Tooltip("query:N", title=query_title),
            alt.Tooltip("key:N", title=key_title),
            alt.Tooltip("shown:N", title=value_title),
        ],
    )
    low, high = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 1.0)
    if high > low:
        scale = alt.Scale(scheme="cividis")
        middle = (low + high) / 2  # cividis is dark below the middle of its range and light above it
    else:  # one value only (the mask: all 0): draw it at the light end, with dark text
        scale = alt.Scale(scheme="cividis", domain=[low - 1, high])
        middle = low - 0.5
    legend = None if high == low else alt.Legend(**decimal_labels(language))
    cells = base.transform_filter("!datum.masked").mark_rect().encode(
        color=alt.Color("value:Q", title=value_title, scale=scale, legend=legend)
    )
    # A layer of its own: a colour encoding drops rows whose value is null, so -inf cells would vanish
    masked = base.transform_filter("datum.masked").mark_rect(color="#d9d9d9")
    layers = [cells, masked]
    if side / max(T, 1) >= 34:  # wide enough cells: print the numbers in them
        layers.append(
            base.mark_text(fontSize=font - 1).encode(
                text="short:N",
                color=alt.condition(
                    f"datum.value > {middle!r} || datum.masked", alt.value("black"), alt.value("white")
                ),
            )
        )
    return readable(alt.layer(*layers).properties(width=side, height=side), large)


def attention_bars(
    weights_row, labels: list[str], *, title: str, value_title: str, key_title: str = "key", language: str = "en",
    large: bool = False,
) -> alt.Chart:
    """Where one token looks: one bar per token it can attend to."""
    frame = pd.DataFrame(
        {"key": labels, "weight": list(weights_row), "shown": [fmt_float(float(w), language, 4) for w in weights_row]}
    )
    font = PROJECTOR_FONT if large else 12
    return readable(
        alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            x=alt.X("key:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-60, labelFontSize=font, labelLimit=160)),
            y=alt.Y("weight:Q", title=value_title, scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(labelFontSize=font, **decimal_labels(language))),
            tooltip=[alt.Tooltip("key:N", title=key_title), alt.Tooltip("shown:N", title=value_title)],
        )
        .properties(height=340 if large else 260),
        large,
    )
