"""Streamlit glue of the decoding lab: cached model calls, the shaded-token text, streamed generation."""

from __future__ import annotations

import threading
import time
import weakref
from bisect import bisect_right
from dataclasses import dataclass, replace
from html import escape
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check
import torch

from gptlab.i18n import fmt_float, fmt_floats, fmt_int, fmt_percent, t
from gptlab.models.catalog import GEMMA_KEY
from gptlab.models.worker import Redraws
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.nn.tokenization import visible
from labs.decoding.repetition import repetition_stats
from labs.decoding import settings as S
from labs.decoding.settings import SHOWN, STEP_CHOICES
from ui import models as ui_models
from ui import vega
from ui.chips import chip, inline_html
from ui.tables import arrow_table

# Probability bins of a chosen token, and their background: ColorBrewer "Oranges" (a single hue
# that varies in lightness, so it reads the same with colour-vision deficiencies). Unlikely tokens
# are the darkest: they are the surprising choices worth a look.
PROBABILITY_BINS = (0.05, 0.20, 0.50, 0.80)  # upper bounds of the first four bins
BIN_COLOURS = ("#A63603", "#E6550D", "#FDAE6B", "#FEE6CE", "#FFFFFF")
BIN_TEXT = ("#FFFFFF", "#000000", "#000000", "#000000", "#000000")


def bin_of(p: float) -> int:
    """The bin of probability p: bisect, not numpy (called for every token of every row at every step, and a
    numpy call on a tuple builds an array each time: 44 % of a class's page threads while generating)."""
    return bisect_right(PROBABILITY_BINS, p)


def model_entry(model: str):
    """The catalog entry of a model key (gptlab.models.catalog); Gemma's when the key is Gemma's."""
    from gptlab.models import catalog

    return catalog.find(model) or catalog.find(catalog.GEMMA_KEY)


@st.cache_data(max_entries=64, show_spinner=False)
def next_logits(ids: tuple[int, ...], model: str = GEMMA_KEY) -> np.ndarray:
    """(V,) float32 logits of the token after `ids` for the model `model` (cached: the sliders only reshape them).

    Asked of the model's worker: with Gemma, requests that arrive together share one pass over the weights."""
    return ui_models.lm_worker(model_entry(model)).next_token_logits(ids).numpy()


VIEW_CANDIDATES = max(SHOWN, STEP_CHOICES)  # one view serves the chart and the step-by-step choices


@st.cache_data(max_entries=1024, show_spinner=False)
def _widest_view(ids: tuple[int, ...], strategy: D.Strategy, model: str) -> D.NextTokenView:
    return D.next_token_view(torch.from_numpy(next_logits(ids, model)), strategy, shown=VIEW_CANDIDATES)


def token_view(ids: tuple[int, ...], strategy: D.Strategy, shown: int, model: str = GEMMA_KEY) -> D.NextTokenView:
    """The next-token distribution's numbers for these tokens and settings: next_token_view(logits, strategy,
    shown) (gptlab.nn.decoding).

    Kept (st.cache_data): every button of the lab reruns the whole page, and a class pressing Generate
    together recomputed every student's distribution (passes over 262,144 probabilities) before a first
    token. The chart's view and the step-by-step's (fewer candidates, the same prompt at first) are one:
    the candidates are the most likely tokens in order, so fewer of them are the first ones."""
    if shown > VIEW_CANDIDATES:
        return D.next_token_view(torch.from_numpy(next_logits(ids, model)), strategy, shown=shown)
    view = _widest_view(ids, strategy, model)
    first = view.candidates[:shown]
    mass = float(torch.tensor([c.model_prob for c in first], dtype=torch.float32).sum())  # as next_token_view sums them
    return replace(view, candidates=first, shown_model_mass=mass)


@st.cache_data(max_entries=1024, show_spinner=False)
def distribution_figure(ids: tuple[int, ...], strategy: D.Strategy, shown: int, lang: str, large: bool,
                        model: str = GEMMA_KEY) -> tuple[pa.Table, dict]:
    """The distribution widget's table (its chart's text alternative, in `lang`) and its chart, both ready to send."""
    from labs.decoding.charts import DistributionTitles, next_token_chart

    view = token_view(ids, strategy, shown, model)
    rows = pd.DataFrame(
        {
            "rank": range(1, len(view.candidates) + 1),
            "label": [f"{i}. {label}" for i, label in enumerate(token_labels([c.token_id for c in view.candidates], model), 1)],
            "model": [c.model_prob for c in view.candidates],
            "strategy": [c.strategy_prob for c in view.candidates],
            "cumulative": [c.cumulative for c in view.candidates],
            "kept": [c.kept for c in view.candidates],
        }
    )
    titles = DistributionTitles(
        title=t("decoding.chart.title", lang, n=len(view.candidates)),
        token=t("decoding.col.token", lang),
        probability=t("decoding.col.probability", lang),
        model=t("decoding.series.model", lang),
        strategy=t("decoding.series.strategy", lang),
        cumulative=t("decoding.series.cumulative", lang),
        cut=t("decoding.cut", lang),
        top_p_rule=f"top-p = {fmt_float(strategy.top_p, lang, 2)}",
    )
    show_rule = strategy.top_p < 1.0 and not strategy.is_greedy
    chart = next_token_chart(rows, titles=titles, language=lang, top_p=strategy.top_p if show_rule else None, large=large)
    table = arrow_table({
        t("decoding.col.token", lang): rows["label"],
        t("decoding.series.model", lang): [fmt_percent(share, lang, 2) for share in rows["model"]],
        t("decoding.series.strategy", lang): [fmt_percent(share, lang, 2) for share in rows["strategy"]],
        t("decoding.series.cumulative", lang): [fmt_percent(share, lang, 2) for share in rows["cumulative"]],
        t("decoding.col.kept", lang): [t("decoding.kept", lang) if k else t("decoding.cut", lang) for k in rows["kept"]],
    })
    return table, vega.packed(chart)


@st.cache_data(max_entries=256, show_spinner=False)
def draws_figure(ids: tuple[int, ...], strategy: D.Strategy, n: int, seed: int, lang: str, large: bool,
                 model: str = GEMMA_KEY) -> tuple[pa.Table, int, float, dict]:
    """Many draws: the table of the ten likeliest tokens' counts, drawn and expected shares (and the rest's; the
    chart's text alternative, in `lang`), how many distinct tokens came out, the largest gap between a drawn
    and an expected share, and the chart, ready to send."""
    from labs.decoding.charts import draws_chart

    logits = torch.from_numpy(next_logits(ids, model))
    probs = D.probabilities(logits, strategy)  # (V,)
    counts = D.draw_many(probs, n, seed)  # (V,)
    top = torch.topk(probs, min(10, int((probs > 0).sum()))).indices.tolist()
    drawn_top = [int(counts[i]) for i in top]
    other_drawn = n - sum(drawn_top)
    other_p = max(0.0, 1.0 - float(probs[top].sum()))
    labels = [f"{rank}. {label}" for rank, label in enumerate(token_labels(top, model), 1)]  # byte tokens may look alike
    rows = pd.DataFrame({"label": labels, "drawn": [c / n for c in drawn_top], "expected": [float(probs[i]) for i in top]})
    if other_p > 1e-6 or other_drawn:
        rows.loc[len(rows)] = [t("decoding.draws.other", lang), other_drawn / n, other_p]
    chart = draws_chart(rows, title=t("decoding.draws.title", lang, n=fmt_int(n, lang)),
                        token_title=t("decoding.col.token", lang), share_title=t("decoding.draws.share", lang),
                        drawn=t("decoding.draws.drawn", lang), expected=t("decoding.draws.expected", lang),
                        language=lang, large=large)
    table = arrow_table({
        t("decoding.col.token", lang): rows["label"],
        t("decoding.draws.count", lang): [fmt_int(round(d * n), lang) for d in rows["drawn"]],
        t("decoding.draws.drawn", lang): [fmt_percent(share, lang, 1) for share in rows["drawn"]],
        t("decoding.draws.expected", lang): [fmt_percent(share, lang, 1) for share in rows["expected"]],
    })
    gap = float((rows["drawn"] - rows["expected"]).abs().max())
    return table, int((counts > 0).sum()), gap, vega.packed(chart)


def token_label(token_id: int, model: str = GEMMA_KEY) -> str:
    """A token as the charts show it: its text with spaces and newlines made visible."""
    return token_labels((token_id,), model)[0]


# Labels kept per tokenizer, as long as the tokenizer lives (st.cache_data hashed and pickled every call, more
# work than the decoding; a page asks for about forty a run). At most one entry per vocabulary token.
_LABELS: "weakref.WeakKeyDictionary[object, dict[int, str]]" = weakref.WeakKeyDictionary()
_LABELS_LOCK = threading.Lock()


def token_labels(token_ids: Sequence[int], model: str = GEMMA_KEY) -> list[str]:
    """token_label of each token, the model's tokenizer looked up once."""
    tokenizer = ui_models.lm_tokenizer(model_entry(model))
    with _LABELS_LOCK:
        kept = _LABELS.setdefault(tokenizer, {})
    labels = []
    for token_id in map(int, token_ids):
        label = kept.get(token_id)
        if label is None:
            text = tokenizer.decode([token_id])
            label = kept[token_id] = visible(text) if text else f"⟨{token_id}⟩"
        labels.append(label)
    return labels


def strategy_name(strategy: D.Strategy, lang: str) -> str:
    """e.g. "T 0,7 · top-k 50 · top-p 0,9", or "greedy" / "beam search, 4 beams"."""
    if strategy.is_beam:
        return t("decoding.name.beam", lang, beams=strategy.num_beams)
    if strategy.is_greedy:
        return t("decoding.name.greedy", lang)
    parts = [f"T {fmt_float(strategy.temperature, lang, 2)}"]
    if strategy.top_k:
        parts.append(f"top-k {strategy.top_k}")
    if strategy.top_p < 1.0:
        parts.append(f"top-p {fmt_float(strategy.top_p, lang, 2)}")
    return " · ".join(parts)


def shaded_tokens(pieces: Sequence[str], chosen: Sequence[G.Chosen], lang: str) -> str:
    """Generated text, each token's background shaded by the probability the model gave it.

    Every token text is escaped: it is model output, which may well contain markup.
    """
    spans = []
    # fmt_floats: the same strings as fmt_float, formatted for the whole row at once (a class redraws 40 pages of
    # seven rows at every step, and Babel's one-number formatting was a third of those pages' Python time)
    model = fmt_floats([100 * c.model_prob for c in chosen], lang, 1)
    strategy = fmt_floats([100 * c.strategy_prob for c in chosen], lang, 1)
    for piece, c, model_text, strategy_text in zip(pieces, chosen, model, strategy):
        b = bin_of(c.model_prob)
        title = t("decoding.token_title", lang, model=model_text, strategy=strategy_text)
        spans.append(chip(html=inline_html(piece), kinds="inline", title=title, background=BIN_COLOURS[b],
                          colour=BIN_TEXT[b]))
    return "".join(spans)


def legend_html(lang: str) -> str:
    edges = (0.0, *PROBABILITY_BINS, 1.0)
    items = []
    for b in range(len(BIN_COLOURS)):
        low, high = (fmt_float(100 * edges[b], lang, 0), fmt_float(100 * edges[b + 1], lang, 0))
        items.append(chip(f"{low}–{high} %", kinds="inline", background=BIN_COLOURS[b], colour=BIN_TEXT[b]))
    return f'<div class="gl-legend">{escape(t("decoding.legend", lang))} {" ".join(items)}</div>'




def generated_box(prompt_text: str, pieces: Sequence[str], chosen: Sequence[G.Chosen], lang: str) -> str:
    return (
        f'<div class="gl-gen" dir="auto"><span class="gl-prompt">{escape(prompt_text)}</span>'
        f"{shaded_tokens(pieces, chosen, lang)}</div>"
    )


def probabilities_table(pieces: Sequence[str], chosen: Sequence[G.Chosen], lang: str) -> pa.Table:
    """The text alternative of a shaded text: each token with its two probabilities."""
    return arrow_table(
        {
            t("decoding.col.step", lang): range(1, len(chosen) + 1),
            t("decoding.col.token", lang): [visible(p) for p in pieces],
            t("decoding.col.model_p", lang): [p + " %" for p in fmt_floats([100 * c.model_prob for c in chosen], lang, 2)],
            t("decoding.col.strategy_p", lang): [p + " %" for p in fmt_floats([100 * c.strategy_prob for c in chosen], lang, 2)],
        }
    )


def repetition_row(name: str, tokens: Sequence[int], lang: str, tokenizer) -> dict[str, str]:
    stats = repetition_stats(tokens, n=3)

    def share(x: float | None) -> str:
        return "—" if x is None else fmt_float(x, lang, 2)

    most = ""
    if stats.most_repeated:
        gram, count = stats.most_repeated[0]
        most = f"“{visible(tokenizer.decode(list(gram)))}” × {count}"
    return {
        t("decoding.col.strategy", lang): name,
        "distinct-1": share(stats.distinct_1),
        "distinct-2": share(stats.distinct_2),
        t("decoding.col.repeated", lang): f"{stats.repeated} / {stats.total}",
        t("decoding.col.most_repeated", lang): most,
    }


@dataclass(frozen=True)
class RunRequest:
    """What a streamed generation was asked to do."""

    prompt_ids: tuple[int, ...]
    strategies: tuple[D.Strategy, ...]
    names: tuple[str, ...]  # how the page labels each strategy
    max_new_tokens: int
    seed: int
    model: str = GEMMA_KEY  # the catalog key of the model that ran it (gptlab.models.catalog)


class PieceCache:
    """Each row's token texts, extended by one piece per step instead of decoded again from scratch.

    Beam search may replace a row's tokens: then only the part after the common start is redone.
    """

    def __init__(self, tokenizer, prompt_ids: Sequence[int]) -> None:
        self.tokenizer = tokenizer
        self.tail = tuple(prompt_ids[-8:])  # enough context for the first token's leading space
        self.rows: dict[int, tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def pieces(self, row: int, ids: Sequence[int]) -> tuple[str, ...]:
        ids = tuple(ids)
        old_ids, old_pieces = self.rows.get(row, ((), ()))
        if ids == old_ids:  # drawn again unchanged (a page run after the generation, the token tables)
            return old_pieces
        keep = 0
        while keep < min(len(ids), len(old_ids)) and ids[keep] == old_ids[keep]:
            keep += 1
        keep = max(0, keep - 2)  # redo the last two: a character may span them
        before = (self.tail + ids[:keep])[-16:]
        new = old_pieces[:keep] + G.pieces(self.tokenizer, ids[keep:], before=before)
        self.rows[row] = (ids, new)
        return new


def piece_cache(key: str, tokenizer, prompt_ids: Sequence[int]) -> PieceCache:
    """The widget's PieceCache for this tokenizer and prompt, kept in the session: every page run after a
    generation draws its texts and their token tables again, and a new cache decoded every token of every row
    again for each (280 tokenizer calls a page run for the side by side, 40 pages at once when a class ends)."""
    kept = st.session_state.setdefault(S.PIECES_KEY, {})  # {key: (weak reference to the tokenizer, tail, rows)}
    cache = PieceCache(tokenizer, prompt_ids)
    found = kept.get(key)
    if found is not None and found[0]() is tokenizer and found[1] == cache.tail:
        cache.rows = found[2]  # filled in place by cache.pieces
    else:  # (weakly: a tokenizer the server's cache let go is not kept alive by a session)
        kept[key] = (weakref.ref(tokenizer), cache.tail, cache.rows)
    return cache


def _submit(request: RunRequest, stop_ids: tuple[int, ...]):
    return ui_models.lm_worker(model_entry(request.model)).generate(
        request.prompt_ids, request.strategies, max_new_tokens=request.max_new_tokens, seed=request.seed,
        stop_token_ids=stop_ids)


def start_early(key: str, request: RunRequest, stop_ids: tuple[int, ...]) -> None:
    """Hand a streamed widget's request to the model worker at the top of the run its button started.

    Pressing Generate reruns the whole page, and the widget sits below every other one: each page
    redrew the lesson and the widgets above before its request reached the worker, so a class
    pressing together joined the batch seconds apart and everyone waited for the last. The request
    is built from the values the widget reads later (the page builds it with the same function), and
    `stream` takes the running generation instead of starting another. If the run never gets there,
    the next run cancels it (ui.models.cancel_early_generations, called by the router).
    """
    ui_models.keep_early(key, request, _submit(request, stop_ids))


def stream(key: str, request: RunRequest, stop_ids: tuple[int, ...], draw, lang: str) -> None:
    """Generate on the model worker, saving the state in the session after every step and calling
    `draw(state)`; while the server is full the student sees their place in line.

    The worker runs this generation in one batch with every other session's (a class pressing
    Generate together shares each pass over the weights). If the user presses Stop (or changes
    anything), Streamlit interrupts this run at its next call into Streamlit; leaving the loop
    withdraws the request from the batch at once, and the steps done so far are already saved, so
    the next run shows them as stopped.
    """
    st.session_state[key] = {"request": request, "state": None, "complete": False}
    handle = ui_models.take_early(key, request) or _submit(request, stop_ids)
    notice = None
    redraws = Redraws()  # in a class, fewer drawings: the cores go to the steps (see Redraws)
    yield_check = get_run_yield_check()
    undrawn = None  # the newest state, while it is not drawn
    try:
        for item in handle.states(timeout=ui_models.POLL_S):
            if not isinstance(item, G.GenerationState):  # still waiting for room in the batch
                if not item.running:
                    notice = notice or st.empty()
                    notice.info(t("models.queue.waiting", lang, ahead=fmt_int(item.ahead + 1, lang),
                                  seconds=fmt_int(max(1, round(item.estimate_s)), lang)), icon=":material/groups:")
                continue
            if notice is not None:
                notice.empty()
                notice = None
            st.session_state[key] = {"request": request, "state": item, "complete": item.done}
            undrawn = item
            if redraws.due(item, handle.sharing(), time.monotonic()):
                draw(item)
                undrawn = None
            elif yield_check is not None:  # not drawn: Stop, or anything else the student presses, still ends the run now
                yield_check()
    except Exception:
        if undrawn is not None:  # the worker failed after a state this page had not drawn yet: the text shown is the kept one
            draw(undrawn)
        raise
    st.session_state[key]["complete"] = True


def saved(key: str) -> dict | None:
    """The last run of this widget, whatever it was asked (the page says when settings changed since)."""
    entry = st.session_state.get(key)
    if entry and entry["state"] is not None:
        return entry
    return None


def sample_once(ids: tuple[int, ...], strategy: D.Strategy, seed: int, model: str = GEMMA_KEY) -> int:
    """The sampler's pick after `ids` (greedy when T = 0); the seed makes it reproducible."""
    logits = torch.from_numpy(next_logits(ids, model))[None]  # (1, V)
    generator = torch.Generator().manual_seed(seed)
    if strategy.is_beam:
        strategy = D.GREEDY
    return int(D.choose(logits, strategy, generator)[0])

