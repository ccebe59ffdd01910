"""Streamlit glue of the history page: GPT-1's sequences as token chips, the cached in-context scores."""

from __future__ import annotations

import streamlit as st

from gptlab.charts import OKABE_ITO
from gptlab.nn.tokenization import visible
from labs.history import in_context as icl
from ui import models as ui_models
from ui.chips import chip, chips, palette

SPECIAL_LABELS = {"<s>": "⟨s⟩ Start", "$": "$ Delim", "<e>": "⟨e⟩ Extract"}


def sequence_html(sequence) -> str:
    """One decoder input as the lab's token chips: the special tokens filled and named."""
    return chips(
        chip(SPECIAL_LABELS[piece.text], kinds="special", background=OKABE_ITO[0], colour="#fff") if piece.special
        else chip(visible(piece.text), background=palette(i % 2))
        for i, piece in enumerate(sequence)
    )


def sequence_text(sequence) -> str:
    """The same sequence as plain text, tokens separated by a middle dot (the chips' text alternative)."""
    return " · ".join(SPECIAL_LABELS[p.text].split()[0] if p.special else visible(p.text) for p in sequence)


def shot_result(task: icl.FewShotTask, shots: int) -> icl.ShotResult:
    """P(right answer) with the first `shots` examples, cached per task and k (one forward pass on
    the model worker)."""
    model, tokenizer = ui_models.decoding_model(), ui_models.gemma_tokenizer()
    return ui_models.job("history.shot", (task, shots), lambda: icl.shot_result(model, tokenizer, task, shots), 256)


def shot_curve(task: icl.FewShotTask, max_shots: int, label) -> tuple[icl.ShotResult, ...]:
    """0..max_shots examples, with a progress bar while the uncached ones are computed."""
    bar = st.progress(0.0)
    results = []
    try:
        for k in range(max_shots + 1):
            bar.progress(k / (max_shots + 1), text=label(k, max_shots))
            results.append(shot_result(task, k))
    finally:
        bar.empty()
    return tuple(results)
