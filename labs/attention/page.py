"""Attention lab: the causal mask step by step on real numbers, attention maps, BERT beside GPT."""

import numpy as np
import pandas as pd
import streamlit as st

from gptlab.charts import attention_bars
from gptlab.i18n import fmt_float, fmt_int, fmt_scientific, t
from gptlab.nn import attention as A
from gptlab.nn.architecture import family_of
from gptlab.nn import tokenization as tk
from gptlab.takeaway.code import AttentionMapSettings, AttentionStepsSettings, BertBesideGptSettings, BertvizSettings
from labs.attention import widgets as ui_att
from labs.attention import settings as S
from labs.attention.settings import BERTVIZ_TOKENS, GRID_COLUMNS
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.params import keep_within, load_from_url, write_to_url
from ui import vega

lang = frame.language()
entry = ui_models.picked_model()  # the decoder picked in the sidebar (Gemma 3 270M unless another is picked)
# Shareable settings (?text=...&layer=3&head=1...); the bounds are the models' sizes, read from their configs.
PARAMS = S.url_params(lang, ui_models.lm_config(entry), ui_models.minilm_config())
load_from_url(PARAMS, "attention", lang)
les = lesson_ui.lesson("attention", lang)
lesson_ui.header(les)
lesson_ui.sections(les, "intro", "scaled-dot-product", "multi-head", "positions", "decoder-block", "causal-mask")
shelf = Shelf("attention", lang, model=entry)  # the code of each view (on the picked model), and the lab as a notebook

# --- the student's sentence, shared by every widget on the page -----------------------------------
check = tk.check_text(
    st.text_input(t("attention.input", lang), key=S.TEXT_KEY, max_chars=2_000, persist_state="session"), 2_000
)
text = check.text
has_text = check.problem is None
decoder_ready = ui_models.lm_ready(entry)  # the model's facts need only this
decoder_views = decoder_ready and has_text  # the decoder's views also need a sentence
if not has_text:
    st.info(t("attention.empty", lang, model=entry.name), icon=":material/edit:")
else:
    if not decoder_ready:
        ui_models.ensure_preparation_started()
        st.warning(t("attention.needs_decoder", lang))
    with frame.contained(lang):
        for warning in ui_att.truncation_warnings(text, lang, decoder=entry if decoder_ready else None):
            st.warning(warning)

def mask_step_by_step(config) -> None:
    """Scores, mask, masked scores, softmax of one layer and head, on the student's sentence."""
    a, b = st.columns(2)
    keep_within(S.LAYER_KEY, 0, config.num_hidden_layers - 1)
    keep_within(S.HEAD_KEY, 0, config.num_attention_heads - 1)
    layer = a.slider(t("attention.layer", lang), 0, config.num_hidden_layers - 1, key=S.LAYER_KEY)
    head = b.slider(t("attention.head", lang), 0, config.num_attention_heads - 1, key=S.HEAD_KEY)
    steps = ui_att.decoder_steps(entry, text, layer, head)
    st.caption(" · ".join(ui_att.step_facts(config, steps, lang)))
    shown = {"scores": (steps.scores, "scores"), "mask": (steps.mask, "mask"),
             "masked": (steps.masked_scores, "scores"), "softmax": (steps.weights, "weights")}
    # only the open tab's heatmap is drawn (a click on another reruns the page): one chart for the browser, not four
    tabs = st.tabs([t(f"attention.step.{k}", lang) for k in shown], key=S.STEP_TAB_KEY, on_change="rerun")
    for tab, (step, (matrix, kind)) in zip(tabs, shown.items()):
        if tab.open is not False:
            with tab:
                ui_att.heatmap(matrix, steps.tokens, title=t(f"attention.step.{step}", lang), kind=kind, lang=lang)
    sums = steps.weights.sum(axis=-1)
    diff = fmt_scientific(float(np.abs(steps.weights - steps.model_weights).max()), lang)
    low, high = fmt_float(float(sums.min()), lang, 6), fmt_float(float(sums.max()), lang, 6)
    if low == high:  # as written: "every row sums to 1.000000", not "between 1.000000 and 1.000000"
        st.markdown(t("attention.check", lang, diff=diff, total=low))
    else:
        st.markdown(t("attention.check_range", lang, diff=diff, low=low, high=high))
    if st.toggle(t("attention.unmask", lang), key=S.UNMASK_KEY):
        ui_att.heatmap(steps.unmasked_weights, steps.tokens, title=t("attention.unmasked_title", lang), kind="weights",
                       lang=lang)
        share = A.future_attention_share(steps.unmasked_weights)
        st.warning(t("attention.leak", lang, share=f"{fmt_float(100 * share, lang, 1)} %"))
    shelf.show("attention_steps", AttentionStepsSettings(text, layer, head, A.MAX_ATTENTION_TOKENS,
                                                         family_of(config).family))



# --- 2. attention maps ------------------------------------------------------------------------------
def attention_maps(config) -> None:
    """Any layer and head as a heatmap, every head of a layer, and where one token looks."""
    st.subheader(t("attention.maps.header", lang))
    weights = ui_att.decoder_weights(entry, text)  # (L, H, T, T)
    tokens = ui_att.decoder_run(entry, text).tokens
    a, b = st.columns(2)
    keep_within(S.MAP_LAYER_KEY, 0, config.num_hidden_layers - 1)
    keep_within(S.MAP_HEAD_KEY, 0, config.num_attention_heads - 1)
    map_layer = a.slider(t("attention.layer", lang), 0, config.num_hidden_layers - 1, key=S.MAP_LAYER_KEY)
    map_head = b.slider(t("attention.head", lang), 0, config.num_attention_heads - 1, key=S.MAP_HEAD_KEY)
    ui_att.heatmap(weights[map_layer, map_head], tokens, title=f"{t('attention.layer', lang)} {map_layer}, "
                   f"{t('attention.head', lang).lower()} {map_head}", kind="weights", lang=lang)
    shelf.show("attention_map", AttentionMapSettings(text, map_layer, map_head, A.MAX_ATTENTION_TOKENS))
    # every head at once: drawn when opened (a rerun), not on each visit to the page
    grid = st.expander(t("attention.maps.grid", lang, layer=map_layer), key=S.GRID_OPEN_KEY, on_change="rerun")
    heads = range(config.num_attention_heads)
    per_row = 1 if frame.projector_mode() else GRID_COLUMNS  # projector-size labels need the whole width
    for first in heads[::per_row] if grid.open is not False else ():  # small multiples, each as wide as its column
        for column, h in zip(grid.columns(per_row), heads[first : first + per_row]):
            with column:
                ui_att.heatmap(weights[map_layer, h], tokens, title=t("attention.maps.head_title", lang, head=h),
                               kind="weights", lang=lang)
    labels = A.token_labels(tokens)
    focus = st.selectbox(t("attention.maps.focus", lang), range(len(tokens)), index=len(tokens) - 1,
                         format_func=labels.__getitem__, key=S.FOCUS_KEY)
    vega.show(
        attention_bars(
            weights[map_layer, map_head, focus],
            labels,
            title=t("attention.maps.focus_title", lang, token=labels[focus], layer=map_layer, head=map_head),
            value_title=t("attention.value.weight", lang),
            key_title=t("attention.key", lang),
            language=lang,
            large=frame.projector_mode(),
        ),
        width="stretch",
    )



# --- 3. BERT beside GPT -----------------------------------------------------------------------------
def bert_beside_gpt(config) -> None:
    """The same sentence through the encoder (bidirectional) and the decoder (causal)."""
    st.subheader(t("attention.bert.header", lang))
    bert_tokens, bert_weights = ui_att.encoder_run(entry, text)  # (L, H, T, T)
    a, b = st.columns(2)
    bert_layer = a.slider(t("attention.bert.layer", lang), 0, bert_weights.shape[0] - 1, key=S.BERT_LAYER_KEY)
    bert_head = b.slider(t("attention.bert.head", lang), 0, bert_weights.shape[1] - 1, key=S.BERT_HEAD_KEY)
    # On a projector each heatmap needs the full width to stay readable: one above the other.
    left, right = (st.container(), st.container()) if frame.projector_mode() else st.columns(2)
    with left:
        ui_att.heatmap(bert_weights[bert_layer, bert_head], bert_tokens,
                       title=t("attention.bert.title", lang, layer=bert_layer, head=bert_head),
                       kind="weights", lang=lang)
        share = A.future_attention_share(bert_weights)
        st.metric(t("attention.future_share", lang), f"{fmt_float(100 * share, lang, 1)} %")
    with right:
        if config is not None:
            gpt_layer = min(bert_layer, config.num_hidden_layers - 1)
            gpt_head = min(bert_head, config.num_attention_heads - 1)
            decoder_weights = ui_att.decoder_weights(entry, text)
            ui_att.heatmap(decoder_weights[gpt_layer, gpt_head], ui_att.decoder_run(entry, text).tokens,
                           title=t("attention.gpt.title", lang, model=entry.name, layer=gpt_layer, head=gpt_head),
                           kind="weights", lang=lang)
            share = A.future_attention_share(decoder_weights)
            st.metric(t("attention.future_share", lang), f"{fmt_float(100 * share, lang, 1)} %")
        else:
            st.info(t("attention.needs_decoder", lang))
    if config is not None:
        shelf.show("bert_beside_gpt", BertBesideGptSettings(text, bert_layer, bert_head, gpt_layer, gpt_head,
                                                            A.MAX_ATTENTION_TOKENS))



# --- 4. GPT-2's real shapes, and the decoder we run --------------------------------------------------
def architecture_tables(config) -> None:
    """GPT-2 small's parameters from its config; the facts of the decoder we run, from its own config."""
    st.subheader(t("attention.gpt2.header", lang))
    groups = A.gpt2_small_parameter_breakdown()
    st.dataframe(
        pd.DataFrame(
            {
                t("attention.gpt2.col.name", lang): [g.name for g in groups],
                t("attention.gpt2.col.shape", lang): [A.format_shape(g.shape, lang) for g in groups],
                t("attention.gpt2.col.count", lang): [fmt_int(g.count, lang) for g in groups],
            }
        ),
        hide_index=True,
        width="stretch",
        height=36 * (len(groups) + 1) + 4,  # every row visible: the point is to see them add up
    )
    st.markdown(t("attention.gpt2.total", lang, total=fmt_int(A.gpt2_small_parameter_count(), lang)))
    if config is not None:
        st.subheader(t("attention.decoder.header", lang, model=entry.name))
        n_params = sum(p.numel() for p in ui_models.lm_model(entry).parameters())  # tied: the embedding counted once
        facts = ui_att.decoder_facts(config, n_params, lang)
        st.dataframe(
            pd.DataFrame({t("attention.gemma.col.property", lang): list(facts), t("attention.gemma.col.value", lang): [str(v) for v in facts.values()]}),
            hide_index=True,
            width="stretch",
        )



# --- 5. bertviz, offline ----------------------------------------------------------------------------
def bertviz_views() -> None:
    """bertviz's head view and model view, self-contained so they render with no network."""
    st.subheader(t("attention.bertviz.header", lang))
    from labs.attention import bertviz_html

    a, b = st.columns(2)
    choices = ["bert"] + (["decoder"] if decoder_views else [])
    names = {"bert": ui_att.BERT_NAME, "decoder": entry.name}
    which = a.radio(t("attention.bertviz.model", lang), choices, horizontal=True, key=S.BERTVIZ_MODEL_KEY,
                    format_func=names.__getitem__)
    view = b.radio(t("attention.bertviz.view", lang), ["head", "model"], horizontal=True, key=S.BERTVIZ_VIEW_KEY,
                   format_func=lambda v: t(f"attention.bertviz.{v}_view", lang))
    if which == "bert":
        vz_tokens, vz_weights = ui_att.encoder_run(entry, text)
    else:
        vz_tokens, vz_weights = ui_att.decoder_run(entry, text).tokens, ui_att.decoder_weights(entry, text)
    n = min(len(vz_tokens), BERTVIZ_TOKENS)
    if len(vz_tokens) > n:
        st.caption(t("attention.bertviz.limit", lang, max=BERTVIZ_TOKENS))
    import torch

    attention = tuple(torch.from_numpy(np.ascontiguousarray(vz_weights[i, :, :n, :n]))[None] for i in range(vz_weights.shape[0]))
    shown = [tk.visible(x) for x in vz_tokens[:n]]
    builder = bertviz_html.head_view_html if view == "head" else bertviz_html.model_view_html
    page_html = builder(attention, shown, view_id=f"{which}-{view}")
    # st.iframe (Streamlit's old components html call is deprecated): a srcdoc frame, named for screen readers
    st.iframe(page_html, height=bertviz_html.view_height(view, n, vz_weights.shape[0], vz_weights.shape[1]),
              alt=t("attention.bertviz.frame", lang, view=t(f"attention.bertviz.{view}_view", lang),
                    model=names[which]))
    shelf.show("bertviz", BertvizSettings(text, "bert" if which == "bert" else "gemma", view, BERTVIZ_TOKENS,
                                          A.MAX_ATTENTION_TOKENS))  # the decoder's code loads the picked model



config = ui_models.lm_config(entry) if decoder_ready else None
if decoder_views:
    with frame.contained(lang):
        st.markdown(ui_models.model_line(entry, ui_models.lm_architecture(entry), lang))
        mask_step_by_step(config)
lesson_ui.section(les, "attention-maps")
if decoder_views:
    with frame.contained(lang):
        attention_maps(config)
lesson_ui.section(les, "encoder-vs-decoder")
if has_text:
    with frame.contained(lang):
        bert_beside_gpt(config)
lesson_ui.section(les, "gpt2-architecture")
with frame.contained(lang):
    architecture_tables(config)
lesson_ui.section(les, "bertviz")
if has_text:
    with frame.contained(lang):
        bertviz_views()
lesson_ui.sections(les, "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("attention", lang)
