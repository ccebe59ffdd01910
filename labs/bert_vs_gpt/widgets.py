"""Streamlit glue for the BERT vs GPT page: cached runs on the real models, the masking chips and legend."""

from __future__ import annotations

from html import escape

import altair as alt
import pandas as pd
import streamlit as st

from gptlab.charts import OKABE_ITO, PROJECTOR_FONT, decimal_labels, described, readable
from gptlab.i18n import fmt_percent, t
from gptlab.nn.tokenization import visible
from labs.attention import widgets as ui_att
from labs.bert_vs_gpt import contextual as C
from labs.bert_vs_gpt import masking as M
from ui import models as ui_models
from ui.chips import chip, chips

# Okabe-Ito colours, each with the text colour that reads best on it, and a symbol so colour is never alone.
ACTION_STYLE = {
    "mask": (OKABE_ITO[0], "#FFFFFF", "■"),  # blue
    "random": (OKABE_ITO[1], "#000000", "◆"),  # orange
    "keep": (OKABE_ITO[2], "#000000", "●"),  # bluish green
}



def _chip(tok: M.MaskedToken, lang: str) -> str:
    original = visible(tok.original)
    if tok.special:
        return chip(original, kinds="special", title=f"{tok.position} · {t('bert_vs_gpt.action.special', lang)}")
    if not tok.chosen:
        return chip(original, title=f"{tok.position} · {t('bert_vs_gpt.action.none', lang)}")
    background, colour, symbol = ACTION_STYLE[tok.action]
    title = f"{tok.position} · {t(f'bert_vs_gpt.action.{tok.action}', lang)} · labels = {tok.label}"
    two = (f'<span aria-hidden="true">{symbol}</span><span class="gl-two"><span>{escape(original)}</span>'
           f'<span class="gl-seen">{escape(visible(tok.seen))}</span></span>')
    return chip(html=two, kinds="chosen", title=title, background=background, colour=colour)


def chips_html(result: M.MaskingResult, lang: str) -> str:
    """One chip per WordPiece token; chosen ones show the original above what the model reads."""
    return chips((_chip(tok, lang) for tok in result.tokens), flex=True, label=t("bert_vs_gpt.chips_aria", lang))


def legend_html(lang: str) -> str:
    items = [
        f"<span>{chip(sym, kinds='chosen', background=bg, colour=fg)} {escape(t(f'bert_vs_gpt.action.{action}', lang))}</span>"
        for action, (bg, fg, sym) in ACTION_STYLE.items()
    ]
    items.append(f'<span>{chip("abc")} {escape(t("bert_vs_gpt.action.none", lang))}</span>')
    items.append(f'<span>{chip("[CLS]", kinds="special")} {escape(t("bert_vs_gpt.action.special", lang))}</span>')
    return (f'<div class="gl-chips gl-flex gl-key"><strong>{escape(t("bert_vs_gpt.legend", lang))}:</strong>'
            f'{"".join(items)}</div>')


def shares_chart(checks: tuple[M.ShareCheck, ...], labels: list[str], *, title: str, share_title: str,
                 observed: str, expected: str, band: str, language: str, large: bool = False) -> alt.Chart:
    """One row per rule: a bar for the observed share, a tick for the expected one, a line for its 95 % range.

    Bar, tick and line differ in shape, not only in colour; the table beside it carries the same numbers.
    """
    rows = pd.DataFrame({
        "label": labels,
        "observed": [c.observed for c in checks],
        "expected": [c.expected for c in checks],
        "low": [max(0.0, c.expected - c.margin) for c in checks],
        "high": [min(1.0, c.expected + c.margin) for c in checks],
        "observed_text": [fmt_percent(c.observed, language, 2) for c in checks],
        "expected_text": [fmt_percent(c.expected, language, 0) for c in checks],
        "band_text": [f"{fmt_percent(max(0.0, c.expected - c.margin), language, 2)} – "
                      f"{fmt_percent(min(1.0, c.expected + c.margin), language, 2)}" for c in checks],
    })
    font = PROJECTOR_FONT if large else 13
    y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelFontSize=font, labelLimit=400))
    x_axis = alt.Axis(labelFontSize=font, titleFontSize=font, **decimal_labels(language, "%"))
    tooltip = [alt.Tooltip("label:N", title=" "), alt.Tooltip("observed_text:N", title=observed),
               alt.Tooltip("expected_text:N", title=expected), alt.Tooltip("band_text:N", title=band)]
    base = alt.Chart(rows)
    bars = base.mark_bar(color=OKABE_ITO[0], height=24 if large else 18).encode(
        x=alt.X("observed:Q", title=share_title, scale=alt.Scale(domain=[0, 1]), axis=x_axis), y=y, tooltip=tooltip)
    span = base.mark_rule(color="#000000", strokeWidth=3).encode(x="low:Q", x2="high:Q", y=y, tooltip=tooltip)
    tick = base.mark_tick(color=OKABE_ITO[5], thickness=4, size=34 if large else 28).encode(
        x="expected:Q", y=y, tooltip=tooltip)
    chart = (bars + span + tick).properties(title=alt.TitleParams(title, fontSize=font + 2),
                                            height=alt.Step(56 if large else 42))
    details = t("bert_vs_gpt.shares.a11y", language, observed=observed, expected=expected, band=band, each="; ".join(
        f"{label}: {o} ({expected} {e})" for label, o, e in zip(labels, rows["observed_text"], rows["expected_text"])))
    return readable(described(chart, kind="bars", title=title, details=details, language=language), large)


# --- cached runs on the real models -------------------------------------------------------------------


@st.cache_data(max_entries=ui_models.CLASS_ENTRIES, show_spinner=False)
def tokenized(text: str) -> M.Tokenized:
    return M.tokenize_for_mlm(ui_models.minilm_tokenizer(), text)


@st.cache_data(max_entries=64, show_spinner=False)
def masked(text: str, seed: int, config: M.MaskingConfig) -> M.MaskingResult:
    return M.mask_sentence(ui_models.minilm_tokenizer(), tokenized(text), seed, config)


@st.cache_data(max_entries=16, show_spinner=False)
def draws(text: str, first_seed: int, n: int, config: M.MaskingConfig) -> M.ManyDraws:
    return M.many_draws(ui_models.minilm_tokenizer(), tokenized(text), first_seed, n, config)


def encoder_vectors(text: str) -> C.Vectors:
    encoder, tokenizer = ui_models.minilm_encoder(), ui_models.minilm_tokenizer()
    return ui_models.job("bert_vs_gpt.encoder_vectors", text, lambda: C.encoder_vectors(encoder, tokenizer, text),
                         ui_models.CLASS_ENTRIES)


def decoder_vectors(entry, text: str) -> C.Vectors:
    """The picked decoder's (`entry`) last-layer vectors of the text."""
    return C.decoder_vectors(ui_att.decoder_run(entry, text))  # decoder_run is cached already
