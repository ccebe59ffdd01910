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
