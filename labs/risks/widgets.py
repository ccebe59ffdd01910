"""Streamlit glue of the risks page: cached calls on the real decoder and the context-window chips."""

from __future__ import annotations

from html import escape
from typing import Sequence

import streamlit as st

from labs.risks import bias_probe as B
from gptlab.nn import confidence as C
from labs.risks import context_window as W
from gptlab.nn import generation as G
from labs.risks import prompt_sensitivity as S
from gptlab.i18n import t
from ui import frame
from ui import models as ui_models


@st.cache_data(max_entries=32, show_spinner=False)
def bias_rows(template: str, professions: tuple[str, ...], candidates: tuple[str, str]) -> tuple[B.ProbeRow, ...]:
    return B.probe(ui_models.decoding_model(), ui_models.gemma_tokenizer(), template, professions, candidates)


@st.cache_data(max_entries=32, show_spinner=False)
def greedy(prompt_ids: tuple[int, ...], max_new_tokens: int) -> tuple[G.Chosen, ...]:
    return C.greedy_continuation(ui_models.decoding_model(), prompt_ids, max_new_tokens)


@st.cache_data(max_entries=32, show_spinner=False)
def continuation(context: tuple[int, ...], tokens: tuple[int, ...]) -> C.ContinuationScore:
    tokenizer = ui_models.gemma_tokenizer()
    return C.score_continuations(ui_models.decoding_model(), [context], [tokens],
                                 pad_token_id=tokenizer.pad_token_id or 0)[0]


@st.cache_data(max_entries=32, show_spinner=False)
def phrasing_scores(phrasings: tuple[str, ...], answer: str) -> tuple[S.PhrasingScore, ...]:
    return S.answer_probabilities(ui_models.decoding_model(), ui_models.gemma_tokenizer(), phrasings, answer)


@st.cache_data(max_entries=16, show_spinner=False)
def window_comparison(ids: tuple[int, ...], answer_ids: tuple[int, ...], size: int) -> W.WindowComparison:
    tokenizer = ui_models.gemma_tokenizer()
    return W.compare(ui_models.decoding_model(), ids, answer_ids, size, tokenizer.bos_token_id,
                     pad_token_id=tokenizer.pad_token_id or 0)


@st.cache_data(max_entries=64, show_spinner=False)
def token_ids(text: str, add_special_tokens: bool = True) -> tuple[int, ...]:
    return tuple(ui_models.gemma_tokenizer()(text, add_special_tokens=add_special_tokens)["input_ids"])


@st.cache_data(max_entries=16, show_spinner=False)
def text_pieces(ids: tuple[int, ...]) -> tuple[str, ...]:
    """Each token's share of the text (characters split over byte tokens stay whole)."""
    return G.pieces(ui_models.gemma_tokenizer(), ids)


WINDOW_CSS = """
<style>
.gl-window { line-height: 1.9; padding: .4em .6em; border: 1px solid #999; border-radius: .4em; background: #fff;
  color: #000; word-break: break-word; max-height: 26em; overflow-y: auto; }
.gl-window span { border-radius: .2em; padding: .05em 0; white-space: pre-wrap; }
.gl-window .gl-in0 { background: {in0}; }
.gl-window .gl-in1 { background: {in1}; }
.gl-window .gl-out { color: #6b6b6b; background: #EDEDED; text-decoration: line-through; }
.gl-window .gl-special { border: 2px dashed #000; padding: 0 .2em; font-weight: 600; }
.gl-window-legend { font-size: .85em; margin: .3em 0 .8em 0; }
.gl-window-legend span { padding: .1em .4em; margin-right: .3em; border: 1px solid #999; border-radius: .2em; }
</style>
"""


def inject_css() -> None:
    in0, in1 = frame.chip_colours()[:2]  # the lab's chip colours, the projector's ones in projector mode
    st.markdown(WINDOW_CSS.replace("{in0}", in0).replace("{in1}", in1), unsafe_allow_html=True)


def window_html(pieces: Sequence[str], kept: Sequence[bool], special: Sequence[bool]) -> str:
    """The whole text token by token: kept tokens on alternating light backgrounds, dropped ones struck through.

    Struck-through grey text says "dropped" without relying on colour. Every piece is escaped (user text).
    """
    spans = []
    for i, (piece, keep, is_special) in enumerate(zip(pieces, kept, special)):
        cls = f"gl-in{i % 2}" if keep else "gl-out"
        if is_special:
            cls += " gl-special"
        spans.append(f'<span class="{cls}">{escape(piece).replace(chr(10), "↵<br>")}</span>')
    return f'<div class="gl-window" dir="auto">{"".join(spans)}</div>'


def window_legend(lang: str) -> str:
    return (f'<div class="gl-window-legend"><span class="gl-in0" style="background:{frame.chip_colours()[0]}">'
            f'{escape(t("risks.ctx.legend.kept", lang))}</span>'
            f'<span style="color:#6b6b6b;background:#EDEDED;text-decoration:line-through">'
            f'{escape(t("risks.ctx.legend.dropped", lang))}</span></div>')
