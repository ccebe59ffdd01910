"""Altair charts of the risks page: the bias probe's diverging bars and P(answer) per phrasing."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from gptlab.charts import OKABE_ITO, PROJECTOR_FONT, decimal_labels, described, readable
from gptlab.i18n import t


@dataclass(frozen=True)
class BiasTitles:
    title: str
    axis: str  # e.g. "log₂ P(he) / P(she)"
    legend: str
    profession: str
    shown_ratio: str  # tooltip title of the ratio written out


def bias_chart(rows: pd.DataFrame, *, candidates: tuple[str, str], titles: BiasTitles, language: str,
               large: bool = False) -> alt.LayerChart:
    """Diverging bars, one per profession: right of zero the first candidate is likelier, left the second.

    `rows` columns: profession, log2_ratio, preferred (one of `candidates`), ratio (text). The order of
    the rows is the order of the bars. Colour repeats what the side says, for readers who see no colour.
    """
    font = PROJECTOR_FONT if large else 12
    order = list(rows["profession"])
    bars = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("profession:N", sort=order, title=None, axis=alt.Axis(labelFontSize=font, labelLimit=320)),
            x=alt.X("log2_ratio:Q", title=titles.axis,
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language))),
            color=alt.Color("preferred:N", title=titles.legend,
                            scale=alt.Scale(domain=list(candidates), range=[OKABE_ITO[0], OKABE_ITO[1]]),
                            legend=alt.Legend(orient="top", labelFontSize=font, titleFontSize=font)),
            tooltip=[alt.Tooltip("profession:N", title=titles.profession),
                     alt.Tooltip("ratio:N", title=titles.shown_ratio)],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black", strokeWidth=2).encode(x="x:Q")
    # Streamlit fits title, legend and axis inside this height too: give the bars their room on top of that.
    height = (190 if large else 150) + (40 if large else 30) * len(rows)
    chart = alt.layer(bars, zero, title=alt.TitleParams(titles.title, fontSize=font + 2)).properties(height=height)
    details = t("risks.bias.a11y", language, n=len(rows), a=candidates[0], b=candidates[1], axis=titles.axis,
                each="; ".join(f"{r.profession}: {r.preferred} ({r.ratio})" for r in rows.itertuples()))
    return readable(described(chart, kind="bars", title=titles.title, details=details, language=language), large)


def phrasing_chart(rows: pd.DataFrame, *, title: str, value_title: str, language: str,
                   large: bool = False) -> alt.Chart:
    """One bar per phrasing: P(right answer) in percent. `rows` columns: label, percent, shown (text)."""
    font = PROJECTOR_FONT if large else 12
    details = t("risks.sens.a11y", language, n=len(rows), value=value_title,
                each="; ".join(f"«{r.label}» {r.shown}" for r in rows.itertuples()))
    chart = (
        alt.Chart(rows, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar(color=OKABE_ITO[2])
        .encode(
            y=alt.Y("label:N", sort=list(rows["label"]), title=None, axis=alt.Axis(labelFontSize=font, labelLimit=360)),
            x=alt.X("percent:Q", title=value_title,
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language))),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("shown:N", title=value_title)],
        )
        .properties(height=(130 if large else 100) + (44 if large else 34) * len(rows))  # title and axis fit inside
    )
    return readable(described(chart, kind="bars", title=title, details=details, language=language), large)
