"""Cached attention computations and the heatmap-plus-text-alternative renderer for the attention lab."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import attention as A
from core.charts import attention_heatmap
from core.i18n import fmt_float, t
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


def heatmap(matrix: np.ndarray, tokens: tuple[str, ...], *, title: str, value_key: str, lang: str,
            text_alternative: bool = True, size: int = 420) -> None:
    """A heatmap and, beside it (in an expander), the table a screen reader or a projector can read."""
    labels = A.token_labels(tokens)
    chart = attention_heatmap(
        matrix, labels, title=title, value_title=t(value_key, lang), large=frame.projector_mode(), size=size
    )
    st.altair_chart(chart, width="content")
    if text_alternative:
        with st.expander(t("att.table", lang)):
            rows = A.top_attended(np.nan_to_num(matrix, neginf=0.0), tokens)
            st.dataframe(
                pd.DataFrame(
                    {
                        t("att.col.token", lang): [r.token for r in rows],
                        t("att.col.top", lang): [
                            ", ".join(f"{tok} ({fmt_float(w, lang, 3)})" for tok, w in r.top) for r in rows
                        ],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
