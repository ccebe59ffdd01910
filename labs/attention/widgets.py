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
                         lambda: A.gemma_attention_steps(model, run, layer, head), 128)


@st.cache_data(max_entries=32, show_spinner=False)
def decoder_weights(text: str) -> np.ndarray:
    """(L, H, T, T) every layer's and head's attention weights."""
    run = decoder_run(text, quiet=True)
    return np.stack([a[0].float().numpy() for a in run.attentions])


def encoder_run(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """BERT's tokens and (L, H, T, T) attention weights (MiniLM, on the model worker)."""
    encoder, tokenizer = ui_models.minilm_encoder(), ui_models.minilm_tokenizer()
    return ui_models.job("attention.encoder_run", text, lambda: A.encoder_attentions(encoder, tokenizer, text), 32)


@st.cache_data(max_entries=256, show_spinner=False)
def heatmap_spec(matrix: np.ndarray, labels: tuple[str, ...], title: str, kind: str, lang: str, large: bool,
                 size: int | None) -> dict:
    """The heatmap's Vega-Lite spec, built once per matrix: Altair's checks of a chart with a cell per token pair
    cost tens of milliseconds, ten charts a page, on every rerun and every visit."""
    chart = attention_heatmap(
        matrix, list(labels), title=title, value_title=t(VALUE_KEYS[kind], lang), query_title=t("attention.query", lang),
        key_title=t("attention.key", lang), language=lang, large=large, size=size,
    )
    spec = chart.to_dict()
    view = spec.get("config", {}).get("view", {})
    for default in ("continuousWidth", "continuousHeight"):  # Altair's theme: st.altair_chart leaves these out
        view.pop(default, None)
    return spec


@st.cache_data(max_entries=256, show_spinner=False)
def text_alternative_frame(matrix: np.ndarray, tokens: tuple[str, ...], kind: str, lang: str) -> pd.DataFrame:
    return pd.DataFrame(A.text_alternative(matrix, tokens, kind, lang))


VALUE_KEYS = {"weights": "attention.value.weight", "scores": "attention.value.score", "mask": "attention.value.mask"}
TABLE_KEYS = {"weights": "attention.table", "scores": "attention.table.scores", "mask": "attention.table.mask"}


def heatmap(matrix: np.ndarray, tokens: tuple[str, ...], *, title: str, kind: str, lang: str,
            text_alternative: bool = True, size: int | None = None) -> None:
    """A heatmap as wide as its column (or `size` pixels a side) and, beside it (in an expander), the table a
    screen reader or a projector can read.

    kind: "weights" (softmax output), "scores" (before the softmax, any sign, maybe -inf) or "mask" (0 / -inf).
    """
    spec = heatmap_spec(np.asarray(matrix), tuple(A.token_labels(tokens)), title, kind, lang, frame.projector_mode(), size)
    st.vega_lite_chart(spec, width="stretch" if size is None else "content")
    if text_alternative:
        with st.expander(t(TABLE_KEYS[kind], lang)):
            st.dataframe(text_alternative_frame(np.asarray(matrix), tuple(tokens), kind, lang), hide_index=True,
                         width="stretch")


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
