"""Risks and good practice: bias, hallucination, prompt sensitivity and the context window, measured on the real Gemma."""


import pandas as pd
import streamlit as st

from gptlab import models
from gptlab.i18n import fmt_float, fmt_int, fmt_percent, t, value
from gptlab.nn import confidence as C
from gptlab.nn import generation as G
from gptlab.nn import tokenization as tk
from gptlab.takeaway.code import (BiasProbeSettings, ContextWindowSettings, HallucinationSettings,
                                  PromptSensitivitySettings)
from labs.decoding import widgets as ui_dec
from labs.risks import bias_probe as B
from labs.risks import context_window as W
from labs.risks import prompt_sensitivity as sens
from labs.risks import settings as S
from labs.risks import widgets as ui_risks
from labs.risks.charts import BiasTitles, bias_chart, phrasing_chart
from labs.risks.settings import HALLUCINATION_TOKENS, MAX_ANSWER_CHARS, MAX_PROMPT_CHARS
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.params import load_from_url, write_to_url
from ui import vega

lang = frame.language()
PARAMS = S.url_params(lang)  # shareable settings: ?template=...&a=he&b=she&window=64
load_from_url(PARAMS, "risks", lang)
les = lesson_ui.lesson("risks", lang)
lesson_ui.header(les)
shelf = Shelf("risks", lang)  # the code of each view, and the lab as a notebook
ready = models.decoder_ready()
if not ready:
    ui_models.ensure_preparation_started()


def percent(p: float) -> str:
    return fmt_percent(p, lang)


def times(ratio: float) -> str:
    return fmt_int(round(ratio), lang) if ratio >= 10 else fmt_float(ratio, lang, 1)


def favourite(score: C.ContinuationScore) -> str:
    token_id, p = score.top_next[0]
    return f"{ui_dec.token_label(token_id)} ({percent(p)})"


def needs_decoder() -> bool:
    if not ready:
        st.warning(t("risks.needs_decoder", lang), icon=":material/hourglass_top:")
    return not ready


def quoted(text: str) -> str:
    """User text inside a Markdown sentence: every Markdown character literal."""
    return frame.markdown_escape(text)


# --- 1. bias probe ----------------------------------------------------------------------------------
def bias_demo() -> None:
    st.subheader(t("risks.bias.header", lang))
    st.caption(t("risks.bias.intro", lang))
    a, b, c = st.columns([4, 1, 1])
    template = a.text_input(t("risks.bias.template", lang), key=S.text_key("bias.template", lang),
                            max_chars=B.MAX_TEMPLATE_CHARS, help=t("risks.bias.template_help", lang))
    candidate_help = t("risks.bias.candidate_help", lang, max=B.MAX_CANDIDATE_CHARS)
    word_a = b.text_input(t("risks.bias.a", lang), key=S.text_key("bias.a", lang),
                          max_chars=B.MAX_CANDIDATE_CHARS, help=candidate_help)
    word_b = c.text_input(t("risks.bias.b", lang), key=S.text_key("bias.b", lang),
                          max_chars=B.MAX_CANDIDATE_CHARS, help=candidate_help)
    listed = st.text_area(t("risks.bias.professions", lang, max=B.MAX_PROFESSIONS), key=S.text_key("bias.professions", lang),
                          value="\n".join(value("risks.bias.default_professions", lang)), height=200, max_chars=2_000)

    check = B.check_template(template)
    professions = B.parse_professions(listed)
    candidates = (B.candidate_word(word_a), B.candidate_word(word_b))
    if check.problem:
        st.info(t(f"risks.bias.problem.{check.problem}", lang, **({"max": B.MAX_TEMPLATE_CHARS}
                                                                  if check.problem == "too_long" else {})),
                icon=":material/edit:")
        return
    if None in candidates or candidates[0] == candidates[1]:
        st.info(t("risks.bias.bad_candidates", lang, max=B.MAX_CANDIDATE_CHARS), icon=":material/edit:")
        return
    if professions.too_long:
        st.warning(t("risks.bias.too_long_items", lang, max=B.MAX_PROFESSION_CHARS,
                     items=", ".join(quoted(x) for x in professions.too_long)))
    if not professions.items:
        st.info(t("risks.bias.no_professions", lang), icon=":material/edit:")
        return
    if professions.too_many:
        st.warning(t("risks.bias.too_many", lang, max=B.MAX_PROFESSIONS))
    if needs_decoder():
        return
    with st.spinner(t("risks.computing", lang)):
        rows = ui_risks.bias_rows(check.template, professions.items, candidates)

    name_a, name_b = candidates[0].strip(), candidates[1].strip()
    ordered = sorted(rows, key=lambda r: r.log2_ratio, reverse=True)

    def likelier(row: B.ProbeRow) -> str:
        ratio = 2 ** abs(row.log2_ratio)
        return f"{name_a if row.log2_ratio >= 0 else name_b} {times(ratio)}×"

    chart_rows = pd.DataFrame({
        "profession": [r.profession for r in ordered],
        "log2_ratio": [r.log2_ratio for r in ordered],
        "preferred": [name_a if r.log2_ratio >= 0 else name_b for r in ordered],
        "ratio": [likelier(r) for r in ordered],
    })
    titles = BiasTitles(title=t("risks.bias.chart_title", lang), axis=t("risks.bias.axis", lang, a=name_a, b=name_b),
                        legend=t("risks.bias.legend", lang), profession=t("risks.bias.col.profession", lang),
                        shown_ratio=t("risks.bias.col.ratio", lang))
    vega.show(bias_chart(chart_rows, candidates=(name_a, name_b), titles=titles, language=lang,
                               large=frame.projector_mode()), width="stretch")
    st.dataframe(pd.DataFrame({
        t("risks.bias.col.profession", lang): [r.profession for r in ordered],
        t("risks.bias.col.p", lang, word=name_a): [percent(r.p_a) for r in ordered],
        t("risks.bias.col.p", lang, word=name_b): [percent(r.p_b) for r in ordered],
        t("risks.bias.col.sum", lang, a=name_a, b=name_b): [percent(r.p_a + r.p_b) for r in ordered],
        t("risks.bias.col.ratio", lang): [likelier(r) for r in ordered],
        t("risks.bias.col.top", lang): [favourite(r.a) for r in ordered],
    }), hide_index=True, width="stretch")
    top, bottom = ordered[0], ordered[-1]
    if top.log2_ratio >= 0 and bottom.log2_ratio < 0:
        st.markdown(t("risks.bias.summary", lang, a=f"“{quoted(name_a)}”", b=f"“{quoted(name_b)}”",
                      top_a=quoted(top.profession), ratio_a=times(2 ** top.log2_ratio),
                      top_b=quoted(bottom.profession), ratio_b=times(2 ** -bottom.log2_ratio)))
    else:
        st.markdown(t("risks.bias.same_side", lang, word=f"“{quoted(name_a if top.log2_ratio >= 0 else name_b)}”"))
    st.markdown(t("risks.bias.framing", lang))
    st.caption(t("risks.bias.grammar_note", lang))
    shelf.show("bias_probe", BiasProbeSettings(check.template, professions.items, candidates))


# --- 2. hallucination ---------------------------------------------------------------------------------
def show_continuation(title: str, prompt: str, ids: tuple[int, ...], chosen: tuple) -> C.ConfidenceSummary | None:
    st.markdown(f"**{title}**")
    tokenizer = ui_models.gemma_tokenizer()
    pieces = G.pieces(tokenizer, [c.token_id for c in chosen], before=ids[-8:])
    st.markdown(ui_dec.generated_box(prompt, pieces, chosen, lang), unsafe_allow_html=True)
    if not chosen:
        st.caption(t("risks.hall.nothing", lang))
        return None
    summary = C.summarize([c.model_prob for c in chosen])
    help_text = t("risks.hall.metric.help", lang)
    st.caption(t("risks.hall.metrics_caption", lang))
    m1, m2, m3 = st.columns(3)
    m1.metric(t("risks.hall.metric.mean", lang), percent(summary.mean), help=help_text)
    m2.metric(t("risks.hall.metric.min", lang), percent(summary.minimum), help=help_text)
    m3.metric(t("risks.hall.metric.first", lang), percent(summary.first), help=help_text)
    if len(chosen) < HALLUCINATION_TOKENS:
        st.caption(t("risks.hall.ended", lang))
    with st.expander(t("risks.table", lang)):
        st.dataframe(pd.DataFrame({
            t("risks.col.step", lang): range(1, len(chosen) + 1),
            t("risks.col.token", lang): [tk.visible(p) for p in pieces],
            t("risks.col.probability", lang): [percent(c.model_prob) for c in chosen],
        }), hide_index=True, width="stretch")
    return summary


def hallucination_demo() -> None:
    st.subheader(t("risks.hall.header", lang))
    st.caption(t("risks.hall.intro", lang, n=HALLUCINATION_TOKENS))
    left, right = st.columns(2)
    invented = left.text_area(t("risks.hall.invented", lang), key=S.text_key("hall.invented", lang), height=100, max_chars=MAX_PROMPT_CHARS)
    control = right.text_area(t("risks.hall.control", lang), value=t("risks.hall.control_default", lang),
                              key=S.text_key("hall.control", lang), height=100, max_chars=MAX_PROMPT_CHARS)
    expected = right.text_input(t("risks.hall.expected", lang), value=t("risks.hall.expected_default", lang),
                                key=S.text_key("hall.expected", lang), max_chars=MAX_ANSWER_CHARS)
    invented, control, expected = invented.rstrip(), control.rstrip(), " ".join(expected.split())
    if not invented.strip() or not control.strip():
        st.info(t("risks.hall.empty", lang), icon=":material/edit:")
        return
    if needs_decoder():
        return
    with st.spinner(t("risks.computing", lang)):
        invented_ids, control_ids = ui_risks.token_ids(invented), ui_risks.token_ids(control)
        invented_run = ui_risks.greedy(invented_ids, HALLUCINATION_TOKENS)
        control_run = ui_risks.greedy(control_ids, HALLUCINATION_TOKENS)
    st.markdown(ui_dec.legend_html(lang), unsafe_allow_html=True)
    left, right = st.columns(2)
    with left:
        invented_summary = show_continuation(t("risks.hall.invented", lang), invented, invented_ids, invented_run)
    with right:
        control_summary = show_continuation(t("risks.hall.control", lang), control, control_ids, control_run)
        if expected:
            answer_ids = ui_risks.token_ids(" " + expected, add_special_tokens=False)
            p = ui_risks.continuation(control_ids, answer_ids).prob
            written = ui_models.gemma_tokenizer().decode([c.token_id for c in control_run])
            key = "risks.hall.expected_found" if expected.lower() in written.lower() else "risks.hall.expected_missing"
            st.markdown(t(key, lang, answer=quoted(expected), p=percent(p)))
    if invented_summary and control_summary:
        key = "risks.hall.verdict_higher" if invented_summary.mean >= control_summary.mean else "risks.hall.verdict_lower"
        st.info(t(key, lang, inv=fmt_float(100 * invented_summary.mean, lang, 0),
                  ctl=fmt_float(100 * control_summary.mean, lang, 0)), icon=":material/psychology_alt:")
    shelf.show("hallucination", HallucinationSettings(invented, control, expected, HALLUCINATION_TOKENS))


# --- 3. prompt sensitivity ------------------------------------------------------------------------------
def sensitivity_demo() -> None:
    st.subheader(t("risks.sens.header", lang))
    st.caption(t("risks.sens.intro", lang))
    typed = st.text_area(t("risks.sens.phrasings", lang, max=sens.MAX_PHRASINGS), value=t("risks.sens.phrasings_default", lang),
                         key=S.text_key("sens.phrasings", lang), height=170, max_chars=2_000,
                         help=t("risks.sens.phrasings_help", lang))
    answer = st.text_input(t("risks.sens.answer", lang), value=t("risks.sens.answer_default", lang),
                           key=S.text_key("sens.answer", lang), max_chars=MAX_ANSWER_CHARS)
    phrasings, answer = sens.parse_phrasings(typed), " ".join(answer.split())
    if phrasings.too_many:
        st.warning(t("risks.sens.too_many", lang, max=sens.MAX_PHRASINGS))
    if phrasings.too_long:
        st.warning(t("risks.sens.too_long", lang, max=sens.MAX_PHRASING_CHARS))
    if not phrasings.items or not answer:
        st.info(t("risks.sens.empty", lang), icon=":material/edit:")
        return
    if needs_decoder():
        return
    with st.spinner(t("risks.computing", lang)):
        scores = ui_risks.phrasing_scores(phrasings.items, answer)
    labels = [f"{i}. {s.phrasing.replace(chr(10), ' ↵ ')}" for i, s in enumerate(scores, 1)]
    probs = [s.answer.prob for s in scores]
    value_title = t("risks.sens.col.p", lang, answer=answer)
    rows = pd.DataFrame({"label": labels, "percent": [100 * p for p in probs], "shown": [percent(p) for p in probs]})
    vega.show(phrasing_chart(rows, title=t("risks.sens.chart_title", lang), value_title=value_title + " (%)",
                                   language=lang, large=frame.projector_mode()), width="stretch")
    st.dataframe(pd.DataFrame({
        t("risks.sens.col.phrasing", lang): labels,
        value_title: [percent(p) for p in probs],
        t("risks.sens.col.top", lang): [favourite(s.answer) for s in scores],
    }), hide_index=True, width="stretch")
    best, worst = max(probs), min(probs)
    if len(probs) > 1 and worst > 0:
        st.markdown(t("risks.sens.summary", lang, ratio=times(best / worst), best=percent(best).removesuffix(" %"),
                      worst=percent(worst).removesuffix(" %")))
    shelf.show("prompt_sensitivity", PromptSensitivitySettings(phrasings.items, answer))


# --- 4. context window ---------------------------------------------------------------------------------
def top_table(score: C.ContinuationScore) -> pd.DataFrame:
    return pd.DataFrame({
        t("risks.col.token", lang): [ui_dec.token_label(i) for i, _ in score.top_next],
        t("risks.col.probability", lang): [percent(p) for _, p in score.top_next],
    })


def context_demo() -> None:
    st.subheader(t("risks.ctx.header", lang))
    st.caption(t("risks.ctx.intro", lang))
    text = st.text_area(t("risks.ctx.text", lang), value=t("risks.ctx.default_text", lang), key=S.text_key("ctx.text", lang), height=220,
                        max_chars=W.MAX_TEXT_CHARS)
    a, b = st.columns([1, 3])
    answer = a.text_input(t("risks.ctx.answer", lang), value=W.DEFAULT_ANSWER, key=S.text_key("ctx.answer", lang),
                          max_chars=MAX_ANSWER_CHARS)
    size = int(b.slider(t("risks.ctx.window", lang), W.MIN_WINDOW, W.MAX_WINDOW, step=8,
                        key=S.WINDOW_KEY, help=t("risks.ctx.window_help", lang, max=fmt_int(W.MAX_WINDOW, lang))))
    check, answer = tk.check_text(text, W.MAX_TEXT_CHARS), " ".join(answer.split())
    if check.problem or not answer:
        st.info(t("risks.ctx.empty", lang), icon=":material/edit:")
        return
    if check.truncated:
        st.warning(t("risks.ctx.chars_cut", lang, count=fmt_int(check.n_chars, lang), max=fmt_int(W.MAX_TEXT_CHARS, lang)))
    if needs_decoder():
        return
    tokenizer = ui_models.gemma_tokenizer()
    ids = ui_risks.token_ids(check.text.rstrip())
    answer_ids = ui_risks.token_ids(" " + answer, add_special_tokens=False)
    if size < len(answer_ids) + 1:
        st.warning(t("risks.ctx.window_small", lang, answer=len(answer_ids), min=len(answer_ids) + 1))
        return
    if len(ids) + len(answer_ids) - 1 > W.MAX_WINDOW:
        st.warning(t("risks.ctx.lab_cut", lang, tokens=fmt_int(len(ids), lang), max=fmt_int(W.MAX_WINDOW, lang)))
        ids = W.fit_window(ids, W.MAX_WINDOW, tokenizer.bos_token_id, len(answer_ids)).ids
    with st.spinner(t("risks.computing", lang)):
        result = ui_risks.window_comparison(ids, answer_ids, size)
        pieces = ui_risks.text_pieces(ids)
    window = result.window
    if window.dropped:
        st.markdown(t("risks.ctx.counts", lang, total=fmt_int(len(ids), lang), window=fmt_int(size, lang),
                      kept=fmt_int(len(window.ids), lang), dropped=fmt_int(window.dropped, lang)))
    else:
        st.markdown(t("risks.ctx.fits", lang, total=fmt_int(len(ids), lang), window=fmt_int(size, lang)))
    st.markdown(f"**{t('risks.ctx.chips_label', lang)}**")
    st.markdown(ui_risks.window_legend(lang), unsafe_allow_html=True)
    special = set(tokenizer.all_special_ids)
    st.markdown(ui_risks.window_html(pieces, window.kept, [i in special for i in ids],
                                    label=t('risks.ctx.chips_label', lang)), unsafe_allow_html=True)
    with st.expander(t("risks.ctx.reads", lang)):
        st.text(tokenizer.decode(list(window.ids)))
    if len(answer_ids) > 1:
        st.caption(t("risks.ctx.multi_token", lang, answer=quoted(answer), n=len(answer_ids)))
    m1, m2 = st.columns(2)
    m1.metric(t("risks.ctx.metric.full", lang, answer=quoted(answer)), percent(result.full.prob))
    m2.metric(t("risks.ctx.metric.cut", lang, answer=quoted(answer), window=fmt_int(size, lang)), percent(result.cut.prob))
    t1, t2 = st.columns(2)
    t1.markdown(f"**{t('risks.ctx.top.full', lang)}**")
    t1.dataframe(top_table(result.full), hide_index=True, width="stretch")
    t2.markdown(f"**{t('risks.ctx.top.cut', lang, window=fmt_int(size, lang))}**")
    t2.dataframe(top_table(result.cut), hide_index=True, width="stretch")
    full, cut = percent(result.full.prob).removesuffix(" %"), percent(result.cut.prob).removesuffix(" %")
    if not window.dropped:
        st.info(t("risks.ctx.kept_all", lang), icon=":material/info:")
    elif result.cut.prob < result.full.prob / 10:
        place = W.answer_place(pieces, window.kept, answer)  # say what happened to the fact, wherever it was
        st.info(t(f"risks.ctx.lost.{place}", lang, answer=quoted(answer), full=full, cut=cut,
                  dropped=fmt_int(window.dropped, lang)), icon=":material/content_cut:")
    else:
        st.info(t("risks.ctx.changed", lang, window=fmt_int(size, lang), full=full, cut=cut), icon=":material/info:")
    shelf.show("context_window", ContextWindowSettings(check.text.rstrip(), answer, size))


lesson_ui.sections(les, "intro", "overfitting", "bias")
with frame.contained(lang):
    bias_demo()
lesson_ui.section(les, "hallucination")
with frame.contained(lang):
    hallucination_demo()
lesson_ui.section(les, "prompt-sensitivity")
with frame.contained(lang):
    sensitivity_demo()
lesson_ui.section(les, "context-window")
with frame.contained(lang):
    context_demo()
lesson_ui.sections(les, "misuse", "evaluation", "safety-filters", "efficiency", "good-practice", "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("risks", lang)
