"""Milestones of decoder language models: date, size and training data, each with its primary source.

Sizes are total parameters as the source states them. None means the developer never disclosed it:
such models stay in the table but cannot be placed on a size axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from gptlab.charts import OKABE_ITO, PROJECTOR_FONT, decimal_labels, readable
from gptlab.i18n import STRINGS, fmt_number, t

NOTE_KEY = "history.timeline.note."


@dataclass(frozen=True)
class Milestone:
    name: str
    organisation: str
    date: str  # YYYY-MM: first public release of the paper, model or announcement
    parameters: int | None  # total parameters; None = not disclosed
    training_tokens: int | None  # None = not disclosed or not stated as tokens
    open_weights: bool
    source: str  # primary source: authors, year and title of the paper, model card or announcement
    url: str

    def note(self, language: str) -> str:
        """What the source says about the figures ("" when nothing): labs/history/strings, history.timeline.note."""
        key = f"{NOTE_KEY}{self.name}"
        return t(key, language) if key in STRINGS else ""

    @property
    def year(self) -> float:
        year, month = self.date.split("-")
        return int(year) + (int(month) - 1) / 12


B, T = 10**9, 10**12

MILESTONES: tuple[Milestone, ...] = (
    Milestone("GPT-1", "OpenAI", "2018-06", 117 * 10**6, None, True,
              "Radford et al. 2018, Improving Language Understanding by Generative Pre-Training",
              "https://openai.com/index/language-unsupervised/"),
    Milestone("GPT-2", "OpenAI", "2019-02", 1_542 * 10**6, None, True,
              "Radford et al. 2019, Language Models are Unsupervised Multitask Learners",
              "https://openai.com/index/better-language-models/"),
    Milestone("GPT-3", "OpenAI", "2020-05", 175 * B, 300 * B, False,
              "Brown et al. 2020, Language Models are Few-Shot Learners",
              "https://arxiv.org/abs/2005.14165"),
    Milestone("Gopher", "DeepMind", "2021-12", 280 * B, 300 * B, False,
              "Rae et al. 2021, Scaling Language Models: Methods, Analysis & Insights from Training Gopher",
              "https://arxiv.org/abs/2112.11446"),
    Milestone("Chinchilla", "DeepMind", "2022-03", 70 * B, 1_400 * B, False,
              "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models",
              "https://arxiv.org/abs/2203.15556"),
    Milestone("LLaMA 65B", "Meta", "2023-02", 65 * B, 1_400 * B, True,
              "Touvron et al. 2023, LLaMA: Open and Efficient Foundation Language Models",
              "https://arxiv.org/abs/2302.13971"),
    Milestone("Claude", "Anthropic", "2023-03", None, None, False,
              "Anthropic 2023, Introducing Claude",
              "https://www.anthropic.com/news/introducing-claude"),
    Milestone("Gemma 7B", "Google DeepMind", "2024-02", 8_538 * 10**6, 6 * T, True,
              "Gemma Team 2024, Gemma: Open Models Based on Gemini Research and Technology",
              "https://arxiv.org/abs/2403.08295"),
    Milestone("Claude 3", "Anthropic", "2024-03", None, None, False,
              "Anthropic 2024, Introducing the next generation of Claude",
              "https://www.anthropic.com/news/claude-3-family"),
    Milestone("Command R", "Cohere", "2024-03", 35 * B, None, True,
              "Cohere 2024, Command R model card (c4ai-command-r-v01)",
              "https://huggingface.co/CohereForAI/c4ai-command-r-v01"),
    Milestone("Gemma 3 27B", "Google DeepMind", "2025-03", 27 * B, 14 * T, True,
              "Gemma Team 2025, Gemma 3 Technical Report",
              "https://arxiv.org/abs/2503.19786"),
    Milestone("Gemma 3 270M", "Google DeepMind", "2025-08", 268 * 10**6, 6 * T, True,
              "Google 2025, Introducing Gemma 3 270M; Gemma 3 model card",
              "https://developers.googleblog.com/en/introducing-gemma-3-270m/"),
)


def table(milestones: tuple[Milestone, ...] = MILESTONES) -> pd.DataFrame:
    """One row per milestone, sizes in billions (None stays missing): the chart's text alternative."""
    return pd.DataFrame(
        {
            "name": [m.name for m in milestones],
            "organisation": [m.organisation for m in milestones],
            "date": [m.date for m in milestones],
            "parameters_b": [None if m.parameters is None else m.parameters / B for m in milestones],
            "tokens_b": [None if m.training_tokens is None else m.training_tokens / B for m in milestones],
            "open_weights": [m.open_weights for m in milestones],
            "source": [m.source for m in milestones],
            "url": [m.url for m in milestones],
        }
    )


LEFT_LABELS = {"Chinchilla", "Command R"}  # labelled on the left of their point, clear of a close neighbour


@dataclass(frozen=True)
class TimelineTitles:
    x: str
    y: str
    model: str
    organisation: str
    parameters: str
    open_weights: str


def timeline_chart(frame: pd.DataFrame, titles: TimelineTitles, language: str, *, large: bool = False) -> alt.Chart:
    """Year vs parameters on a log axis; models of undisclosed size are left out (they have no y)."""
    known = frame.dropna(subset=["parameters_b"]).assign(
        year=lambda d: [int(x[:4]) + (int(x[5:]) - 1) / 12 for x in d["date"]],
        left=lambda d: d["name"].isin(LEFT_LABELS),
        parameters_text=lambda d: [fmt_number(x, language, 3) for x in d["parameters_b"]],
    )
    # Each tick is ten times the one below: equal steps on this axis are equal *ratios* of size.
    ticks = {"values": [0.1, 1, 10, 100, 1000], **decimal_labels(language, "~g")}
    base = alt.Chart(known).encode(
        x=alt.X("year:Q", title=titles.x, scale=alt.Scale(domain=[2018, 2026]), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("parameters_b:Q", title=titles.y, scale=alt.Scale(type="log", domain=[0.05, 1000]), axis=alt.Axis(**ticks)),
    )
    points = base.mark_point(size=140, filled=True).encode(
        color=alt.Color("organisation:N", title=titles.organisation, scale=alt.Scale(range=list(OKABE_ITO))),
        shape=alt.Shape("organisation:N", title=titles.organisation),
        tooltip=[alt.Tooltip("name:N", title=titles.model), alt.Tooltip("date:N", title=titles.x),
                 alt.Tooltip("parameters_text:N", title=titles.parameters)],  # written in the user's language
    )
    size = PROJECTOR_FONT if large else 13
    right = base.transform_filter("!datum.left").mark_text(align="left", dx=9, dy=-7, fontSize=size).encode(text="name:N")
    left = base.transform_filter("datum.left").mark_text(align="right", dx=-9, dy=-7, fontSize=size).encode(text="name:N")
    return readable((points + right + left).properties(height=520 if large else 440)
                    .configure_axis(labelFontSize=13, titleFontSize=14)
                    .configure_legend(orient="bottom", columns=3, labelFontSize=13, titleFontSize=13), large)
