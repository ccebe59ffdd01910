"""Altair chart builders: they return charts; the caller decides where they show."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def token_inflation_chart(
    data: pd.DataFrame, *, x_title: str, y_title: str, colour_title: str, title: str, large: bool = False
) -> alt.Chart:
    """Grouped bars: total tokens per tokenizer, one bar per language.

    `data` columns: tokenizer, language, tokens.
    """
    languages = sorted(data["language"].unique(), reverse=True)  # pt-BR first
    font = 20 if large else 13
    return (
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
        .properties(height=360 if large else 300)
    )


def inflation_totals(rows) -> pd.DataFrame:
    """InflationRow records -> one row per (tokenizer, language) with the summed token count."""
    frame = pd.DataFrame([{"tokenizer": r.tokenizer, "language": r.language, "tokens": r.n_tokens} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=["tokenizer", "language", "tokens"])
    return frame.groupby(["tokenizer", "language"], as_index=False, sort=False)["tokens"].sum()


def attention_heatmap(
    matrix, labels: list[str], *, title: str, value_title: str, masked_text: str = "−∞", large: bool = False,
    size: int = 420,
) -> alt.Chart:
    """A (T, T) matrix as a heatmap: rows are the tokens that look, columns the tokens looked at.

    cividis is designed to read the same with colour-vision deficiencies; cells at -inf are
    drawn grey and labelled, since no colour can mean minus infinity.
    """
    import numpy as np

    T = len(labels)
    rows, cols = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    values = np.asarray(matrix, dtype=float)
    finite = np.isfinite(values)
    frame = pd.DataFrame(
        {
            "query": [labels[i] for i in rows.ravel()],
            "key": [labels[j] for j in cols.ravel()],
            "value": np.where(finite, values, np.nan).ravel(),
            "shown": [f"{v:.4f}" if f else masked_text for v, f in zip(values.ravel(), finite.ravel())],
            "short": [f"{v:.2f}" if f else masked_text for v, f in zip(values.ravel(), finite.ravel())],
            "masked": ~finite.ravel(),
        }
    )
    font = 16 if large else 11
    axis = dict(labelFontSize=font, titleFontSize=font, labelLimit=160, labelOverlap=False)
    side = min(800, max(size, (44 if large else 34) * T))  # cells grow with the text, up to a point
    base = alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2)).encode(
        x=alt.X("key:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-60, **axis)),
        y=alt.Y("query:N", sort=labels, title=None, axis=alt.Axis(**axis)),
        tooltip=[alt.Tooltip("query:N"), alt.Tooltip("key:N"), alt.Tooltip("shown:N", title=value_title)],
    )
    cells = base.mark_rect().encode(
        color=alt.condition(
            "datum.masked",
            alt.value("#d9d9d9"),
            alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="cividis")),
        )
    )
    layers = [cells]
    if side / max(T, 1) >= 34:  # wide enough cells: print the numbers in them
        layers.append(
            base.mark_text(fontSize=font - 1).encode(
                text="short:N",
                color=alt.condition("datum.value > 0.5 || datum.masked", alt.value("black"), alt.value("white")),
            )
        )
    return alt.layer(*layers).properties(width=side, height=side)


def attention_bars(weights_row, labels: list[str], *, title: str, value_title: str, large: bool = False) -> alt.Chart:
    """Where one token looks: one bar per token it can attend to."""
    frame = pd.DataFrame({"key": labels, "weight": list(weights_row)})
    font = 16 if large else 12
    return (
        alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            x=alt.X("key:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-60, labelFontSize=font, labelLimit=160)),
            y=alt.Y("weight:Q", title=value_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(labelFontSize=font)),
            tooltip=["key:N", alt.Tooltip("weight:Q", format=".4f")],
        )
        .properties(height=260)
    )
