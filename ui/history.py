"""Streamlit glue of the history page: GPT-1's sequences as token chips, the cached in-context scores."""

from __future__ import annotations

from html import escape

import streamlit as st

from core import in_context as icl
from core.gpt1_inputs import Gpt1Input
from core.tokenization import visible
from ui import models as ui_models

CHIPS_CSS = """
<style>
.gl-g1 { line-height: 2.1; font-size: 1em; margin: .2em 0 .6em 0; }
.gl-g1 span { display: inline-block; border: 1px solid #999; border-radius: .25em; padding: 0 .25em; margin: .06em;
  font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre; background: #F5F9FC; color: #000; }
.gl-g1 span.gl-g1-special { background: #0072B2; border-color: #0072B2; color: #fff; font-weight: 700; }
</style>
"""

SPECIAL_LABELS = {"<s>": "⟨s⟩ Start", "$": "$ Delim", "<e>": "⟨e⟩ Extract"}


def inject_css() -> None:
    st.html(CHIPS_CSS)


def sequence_html(sequence) -> str:
    """One decoder input as chips: special tokens filled (and named), the text's tokens outlined."""
    chips = []
    for piece in sequence:
        if piece.special:
            chips.append(f'<span class="gl-g1-special">{escape(SPECIAL_LABELS[piece.text])}</span>')
        else:
            chips.append(f"<span>{escape(visible(piece.text))}</span>")
    return f'<div class="gl-g1">{"".join(chips)}</div>'


def sequence_text(sequence) -> str:
    """The same sequence as plain text, tokens separated by a middle dot (the chips' text alternative)."""
    return " · ".join(SPECIAL_LABELS[p.text].split()[0] if p.special else visible(p.text) for p in sequence)


def token_count(gpt1_input: Gpt1Input) -> tuple[int, ...]:
    return tuple(len(s) for s in gpt1_input.sequences)


@st.cache_data(max_entries=256, show_spinner=False)
def shot_result(task: icl.FewShotTask, shots: int) -> icl.ShotResult:
    """P(right answer) with the first `shots` examples, cached per task and k (one forward pass)."""
    return icl.shot_result(ui_models.decoding_model(), ui_models.gemma_tokenizer(), task, shots)


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
