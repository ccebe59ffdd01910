"""Streamlit glue of the fine-tuning lab: the server's training queue, blocks as HTML, the live chart."""

from __future__ import annotations

import contextlib
import os
import time
from html import escape
from typing import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from gptlab.charts import OKABE_ITO, PROJECTOR_FONT, decimal_labels, described, readable
from gptlab.i18n import fmt_float, t
from gptlab.nn.finetune import RunReport
from gptlab.nn.tokenization import visible
from labs.finetuning.training_queue import TrainingQueue
from ui.chips import chip


@st.cache_resource(show_spinner=False)
def training_queue() -> TrainingQueue:
    """One queue per server: GPTLAB_MAX_TRAININGS runs at once (default 1), the others wait."""
    try:
        slots = max(1, int(os.environ.get("GPTLAB_MAX_TRAININGS", "1")))
    except ValueError:
        slots = 1
    return TrainingQueue(slots)


@contextlib.contextmanager
def training_slot(lang: str, notice):
    """Wait for this server's training slot, showing the place in line in `notice` (an st.empty);
    the slot is always given back: run finished, failed, stopped, or the user left the page."""
    queue = training_queue()
    ticket = queue.join()
    try:
        while not queue.try_start(ticket):
            notice.info(t("finetuning.queue", lang, position=queue.position(ticket)), icon=":material/hourglass_top:")
            time.sleep(1.0)  # the next call into Streamlit lets Stop or leaving the page end the wait
        notice.empty()
        yield
    finally:
        queue.leave(ticket)


def block_html(label: str, pieces: Sequence[str], kind: str) -> str:
    """One block: its label and its tokens as chips. kind: "train", "val" or "rest" (dropped)."""
    cls = {"train": "gl-block", "val": "gl-block gl-val", "rest": "gl-block gl-rest"}[kind]
    chips = "".join(chip(visible(p)) for p in pieces)
    return f'<div class="{cls}"><span class="gl-block-label">{escape(label)}</span>{chips}</div>'


def loss_chart(report: RunReport, *, title: str, step: str, loss: str, train: str, validation: str, language: str,
               large: bool = False) -> alt.Chart:
    """Training loss at every step and validation loss where it was measured, on one step axis."""
    rows = []
    for p in report.points:
        if p.train_loss is not None:
            rows.append({"step": p.step, "loss": p.train_loss, "series": train})
        if p.val_loss is not None:
            rows.append({"step": p.step, "loss": p.val_loss, "series": validation})
    frame = pd.DataFrame(rows, columns=["step", "loss", "series"])
    frame["shown"] = [fmt_float(v, language, 3) for v in frame["loss"]]
    font = PROJECTOR_FONT if large else 12
    last = {name: group["shown"].iloc[-1] for name, group in frame.groupby("series", sort=False)}
    details = t("finetuning.chart.a11y", language, train=train, validation=validation, steps=report.total_steps,
                last_train=last.get(train, "—"), last_validation=last.get(validation, "—"))
    chart = (
        alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", title=step, scale=alt.Scale(domainMin=0, domainMax=max(report.total_steps, 1)),
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, tickMinStep=1)),
            y=alt.Y("loss:Q", title=loss, scale=alt.Scale(zero=True),
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language))),
            color=alt.Color("series:N", title=None, sort=[train, validation],
                            scale=alt.Scale(domain=[train, validation], range=[OKABE_ITO[0], OKABE_ITO[1]]),
                            legend=alt.Legend(orient="top", labelFontSize=font)),
            strokeDash=alt.StrokeDash("series:N", sort=[train, validation], legend=None,
                                      scale=alt.Scale(domain=[train, validation], range=[[1, 0], [6, 3]])),
            tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("step:Q", title=step),
                     alt.Tooltip("shown:N", title=loss)],
        )
        .properties(height=340 if large else 280)
    )
    return readable(described(chart, kind="lines", title=title, details=details, language=language), large)

