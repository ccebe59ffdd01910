"""BERT vs GPT: BERT's masking on the student's sentence, and the same sentence in an encoder and a decoder."""

import pandas as pd
import streamlit as st

import course
from gptlab import models
from gptlab.i18n import fmt_float, fmt_int, fmt_percent, t
from gptlab.nn import attention as A
from gptlab.nn import tokenization as tk
from gptlab.takeaway.code import BertMaskingSettings, ContextualVectorsSettings, LayerSideBySideSettings
from labs.attention import widgets as ui_att
from labs.bert_vs_gpt import contextual as C
from labs.bert_vs_gpt import masking as M
from labs.bert_vs_gpt import widgets as ui_bvg
from labs.bert_vs_gpt import settings as S
from labs.bert_vs_gpt.settings import DRAW_CHOICES, PAIR_MAX_CHARS
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.params import load_from_url, write_to_url
from ui import vega

lang = frame.language()
entry = ui_models.picked_model()  # the decoder beside BERT: the one picked in the sidebar (Gemma 3 270M by default)
# shareable settings: ?text=...&seed=3&rate=0.3&bert_layer=2; the layers' bounds are the models' depths
PARAMS = S.url_params(lang, ui_models.minilm_config(), ui_models.lm_config(entry))
load_from_url(PARAMS, "bert_vs_gpt", lang)
les = lesson_ui.lesson("bert-vs-gpt", lang)
lesson_ui.header(les)
lesson_ui.sections(les, "intro", "encoder-vs-decoder", "pretraining-objectives", "mlm-demo")
shelf = Shelf("bert-vs-gpt", lang)  # the code of each view, and the lab as a notebook


def percent(x: float, digits: int = 1) -> str:
    return fmt_percent(x, lang, digits)


# --- the sentence, shared by the masking and the attention widgets -----------------------------------------
# No max_chars: a longer paste is cut below with a message, where max_chars would cut it silently.
check = tk.check_text(st.text_input(t("bert_vs_gpt.text", lang), key=S.TEXT_KEY))
text = check.text
has_text = check.problem is None
if not has_text:
    st.info(t("bert_vs_gpt.empty", lang), icon=":material/edit:")
elif check.truncated:
    st.warning(t("bert_vs_gpt.chars_cut", lang, count=fmt_int(check.original_length, lang),
                 max=fmt_int(tk.MAX_INPUT_CHARS, lang)))


# --- 1. BERT's masking -----------------------------------------------------------------------------------
def masking_widget() -> None:
    st.subheader(t("bert_vs_gpt.mlm.header", lang))
    tokenizer = ui_models.minilm_tokenizer()
    a, b = st.columns(2)
    seed = a.number_input(t("bert_vs_gpt.seed", lang), 0, 2**31 - 1, step=1, key=S.SEED_KEY,
                          help=t("bert_vs_gpt.seed_help", lang))
    rate = b.slider(t("bert_vs_gpt.rate", lang), 0.0, 1.0, step=0.01,
                    key=S.RATE_KEY, help=t("bert_vs_gpt.rate_help", lang))
    config = M.MaskingConfig(mlm_probability=float(rate))
    st.caption(t("bert_vs_gpt.vocab_note", lang, vocab=fmt_int(len(tokenizer), lang), mask_id=tokenizer.mask_token_id))
    sentence = ui_bvg.tokenized(text)
    if sentence.truncated:
        st.warning(t("bert_vs_gpt.truncated", lang, count=fmt_int(sentence.full_length, lang), max=M.MAX_BERT_TOKENS,
                     kept=M.MAX_BERT_TOKENS - 1))
    unknown = sentence.pieces.count(tokenizer.unk_token)
    if unknown:
        st.caption(t("bert_vs_gpt.unk_note", lang, n=fmt_int(unknown, lang)))
    if sentence.candidates == 0:
        st.info(t("bert_vs_gpt.only_special", lang, tokens=" ".join(sentence.pieces)), icon=":material/edit:")
        return
    result = ui_bvg.masked(text, int(seed), config)
    n = result.candidates
    m = st.columns(5)
    m[0].metric(t("bert_vs_gpt.m.tokens", lang), fmt_int(len(result.tokens), lang), help=t("bert_vs_gpt.m.tokens_help", lang))
    m[1].metric(t("bert_vs_gpt.m.chosen", lang), t("bert_vs_gpt.m.chosen_value", lang, k=fmt_int(result.chosen, lang), n=fmt_int(n, lang)),
                help=t("bert_vs_gpt.m.chosen_help", lang, n=fmt_int(n, lang), expected=fmt_float(n * config.mlm_probability, lang, 1)))
    for column, action in zip(m[2:], M.ACTIONS):
        column.metric(t(f"bert_vs_gpt.m.{action}", lang), fmt_int(result.count(action), lang))
    if result.chosen == 0:
        st.info(t("bert_vs_gpt.nothing_chosen", lang, n=fmt_int(n, lang), p=fmt_float(config.mlm_probability, lang, 2),
                  none=fmt_float(100 * (1 - config.mlm_probability) ** n, lang, 1)), icon=":material/casino:")
    st.markdown(ui_bvg.chips_html(result, lang), unsafe_allow_html=True)
    st.markdown(ui_bvg.legend_html(lang), unsafe_allow_html=True)
    st.caption(t("bert_vs_gpt.chips_caption", lang))
    with st.expander(t("bert_vs_gpt.table", lang)):
        yes, no = t("bert_vs_gpt.yes", lang), t("bert_vs_gpt.no", lang)
        st.dataframe(
            pd.DataFrame({
                t("bert_vs_gpt.col.position", lang): [tok.position for tok in result.tokens],
                t("bert_vs_gpt.col.token", lang): [tk.visible(tok.original) for tok in result.tokens],
                t("bert_vs_gpt.col.id", lang): [tok.original_id for tok in result.tokens],
                t("bert_vs_gpt.col.chosen", lang): [yes if tok.chosen else no for tok in result.tokens],
                t("bert_vs_gpt.col.action", lang): [
                    t(f"bert_vs_gpt.action.{tok.action or ('special' if tok.special else 'none')}", lang) for tok in result.tokens
                ],
                t("bert_vs_gpt.col.seen", lang): [tk.visible(tok.seen) for tok in result.tokens],
                t("bert_vs_gpt.col.input_id", lang): [tok.input_id for tok in result.tokens],
                t("bert_vs_gpt.col.label", lang): [tok.label for tok in result.tokens],
            }),
            hide_index=True,
            width="stretch",
        )
    st.markdown(t("bert_vs_gpt.rows", lang, ignore=f"`{M.IGNORE_INDEX}`"))
    st.code(f"input_ids = {list(result.input_ids)}\nlabels    = {list(result.labels)}", language="python", wrap_lines=True)
    st.caption(t("bert_vs_gpt.same_as_collator", lang))
    shelf.show("bert_masking", BertMaskingSettings(text, int(seed), config.mlm_probability))
    many_draws_widget(sentence, int(seed), config)


def many_draws_widget(sentence: M.Tokenized, seed: int, config: M.MaskingConfig) -> None:
    st.markdown(f"**{t('bert_vs_gpt.draws.header', lang)}**")
    n = st.select_slider(t("bert_vs_gpt.draws.n", lang), DRAW_CHOICES, key=S.DRAWS_KEY,
                         format_func=lambda x: fmt_int(x, lang))
    report = ui_bvg.draws(text, seed, int(n), config)
    st.caption(t("bert_vs_gpt.draws.caption", lang, first=fmt_int(seed, lang), last=fmt_int(seed + n - 1, lang)))
    per_draw = report.chosen_per_draw
    st.markdown(t("bert_vs_gpt.draws.per_draw", lang, low=min(per_draw), high=max(per_draw),
                  mean=fmt_float(sum(per_draw) / len(per_draw), lang, 2), n=sentence.candidates,
                  p=fmt_float(config.mlm_probability, lang, 2),
                  expected=fmt_float(sentence.candidates * config.mlm_probability, lang, 2)))
    checks = [c for c in report.checks if c.out_of]
    if len(checks) < len(report.checks):
        st.info(t("bert_vs_gpt.draws.none_chosen", lang))
    labels = [t(f"bert_vs_gpt.check.{c.name}", lang) for c in checks]
    chart = ui_bvg.shares_chart(
        tuple(checks), labels, title=t("bert_vs_gpt.draws.title", lang, n=fmt_int(report.draws, lang)),
        share_title=t("bert_vs_gpt.draws.share", lang), observed=t("bert_vs_gpt.draws.col.observed", lang),
        expected=t("bert_vs_gpt.draws.col.expected", lang), band=t("bert_vs_gpt.draws.col.range", lang), language=lang,
        large=frame.projector_mode(),
    )
    vega.show(chart, width="stretch")
    st.caption(t("bert_vs_gpt.draws.chart_key", lang))
    yes, no = t("bert_vs_gpt.yes", lang), t("bert_vs_gpt.no", lang)
    st.dataframe(
        pd.DataFrame({
            t("bert_vs_gpt.draws.col.what", lang): labels,
            t("bert_vs_gpt.draws.col.count", lang): [f"{fmt_int(c.count, lang)} / {fmt_int(c.out_of, lang)}" for c in checks],
            t("bert_vs_gpt.draws.col.observed", lang): [percent(c.observed, 2) for c in checks],
            t("bert_vs_gpt.draws.col.expected", lang): [percent(c.expected, 0) for c in checks],
            t("bert_vs_gpt.draws.col.range", lang): [
                f"{percent(max(0.0, c.expected - c.margin), 2)} – {percent(min(1.0, c.expected + c.margin), 2)}"
                for c in checks
            ],
            t("bert_vs_gpt.draws.col.within", lang): [yes if c.within else no for c in checks],
        }),
        hide_index=True,
        width="stretch",
    )


if has_text:
    with frame.contained(lang):
        masking_widget()

lesson_ui.sections(les, "special-tokens", "attention-compared")


# --- 2. the same sentence in the encoder and the decoder ---------------------------------------------------
def head_mean(weights, layer: int):
    """(L, H, T, T) -> (T, T): one layer's attention averaged over its heads (rows still sum to 1)."""
    return weights[layer].mean(axis=0)


def attention_widget() -> None:
    st.subheader(t("bert_vs_gpt.att.header", lang))
    st.caption(t("bert_vs_gpt.att.caption", lang))
    ready = ui_models.lm_ready(entry)
    if not ready:
        ui_models.ensure_preparation_started()
    for warning in ui_att.truncation_warnings(text, lang, decoder=entry if ready else None):
        st.warning(warning)
    # On a projector each heatmap needs the full width to stay readable: one above the other.
    left, right = (st.container(), st.container()) if frame.projector_mode() else st.columns(2)
    shares = {}
    with left, frame.contained(lang):
        tokens, weights = ui_att.encoder_run(entry, text)  # (L, H, T, T)
        layers, heads = weights.shape[:2]
        layer = st.slider(t("bert_vs_gpt.att.bert_layer", lang), 0, layers - 1, key=S.BERT_LAYER_KEY)
        shown = head_mean(weights, layer)  # (T, T)
        ui_att.heatmap(shown, tokens, title=t("bert_vs_gpt.att.bert_title", lang, layer=layer, heads=heads), kind="weights",
                       lang=lang)
        shares["bert"] = A.future_attention_share(shown)
        st.metric(t("bert_vs_gpt.att.future_layer", lang), percent(shares["bert"]), help=t("bert_vs_gpt.att.future_help", lang))
        st.caption(t("bert_vs_gpt.att.future_all", lang, layers=layers, share=percent(A.future_attention_share(weights))))
    with right, frame.contained(lang):
        if not ready:
            st.info(t("bert_vs_gpt.att.needs_decoder", lang), icon=":material/hourglass_top:")
        else:
            weights = ui_att.decoder_weights(entry, text)  # (L, H, T, T)
            tokens = ui_att.decoder_run(entry, text).tokens
            layers, heads = weights.shape[:2]
            layer = st.slider(t("bert_vs_gpt.att.gpt_layer", lang), 0, layers - 1, key=S.GPT_LAYER_KEY)
            shown = head_mean(weights, layer)  # (T, T)
            ui_att.heatmap(shown, tokens, title=t("bert_vs_gpt.att.gpt_title", lang, layer=layer, heads=heads),
                           kind="weights", lang=lang)
            shares["gpt"] = A.future_attention_share(shown)
            st.metric(t("bert_vs_gpt.att.future_layer", lang), percent(shares["gpt"]), help=t("bert_vs_gpt.att.future_help", lang))
            st.caption(t("bert_vs_gpt.att.future_all", lang, layers=layers, share=percent(A.future_attention_share(weights))))
    if len(shares) == 2:
        st.markdown(t("bert_vs_gpt.att.summary", lang, bert=percent(shares["bert"]), gpt=percent(shares["gpt"])))
        shelf.show("layer_side_by_side", LayerSideBySideSettings(text, int(st.session_state[S.BERT_LAYER_KEY]),
                                                                 int(st.session_state[S.GPT_LAYER_KEY]),
                                                                 A.MAX_ATTENTION_TOKENS))
    st.page_link(course.lesson("attention").page, label=t("bert_vs_gpt.att.link", lang), icon=":material/visibility:")


if has_text:
    with frame.contained(lang):
        attention_widget()


# --- 3. contextual vectors: does the ending reach the beginning? -------------------------------------------
def prefix_table(comparison: C.PrefixComparison) -> None:
    if comparison.identical:
        st.info(t("bert_vs_gpt.emb.same", lang))
        return
    if len(comparison.tokens) <= 1:  # only [CLS] or <bos> in common
        st.info(t("bert_vs_gpt.emb.no_prefix", lang))
        return
    st.dataframe(
        pd.DataFrame({
            t("bert_vs_gpt.emb.col.token", lang): A.token_labels(comparison.tokens),
            t("bert_vs_gpt.emb.col.cosine", lang): [fmt_float(c, lang, 4) for c in comparison.cosines],
        }),
        hide_index=True,
        width="stretch",
    )
    low = fmt_float(comparison.lowest, lang, 4)
    key = "bert_vs_gpt.emb.unchanged" if comparison.lowest > 0.9999 else "bert_vs_gpt.emb.changed"
    st.markdown(t(key, lang, low=low))


def vectors_widget() -> None:
    st.subheader(t("bert_vs_gpt.emb.header", lang))
    st.caption(t("bert_vs_gpt.emb.caption", lang))
    for name in ("a", "b"):
        st.session_state.setdefault(f"bert_vs_gpt.pair_{name}", t(f"bert_vs_gpt.emb.default_{name}", lang))
    a, b = st.columns(2)
    first = tk.check_text(a.text_input(t("bert_vs_gpt.emb.a", lang), key="bert_vs_gpt.pair_a", max_chars=PAIR_MAX_CHARS),
                          PAIR_MAX_CHARS)
    second = tk.check_text(b.text_input(t("bert_vs_gpt.emb.b", lang), key="bert_vs_gpt.pair_b", max_chars=PAIR_MAX_CHARS),
                           PAIR_MAX_CHARS)
    if first.problem or second.problem:
        st.info(t("bert_vs_gpt.emb.empty", lang), icon=":material/edit:")
        return
    ready = ui_models.lm_ready(entry)
    left, right = st.columns(2)
    with left, frame.contained(lang):
        st.markdown(f"**{ui_att.BERT_NAME}**")
        prefix_table(C.compare_shared_prefix(ui_bvg.encoder_vectors(first.text), ui_bvg.encoder_vectors(second.text)))
    with right, frame.contained(lang):
        st.markdown(f"**{entry.name}**")
        if not ready:
            st.info(t("bert_vs_gpt.att.needs_decoder", lang), icon=":material/hourglass_top:")
        else:
            prefix_table(C.compare_shared_prefix(ui_bvg.decoder_vectors(entry, first.text), ui_bvg.decoder_vectors(entry, second.text)))
    if ready:
        shelf.show("contextual_vectors", ContextualVectorsSettings(first.text, second.text, A.MAX_ATTENTION_TOKENS))


with frame.contained(lang):
    vectors_widget()

lesson_ui.sections(les, "task-heads", "variants", "transfer-learning", "choosing", "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("bert-vs-gpt", lang)
