"""Cached attention computations and the heatmap-plus-text-alternative renderer for the attention lab."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from gptlab.charts import attention_heatmap
from gptlab.i18n import fmt_float, fmt_int, t
from gptlab.nn import attention as A
from ui import frame
from ui import models as ui_models
from ui import vega


def decoder_run(entry, text: str, quiet: bool = False) -> A.DecoderRun:
    """One forward pass of the picked decoder (`entry`, float32) on the text (first 64 tokens), on its worker."""
    model, tokenizer = ui_models.lm_model(entry), ui_models.lm_tokenizer(entry)
    return ui_models.lm_job(entry, "attention.decoder_run", text, lambda: A.run_decoder(model, tokenizer, text),
                            ui_models.CLASS_ENTRIES, quiet=quiet)


def decoder_steps(entry, text: str, layer: int, head: int) -> A.AttentionSteps:
    run, model = decoder_run(entry, text), ui_models.lm_model(entry)
    return ui_models.lm_job(entry, "attention.decoder_steps", (text, layer, head),
                            lambda: A.attention_steps(model, run, layer, head), 128)


@st.cache_data(max_entries=ui_models.CLASS_ENTRIES, show_spinner=False)
def _decoder_weights(key: str, local_path: str | None, text: str) -> np.ndarray:
    from gptlab.models import catalog

    run = decoder_run(catalog.find(key), text, quiet=True)
    return np.stack([a[0].float().numpy() for a in run.attentions])


def decoder_weights(entry, text: str) -> np.ndarray:
    """(L, H, T, T) every layer's and head's attention weights of the picked decoder."""
    return _decoder_weights(entry.key, entry.local_path, text)


def encoder_run(entry, text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """BERT's tokens and (L, H, T, T) attention weights (MiniLM), on the worker of the picked decoder (`entry`)."""
    encoder, tokenizer = ui_models.minilm_encoder(), ui_models.minilm_tokenizer()
    return ui_models.lm_job(entry, "attention.encoder_run", text, lambda: A.encoder_attentions(encoder, tokenizer, text),
                            ui_models.CLASS_ENTRIES)


@st.cache_data(max_entries=256, show_spinner=False)
def heatmap_spec(matrix: np.ndarray, labels: tuple[str, ...], title: str, kind: str, lang: str, large: bool,
                 size: int | None) -> dict:
    """The heatmap's Vega-Lite spec, built once per matrix (a page shows it again on every rerun), its cells
    already in the Arrow bytes Streamlit sends."""
    chart = attention_heatmap(
        matrix, list(labels), title=title, value_title=t(VALUE_KEYS[kind], lang), query_title=t("attention.query", lang),
        key_title=t("attention.key", lang), language=lang, large=large, size=size,
    )
    return vega.packed(chart)  # its records already in the Arrow bytes Streamlit sends


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


BERT_NAME = "BERT (all-MiniLM-L6-v2)"


def truncation_warnings(text: str, lang: str, *, decoder=None) -> list[str]:
    """One warning per model that cuts the text for the attention views: which model, and at how many tokens.
    `decoder`: the picked decoder's catalog entry, once it can run."""
    limit = A.MAX_ATTENTION_TOKENS
    out = []
    if decoder is not None:
        n = A.token_count(ui_models.lm_tokenizer(decoder), text)
        if n > limit:
            out.append(t("attention.too_long", lang, model=decoder.name, count=fmt_int(n, lang), max=limit))
    n = A.token_count(ui_models.minilm_tokenizer(), text)
    if n > limit:
        out.append(t("attention.too_long_bert", lang, model=BERT_NAME, count=fmt_int(n, lang), max=limit, kept=limit - 1))
    return out


def step_facts(config, steps: A.AttentionSteps, lang: str) -> list[str]:
    """The caption above the four steps: the layer's mask, the scale and, where heads share them, whose keys.

    Each part says what the picked model does: Gemma's local layers and its scale 1/√query_pre_attn_scalar,
    GPT-2's plain causal layers and 1/√d_k, grouped-query attention's shared key heads."""
    from gptlab.models.catalog import Architecture

    shape = Architecture.of(config)
    if steps.sliding_window:
        kind = t("attention.layer_kind.sliding", lang, window=steps.sliding_window)
    elif getattr(config, "sliding_window", None):  # a model with local layers: this one is global
        kind = t("attention.layer_kind.full", lang)
    else:
        kind = t("attention.layer_kind.causal", lang)
    scale = fmt_float(steps.scale, lang, 4)
    scalar = getattr(config, "query_pre_attn_scalar", None)
    parts = [kind, t("attention.scale", lang, scalar=scalar, scale=scale) if scalar is not None
             else t("attention.scale_head_dim", lang, head_dim=shape.head_dim, scale=scale)]
    if shape.grouped_kv:
        group = shape.n_head // shape.n_kv_heads
        kv = steps.head // group
        parts.append(t("attention.kv_shared", lang, head=steps.head, kv=kv, first=kv * group, last=kv * group + group - 1))
    return parts


def decoder_facts(config, n_params: int, lang: str) -> dict[str, object]:
    """The picked decoder's facts as its config names them (property -> value); Gemma's local layers where it has them."""
    from gptlab.models.catalog import Architecture

    shape = Architecture.of(config)
    facts: dict[str, object] = {
        t("attention.gemma.params", lang): fmt_int(n_params, lang),
        "vocab_size": fmt_int(shape.vocab, lang),
        "hidden_size (d_model)": shape.d_model,
        "num_hidden_layers": shape.n_layer,
        "num_attention_heads / num_key_value_heads": f"{shape.n_head} / {shape.n_kv_heads}",
        "head_dim": shape.head_dim,
        "intermediate_size": fmt_int(shape.d_ffn, lang),
        t("attention.facts.positions", lang): t(f"attention.facts.positions.{shape.positions}", lang),
        "max_position_embeddings": fmt_int(shape.context, lang),
    }
    layer_types = getattr(config, "layer_types", None)
    if getattr(config, "sliding_window", None) and layer_types:
        facts["sliding_window"] = config.sliding_window
        facts["layer_types"] = ", ".join(f"{kind} × {layer_types.count(kind)}" for kind in sorted(set(layer_types)))
    return facts
