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


def decoder_run(text: str, quiet: bool = False) -> A.DecoderRun:
    """One forward pass of the shared fp32 decoder on the text (first 64 tokens), on the model worker."""
    model, tokenizer = ui_models.decoder_fp32(), ui_models.gemma_tokenizer()
    return ui_models.job("attention.decoder_run", text, lambda: A.run_decoder(model, tokenizer, text), 32, quiet=quiet)


def decoder_steps(text: str, layer: int, head: int) -> A.AttentionSteps:
    run, model = decoder_run(text), ui_models.decoder_fp32()
    return ui_models.job("attention.decoder_steps", (text, layer, head),
                         lambda: A.attention_steps(model, run, layer, head), 128)


@st.cache_data(max_entries=32, show_spinner=False)
def decoder_weights(text: str) -> np.ndarray:
    """(L, H, T, T) every layer's and head's attention weights."""
    run = decoder_run(text, quiet=True)
    return np.stack([a[0].float().numpy() for a in run.attentions])


def encoder_run(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """BERT's tokens and (L, H, T, T) attention weights (MiniLM, on the model worker)."""
    encoder, tokenizer = ui_models.minilm_encoder(), ui_models.minilm_tokenizer()
    return ui_models.job("attention.encoder_run", text, lambda: A.encoder_attentions(encoder, tokenizer, text), 32)


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
