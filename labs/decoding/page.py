"""Decoding lab: the real next-token distribution reshaped live, step by step, many draws, side by side."""

import pyarrow as pa
import streamlit as st
import torch

from gptlab.i18n import fmt_float, fmt_int, fmt_percent, t
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.nn import tokenization as tk
from gptlab.takeaway import code as takeaway
from labs.decoding import widgets as ui_dec
from labs.decoding import settings as S
from labs.decoding.settings import GRID_TEMPERATURES, GRID_TOP_PS, SHOWN, STEP_CHOICES
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.params import load_from_url, write_to_url
from ui import vega
from ui.tables import arrow_table

lang = frame.language()
SBS_GO_KEY = "decoding.sbs.go"  # the side-by-side widget's Generate button
PARAMS = S.url_params(lang)
load_from_url(PARAMS, "decoding", lang)
les = lesson_ui.lesson("decoding", lang)
lesson_ui.header(les)
lesson_ui.sections(les, "intro", "autoregressive")

# --- the prompt, shared by every widget ------------------------------------------------------------
check = tk.check_text(
    st.text_area(t("decoding.prompt", lang), key=S.PROMPT_KEY, height=90, max_chars=tk.MAX_INPUT_CHARS,
                 persist_state="session")
)
picked = ui_models.picked_model()  # the sidebar's model (Gemma 3 270M unless the student picked another)
shelf = Shelf("decoding", lang, model=picked)  # the code of each view, and the lab as a notebook
MODEL = picked.key
ready = ui_models.lm_ready(picked)
prompt: G.FittedPrompt | None = None
if check.problem is not None:
    st.info(t("decoding.empty", lang), icon=":material/edit:")
elif not ready:
    ui_models.ensure_preparation_started()
    st.warning(t("decoding.needs_decoder", lang))
else:
    try:
        tokenizer = ui_models.lm_tokenizer(picked)
        architecture = ui_models.lm_architecture(picked)
        if not picked.is_gemma:
            ui_models.lm_worker(picked)  # loads the weights now (once per server), so a broken file is said here
    except Exception as exc:  # a Hub model whose cached files are broken, or a failed download: back to Gemma
        ui_models.model_failed(picked, exc, lang)
        ready = False
    if ready:
        with frame.contained(lang):
            st.caption(ui_models.model_line(picked, architecture, lang))
            if not picked.is_gemma:
                st.caption(t("models.shape.not_gemma", lang, name=frame.markdown_escape(ui_models.model_label(picked))))
            max_new = int(st.session_state.get(S.MAX_NEW_KEY, S.DEFAULT_MAX_NEW))
            ids = tokenizer(check.text)["input_ids"]
            # GPT-2 reads 1,024 positions (its learned table has no more rows); Gemma far more than the lab lets through
            window = min(G.LAB_CONTEXT_TOKENS, architecture.context or G.LAB_CONTEXT_TOKENS)
            prompt = G.fit_prompt(ids, max_new, tokenizer.bos_token_id, context=window)
            if prompt.dropped:
                st.warning(t("decoding.prompt_cut", lang, tokens=fmt_int(len(ids), lang), dropped=fmt_int(prompt.dropped, lang),
                             window=fmt_int(window, lang), new=fmt_int(max_new, lang)))
            st.caption(t("decoding.prompt_tokens", lang, n=fmt_int(len(prompt.ids), lang),
                         model=frame.markdown_escape(ui_models.model_label(picked))))


# --- 1. the next-token distribution ----------------------------------------------------------------
lesson_ui.section(les, "next-token")


def settings() -> D.Strategy:
    """The student's sliders; they feed every widget that samples."""
    a, b, c, d = st.columns([3, 2, 3, 2])
    temperature = a.slider(t("decoding.temperature", lang), 0.0, 2.0, step=0.05, key=S.TEMPERATURE_KEY,
                           help=t("decoding.temperature_help", lang), persist_state="session")
    top_k = b.number_input(t("decoding.top_k", lang), 0, 1_000_000, step=1, key=S.TOP_K_KEY,
                           help=t("decoding.top_k_help", lang), persist_state="session")
    top_p = c.slider(t("decoding.top_p", lang), 0.0, 1.0, step=0.01, key=S.TOP_P_KEY, help=t("decoding.top_p_help", lang),
                     persist_state="session")
    d.number_input(t("decoding.seed", lang), 0, 2**31 - 1, step=1, key=S.SEED_KEY, help=t("decoding.seed_help", lang),
                   persist_state="session")
    return D.Strategy(temperature=float(temperature), top_k=int(top_k), top_p=float(top_p))


strategy = settings()


def side_by_side_strategies() -> tuple[tuple[str, D.Strategy], ...]:
    fixed = S.SIDE_BY_SIDE
    named = [(ui_dec.strategy_name(s, lang), s) for s in fixed]
    if strategy not in fixed and not strategy.is_greedy:
        named.insert(5, (t("decoding.name.yours", lang, name=ui_dec.strategy_name(strategy, lang)), strategy))
    return tuple(named)


def side_by_side_request(prompt: G.FittedPrompt, max_new: int) -> ui_dec.RunRequest:
    """What the side-by-side widget generates, from the session's values (read at the top of the run too)."""
    seed = int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED))
    named = side_by_side_strategies()
    return ui_dec.RunRequest(prompt.ids, tuple(s for _, s in named), tuple(n for n, _ in named), int(max_new), seed, MODEL)


# Generate was pressed: its request goes to the model worker now, not after the widgets above it are redrawn
# (ui_dec.start_early); the widget below takes the running generation.
if prompt is not None and st.session_state.get(SBS_GO_KEY) and S.MAX_NEW_KEY in st.session_state:
    with frame.contained(lang):
        ui_dec.start_early(S.SIDE_BY_SIDE_KEY, side_by_side_request(prompt, st.session_state[S.MAX_NEW_KEY]),
                           ui_models.lm_stop_token_ids(picked))


def distribution(prompt: G.FittedPrompt) -> None:
    view = ui_dec.token_view(prompt.ids, strategy, SHOWN, MODEL)
    notes = []
    if strategy.is_greedy:
        notes.append(t("decoding.note.greedy", lang))
    if strategy.top_k >= view.vocab_size:
        notes.append(t("decoding.note.top_k_vocab", lang, k=fmt_int(strategy.top_k, lang),
                       vocab=fmt_int(view.vocab_size, lang)))
    if strategy.top_p == 0.0:
        notes.append(t("decoding.note.top_p_zero", lang))
    for note in notes:
        st.info(note, icon=":material/info:")
    table, chart = ui_dec.distribution_figure(prompt.ids, strategy, SHOWN, lang, frame.projector_mode(), MODEL)
    vega.show(chart, width="stretch")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("decoding.metric.model_entropy", lang), f"{fmt_float(view.model_entropy_bits, lang, 2)} bits")
    m2.metric(t("decoding.metric.strategy_entropy", lang), f"{fmt_float(view.strategy_entropy_bits, lang, 2)} bits")
    m3.metric(t("decoding.metric.kept", lang), fmt_int(view.kept_count, lang),
              help=t("decoding.metric.kept_help", lang, vocab=fmt_int(view.vocab_size, lang)))
    st.caption(t("decoding.shown_mass", lang, n=len(view.candidates), mass=fmt_float(100 * view.shown_model_mass, lang, 1),
                 rest=fmt_int(view.vocab_size - len(view.candidates), lang)))
    with st.expander(t("decoding.table", lang)):
        st.dataframe(table, hide_index=True, width="stretch")
    shelf.show("next_token", takeaway.NextTokenSettings(check.text, strategy, SHOWN))


if prompt is not None:
    with frame.contained(lang):
        distribution(prompt)

# --- 2. step by step --------------------------------------------------------------------------------
lesson_ui.section(les, "greedy")


def add_step(prompt_ids: tuple[int, ...], chosen: tuple[int, ...], strategy: D.Strategy, seed: int | None,
             pick_key: str | None) -> None:
    """Button callback: append the student's pick (pick_key) or the sampler's (seed), with its probabilities."""
    ids = prompt_ids + chosen
    logits = torch.from_numpy(ui_dec.next_logits(ids, MODEL))  # (V,)
    token_id = int(st.session_state[pick_key]) if pick_key else ui_dec.sample_once(ids, strategy, seed, MODEL)
    model_p = float(torch.softmax(logits.float(), -1)[token_id])
    strategy_p = float(D.probabilities(logits[None], strategy)[0, token_id])
    records = st.session_state.setdefault("decoding.steps.records", {})
    records[(MODEL, prompt_ids, chosen + (token_id,))] = G.Chosen(token_id, model_p, strategy_p)
    st.session_state[S.STEPS_KEY] = list(chosen) + [token_id]


def step_by_step(prompt: G.FittedPrompt) -> None:
    st.subheader(t("decoding.steps.header", lang))
    if st.session_state.get("decoding.steps.prompt") != (MODEL, prompt.ids):  # a new prompt, or another model
        st.session_state["decoding.steps.prompt"] = (MODEL, prompt.ids)
        st.session_state[S.STEPS_KEY] = []
    chosen: list[int] = st.session_state[S.STEPS_KEY]
    ids = prompt.ids + tuple(chosen)
    tokenizer = ui_models.lm_tokenizer(picked)
    pieces = G.pieces(tokenizer, chosen, before=prompt.ids[-8:])
    records = st.session_state.setdefault("decoding.steps.records", {})
    chosen_records = [records.get((MODEL, prompt.ids, tuple(chosen[: i + 1])), G.Chosen(tok, 0.0, 0.0))
                      for i, tok in enumerate(chosen)]
    st.markdown(ui_dec.generated_box(tokenizer.decode(list(prompt.ids), skip_special_tokens=True), pieces,
                                     chosen_records, lang), unsafe_allow_html=True)
    st.markdown(ui_dec.legend_html(lang), unsafe_allow_html=True)
    view = ui_dec.token_view(ids, strategy, STEP_CHOICES, MODEL)
    options = [c.token_id for c in view.candidates]
    cut = f" ({t('decoding.cut', lang)})"
    labels = {c.token_id: f"{frame.markdown_escape(text)} — {fmt_percent(c.model_prob, lang, 1)}{'' if c.kept else cut}"
              for c, text in zip(view.candidates, ui_dec.token_labels(options, MODEL))}

    def label(token_id: int) -> str:
        return labels[token_id]

    pick_key = f"decoding.steps.pick.{len(chosen)}"
    st.radio(t("decoding.steps.pick", lang), options, format_func=label, horizontal=True, key=pick_key)
    full = len(chosen) >= G.MAX_NEW_TOKENS or len(ids) >= G.LAB_CONTEXT_TOKENS
    seed = int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED))
    a, b, c, d = st.columns(4)
    a.button(t("decoding.steps.add", lang), key="decoding.steps.add", disabled=full, icon=":material/add:", on_click=add_step,
             args=(prompt.ids, tuple(chosen), strategy, None, pick_key))
    b.button(t("decoding.steps.sample", lang), key="decoding.steps.sample", disabled=full, icon=":material/casino:", on_click=add_step,
             args=(prompt.ids, tuple(chosen), strategy, seed + len(chosen), None),
             help=t("decoding.steps.sample_help", lang, name=ui_dec.strategy_name(strategy, lang)))
    c.button(t("decoding.steps.undo", lang), key="decoding.steps.undo", disabled=not chosen, icon=":material/undo:",
             on_click=lambda: st.session_state.update({S.STEPS_KEY: chosen[:-1]}))
    d.button(t("decoding.steps.reset", lang), key="decoding.steps.reset", disabled=not chosen, icon=":material/restart_alt:",
             on_click=lambda: st.session_state.update({S.STEPS_KEY: []}))
    if full:
        st.info(t("decoding.steps.full", lang, n=G.MAX_NEW_TOKENS))
    if chosen:
        with st.expander(t("decoding.table_tokens", lang)):
            st.dataframe(ui_dec.probabilities_table(pieces, chosen_records, lang), hide_index=True, width="stretch")
    shelf.show("step_by_step", takeaway.StepByStepSettings(check.text, tuple(chosen), strategy, seed, STEP_CHOICES))


if prompt is not None:
    with frame.contained(lang):
        step_by_step(prompt)

lesson_ui.sections(les, "temperature", "top-k", "top-p", "combining", "sampling-variance")


# --- 3. many draws vs the distribution --------------------------------------------------------------
def many_draws(prompt: G.FittedPrompt) -> None:
    st.subheader(t("decoding.draws.header", lang))
    n = st.slider(t("decoding.draws.n", lang), 10, 10_000, step=10, key=S.DRAWS_KEY, persist_state="session")
    seed = int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED))
    table, distinct, gap, chart = ui_dec.draws_figure(prompt.ids, strategy, int(n), seed, lang, frame.projector_mode(), MODEL)
    st.caption(t("decoding.draws.caption", lang, name=ui_dec.strategy_name(strategy, lang), n=fmt_int(n, lang)))
    vega.show(chart, width="stretch")
    st.markdown(t("decoding.draws.summary", lang, distinct=fmt_int(distinct, lang), gap=fmt_float(100 * gap, lang, 1)))
    with st.expander(t("decoding.table", lang)):
        st.dataframe(table, hide_index=True, width="stretch")
    shelf.show("many_draws", takeaway.ManyDrawsSettings(check.text, strategy, int(n), seed))


if prompt is not None:
    with frame.contained(lang):
        many_draws(prompt)

lesson_ui.sections(les, "beam-search", "repetition", "side-by-side")


# --- 4. side by side, and the seed's grid -------------------------------------------------------------
def show_rows(names, state: G.GenerationState | None, slots, pieces_of: ui_dec.PieceCache) -> None:
    """Each strategy's name and shaded text as ONE element in its slot: a page redraws them after every step of a
    generation, and each element is a message to the browser (a container, the name and the text were three,
    the class's busiest messages)."""
    for i, (name, slot) in enumerate(zip(names, slots)):
        title = f"**{name}**\n\n" if name else ""
        if state is None:
            slot.markdown(title + ui_dec.generated_box("", [], [], lang), unsafe_allow_html=True)
            continue
        row = state.rows[i]
        pieces = pieces_of.pieces(i, [c.token_id for c in row.tokens])
        box = title + ui_dec.generated_box("", pieces, row.tokens, lang)
        if not row.stopped_by_model:
            slot.markdown(box, unsafe_allow_html=True)
            continue
        with slot.container():
            st.markdown(box, unsafe_allow_html=True)
            st.caption(t("decoding.ended", lang))


def slots_in(columns, start: bool) -> list:
    """Where each strategy's text goes: a placeholder in its column when a generation will redraw it step after
    step, else the column itself (drawn once; a placeholder per text was one more message per page run)."""
    return [column.empty() for column in columns] if start else list(columns)


def streamed(key: str, request: ui_dec.RunRequest, slots, start: bool) -> dict | None:
    """Run (when asked) or show the widget's last run; says when it no longer matches the settings."""
    tokenizer = ui_models.lm_tokenizer(picked)
    progress = st.empty()
    drawn: list[G.GenerationState] = []  # the state the stream drew last
    if start:
        cache = ui_dec.piece_cache(key, tokenizer, request.prompt_ids)

        def draw(state: G.GenerationState) -> None:
            drawn[:] = [state]
            show_rows(request.names, state, slots, cache)
            progress.progress(state.step / state.max_new_tokens,
                              text=t("decoding.progress", lang, step=state.step, total=state.max_new_tokens))

        ui_dec.stream(key, request, ui_models.lm_stop_token_ids(picked), draw, lang)
        progress.empty()
    entry = ui_dec.saved(key)
    if entry is None:
        show_rows(request.names, None, slots, ui_dec.piece_cache(key, tokenizer, request.prompt_ids))
        return None
    done: ui_dec.RunRequest = entry["request"]
    if done.names != request.names:  # the layout changed: draw the old run with its own labels
        if start:  # a generation that did not finish drew in the placeholders (without one, nothing is drawn yet)
            for slot in slots:
                slot.empty()
        slots = [st.empty() for _ in done.names]
    done_tokenizer = tokenizer if done.model == MODEL else ui_models.lm_tokenizer(ui_dec.model_entry(done.model))
    if not (drawn and drawn[0] is entry["state"] and done.names == request.names):  # else the stream just drew it here
        show_rows(done.names, entry["state"], slots, ui_dec.piece_cache(key, done_tokenizer, done.prompt_ids))
    if done != request:
        st.caption(t("decoding.older_settings", lang))
    if not entry["complete"]:
        st.warning(t("decoding.stopped", lang, step=entry["state"].step, total=entry["state"].max_new_tokens))
    return entry


def token_tables(key: str, entry: dict) -> None:
    """The text alternative of the shaded texts: every token with its two probabilities."""
    done: ui_dec.RunRequest = entry["request"]
    cache = ui_dec.piece_cache(key, ui_models.lm_tokenizer(ui_dec.model_entry(done.model)), done.prompt_ids)
    with st.expander(t("decoding.table_tokens", lang)):
        for i, (name, row) in enumerate(zip(done.names, entry["state"].rows)):
            st.markdown(f"**{name}**")
            pieces = cache.pieces(i, [c.token_id for c in row.tokens])
            st.dataframe(ui_dec.probabilities_table(pieces, row.tokens, lang), hide_index=True, width="stretch")


def repetition_table(entry: dict) -> pa.Table:
    done: ui_dec.RunRequest = entry["request"]
    tokenizer = ui_models.lm_tokenizer(ui_dec.model_entry(done.model))
    rows = [ui_dec.repetition_row(n, [c.token_id for c in r.tokens], lang, tokenizer)
            for n, r in zip(done.names, entry["state"].rows)]
    return arrow_table({column: [row[column] for row in rows] for column in rows[0]})


def side_by_side(prompt: G.FittedPrompt) -> None:
    st.subheader(t("decoding.sbs.header", lang))
    max_new = st.slider(t("decoding.max_new", lang), 1, G.MAX_NEW_TOKENS, key=S.MAX_NEW_KEY,
                        help=t("decoding.max_new_help", lang, cap=G.MAX_NEW_TOKENS), persist_state="session")
    seed = int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED))
    named = side_by_side_strategies()
    request = side_by_side_request(prompt, max_new)
    go, stop = st.columns([1, 1])
    start = go.button(t("decoding.generate", lang), type="primary", icon=":material/play_arrow:", key=SBS_GO_KEY)
    stop.button(t("decoding.stop", lang), icon=":material/stop:", key="decoding.sbs.stop")
    st.markdown(ui_dec.legend_html(lang), unsafe_allow_html=True)
    per_row = 2 if frame.projector_mode() else 3
    columns = [column for _ in range(0, len(named), per_row) for column in st.columns(per_row)]
    entry = streamed(S.SIDE_BY_SIDE_KEY, request, slots_in(columns[: len(named)], start), start)
    shelf.show("side_by_side", takeaway.GenerationSettings(check.text, named, int(max_new), seed))
    if entry is None:
        st.caption(t("decoding.press_generate", lang))
        return
    st.markdown(f"**{t('decoding.repetition', lang)}**")
    st.dataframe(repetition_table(entry), hide_index=True, width="stretch")
    token_tables(S.SIDE_BY_SIDE_KEY, entry)


def grid(prompt: G.FittedPrompt) -> None:
    st.subheader(t("decoding.grid.header", lang))
    st.caption(t("decoding.grid.caption", lang))
    strategies = tuple(D.Strategy(temperature=T, top_p=p) for T in GRID_TEMPERATURES for p in GRID_TOP_PS)
    names = tuple(f"T {fmt_float(s.temperature, lang, 1)} · top-p {fmt_float(s.top_p, lang, 2)}" for s in strategies)
    request = ui_dec.RunRequest(prompt.ids, strategies, ("",) * len(strategies),
                                int(st.session_state.get(S.MAX_NEW_KEY, S.DEFAULT_MAX_NEW)),
                                int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED)), MODEL)
    go, stop = st.columns(2)
    start = go.button(t("decoding.grid.generate", lang), icon=":material/grid_view:", key="decoding.grid.go")
    stop.button(t("decoding.stop", lang), icon=":material/stop:", key="decoding.grid.stop")
    header = st.columns(len(GRID_TOP_PS) + 1)
    header[0].markdown("**T \\ top-p**")
    for col, p in zip(header[1:], GRID_TOP_PS):
        col.markdown(f"**top-p {fmt_float(p, lang, 2)}**")
    columns = []
    for T in GRID_TEMPERATURES:
        cols = st.columns(len(GRID_TOP_PS) + 1)
        cols[0].markdown(f"**T {fmt_float(T, lang, 1)}**")
        columns.extend(cols[1:])
    entry = streamed(S.GRID_KEY, request, slots_in(columns, start), start)
    shelf.show("grid", takeaway.GenerationSettings(check.text, tuple(zip(names, strategies)), request.max_new_tokens,
                                                   request.seed))
    if entry is None:
        return
    labelled = {**entry, "request": ui_dec.RunRequest(entry["request"].prompt_ids, strategies, names,
                                                       entry["request"].max_new_tokens, entry["request"].seed,
                                                       entry["request"].model)}
    with st.expander(t("decoding.repetition", lang)):
        st.dataframe(repetition_table(labelled), hide_index=True, width="stretch")
    token_tables(S.GRID_KEY, labelled)


if prompt is not None:
    with frame.contained(lang):
        side_by_side(prompt)
    with frame.contained(lang):
        grid(prompt)



# --- 5. the course notebook's own cells, on the picked model ------------------------------------------
def notebook_request(text: str, max_length: int, strategies: tuple[D.Strategy, ...],
                     names: tuple[str, ...]) -> ui_dec.RunRequest:
    """The notebook's generate(prompt, max_length=N, ...): N - (prompt tokens) new tokens, its seed."""
    ids = tuple(ui_models.lm_tokenizer(picked)(text)["input_ids"])
    return ui_dec.RunRequest(ids, strategies, names, max(1, max_length - len(ids)), S.NOTEBOOK_SEED, MODEL)


def notebook_cells() -> None:
    """The notebook's greedy and sampled continuation (its cell 10) and its temperature x top-p grid (cell 11)."""
    st.subheader(t("decoding.notebook.header", lang))
    st.caption(t("decoding.notebook.caption", lang, model=frame.markdown_escape(ui_models.model_label(picked))))
    sampled = D.Strategy(**S.NOTEBOOK_SAMPLED)
    continuation = notebook_request(
        S.NOTEBOOK_CONTINUATION_PROMPT, S.NOTEBOOK_CONTINUATION_MAX_LENGTH, (D.GREEDY, sampled),
        (t("decoding.notebook.greedy", lang, max_length=S.NOTEBOOK_CONTINUATION_MAX_LENGTH),
         t("decoding.notebook.sampled", lang, max_length=S.NOTEBOOK_CONTINUATION_MAX_LENGTH, **S.NOTEBOOK_SAMPLED)))
    strategies = tuple(D.Strategy(temperature=T, top_k=S.NOTEBOOK_DEFAULT_TOP_K, top_p=p)
                       for T in S.NOTEBOOK_GRID_TEMPERATURES for p in S.NOTEBOOK_GRID_TOP_PS)
    grid_request = notebook_request(
        S.NOTEBOOK_GRID_PROMPT, S.NOTEBOOK_GRID_MAX_LENGTH, strategies,
        tuple(t("decoding.notebook.cell", lang, temperature=s.temperature, top_p=s.top_p) for s in strategies))
    go, stop = st.columns(2)
    start = go.button(t("decoding.notebook.run", lang), icon=":material/menu_book:", key="decoding.notebook.go")
    stop.button(t("decoding.stop", lang), icon=":material/stop:", key="decoding.notebook.stop")
    st.markdown(f"**{t('decoding.notebook.cell10', lang)}**")
    st.code(f'prompt = "{S.NOTEBOOK_CONTINUATION_PROMPT}"', language="python")
    streamed(S.NOTEBOOK_CONTINUATION_KEY, continuation, slots_in(st.columns(2), start), start)
    st.markdown(f"**{t('decoding.notebook.cell11', lang)}**")
    st.code(f'prompt = "{S.NOTEBOOK_GRID_PROMPT}"', language="python")
    per_row = 2 if frame.projector_mode() else 3
    columns = [column for _ in range(0, len(strategies), per_row) for column in st.columns(per_row)]
    entry = streamed(S.NOTEBOOK_GRID_KEY, grid_request, slots_in(columns[: len(strategies)], start), start)
    if entry is not None:
        with st.expander(t("decoding.repetition", lang)):
            st.dataframe(repetition_table(entry), hide_index=True, width="stretch")


if ready:
    with frame.contained(lang):
        notebook_cells()

lesson_ui.sections(les, "good-practice", "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("decoding", lang)
