"""The journey lab's Streamlit code: its cached computations (run on the picked model's worker) and its views.

The model's pass and the blocks recomputed at the followed position run on the float32 decoder (the
attention lab's: the check against output_hidden_states is then exact to float rounding). For Gemma the lens reads it with the bfloat16
unembedding the decoding lab holds (the same numbers: the float32 weights are the bfloat16 ones, widened);
a Hub model (GPT-2) is held in float32 only, and its lens reads that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from gptlab.i18n import fmt_float, fmt_int, fmt_percent, fmt_scientific, t
from gptlab.models import _hf
from gptlab.models.catalog import Architecture
from gptlab.nn import generation as G
from gptlab.nn.architecture import family_of
from gptlab.nn import journey as J
from gptlab.nn import tokenization as tk
from labs.journey import charts as C
from labs.journey import settings as S
from ui import chips as ui_chips
from ui import frame
from ui import models as ui_models
from ui import vega

CHECK_TOLERANCE = 1e-4  # relative difference under which the recomputed stream "is" the model's own
TIP_TOP_K = 5  # most likely tokens in a heatmap cell's tooltip


@dataclass(frozen=True)
class Prompt:
    """The ids the lab follows, their pieces of text, and how many tokens of the text were left out."""

    ids: tuple[int, ...]
    pieces: tuple[str, ...]
    dropped: int


def _unembedding(entry):
    """(V, d) the output layer, tied to the embedding: Gemma's bfloat16 copy (the decoding lab's), a Hub model's float32."""
    if entry.is_gemma:
        return ui_models.decoding_model().lm_head.weight.detach()
    model = ui_models.lm_model(entry)
    return family_of(model).unembedding(model)


@st.cache_data(max_entries=ui_models.CLASS_ENTRIES, show_spinner=False)
def _prompt(key: str, local_path: str | None, text: str) -> Prompt:
    from gptlab.models import catalog

    tokenizer = ui_models.lm_tokenizer(catalog.find(key))
    fitted = J.prompt_ids(tokenizer, text)
    return Prompt(fitted.ids, tuple(G.pieces(tokenizer, fitted.ids)), fitted.dropped)


def prompt(entry, text: str) -> Prompt:
    """The ids the lab follows in the picked model's vocabulary (Gemma: <bos> first; GPT-2 adds none)."""
    return _prompt(entry.key, entry.local_path, text)


def trace(entry, text: str, quiet: bool = False) -> J.Trace:
    """The model's pass over the text with its hidden states: one job on the model's worker, shared
    server-wide by everyone who asks for the same prompt on the same model."""
    model, ids = ui_models.lm_model(entry), prompt(entry, text).ids
    # A class's worth of traces (about 6 MB each for 64 tokens): with 16, a class opening the lab evicted each
    # other's before their next rerun read them, as the attention lab's passes were (ui/models.py CLASS_ENTRIES).
    return ui_models.lm_job(entry, "journey.trace", ids, lambda: J.trace(model, ids), ui_models.CLASS_ENTRIES,
                            quiet=quiet)


def blocks(entry, text: str, position: int) -> J.Blocks:
    """Every block recomputed from the weights at the followed position, and checked (one job)."""
    model, tr, ids = ui_models.lm_model(entry), trace(entry, text), prompt(entry, text).ids
    return ui_models.lm_job(entry, "journey.blocks", (ids, position), lambda: J.blocks(model, tr, position), 64)


def position_lens(entry, text: str, position: int, quiet: bool = False, first: int | None = None) -> J.PositionLens:
    """The lens down one position: read from the heatmap's window from `first` when the window holds it
    (no second pass over the vocabulary), else its own job."""
    if first is not None:
        grid = grid_lens(entry, text, first, quiet)
        if grid.holds(position):
            return grid.at(position)
    tr, unembedding, ids = trace(entry, text, quiet), _unembedding(entry), prompt(entry, text).ids
    return ui_models.lm_job(entry, "journey.position_lens", (ids, position),
                            lambda: J.position_lens(tr, unembedding, position), 64, quiet=quiet)


def grid_lens(entry, text: str, first: int, quiet: bool = False) -> J.GridLens:
    """The heatmap's lens over the window from `first` (one job)."""
    tr, unembedding, ids = trace(entry, text, quiet), _unembedding(entry), prompt(entry, text).ids
    return ui_models.lm_job(entry, "journey.grid", (ids, first), lambda: J.grid_lens(tr, unembedding, first=first),
                            64, quiet=quiet)


@st.cache_data(max_entries=4096, show_spinner=False)
def _piece(key: str, local_path: str | None, token_id: int) -> str:
    from gptlab.models import catalog

    return tk.visible(ui_models.lm_tokenizer(catalog.find(key)).decode([int(token_id)]))


def piece(entry, token_id: int) -> str:
    """A predicted token as text, its spaces and line breaks visible."""
    return _piece(entry.key, entry.local_path, int(token_id))


def labels(p: Prompt) -> list[str]:
    """'3 ␣gato': position first, so repeated tokens stay distinct and axes keep their order."""
    return [f"{i} {tk.visible(x)}" for i, x in enumerate(p.pieces)]


def table(rows: dict, height_rows: int | None = None) -> None:
    frame_ = pd.DataFrame(rows)
    height = 36 * (height_rows + 1) + 4 if height_rows is not None else "auto"
    st.dataframe(frame_, hide_index=True, width="stretch", height=height)


# --- 1. into numbers -----------------------------------------------------------------------------------------

def into_numbers(entry, text: str, lang: str) -> None:
    p, tr = prompt(entry, text), trace(entry, text)
    large = frame.projector_mode()
    specials = set(ui_models.lm_tokenizer(entry).all_special_ids)  # Gemma's <bos>; GPT-2 adds none
    items = [ui_chips.chip(tk.visible(x), kinds="special" if tid in specials else "", background=ui_chips.palette(i),
                           title=f"id {tid}") for i, (x, tid) in enumerate(zip(p.pieces, p.ids))]
    st.html(ui_chips.chips(items, label=t("journey.tokens", lang)))
    st.caption(t("journey.ids", lang, ids=", ".join(str(i) for i in p.ids)))
    shape = Architecture.of(ui_models.lm_config(entry))
    d = shape.d_model
    if tr.position_head is None:  # rotary (Gemma): the row is scaled, nothing is added for position
        st.markdown(t("journey.scale", lang, d=fmt_int(d, lang), scale=fmt_float(tr.embed_scale, lang, 4),
                      sqrt=fmt_float(d ** 0.5, lang, 4)))
    else:  # learned positions (GPT-2): row t of the position table is added to the token at position t
        st.markdown(t("journey.learned_positions", lang, model=entry.name, rows=fmt_int(shape.context, lang),
                      d=fmt_int(d, lang), T=fmt_int(len(p.ids), lang)))
    vega.show(C.embedding_strip(tr.embedding_head, labels(p), title=t("journey.strip.title", lang, n=tr.embedding_head.shape[1], d=d),
                                      dim_title=t("journey.strip.dim", lang), value_title=t("journey.strip.value", lang),
                                      language=lang, large=large), width="stretch")
    if tr.position_head is not None:
        vega.show(C.embedding_strip(tr.position_head, labels(p),
                                          title=t("journey.strip.positions_title", lang, n=tr.position_head.shape[1], d=d),
                                          dim_title=t("journey.strip.dim", lang), value_title=t("journey.strip.value", lang),
                                          language=lang, large=large), width="stretch")
    with st.expander(t("journey.strip.table", lang)):
        shown = min(8, tr.embedding_head.shape[1])
        rows = {
            t("journey.col.token", lang): labels(p),
            "id": [str(i) for i in p.ids],
            t("journey.col.first_dims", lang, n=shown): [
                " ".join(fmt_float(float(v), lang, 3) for v in row[:shown]) for row in tr.embedding_head],
            t("journey.col.norm", lang): [fmt_float(float(v), lang, 3) for v in tr.embedding_norms],
        }
        if tr.position_head is None:
            rows[t("journey.col.scaled_norm", lang)] = [fmt_float(float(v), lang, 2) for v in tr.x0_norms]
        else:
            rows[t("journey.col.position_dims", lang, n=shown)] = [
                " ".join(fmt_float(float(v), lang, 3) for v in row[:shown]) for row in tr.position_head]
            rows[t("journey.col.position_norm", lang)] = [fmt_float(float(v), lang, 3) for v in tr.position_norms]
            rows[t("journey.col.sum_norm", lang)] = [fmt_float(float(v), lang, 3) for v in tr.x0_norms]
        table(rows)


def _position_row(name: str, config, T: int | None, lang: str) -> dict[str, str]:
    """One model's row of the positions table, every number read from its config."""
    shape = Architecture.of(config)
    tokens = f"({fmt_int(shape.vocab, lang)}, {fmt_int(shape.d_model, lang)})"
    if shape.positions == "learned":
        return {"model": name, "tokens": tokens, "positions": f"({fmt_int(shape.context, lang)}, {fmt_int(shape.d_model, lang)})",
                "where": t("journey.pos.gpt2", lang)}
    rotary = f"({fmt_int(T, lang)}, {shape.head_dim})" if T else f"(T, {shape.head_dim})"
    return {"model": name, "tokens": tokens, "positions": t("journey.pos.none", lang),
            "where": t("journey.pos.gemma", lang, shape=rotary, heads=shape.n_head)}


def position_shapes(entry, text: str | None, lang: str) -> None:
    """Where position enters in the picked model, beside the other family: GPT-2 adds a learned row per
    position; Gemma 3 rotates queries and keys."""
    config = ui_models.lm_config(entry)
    T = len(prompt(entry, text).ids) if text else None
    rows = [_position_row(entry.name, config, T, lang)]
    if Architecture.of(config).positions == "learned":
        gemma = ui_models.decoder_config()  # None until Gemma is prepared: then GPT-2's row stands alone
        if gemma is not None:
            rows.append(_position_row("Gemma 3 270M", gemma, None, lang))
    else:
        rows.append(_position_row("GPT-2 small", _hf("GPT2Config")(), None, lang))  # GPT-2 small's own defaults
    st.table(pd.DataFrame({
        t("journey.pos.col.model", lang): [r["model"] for r in rows],
        t("journey.pos.col.tokens", lang): [r["tokens"] for r in rows],
        t("journey.pos.col.positions", lang): [r["positions"] for r in rows],
        t("journey.pos.col.where", lang): [r["where"] for r in rows],
    }).set_index(t("journey.pos.col.model", lang)))  # a static table: its long cells wrap


# --- 2. through the blocks -------------------------------------------------------------------------------------

def pick_position(entry, text: str, lang: str) -> int:
    """The position followed through the blocks (a selectbox; the setting -1 is the last token)."""
    p = prompt(entry, text)
    names = labels(p)
    if st.session_state.get(S.POSITION_KEY, S.LAST) not in range(S.LAST, len(p.ids)):
        st.session_state[S.POSITION_KEY] = S.LAST  # a shorter text than the one the position was picked on
    options = [S.LAST, *range(len(p.ids))]
    chosen = st.selectbox(t("journey.position", lang), options, key=S.POSITION_KEY,
                          format_func=lambda i: t("journey.position.last", lang, token=names[-1]) if i == S.LAST else names[i])
    return len(p.ids) - 1 if chosen == S.LAST else int(chosen)


def through_the_blocks(entry, text: str, position: int, lang: str) -> None:
    p, b = prompt(entry, text), blocks(entry, text, position)
    name = labels(p)[position]
    L = b.n_layers
    series = {t("journey.blocks.residual", lang): b.residual_norms[1:],
              t("journey.blocks.attention", lang): b.attention_norms,
              t("journey.blocks.mlp", lang): b.mlp_norms}
    vega.show(C.layer_lines(series, list(range(L)), title=t("journey.blocks.title", lang, token=name),
                                  layer_title=t("journey.block", lang), value_title=t("journey.norm", lang),
                                  language=lang, large=frame.projector_mode()), width="stretch")
    with st.expander(t("journey.blocks.table", lang)):
        table({t("journey.block", lang): [str(b) for b in range(L)],
               **{k: [fmt_float(float(v), lang, 2) for v in vs] for k, vs in series.items()},
               t("journey.blocks.share", lang): [
                   fmt_percent(float(a + m) / float(x), lang, 1) if x else "—"
                   for a, m, x in zip(b.attention_norms, b.mlp_norms, b.residual_norms[:-1])]},
              height_rows=L)
    worst = max(b.check)
    ok = worst < CHECK_TOLERANCE
    st.markdown(t("journey.check.ok" if ok else "journey.check.off", lang, n=len(b.check),
                  diff=fmt_scientific(worst, lang)))


# --- 3. the logit lens -------------------------------------------------------------------------------------------

def pick_window(entry, text: str, lang: str) -> int:
    """The heatmap's window of positions (a selectbox; the setting -1 is the window ending at the last token)."""
    p = prompt(entry, text)
    names, T = labels(p), len(p.ids)
    starts = J.window_starts(T)
    options = [*starts[:-1], S.LAST]
    if st.session_state.get(S.WINDOW_KEY, S.LAST) not in options:
        st.session_state[S.WINDOW_KEY] = S.LAST  # a shorter text than the one the window was picked on
    first_of = lambda o: starts[-1] if o == S.LAST else int(o)  # noqa: E731

    def shown(o) -> str:
        a = first_of(o)
        b = min(T, a + J.GRID_POSITIONS) - 1
        return t("journey.lens.window_option", lang, a=a, b=b, first=names[a], last=names[b])

    if len(options) > 1:
        chosen = st.selectbox(t("journey.lens.window", lang, n=J.GRID_POSITIONS, total=T), options, key=S.WINDOW_KEY,
                              format_func=shown)
    else:
        chosen = S.LAST
    return first_of(chosen)


def lens_grid(entry, text: str, first: int, lang: str) -> int:
    """The lens heatmap over the window from `first`; returns the window's first position as shown."""
    p, grid = prompt(entry, text), grid_lens(entry, text, first)
    ids, probs = grid.top()  # (L+1, T')
    names = labels(p)[grid.first : grid.first + grid.n_tokens]
    top_pieces = [[piece(entry, int(i)) for i in row] for row in ids]
    k = min(TIP_TOP_K, grid.lens.top_ids.shape[1])
    tips = [[" · ".join(f"{piece(entry, int(grid.lens.top_ids[r, j]))} {fmt_percent(float(grid.lens.top_probs[r, j]), lang, 0)}"
                        for j in range(k)) for r in range(layer * grid.n_tokens, (layer + 1) * grid.n_tokens)]
            for layer in range(grid.n_layers + 1)]
    if grid.n_tokens < len(p.ids):
        st.caption(t("journey.lens.window_caption", lang, a=grid.first, b=grid.first + grid.n_tokens - 1,
                     total=len(p.ids)))
    chart = C.lens_heatmap(top_pieces, probs, names, title=t("journey.lens.title", lang),
                           layer_title=t("journey.layer", lang), prob_title=t("journey.prob", lang), language=lang,
                           large=frame.projector_mode(), tooltips=tips)
    vega.show(chart, width="content")
    with st.expander(t("journey.lens.table", lang)):
        layers = list(range(grid.n_layers, -1, -1))
        table({t("journey.layer", lang): [str(layer) for layer in layers],
               **{names[j]: [f"{top_pieces[layer][j]} ({fmt_percent(float(probs[layer, j]), lang, 0)})" for layer in layers]
                  for j in range(grid.n_tokens)}}, height_rows=len(layers))
    return grid.first


def lens_at_position(entry, text: str, position: int, lang: str, first: int | None = None) -> J.PositionLens:
    """The answer's rank across layers at `position` (read from the heatmap's window from `first` if it holds it)."""
    p, pl = prompt(entry, text), position_lens(entry, text, position, first=first)
    lens = pl.lens
    answer = piece(entry, pl.answer)
    from_layer = J.first_top_layer(lens)
    name = labels(p)[position]
    st.markdown(t("journey.lens.answer", lang, token=frame.markdown_escape(name), answer=frame.markdown_escape(answer),
                  layer=from_layer,
                  last=len(lens.target_rank) - 1))
    vega.show(C.answer_lines(lens.target_rank, lens.target_prob, rank_title=t("journey.rank", lang),
                                   prob_title=t("journey.prob", lang), layer_title=t("journey.layer", lang),
                                   title=t("journey.lens.answer_title", lang, answer=answer), language=lang,
                                   large=frame.projector_mode()), width="content")
    layers = range(len(lens.target_rank))
    with st.expander(t("journey.lens.top5", lang, token=name)):
        table({t("journey.layer", lang): [str(layer) for layer in layers],
               t("journey.rank", lang): [fmt_int(int(r), lang) for r in lens.target_rank],
               t("journey.prob", lang): [fmt_percent(float(q), lang, 2) for q in lens.target_prob],
               t("journey.lens.top5_col", lang): [
                   " · ".join(f"{piece(entry, int(i))} {fmt_percent(float(q), lang, 1)}"
                              for i, q in zip(lens.top_ids[layer, :5], lens.top_probs[layer, :5])) for layer in layers]},
              height_rows=len(layers))
    return pl


# --- 4. out to the next token ----------------------------------------------------------------------------------

def next_token(entry, text: str, pl: J.PositionLens, lang: str) -> None:
    lens = pl.lens
    top_ids, top_logits, probs = lens.top_ids[-1], lens.top_logits[-1], lens.top_probs[-1]
    pieces = [piece(entry, int(i)) for i in top_ids]
    vega.show(C.next_token_bars(pieces, probs, title=t("journey.next.title", lang),
                                      prob_title=t("journey.prob", lang), language=lang,
                                      large=frame.projector_mode()), width="stretch")
    with st.expander(t("journey.next.table", lang)):
        table({t("journey.col.token", lang): pieces, "id": [str(int(i)) for i in top_ids],
               "logit": [fmt_float(float(z), lang, 3) for z in top_logits],
               t("journey.prob", lang): [fmt_percent(float(q), lang, 2) for q in probs]})
    shown = float(probs.sum())
    others = fmt_int(Architecture.of(ui_models.lm_config(entry)).vocab - len(pieces), lang)
    st.caption(t("journey.next.rest", lang, n=len(pieces), p=fmt_percent(shown, lang, 1), others=others,
                 rest=fmt_percent(max(0.0, 1 - shown), lang, 1), lse=fmt_float(float(lens.logsumexp[-1]), lang, 3)))


def open_in_decoding(text: str, lang: str) -> None:
    """The decoding lab on the same prompt: its prompt setting is set, and its URL carries it for a shared link."""
    import course
    from labs.decoding import settings as decoding_settings

    if st.button(t("journey.next.open", lang), icon=":material/casino:", key="journey.open_decoding"):
        st.session_state[decoding_settings.PROMPT_KEY] = text
        st.switch_page(course.lesson("decoding").page, query_params={"prompt": text[:1_000]})
