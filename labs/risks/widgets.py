"""Streamlit glue of the risks page: cached calls on the real decoder and the context-window chips."""

from __future__ import annotations

from html import escape
from typing import Sequence

import streamlit as st

from gptlab.i18n import t
from gptlab.nn import confidence as C
from gptlab.nn import generation as G
from labs.risks import bias_probe as B
from labs.risks import context_window as W
from labs.risks import prompt_sensitivity as S
from ui import models as ui_models
from ui.chips import chip, inline_html


# Every probe is one job on the model worker, cached server-wide: a class opening the page with
# the default texts shares one computation, and a student waiting sees their place in the queue.


def bias_rows(template: str, professions: tuple[str, ...], candidates: tuple[str, str]) -> tuple[B.ProbeRow, ...]:
    model, tokenizer = ui_models.decoding_model(), ui_models.gemma_tokenizer()
    return ui_models.job("risks.bias", (template, professions, candidates),
                         lambda: B.probe(model, tokenizer, template, professions, candidates), 32)


def greedy(prompt_ids: tuple[int, ...], max_new_tokens: int) -> tuple[G.Chosen, ...]:
    model = ui_models.decoding_model()
    return ui_models.job("risks.greedy", (prompt_ids, max_new_tokens),
                         lambda: C.greedy_continuation(model, prompt_ids, max_new_tokens), 32)


def continuation(context: tuple[int, ...], tokens: tuple[int, ...]) -> C.ContinuationScore:
    model, pad = ui_models.decoding_model(), ui_models.gemma_tokenizer().pad_token_id or 0
    return ui_models.job("risks.continuation", (context, tokens),
                         lambda: C.score_continuations(model, [context], [tokens], pad_token_id=pad)[0], 32)


def phrasing_scores(phrasings: tuple[str, ...], answer: str) -> tuple[S.PhrasingScore, ...]:
    model, tokenizer = ui_models.decoding_model(), ui_models.gemma_tokenizer()
    return ui_models.job("risks.phrasings", (phrasings, answer),
                         lambda: S.answer_probabilities(model, tokenizer, phrasings, answer), 32)


def window_comparison(ids: tuple[int, ...], answer_ids: tuple[int, ...], size: int) -> W.WindowComparison:
    model, tokenizer = ui_models.decoding_model(), ui_models.gemma_tokenizer()
    return ui_models.job("risks.window", (ids, answer_ids, size),
                         lambda: W.compare(model, ids, answer_ids, size, tokenizer.bos_token_id,
                                           pad_token_id=tokenizer.pad_token_id or 0), 16)


@st.cache_data(max_entries=64, show_spinner=False)
def token_ids(text: str, add_special_tokens: bool = True) -> tuple[int, ...]:
    return tuple(ui_models.gemma_tokenizer()(text, add_special_tokens=add_special_tokens)["input_ids"])


@st.cache_data(max_entries=16, show_spinner=False)
def text_pieces(ids: tuple[int, ...]) -> tuple[str, ...]:
    """Each token's share of the text (characters split over byte tokens stay whole)."""
    return G.pieces(ui_models.gemma_tokenizer(), ids)


def window_html(pieces: Sequence[str], kept: Sequence[bool], special: Sequence[bool], label: str = "") -> str:
    """The whole text token by token: kept tokens on alternating light backgrounds, dropped ones struck through.

    Struck-through grey text says "dropped" without relying on colour. Every piece is escaped (user text).
    The box scrolls: tabindex lets a keyboard reach and scroll it, `label` names it for a screen reader.
    """
    spans = [chip(html=inline_html(piece), kinds=" ".join(["inline", f"in{i % 2}" if keep else "out",
                                                           "special" if is_special else ""]))
             for i, (piece, keep, is_special) in enumerate(zip(pieces, kept, special))]
    return (f'<div class="gl-window" dir="auto" tabindex="0" role="region" aria-label="{escape(label)}">'
            f'{"".join(spans)}</div>')


def window_legend(lang: str) -> str:
    return (f'<div class="gl-legend">{chip(t("risks.ctx.legend.kept", lang), kinds="inline in0")}'
            f'{chip(t("risks.ctx.legend.dropped", lang), kinds="inline out")}</div>')
