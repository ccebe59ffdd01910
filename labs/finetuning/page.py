"""Fine-tuning lab: a corpus, its blocks, a live Trainer run on the picked model (LoRA, or one's own copy), before and after."""


import time

import pandas as pd
import streamlit as st
import torch

from gptlab import models
from gptlab.models import catalog
from gptlab.exercises.state import to_plain
from gptlab.i18n import fmt_float, fmt_int, t
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.nn.blocks import BlockPlan, plan_blocks
from gptlab.nn.finetune import FinetuneSettings, RunReport, finetune, freeze
from gptlab.nn.lora import LoraSettings, extract_adapter, load_adapter, reset_adapter, trainable_parameters
from gptlab.takeaway.code import FinetuningSettings
from labs.decoding import widgets as ui_dec
from labs.finetuning import corpus as C
from labs.finetuning import widgets as ui_ft
from labs.finetuning import settings as S
from labs.finetuning.settings import (
    BLOCK_SIZES, MODEL_KEY, REPORT_KEY, SCRATCH_BLOCK, SCRATCH_LAYERS, SCRATCH_WIDTH, SHOWN_BLOCKS,
)
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui import models as ui_models
from ui.code_view import Shelf
from ui.params import keep_within, load_from_url, write_to_url
from ui import vega

lang = frame.language()
entry = ui_models.picked_model()  # the decoder picked in the sidebar (Gemma 3 270M unless another is picked)
PARAMS = S.url_params(ui_models.lm_config(entry))  # shareable settings: ?block_size=32&lr=0.0001...
load_from_url(PARAMS, "finetune", lang)
les = lesson_ui.lesson("finetuning", lang)
shelf = Shelf("finetuning", lang)  # the code of the run, and the lab as a notebook
lesson_ui.header(les)
lesson_ui.sections(les, "intro", "causal-lm-objective", "labels-and-shift", "corpus")

ready = ui_models.lm_ready(entry)
if not ready:
    ui_models.ensure_preparation_started()
    st.warning(t("finetuning.needs_decoder", lang))


# --- 1. the corpus ------------------------------------------------------------------------------------
def corpus_widget() -> C.CorpusCheck:
    source = st.radio(t("finetuning.source", lang), ("seed", "typed", "upload"), horizontal=True, key=S.SOURCE_KEY,
                      format_func=lambda s: t(f"finetuning.source.{s}", lang), persist_state="session")
    if source == "upload":
        uploaded = st.file_uploader(t("finetuning.upload", lang, mb=C.MAX_UPLOAD_BYTES // 1_000_000), type=["txt", "csv"],
                                    key=S.UPLOAD_KEY)
        if uploaded is None:
            return C.CorpusCheck((), "empty", 0, False)
        return C.texts_from_upload(uploaded.name, uploaded.getvalue())
    if source == "seed":
        st.session_state[S.TYPED_KEY] = C.seed_corpus_text(lang)
    st.session_state.setdefault(S.TYPED_KEY, C.seed_corpus_text(lang))
    text = st.text_area(t("finetuning.corpus", lang), key=S.TYPED_KEY, height=160, disabled=source == "seed",
                        max_chars=C.MAX_CORPUS_CHARS)
    return C.texts_from_editor(text)


corpus = corpus_widget()
st.session_state[S.CORPUS_KEY] = list(corpus.texts)  # what the remainder task reads
if corpus.problem:
    st.info(t(f"finetuning.corpus.{corpus.problem}", lang, mb=C.MAX_UPLOAD_BYTES // 1_000_000), icon=":material/edit_note:")
else:
    st.caption(t("finetuning.corpus.stats", lang, texts=fmt_int(len(corpus.texts), lang), chars=fmt_int(corpus.chars, lang)))
    if corpus.truncated:
        st.warning(t("finetuning.corpus.truncated", lang, chars=fmt_int(C.MAX_CORPUS_CHARS, lang)))

# --- 2. from text to blocks -----------------------------------------------------------------------------
lesson_ui.section(les, "blocks")


@st.cache_data(max_entries=8, show_spinner=False)
def _tokenized(key: str, local_path: str | None, texts: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    from gptlab.models import catalog

    tok = ui_models.lm_tokenizer(catalog.find(key))
    return tuple(tuple(tok(x, add_special_tokens=False)["input_ids"]) for x in texts)


def tokenized(texts: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """The corpus in the picked model's tokens."""
    return _tokenized(entry.key, entry.local_path, texts)


@st.cache_resource(show_spinner=False, max_entries=4)
def _training_tokenizer(key: str, local_path: str | None):
    """The tokenizer a run trains with: it needs a pad token. GPT-2 has none; a copy pads with <|endoftext|>
    (the shared tokenizer is never changed)."""
    import copy

    from gptlab.models import catalog

    tok = ui_models.lm_tokenizer(catalog.find(key))
    if tok.pad_token is None:
        tok = copy.deepcopy(tok)
        tok.pad_token = tok.eos_token
    return tok


def training_tokenizer():
    return _training_tokenizer(entry.key, entry.local_path)


def family():
    """How the picked model is built where training cares: its LoRA targets, its block separators."""
    from gptlab.nn.architecture import family_of

    return family_of(ui_models.lm_config(entry))


def blocks_widget() -> BlockPlan | None:
    a, b, c = st.columns(3)
    block_size = a.select_slider(t("finetuning.block_size", lang), BLOCK_SIZES, key=S.BLOCK_SIZE_KEY,
                                 persist_state="session")
    share = b.slider(t("finetuning.val_share", lang), 0.0, 0.5, step=0.05, key=S.VAL_SHARE_KEY,
                     persist_state="session")
    seed = c.number_input(t("finetuning.seed", lang), 0, 2**31 - 1, key=S.SEED_KEY, persist_state="session")
    tok = ui_models.lm_tokenizer(entry)
    separator, prefix = family().training_tokens(tok)  # Gemma: <eos> between texts, <bos> first; GPT-2: "\n", none
    plan = plan_blocks(tokenized(corpus.texts), int(block_size), float(share), int(seed), separator=separator,
                      prefix=prefix)
    m = st.columns(4)
    m[0].metric(t("finetuning.m.tokens", lang), fmt_int(len(plan.stream), lang))
    m[1].metric(t("finetuning.m.blocks", lang), fmt_int(plan.n_blocks, lang))
    m[2].metric(t("finetuning.m.split", lang), f"{fmt_int(len(plan.train), lang)} / {fmt_int(len(plan.validation), lang)}")
    m[3].metric(t("finetuning.m.remainder", lang), fmt_int(len(plan.remainder), lang))
    if plan.n_blocks == 0:
        st.error(t("finetuning.no_blocks", lang, tokens=fmt_int(len(plan.stream), lang), size=block_size))
        return None
    if share > 0 and not plan.validation:
        st.warning(t("finetuning.no_validation", lang))
    pieces = lambda ids: [tok.decode([i]) for i in ids]  # noqa: E731
    html = []
    validation = set(plan.validation)
    for i, blk in enumerate(plan.blocks[:SHOWN_BLOCKS]):
        kind = "val" if i in validation else "train"
        html.append(ui_ft.block_html(t(f"finetuning.block.{kind}", lang, n=i + 1), pieces(blk), kind))
    if plan.n_blocks > SHOWN_BLOCKS:
        html.append(f'<p>{t("finetuning.more_blocks", lang, n=fmt_int(plan.n_blocks - SHOWN_BLOCKS, lang))}</p>')
    if plan.remainder:
        html.append(ui_ft.block_html(t("finetuning.block.rest", lang, n=len(plan.remainder)), pieces(plan.remainder), "rest"))
    st.markdown(f'<div class="gl-blocks">{"".join(html)}</div>', unsafe_allow_html=True)
    st.caption(t("finetuning.blocks_legend" if prefix else "finetuning.blocks_legend_newline", lang, model=entry.name))
    return plan


plan = None
if ready and not corpus.problem:
    with frame.contained(lang):
        plan = blocks_widget()

lesson_ui.sections(les, "loss-and-perplexity", "train-vs-validation", "training")


# --- 3. training ----------------------------------------------------------------------------------------
def method_widget() -> tuple[str, LoraSettings]:
    """LoRA (the default: an adapter of a few MB on the base every student shares) or full fine-tuning."""
    method = st.radio(t("finetuning.method", lang), S.METHODS, horizontal=True, key=S.METHOD_KEY,
                      format_func=lambda m: t(f"finetuning.method.{m}", lang), help=t("finetuning.method_help", lang),
                      persist_state="session")
    lora = S.LORA
    if method == "lora":
        rank = st.select_slider(t("finetuning.rank", lang), S.RANKS, key=S.RANK_KEY, help=t("finetuning.rank_help", lang),
                                persist_state="session")
        lora = LoraSettings(rank=int(rank), alpha=2 * int(rank), dropout=S.LORA.dropout)
        st.caption(t("finetuning.lora_targets", lang, model=entry.name, targets=", ".join(f"`{m}`" for m in family().lora_targets),
                     layers=ui_models.lm_config(entry).num_hidden_layers))
    return method, lora


def settings_widget(method: str) -> FinetuneSettings:
    a, b, c = st.columns(3)
    mode = a.radio(t("finetuning.length", lang), ("steps", "epochs"), horizontal=True, key="finetune.mode",
                   format_func=lambda s: t(f"finetuning.length.{s}", lang), persist_state="session")
    if mode == "steps":
        steps = a.number_input(t("finetuning.steps", lang), 1, 500, key="finetune.steps", persist_state="session")
        epochs = 1.0
    else:
        epochs = a.number_input(t("finetuning.epochs", lang), 0.1, 10.0, step=0.1, key="finetune.epochs",
                                persist_state="session")
        steps = 0
    depth = ui_models.lm_config(entry).num_hidden_layers  # the decoder's blocks: the most that can train
    if method == "lora":  # adapters on every block; the base stays frozen
        lr = b.number_input(t("finetuning.lr", lang), 0.0, 1.0, step=1e-4, format="%.0e", key=S.LORA_LR_KEY,
                            help=t("finetuning.lora_lr_help", lang), persist_state="session")
        layers = depth
    else:
        lr = b.number_input(t("finetuning.lr", lang), 0.0, 1.0, step=1e-5, format="%.0e", key="finetune.lr",
                            help=t("finetuning.lr_help", lang), persist_state="session")
        keep_within(S.LAYERS_KEY, 1, depth)
        layers = b.slider(t("finetuning.layers", lang), 1, depth, key=S.LAYERS_KEY,
                          help=t("finetuning.layers_help", lang), persist_state="session")
    batch = c.number_input(t("finetuning.batch", lang), 1, 16, key="finetune.batch", persist_state="session")
    accum = c.number_input(t("finetuning.accum", lang), 1, 16, key="finetune.accum", help=t("finetuning.accum_help", lang),
                           persist_state="session")
    eval_every = c.number_input(t("finetuning.eval_every", lang), 1, 100, key="finetune.eval_every",
                                persist_state="session")
    return FinetuneSettings(epochs=float(epochs), max_steps=int(steps), learning_rate=float(lr), batch_size=int(batch),
                            grad_accumulation=int(accum), block_size=int(st.session_state.get(S.BLOCK_SIZE_KEY, S.DEFAULT_BLOCK_SIZE)),
                            seed=int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED)),
                            validation_share=float(st.session_state.get(S.VAL_SHARE_KEY, S.DEFAULT_VAL_SHARE)),
                            eval_every=int(eval_every), trainable_layers=int(layers))


def show_report(report: RunReport, chart_slot, progress_slot, metric_slot) -> None:
    large = frame.projector_mode()
    if report.total_steps:
        progress_slot.progress(min(report.step / report.total_steps, 1.0),
                               text=t("finetuning.progress", lang, step=report.step, total=report.total_steps))
    vega.show(
        ui_ft.loss_chart(report, title=t("finetuning.chart.title", lang), step=t("finetuning.chart.step", lang),
                         loss=t("finetuning.chart.loss", lang), train=t("finetuning.chart.train", lang),
                         validation=t("finetuning.chart.validation", lang), language=lang, large=large),
        width="stretch", place=chart_slot,
    )
    val = [p for p in report.points if p.val_loss is not None]
    train = [p for p in report.points if p.train_loss is not None]
    with metric_slot.container():
        cols = st.columns(3)
        if train:
            cols[0].metric(t("finetuning.m.train_loss", lang), fmt_float(train[-1].train_loss, lang, 3))
        if val:
            cols[1].metric(t("finetuning.m.val_loss", lang), fmt_float(val[-1].val_loss, lang, 3))
            cols[2].metric(t("finetuning.m.val_ppl", lang), fmt_float(val[-1].val_perplexity, lang, 2))


def report_table(report: RunReport) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("finetuning.chart.step", lang): [p.step for p in report.points],
            t("finetuning.chart.train", lang): ["" if p.train_loss is None else fmt_float(p.train_loss, lang, 4) for p in report.points],
            t("finetuning.chart.validation", lang): ["" if p.val_loss is None else fmt_float(p.val_loss, lang, 4) for p in report.points],
            t("finetuning.m.val_ppl", lang): ["" if p.val_loss is None else fmt_float(p.val_perplexity, lang, 3) for p in report.points],
        }
    )


@st.cache_resource(show_spinner=False, max_entries=2)
def _lora_base(key: str, local_path: str | None):
    """The base every student's LoRA run on this model trains its adapter on: one per server and model, frozen
    (Gemma in bfloat16; a Hub model in float32, its own instance: peft puts its layers inside the model).

    Runs take turns (the training queue); a run starts from a fresh adapter and takes its adapter
    away when it ends, so the model never carries one student's training into the next."""
    from gptlab.models import catalog
    from gptlab.nn.lora import with_adapter

    picked = catalog.find(key)
    base = models.load_decoder(dtype="bfloat16") if picked.is_gemma else catalog.load_model(picked, dtype="float32")
    base.requires_grad_(False)
    return with_adapter(base, S.LORA)


def lora_base():
    return _lora_base(entry.key, entry.local_path)


@st.cache_resource(show_spinner=False)
def lora_lock():
    """One LoRA run at a time on the shared base, even if the server allows several trainings."""
    import threading

    return threading.Lock()


def _kept_mb(method: str) -> float:
    """What this session keeps after a run, in MB: the adapter, or the whole fine-tuned copy."""
    if method == "lora":
        adapter = st.session_state.get(S.ADAPTER_KEY)
        return adapter.nbytes / 1e6 if adapter is not None else 0.0
    model = st.session_state.get(MODEL_KEY)
    return sum(p.numel() * p.element_size() for p in model.parameters()) / 1e6 if model is not None else 0.0


def run_training(plan: BlockPlan, settings: FinetuneSettings, method: str, lora: LoraSettings,
                 chart_slot, progress_slot, metric_slot) -> None:
    waiting = st.empty()
    with ui_ft.training_slot(lang, waiting):
        # one tuned model per student at a time: a new run frees the previous one first
        for key in (MODEL_KEY, S.ADAPTER_KEY, REPORT_KEY):
            st.session_state.pop(key, None)
        st.session_state[S.TRAINED_MODEL_KEY] = entry.key  # before and after compare on this model only
        if method == "lora":
            waiting.info(t("finetuning.loading_lora", lang, model=entry.name), icon=":material/download:")
            model = lora_base()
            with lora_lock():
                reset_adapter(model, lora)  # the chosen rank's adapter, to count what trains
                trainable, total = trainable_parameters(model)
        else:
            waiting.info(t("finetuning.loading", lang, model=entry.name), icon=":material/download:")
            # the user's own copy: the shared models are never touched
            model = models.load_finetuning_copy() if entry.is_gemma else catalog.load_trainable_copy(entry)
            trainable, total = freeze(model, settings)
            st.session_state[MODEL_KEY] = model
        waiting.caption(t("finetuning.trainable", lang, trainable=fmt_int(trainable, lang), total=fmt_int(total, lang)))
        report = RunReport()
        st.session_state[REPORT_KEY] = report

        def update(r: RunReport) -> None:
            show_report(r, chart_slot, progress_slot, metric_slot)

        started = time.perf_counter()
        if method == "lora":
            with lora_lock():
                reset_adapter(model, lora, seed=settings.seed)  # a fresh adapter for this run, on the shared base
                try:
                    finetune(model, training_tokenizer(), plan, settings, report, on_update=update)
                finally:  # whatever happened (stopped, diverged, left), the adapter leaves the shared base
                    st.session_state[S.ADAPTER_KEY] = extract_adapter(model, lora)
                    reset_adapter(model, lora)
        else:
            finetune(model, training_tokenizer(), plan, settings, report, on_update=update)
        seconds = time.perf_counter() - started
        val = [p for p in report.points if p.val_loss is not None]
        runs = st.session_state.setdefault(S.RUNS_KEY, [])
        runs.append({"method": method, "trainable": trainable, "total": total, "seconds": seconds,
                     "kept_mb": _kept_mb(method), "steps": report.step,
                     "val_perplexity": val[-1].val_perplexity if val else None})
        if report.finished:  # what the domain task grades: the corpus this run was trained on, and its report
            st.session_state[S.TRAINED_KEY] = {"texts": list(corpus.texts), "report": to_plain(report)}


def runs_table() -> None:
    """This student's runs, LoRA and full side by side: what trained, how long, what is kept, how well."""
    runs = st.session_state.get(S.RUNS_KEY) or []
    if not runs:
        return
    st.markdown(f"**{t('finetuning.runs.title', lang)}**")
    st.table(pd.DataFrame({
        t("finetuning.runs.method", lang): [t(f"finetuning.method.{r['method']}", lang) for r in runs],
        t("finetuning.runs.trainable", lang): [f"{fmt_int(r['trainable'], lang)} ({fmt_float(100 * r['trainable'] / r['total'], lang, 2)} %)"
                                               for r in runs],
        t("finetuning.runs.seconds", lang): [fmt_float(r["seconds"], lang, 1) for r in runs],
        t("finetuning.runs.kept", lang): [fmt_float(r["kept_mb"], lang, 1) for r in runs],
        t("finetuning.m.val_ppl", lang): ["" if r["val_perplexity"] is None else fmt_float(r["val_perplexity"], lang, 2)
                                          for r in runs],
    }), hide_index=True, border="horizontal")  # a table that wraps its long headers fits the column: no sideways scroll
    st.caption(t("finetuning.runs.caption", lang))


def training_widget(plan: BlockPlan) -> None:
    method, lora = method_widget()
    settings = settings_widget(method)
    problems = settings.problems()
    for key in problems:
        st.error(t(f"finetuning.bad.{key}", lang))
    if not problems and entry.is_gemma:
        shelf.show("finetuning", FinetuningSettings(corpus.texts, method, lora, settings))
    elif not problems:  # the run's code is written for Gemma's blocks (<bos>, <eos>) and projections
        st.caption(t("finetuning.code_gemma_only", lang, name=entry.name))
    go, stop = st.columns(2)
    start = go.button(t("finetuning.train", lang), type="primary", icon=":material/model_training:",
                      disabled=bool(problems) or not plan.train, key="finetune.train")
    stop.button(t("finetuning.stop", lang), icon=":material/stop:", key="finetune.stop", help=t("finetuning.stop_help", lang))
    progress_slot, chart_slot, metric_slot = st.empty(), st.empty(), st.empty()
    if start:
        run_training(plan, settings, method, lora, chart_slot, progress_slot, metric_slot)
    report: RunReport | None = st.session_state.get(REPORT_KEY)
    if report is None:
        st.caption(t("finetuning.not_trained", lang))
        return
    show_report(report, chart_slot, progress_slot, metric_slot)
    if report.diverged:
        st.error(t(f"finetuning.diverged.{report.diverged}", lang, step=report.step))
    elif not report.finished:
        st.warning(t("finetuning.stopped", lang, step=report.step, total=report.total_steps))
    else:
        st.success(t("finetuning.done", lang, steps=report.step))
    with st.expander(t("finetuning.table", lang)):
        st.dataframe(report_table(report), hide_index=True, width="stretch")
    runs_table()


if plan is not None:
    with frame.contained(lang):
        st.markdown(ui_models.model_line(entry, ui_models.lm_architecture(entry), lang))
        training_widget(plan)

lesson_ui.sections(les, "overfitting", "before-after")


# --- 4. before and after ----------------------------------------------------------------------------------
def before_after() -> None:
    adapter, tuned = st.session_state.get(S.ADAPTER_KEY), st.session_state.get(MODEL_KEY)
    if adapter is None and tuned is None:
        st.info(t("finetuning.ba.no_model", lang), icon=":material/info:")
        return
    trained_on = st.session_state.get(S.TRAINED_MODEL_KEY)
    if trained_on != entry.key:  # trained on another model than the one picked now: never mixed
        other = catalog.find(trained_on)
        st.info(t("finetuning.ba.other_model", lang, trained=other.name if other else str(trained_on), model=entry.name),
                icon=":material/swap_horiz:")
        return
    a, b, c = st.columns([3, 1, 1])
    st.session_state.setdefault("finetune.prompt", t("finetuning.ba.default_prompt", lang))
    prompt_text = a.text_input(t("finetuning.ba.prompt", lang), key="finetune.prompt", max_chars=500)
    max_new = b.number_input(t("decoding.max_new", lang), 1, 60, 25, key="finetune.ba.max_new")
    sampled = c.toggle(t("finetuning.ba.sampled", lang), key="finetune.ba.sampled")
    if not prompt_text.strip():
        st.info(t("decoding.empty", lang))
        return
    tok = ui_models.lm_tokenizer(entry)
    ids = tok(prompt_text)["input_ids"][-256:]
    strategy = D.Strategy(temperature=0.8, top_p=0.9) if sampled else D.GREEDY
    seed = int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED))
    stop = ui_models.lm_stop_token_ids(entry)
    generate = lambda m: G.run(m, ids, [strategy], max_new_tokens=int(max_new), seed=seed,  # noqa: E731
                               stop_token_ids=stop).rows[0]
    if adapter is not None and not entry.is_gemma:
        # A Hub model's worker applies no adapter: the adapter goes back on this model's LoRA base for the
        # two generations, then leaves it (runs and comparisons take turns on the base, under its lock).
        peft_model = lora_base()
        with lora_lock():
            # an adapter of the trained rank first (the base holds whatever rank the last run left), then its weights
            reset_adapter(peft_model, LoraSettings(rank=adapter.rank, alpha=round(adapter.scaling * adapter.rank),
                                                   dropout=S.LORA.dropout))
            load_adapter(peft_model, adapter)
            try:
                peft_model.eval()
                with peft_model.disable_adapter():
                    before = generate(peft_model)
                rows = [before, generate(peft_model)]
            finally:
                reset_adapter(peft_model, S.LORA)
        titles = (t("finetuning.ba.base", lang, model=entry.name), t("finetuning.ba.tuned_lora", lang))
    elif adapter is not None:
        # Both on the model worker, in the same batch: the same shared base, once with the adapter.
        worker = ui_models.model_worker()
        handles = [worker.generate(ids, [strategy], max_new_tokens=int(max_new), seed=seed, stop_token_ids=stop,
                                   adapter=x) for x in (None, adapter)]
        rows = []
        try:
            for handle in handles:
                state = None
                for state in handle:
                    pass
                rows.append(state.rows[0])
        finally:
            for handle in handles:
                handle.cancel()  # leaving the page frees both rows
        titles = (t("finetuning.ba.base", lang, model=entry.name), t("finetuning.ba.tuned_lora", lang))
    else:
        tuned.eval()  # a run stopped mid-way leaves it in training mode
        base = ui_models.lm_model(entry)  # float32, shared and read-only
        worker = ui_models.lm_worker(entry)
        rows = ui_models.wait_for(worker.submit(lambda: [generate(m) for m in (base, tuned)]), lang, worker=worker)
        titles = (t("finetuning.ba.base", lang, model=entry.name), t("finetuning.ba.tuned", lang))
    for column, row, title in zip(st.columns(2), rows, titles):
        pieces = G.pieces(tok, [c.token_id for c in row.tokens], before=ids[-8:])
        with column:
            st.markdown(f"**{title}**")
            st.markdown(ui_dec.generated_box(prompt_text, pieces, row.tokens, lang), unsafe_allow_html=True)
    st.markdown(ui_dec.legend_html(lang), unsafe_allow_html=True)
    if st.button(t("finetuning.ba.reset", lang), icon=":material/restart_alt:", key="finetune.reset"):
        for key in (MODEL_KEY, S.ADAPTER_KEY, REPORT_KEY):
            st.session_state.pop(key, None)
        st.rerun()


if ready:
    with frame.contained(lang):
        before_after()

lesson_ui.sections(les, "efficient-finetuning", "from-scratch")


# --- 5. a tiny GPT-2 from scratch, on the same corpus --------------------------------------------------------
@st.cache_resource(show_spinner=False)
def gpt2_tokenizer_with_pad():
    import copy

    tok = copy.deepcopy(ui_models.gpt2_tokenizer())  # a copy: the shared tokenizer is never changed
    tok.pad_token = tok.eos_token
    return tok


def from_scratch() -> None:
    st.subheader(t("finetuning.scratch.header", lang))
    a, b = st.columns(2)
    steps = a.number_input(t("finetuning.steps", lang), 10, 400, 80, step=10, key="finetune.scratch.steps")
    lr = b.number_input(t("finetuning.lr", lang), 0.0, 1.0, 1e-3, step=1e-4, format="%.0e", key="finetune.scratch.lr")
    settings = FinetuneSettings(max_steps=int(steps), learning_rate=float(lr), batch_size=8, grad_accumulation=1,
                                block_size=SCRATCH_BLOCK, seed=int(st.session_state.get(S.SEED_KEY, S.DEFAULT_SEED)),
                                validation_share=0.1, eval_every=10, trainable_layers=0, train_embeddings=True,
                                bf16=False)
    for key in settings.problems():
        st.error(t(f"finetuning.bad.{key}", lang))
    tok = gpt2_tokenizer_with_pad()
    # "\n" between texts: with pad = eos, the collator would hide an <|endoftext|> separator from the loss
    newline = tok("\n")["input_ids"][0]
    plan = plan_blocks([tok(x)["input_ids"] for x in corpus.texts], SCRATCH_BLOCK, 0.1, settings.seed,
                       separator=newline)
    if plan.n_blocks == 0:
        st.error(t("finetuning.no_blocks", lang, tokens=fmt_int(len(plan.stream), lang), size=SCRATCH_BLOCK))
        return
    start = st.button(t("finetuning.scratch.train", lang), icon=":material/child_care:", key="finetune.scratch.go",
                      disabled=bool(settings.problems()))
    progress_slot, chart_slot, metric_slot = st.empty(), st.empty(), st.empty()
    if start:
        GPT2Config, GPT2LMHeadModel = models._hf("GPT2Config", "GPT2LMHeadModel")

        with ui_ft.training_slot(lang, progress_slot):
            torch.manual_seed(settings.seed)
            model = GPT2LMHeadModel(GPT2Config(n_layer=SCRATCH_LAYERS, n_embd=SCRATCH_WIDTH, n_head=4,
                                               n_positions=SCRATCH_BLOCK * 2))
            report = RunReport()
            st.session_state[S.SCRATCH_KEY] = (model, report)
            finetune(model, tok, plan, settings, report,
                     on_update=lambda r: show_report(r, chart_slot, progress_slot, metric_slot))
    saved = st.session_state.get(S.SCRATCH_KEY)
    if saved is None:
        st.caption(t("finetuning.scratch.caption", lang, layers=SCRATCH_LAYERS, width=SCRATCH_WIDTH))
        return
    model, report = saved
    model.eval()
    show_report(report, chart_slot, progress_slot, metric_slot)
    if report.diverged:
        st.error(t(f"finetuning.diverged.{report.diverged}", lang, step=report.step))
    prompt_ids = tok(t("finetuning.ba.default_prompt", lang))["input_ids"]
    state = G.run(model, prompt_ids, [D.Strategy(temperature=0.8, top_p=0.9)], max_new_tokens=30,
                  seed=settings.seed, stop_token_ids=G.stop_token_ids(model))
    pieces = G.pieces(tok, [c.token_id for c in state.rows[0].tokens], before=prompt_ids)
    st.markdown(f"**{t('finetuning.scratch.sample', lang, steps=report.step)}**")
    st.markdown(ui_dec.generated_box(t("finetuning.ba.default_prompt", lang), pieces, state.rows[0].tokens, lang),
                unsafe_allow_html=True)
    with st.expander(t("finetuning.table", lang)):
        st.dataframe(report_table(report), hide_index=True, width="stretch")


if not corpus.problem:
    with frame.contained(lang):
        from_scratch()

lesson_ui.sections(les, "good-practice", "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("finetuning", lang)
