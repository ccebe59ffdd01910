"""Milestones of decoder language models: date, size and training data, each with its primary source.

Sizes are total parameters as the source states them; a mixture-of-experts model also has the parameters it
uses per token, and is marked as such wherever it shows. None means the developer never disclosed it: such
models stay in the table but cannot be placed on a size axis. Weights are open, given to researchers only
(on request, under a research licence), or never released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import altair as alt
import pandas as pd

from gptlab.charts import OKABE_ITO, decimal_labels, described, readable
from gptlab.i18n import STRINGS, fmt_number, t

NOTE_KEY = "history.timeline.note."
Weights = Literal["open", "research", "closed"]  # history.timeline.weights.<this> in the strings


@dataclass(frozen=True)
class Milestone:
    name: str
    organisation: str
    date: str  # YYYY-MM: first public release of the paper, model or announcement
    parameters: int | None  # total parameters; None = not disclosed
    training_tokens: int | None  # None = not disclosed or not stated as tokens
    weights: Weights
    source: str  # primary source: authors, year and title of the paper, model card or announcement
    url: str
    active_parameters: int | None = None  # a mixture of experts: the parameters each token goes through

    @property
    def mixture_of_experts(self) -> bool:
        return self.active_parameters is not None

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
    Milestone("GPT-1", "OpenAI", "2018-06", 117 * 10**6, None, "open",
              "Radford et al. 2018, Improving Language Understanding by Generative Pre-Training",
              "https://openai.com/index/language-unsupervised/"),
    Milestone("GPT-2", "OpenAI", "2019-02", 1_542 * 10**6, None, "open",
              "Radford et al. 2019, Language Models are Unsupervised Multitask Learners",
              "https://openai.com/index/better-language-models/"),
    Milestone("GPT-3", "OpenAI", "2020-05", 175 * B, 300 * B, "closed",
              "Brown et al. 2020, Language Models are Few-Shot Learners",
              "https://arxiv.org/abs/2005.14165"),
    Milestone("Gopher", "DeepMind", "2021-12", 280 * B, 300 * B, "closed",
              "Rae et al. 2021, Scaling Language Models: Methods, Analysis & Insights from Training Gopher",
              "https://arxiv.org/abs/2112.11446"),
    Milestone("Chinchilla", "DeepMind", "2022-03", 70 * B, 1_400 * B, "closed",
              "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models",
              "https://arxiv.org/abs/2203.15556"),
    Milestone("PaLM", "Google", "2022-04", 540 * B, 780 * B, "closed",
              "Chowdhery et al. 2022, PaLM: Scaling Language Modeling with Pathways",
              "https://arxiv.org/abs/2204.02311"),
    Milestone("LLaMA 65B", "Meta", "2023-02", 65 * B, 1_400 * B, "research",
              "Touvron et al. 2023, LLaMA: Open and Efficient Foundation Language Models",
              "https://arxiv.org/abs/2302.13971"),
    Milestone("Claude", "Anthropic", "2023-03", None, None, "closed",
              "Anthropic 2023, Introducing Claude",
              "https://www.anthropic.com/news/introducing-claude"),
    Milestone("Gemma 7B", "Google DeepMind", "2024-02", 8_538 * 10**6, 6 * T, "open",
              "Gemma Team 2024, Gemma: Open Models Based on Gemini Research and Technology",
              "https://arxiv.org/abs/2403.08295"),
    Milestone("Claude 3", "Anthropic", "2024-03", None, None, "closed",
              "Anthropic 2024, Introducing the next generation of Claude",
              "https://www.anthropic.com/news/claude-3-family"),
    Milestone("Command R", "Cohere", "2024-03", 35 * B, None, "open",
              "Cohere 2024, Command R model card (c4ai-command-r-v01)",
              "https://huggingface.co/CohereForAI/c4ai-command-r-v01"),
    Milestone("Llama 3.1 405B", "Meta", "2024-07", 405 * B, 15_600 * B, "open",
              "Grattafiori et al. (Llama Team, Meta AI) 2024, The Llama 3 Herd of Models",
              "https://arxiv.org/abs/2407.21783"),
    Milestone("DeepSeek-V3", "DeepSeek", "2024-12", 671 * B, 14_800 * B, "open",
              "DeepSeek-AI 2024, DeepSeek-V3 Technical Report",
              "https://arxiv.org/abs/2412.19437", active_parameters=37 * B),
    Milestone("Gemma 3 27B", "Google DeepMind", "2025-03", 27 * B, 14 * T, "open",
              "Gemma Team 2025, Gemma 3 Technical Report",
              "https://arxiv.org/abs/2503.19786"),
    Milestone("Gemma 3 270M", "Google DeepMind", "2025-08", 268 * 10**6, 6 * T, "open",
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
            "active_b": [None if m.active_parameters is None else m.active_parameters / B for m in milestones],
            "weights": [m.weights for m in milestones],
            "source": [m.source for m in milestones],
            "url": [m.url for m in milestones],
        }
    )


LEFT_LABELS = {"Chinchilla", "Command R", "Llama 3.1 405B", "DeepSeek-V3"}  # labelled on the left of their point,
# clear of a close neighbour or of the chart's right edge


@dataclass(frozen=True)
class TimelineTitles:
    x: str
    y: str
    model: str
    organisation: str
    parameters: str
    weights: str


def parameters_text(total_b: float, active_b: float | None, language: str) -> str:
    """A size in billions, in the language's notation; a mixture of experts says both of its sizes."""
    if active_b is None or pd.isna(active_b):
        return fmt_number(total_b, language, 3)
    return t("history.timeline.moe", language, total=fmt_number(total_b, language, 3),
             active=fmt_number(active_b, language, 3))


def timeline_chart(frame: pd.DataFrame, titles: TimelineTitles, language: str, *, large: bool = False) -> alt.Chart:
    """Year vs parameters on a log axis; models of undisclosed size are left out (they have no y). A mixture of
    experts is labelled as one, with a dashed line down to the parameters each token uses. Its labels need the
    page's width (the models of 2021-2025 crowd the top right); `large`: projector sizes."""
    font = 18 if large else 13  # the labels inside the plot; readable() sizes the axes and legend
    known = frame.dropna(subset=["parameters_b"]).assign(
        year=lambda d: [int(x[:4]) + (int(x[5:]) - 1) / 12 for x in d["date"]],
        left=lambda d: d["name"].isin(LEFT_LABELS),
        parameters_text=lambda d: [parameters_text(x, a, language) for x, a in zip(d["parameters_b"], d["active_b"])],
        weights_text=lambda d: [t(f"history.timeline.weights.{w}", language) for w in d["weights"]],
        label=lambda d: [t("history.timeline.moe_label", language, name=n) if not pd.isna(a) else n
                         for n, a in zip(d["name"], d["active_b"])],
    )
    # Each tick is ten times the one below: equal steps on this axis are equal *ratios* of size.
    ticks = {"values": [0.1, 1, 10, 100, 1000], **decimal_labels(language, "~g")}
    base = alt.Chart(known).encode(
        x=alt.X("year:Q", title=titles.x, scale=alt.Scale(domain=[2018, 2026]), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("parameters_b:Q", title=titles.y, scale=alt.Scale(type="log", domain=[0.05, 1000]), axis=alt.Axis(**ticks)),
    )
    points = base.mark_point(size=220 if large else 140, filled=True).encode(
        color=alt.Color("organisation:N", title=titles.organisation, scale=alt.Scale(range=list(OKABE_ITO))),
        shape=alt.Shape("organisation:N", title=titles.organisation),
        tooltip=[alt.Tooltip("name:N", title=titles.model), alt.Tooltip("date:N", title=titles.x),
                 alt.Tooltip("parameters_text:N", title=titles.parameters),  # written in the user's language
                 alt.Tooltip("weights_text:N", title=titles.weights)],
    )
    right = base.transform_filter("!datum.left").mark_text(align="left", dx=9, dy=-7, fontSize=font).encode(text="label:N")
    left = base.transform_filter("datum.left").mark_text(align="right", dx=-9, dy=-7, fontSize=font).encode(text="label:N")
    moe = alt.Chart(known.dropna(subset=["active_b"]).assign(
        active_text=lambda d: [t("history.timeline.active_label", language, active=fmt_number(a, language, 3))
                               for a in d["active_b"]]))
    active = (moe.mark_rule(strokeDash=[4, 3], color="black").encode(x="year:Q", y="active_b:Q", y2="parameters_b:Q")
              + moe.mark_point(size=110, filled=False, color="black").encode(x="year:Q", y="active_b:Q")
              + moe.mark_text(align="right", dx=-9, fontSize=font).encode(x="year:Q", y="active_b:Q", text="active_text:N"))
    chart = ((points + right + left + active).properties(height=560 if large else 440)
            .configure_axis(labelFontSize=font, titleFontSize=font + 1)
            .configure_legend(orient="bottom", columns=3, labelFontSize=font, titleFontSize=font))
    first, last = known.sort_values("year").iloc[[0, -1]].itertuples()
    details = t("history.timeline.a11y", language, n=len(known), x=titles.x, y=titles.y,
                first=f"{first.name} ({first.date}, {first.parameters_text})",
                last=f"{last.name} ({last.date}, {last.parameters_text})",
                largest=known.loc[known["parameters_b"].idxmax(), "name"])
    return readable(described(chart, kind="points", title=titles.y, details=details, language=language), large)
