"""Cached attention computations and the heatmap-plus-text-alternative renderer for the attention lab."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from gptlab.charts import attention_heatmap
from gptlab.i18n import fmt_int, t
from gptlab.nn import attention as A
from ui import frame
from ui import models as ui_models


@st.cache_data(max_entries=32, show_spinner=False)
def decoder_run(text: str) -> A.DecoderRun:
    """One forward pass of the shared fp32 decoder on the text (first 64 tokens)."""
    return A.run_decoder(ui_models.decoder_fp32(), ui_models.gemma_tokenizer(), text)


@st.cache_data(max_entries=128, show_spinner=False)
def decoder_steps(text: str, layer: int, head: int) -> A.AttentionSteps:
    return A.gemma_attention_steps(ui_models.decoder_fp32(), decoder_run(text), layer, head)


@st.cache_data(max_entries=32, show_spinner=False)
def decoder_weights(text: str) -> np.ndarray:
    """(L, H, T, T) every layer's and head's attention weights."""
    run = decoder_run(text)
    return np.stack([a[0].float().numpy() for a in run.attentions])


@st.cache_data(max_entries=32, show_spinner=False)
def encoder_run(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """BERT's tokens and (L, H, T, T) attention weights."""
    return A.encoder_attentions(ui_models.minilm_encoder(), ui_models.minilm_tokenizer(), text)


VALUE_KEYS = {"weights": "attention.value.weight", "scores": "attention.value.score", "mask": "attention.value.mask"}
TABLE_KEYS = {"weights": "attention.table", "scores": "attention.table.scores", "mask": "attention.table.mask"}


def heatmap(matrix: np.ndarray, tokens: tuple[str, ...], *, title: str, kind: str, lang: str,
            text_alternative: bool = True, size: int | None = None) -> None:
    """A heatmap and, beside it (in an expander), the table a screen reader or a projector can read.

    kind: "weights" (softmax output), "scores" (before the softmax, any sign, maybe -inf) or "mask" (0 / -inf).
    """
    labels = A.token_labels(tokens)
    chart = attention_heatmap(
        matrix, labels, title=title, value_title=t(VALUE_KEYS[kind], lang), query_title=t("attention.query", lang),
        key_title=t("attention.key", lang), language=lang, large=frame.projector_mode(), size=size,
    )
    st.altair_chart(chart, width="content")
    if text_alternative:
        with st.expander(t(TABLE_KEYS[kind], lang)):
            st.dataframe(pd.DataFrame(A.text_alternative(matrix, tokens, kind, lang)), hide_index=True, width="stretch")


GEMMA_NAME = "Gemma 3 270M"
BERT_NAME = "BERT (all-MiniLM-L6-v2)"


def truncation_warnings(text: str, lang: str, *, with_gemma: bool) -> list[str]:
    """One warning per model that cuts the text for the attention views: which model, and at how many tokens."""
    limit = A.MAX_ATTENTION_TOKENS
    out = []
    if with_gemma:
        n = A.token_count(ui_models.gemma_tokenizer(), text)
        if n > limit:
            out.append(t("attention.too_long", lang, model=GEMMA_NAME, count=fmt_int(n, lang), max=limit))
    n = A.token_count(ui_models.minilm_tokenizer(), text)
    if n > limit:
        out.append(t("attention.too_long_bert", lang, model=BERT_NAME, count=fmt_int(n, lang), max=limit, kept=limit - 1))
    return out
