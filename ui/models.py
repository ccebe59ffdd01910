"""Cached model loaders (once per server) and the sidebar's model status."""

from __future__ import annotations

import concurrent.futures
import os
import time
from typing import Any, Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

from gptlab import models
from gptlab.i18n import fmt_int, t
from gptlab.models.results import result_of


@st.cache_resource(show_spinner=False)
def gpt2_tokenizer():
    return models.load_gpt2_tokenizer()


@st.cache_resource(show_spinner=False)
def minilm_tokenizer():
    return models.load_minilm_tokenizer()


@st.cache_resource(show_spinner=False)
def gemma_tokenizer():
    """Raises DecoderNotPrepared until the preparation has written the tokenizer (not cached then)."""
    return models.load_decoder_tokenizer()


@st.cache_resource(show_spinner=False)
def decoder_fp32():
    """Gemma 3 270M in float32 for the attention lab: rows sum to 1 to the last digit.
    Shared by every user: read-only (no hooks, no training); see gptlab.nn.attention."""
    return models.load_decoder(dtype="float32")


@st.cache_resource(show_spinner=False)
def decoding_model():
    """Gemma 3 270M as the decoding lab holds it (bfloat16, eager attention). Shared, read-only."""
    return models.load_decoding_model()


@st.cache_resource(show_spinner=False)
def model_worker():
    """The server's one model worker: it owns the decoder and runs every session's model work,
    batched (gptlab.models.worker). Raises DecoderNotPrepared until the decoder is prepared."""
    from gptlab.models.engine import GemmaEngine
    from gptlab.models.worker import ModelWorker

    return ModelWorker(GemmaEngine(decoding_model()))


def submit(fn: Callable[[], Any]) -> concurrent.futures.Future:
    """fn() on the model worker. Before the decoder is prepared (the worker holds it) fn runs here and now:
    the encoder's and the tokenizers' work on a page must not wait for the first start's conversion."""
    try:
        worker = model_worker()
    except models.DecoderNotPrepared:
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn())
        except Exception as exc:  # noqa: BLE001 - raised to the caller by result(), as the worker would
            future.set_exception(exc)
        return future
    return worker.submit(fn)


def worker_call(fn: Callable[[], Any]) -> Any:
    """fn() on the model worker, one job at a time between batched steps; blocks, shows nothing.
    For cached functions (st.cache_data), which must not draw; pages use `on_worker` or `job`."""
    return result_of(submit(fn))


POLL_S = 0.25  # how often a waiting page looks at its place in the queue


def wait_for(future: concurrent.futures.Future, lang: str | None, *, withdraw: bool = True, worker=None) -> Any:
    """The future's result; while it waits, the student sees their place in the queue and an
    estimate, never a frozen page. Leaving the page (or pressing anything) withdraws a job that has
    not started, unless others wait for the same result (withdraw=False). `worker`: the one the job
    was submitted to (default: Gemma's)."""
    if lang is None or future.done():  # done: e.g. run in place before the decoder was prepared (submit)
        return result_of(future)
    worker = worker if worker is not None else model_worker()
    notice, shown = None, None
    # Streamlit stops or reruns a script (a click, another page, a closed tab) when the script sends something;
    # a notice that is not drawn again sends nothing, so the wait looks for those requests itself.
    yield_check = get_run_yield_check()
    try:
        while True:
            try:
                return result_of(future, POLL_S)
            except concurrent.futures.TimeoutError:
                if future.done():  # done meanwhile, or the job itself failed with a TimeoutError: not the poll's
                    return result_of(future)
                if yield_check is not None:
                    yield_check()
                status = worker.job_status(future)
                if notice is None:
                    notice = st.empty()
                # Drawn again only when it changed: 40 students waiting drew it 4 times a second each, 12 % of
                # the attention page's Python in a class (formatting, and a message each for the server to send).
                now = (status.running, status.ahead, max(1, round(status.estimate_s)))
                if now == shown:
                    continue
                shown = now
                running, ahead, seconds = now
                if running:
                    notice.caption(f":material/hourglass_top: {t('models.queue.computing', lang)}")
                else:
                    notice.info(t("models.queue.waiting", lang, ahead=fmt_int(ahead + 1, lang),
                                  seconds=fmt_int(seconds, lang)), icon=":material/groups:")
    finally:
        if withdraw:
            future.cancel()  # no effect once it runs
        if notice is not None:
            notice.empty()


# Generations a page submitted at the top of a run, before the widget that shows them was reached
# (labs/decoding/widgets.py start_early): {widget key: (request, handle)} in the session.
EARLY_KEY = "models.early_generations"


def keep_early(key: str, request: Any, handle: Any) -> None:
    st.session_state.setdefault(EARLY_KEY, {})[key] = (request, handle)


def take_early(key: str, request: Any) -> Any:
    """The handle kept for this widget in this run if it runs `request` (one that runs another is cancelled)."""
    entry = st.session_state.get(EARLY_KEY, {}).pop(key, None)
    if entry is None:
        return None
    if entry[0] == request:
        return entry[1]
    entry[1].cancel()
    return None


def cancel_early_generations() -> None:
    """Cancel what a run submitted early and no widget took: the run was interrupted before it got there (Stop,
    a changed setting, another page opened). The router calls it at the top of every run, on every page, so a
    generation never runs on for nobody; a closed tab drops its handles, which cancel themselves."""
    for _, handle in st.session_state.pop(EARLY_KEY, {}).values():
        handle.cancel()


def on_worker(fn: Callable[[], Any], lang: str) -> Any:
    """fn() on the model worker, showing the student's place in the queue while it waits."""
    return wait_for(submit(fn), lang)


# Entries of a cache keyed by a student's own text: a whole class's worth. With fewer entries than students,
# 40 students opening the attention lab at once evicted each other's passes before their pages read them
# again (each page reads its pass four times): the pass ran 169 times for 40 students, 22 s of the worker's
# time. A pass over 64 tokens keeps about 4 MB (its hidden states and attention weights).
CLASS_ENTRIES = 64


class ResultCache:
    """A server-wide cache of model results by key (like st.cache_data), holding futures: sessions
    that ask the same thing at once share one job, and a page can show its place while it waits."""

    def __init__(self, max_entries: int) -> None:
        import collections
        import threading

        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: "collections.OrderedDict[Any, concurrent.futures.Future]" = collections.OrderedDict()

    def future(self, key: Any, submit: Callable[[], concurrent.futures.Future]) -> concurrent.futures.Future:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and not (found.done() and (found.cancelled() or found.exception() is not None)):
                self._entries.move_to_end(key)
                return found
            future = submit()
            self._entries[key] = future
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return future


@st.cache_resource(show_spinner=False)
def result_cache(name: str, max_entries: int = 64) -> ResultCache:
    return ResultCache(max_entries)


def job(name: str, key: Any, fn: Callable[[], Any], max_entries: int = 64, *, quiet: bool = False) -> Any:
    """fn() on the model worker, cached server-wide under (name, key): sessions asking the same
    thing share one job, and the page shows the student's place in the queue while it waits
    (`quiet`: just block, e.g. inside another cached function, which must not draw)."""
    from ui import frame

    cache = result_cache(name, max_entries)
    lang = None if quiet else frame.language()
    return wait_for(cache.future(key, lambda: submit(fn)), lang, withdraw=False)


def lm_job(entry, name: str, key: Any, fn: Callable[[], Any], max_entries: int = 64, *, quiet: bool = False) -> Any:
    """`job` on the worker that owns the picked model (`entry`, a gptlab.models.catalog entry): Gemma's batched
    worker, or a Hub model's own. Results are cached per model: the same text on GPT-2 and on Gemma are two."""
    if entry.is_gemma:
        return job(name, key, fn, max_entries, quiet=quiet)
    from ui import frame

    worker = lm_worker(entry)
    cache = result_cache(f"{name}@{entry.key}@{entry.local_path}", max_entries)
    lang = None if quiet else frame.language()
    return wait_for(cache.future(key, lambda: worker.submit(fn)), lang, withdraw=False, worker=worker)


@st.cache_resource(show_spinner=False)
def minilm_encoder():
    return models.load_minilm_encoder()


@st.cache_resource(show_spinner=False)
def minilm_config():
    """MiniLM's facts (layers, heads, vocabulary), read from its config."""
    return models.load_minilm_config()


@st.cache_resource(show_spinner=False)
def _decoder_config():
    return models.load_decoder_config()


def decoder_config():
    """Gemma 3 270M's facts (layers, heads, vocabulary) read from its config; None until it is prepared."""
    return _decoder_config() if models.decoder_ready() else None


@st.cache_resource(show_spinner=False)
def preparation_job() -> models.DecoderPreparationJob:
    return models.DecoderPreparationJob()


def auto_prepare_enabled() -> bool:
    return os.environ.get("GPTLAB_AUTO_PREPARE", "1").strip().lower() not in {"0", "false", "no", "off"}


def ensure_preparation_started() -> models.DecoderPreparationJob:
    job = preparation_job()
    if auto_prepare_enabled() and job.state.status == "idle":
        job.start()
    return job


def _loading_line(status: dict[str, str], lang: str) -> str:
    """'Loading into memory: the tokenizers (2 of 5)' while the server's warm-up runs."""
    keys = list(status)
    current = next((k for k in keys if status[k] == "loading"), next((k for k in keys if status[k] == "waiting"), keys[-1]))
    return t("models.warmup.loading", lang, step=t(f"models.warmup.step.{current}", lang),
             index=fmt_int(keys.index(current) + 1, lang), count=fmt_int(len(keys), lang))


def _step_line(state: models.PreparationState, lang: str) -> str:
    p = state.progress
    if p is None:
        return t("models.step.waiting", lang)
    if p.step_key == "done":
        return t("models.step.done", lang)
    step = models.PREPARATION_STEPS[p.step_index]
    return t(
        "models.step_progress",
        lang,
        index=p.step_index + 1,
        count=len(models.PREPARATION_STEPS),
        step=t(f"models.step.{step.key}", lang),
        elapsed=int(time.time() - p.started_at),
        typical=step.typical_seconds,
    )


def sidebar_model_status(lang: str) -> None:
    """Which models are ready and which are being prepared, updating itself while work runs."""
    from ui import warmup

    job = ensure_preparation_started()
    loading = warmup.current()
    running = job.state.status == "running" or (loading is not None and loading.running)

    @st.fragment(run_every=2.0 if running else None)
    def status() -> None:
        state = job.state
        st.markdown(f"**{t('sidebar.models', lang)}**")
        ready = f":material/check_circle: {t('models.ready', lang)}"
        for spec in (models.GPT2_TOKENIZER, models.MINILM_ENCODER):
            st.markdown(f"- **{spec.name}**, {t(f'models.desc.{spec.key}', lang)}: {ready}")
        label = {
            "done": f":material/check_circle: {t('models.ready', lang)}",
            "running": f":material/hourglass_top: {t('models.preparing', lang)}",
            "idle": f":material/pause_circle: {t('models.not_prepared', lang)}",
            "cancelled": f":material/stop_circle: {t('models.cancelled', lang)}",
            "failed": f":material/error: {t('models.failed', lang)}",
        }[state.status]
        spec = models.GEMMA_DECODER
        st.markdown(f"- **{spec.name}**, {t(f'models.desc.{spec.key}', lang)}: {label}")
        if state.status == "running":
            st.progress(state.progress.fraction if state.progress else 0.0, text=_step_line(state, lang))
            st.caption(t("models.first_time", lang))
            if state.stopping:
                st.caption(f":material/hourglass_bottom: {t('models.stopping', lang)}")
            elif st.button(t("models.cancel_button", lang), key="app.prepare_cancel", help=t("models.cancel_help", lang)):
                job.cancel()
                st.rerun()
        elif state.status in {"idle", "cancelled", "failed"}:
            if state.error:
                st.caption(t("models.error_detail", lang, error=state.error[:300]))
            st.caption(t("models.first_time", lang))
            key = "models.retry" if state.status == "failed" else "models.prepare_button"
            if st.button(t(key, lang), key="app.prepare_start"):
                job.start()
                st.rerun()
        if loading is not None and loading.running:
            st.caption(f":material/hourglass_top: {_loading_line(loading.status(), lang)}")
        if running and state.status != "running" and not (loading is not None and loading.running):
            st.rerun()  # finished (or stopped): let every page see the new state

    with st.sidebar:
        status()


@st.cache_resource(show_spinner=False)
def hub_tokenizer(spec_key: str):
    spec = next(s for s in models.OPTIONAL_HUB_MODELS if s.key == spec_key)
    return models.load_hub_tokenizer(spec)


HUB_FAILED_KEY = "tokenization.hub_failed"  # hub ids that failed to load in this session


def lab_tokenizers(lang: str) -> dict[str, object]:
    """The three offline tokenizers by display label; Gemma's only once prepared.

    While Gemma's tokenizer is being prepared the page says so and reruns by itself when it lands.
    """
    tokenizers: dict[str, object] = {
        t("tokenization.label.gpt2", lang): gpt2_tokenizer(),
        t("tokenization.label.bert", lang): minilm_tokenizer(),
    }
    if models.decoder_tokenizer_ready():
        tokenizers[t("tokenization.label.gemma", lang)] = gemma_tokenizer()
        return tokenizers
    job = ensure_preparation_started()
    if job.state.status == "running":

        @st.fragment(run_every=3.0)
        def wait_for_gemma() -> None:
            if models.decoder_tokenizer_ready():
                st.rerun()
            st.info(t("tokenization.gemma_wait", lang), icon=":material/hourglass_top:")

        wait_for_gemma()
    else:
        st.warning(t("tokenization.gemma_unavailable", lang))
    return tokenizers


# --------------------------------------------------------------------------------------------
# The model the labs run on: the sidebar's picker (?model=gpt2), and its cached loaders

MODEL_PARAM = "model"  # ?model=gpt2: the picked model travels in the URL like every setting
MODEL_STATE = "app.model"  # the picked model's key (plain session key: it survives pages without the widget)
MODEL_KEY = "app.model_pick"  # the picker widget
_MODEL_NOTICE = "app.model_notice"  # (string key, values) of a link whose model this machine lacks
_MODEL_FAILED = "app.model_failed"  # keys that failed to load in this session: not offered again


def _initial_model(lang: str) -> str:
    """The model a link names, when this machine can run it; else Gemma, with a notice saying why."""
    from gptlab.models import catalog

    raw = st.query_params.get(MODEL_PARAM)
    if raw is None or not str(raw).strip():  # ?model= with nothing: the default, nothing to say
        return catalog.GEMMA_KEY
    entry = catalog.find(raw)
    shown = "`" + str(raw)[:80].replace("`", "'").replace("\n", " ") + "`"  # URL text: inline code
    if entry is None:
        st.session_state[_MODEL_NOTICE] = ("models.picker.link_unknown", {"name": shown})
        return catalog.GEMMA_KEY
    if not entry.available:
        st.session_state[_MODEL_NOTICE] = ("models.picker.link_missing", {"name": shown, "reason": entry.reason})
        return catalog.GEMMA_KEY
    return entry.key


def _on_model_pick() -> None:
    st.session_state[MODEL_STATE] = st.session_state[MODEL_KEY]
    st.session_state.pop(_MODEL_NOTICE, None)


def model_label(entry) -> str:
    return entry.name if entry.is_gemma or entry.name == entry.hub_id else f"{entry.name} · {entry.hub_id}"


def sidebar_model_picker(lang: str) -> None:
    """The picker: every causal LM this machine can run; the others listed with the reason, in the user's language."""
    from gptlab.models import catalog

    if MODEL_STATE not in st.session_state:
        st.session_state[MODEL_STATE] = _initial_model(lang)
    failed: set[str] = st.session_state.setdefault(_MODEL_FAILED, set())
    entries = catalog.catalog()
    offered = {e.key: e for e in entries if e.is_gemma or (e.available and e.key not in failed)}
    if st.session_state[MODEL_STATE] not in offered:  # its files went away, or it failed to load
        st.session_state[MODEL_STATE] = catalog.GEMMA_KEY
    st.session_state[MODEL_KEY] = st.session_state[MODEL_STATE]
    with st.sidebar:
        st.selectbox(t("models.picker.label", lang), list(offered), format_func=lambda k: model_label(offered[k]),
                     key=MODEL_KEY, help=t("models.picker.help", lang), on_change=_on_model_pick)
        picked = offered[st.session_state[MODEL_STATE]]
        if not picked.is_gemma:
            st.caption(t(f"models.picker.source.{picked.source}", lang))
        missing = [e for e in entries if not e.is_gemma and not e.available]
        if missing:
            from ui.frame import markdown_escape

            items = "; ".join(t("models.picker.item", lang, name=markdown_escape(e.key), reason=t(f"models.picker.reason.{e.reason}", lang))
                              for e in missing)
            st.caption(t("models.picker.unavailable", lang, items=items))
    notice = st.session_state.get(_MODEL_NOTICE)
    if notice is not None:
        key, values = notice
        if "reason" in values:
            values = {**values, "reason": t(f"models.picker.reason.{values['reason']}", lang)}
        st.warning(t(key, lang, **values), icon=":material/swap_horiz:")
    if picked.is_gemma:
        if MODEL_PARAM in st.query_params:
            del st.query_params[MODEL_PARAM]
    else:
        st.query_params[MODEL_PARAM] = picked.key


def picked_model():
    """The catalog entry of the model the student picked (Gemma 3 270M unless they picked another)."""
    from gptlab.models import catalog

    key = st.session_state.get(MODEL_STATE, catalog.GEMMA_KEY)
    entry = catalog.find(key) if key != catalog.GEMMA_KEY else None
    if entry is None or not entry.available:
        return catalog.find(catalog.GEMMA_KEY)
    return entry


def model_failed(entry, exc: BaseException, lang: str) -> None:
    """A picked Hub model would not load: say so, fall back to Gemma for the rest of the session."""
    from gptlab.models import catalog

    st.session_state.setdefault(_MODEL_FAILED, set()).add(entry.key)
    st.session_state[MODEL_STATE] = catalog.GEMMA_KEY
    st.warning(t("models.picker.load_failed", lang, name=entry.key, error=type(exc).__name__))


@st.cache_resource(show_spinner=False, max_entries=4)
def _hub_tokenizer(key: str, local_path: str | None):
    from gptlab.models import catalog

    return catalog.load_tokenizer(catalog.find(key))


@st.cache_resource(show_spinner=False, max_entries=4)
def _hub_config(key: str, local_path: str | None):
    from gptlab.models import catalog

    return catalog.load_config(catalog.find(key))


@st.cache_resource(show_spinner=False, max_entries=4)
def _hub_model(key: str, local_path: str | None, dtype: str):
    """A Hub model, loaded once per server and dtype. Shared by every user: read-only."""
    from gptlab.models import catalog

    return catalog.load_model(catalog.find(key), dtype=dtype)


@st.cache_resource(show_spinner=False, max_entries=4)
def _hub_worker(key: str, local_path: str | None):
    """The worker that owns a Hub model (float32) and runs every session's work on it."""
    from gptlab.models.transformers_worker import TransformersWorker

    return TransformersWorker(_hub_model(key, local_path, "float32"), name=f"gptlab-hub-worker-{key}")


def lm_tokenizer(entry=None):
    """The picked (or given) model's tokenizer, loaded once per server."""
    entry = entry or picked_model()
    return gemma_tokenizer() if entry.is_gemma else _hub_tokenizer(entry.key, entry.local_path)


def lm_config(entry=None):
    """The picked model's config; None while Gemma is not prepared."""
    entry = entry or picked_model()
    return decoder_config() if entry.is_gemma else _hub_config(entry.key, entry.local_path)


def lm_architecture(entry=None):
    """The picked model's shape (gptlab.models.catalog.Architecture), read from its config; None until ready."""
    from gptlab.models.catalog import Architecture

    config = lm_config(entry)
    return None if config is None else Architecture.of(config)


def lm_model(entry=None, dtype: str = "float32"):
    """The picked model (shared, read-only). Gemma: float32 as the attention lab holds it, or the decoding lab's bfloat16."""
    entry = entry or picked_model()
    if entry.is_gemma:
        return decoder_fp32() if dtype == "float32" else decoding_model()
    return _hub_model(entry.key, entry.local_path, dtype)


def lm_worker(entry=None):
    """The worker that runs the picked model: Gemma's batched one, or a Hub model's own (TransformersWorker).
    Both answer next_token_logits(ids), generate(...).states(timeout), submit(fn), job_status(future)."""
    entry = entry or picked_model()
    return model_worker() if entry.is_gemma else _hub_worker(entry.key, entry.local_path)


def lm_stop_token_ids(entry=None) -> tuple[int, ...]:
    from gptlab.nn import generation as G

    entry = entry or picked_model()
    return G.stop_token_ids(decoding_model() if entry.is_gemma else lm_model(entry))


def lm_ready(entry=None) -> bool:
    """The picked model can run now (Gemma: once prepared; a Hub model: whenever the picker offers it)."""
    entry = entry or picked_model()
    return models.decoder_ready() if entry.is_gemma else entry.available


def model_line(entry, architecture, lang: str) -> str:
    """"The widgets run GPT-2 small: 12 blocks, 12 heads of 64 ...": every number read from the model's config."""
    a = architecture
    kv = (t("models.shape.kv.shared", lang, kv_heads=fmt_int(a.n_kv_heads, lang)) if a.grouped_kv
          else t("models.shape.kv.own", lang))
    from ui.frame import markdown_escape

    return t("models.shape.line", lang, name=markdown_escape(model_label(entry)), layers=fmt_int(a.n_layer, lang),
             heads=fmt_int(a.n_head, lang), head_dim=fmt_int(a.head_dim, lang), kv=kv, d=fmt_int(a.d_model, lang),
             vocab=fmt_int(a.vocab, lang), positions=t(f"models.shape.positions.{a.positions}", lang),
             norm=t(f"models.shape.norm.{a.norm}", lang), tied=t(f"models.shape.tied.{'yes' if a.tied_embeddings else 'no'}", lang),
             context=fmt_int(a.context, lang))
