"""Loading the models from server start, in the background, so that no student waits for them.

The server (streamlit_app.py) starts this when it starts. Each step fills the same once-per-server
caches the pages use (ui.models), in the order the course needs them: the code the labs import,
the tokenizers, the decoding model and its worker, the float32 decoder of the attention lab, the
encoder. A page that needs something not loaded yet loads it itself, as without the warm-up; the
sidebar shows what is still loading. GPTLAB_WARM_UP=0 turns it off (pages then load on demand).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

import streamlit as st

log = logging.getLogger(__name__)

# What the labs import: a first visit to a lab page then finds them in sys.modules.
LAB_MODULES = ("torch", "transformers", "pandas", "altair", "gptlab.classroom.report", "gptlab.exercises.bank",
               "gptlab.nn.attention", "gptlab.nn.decoding", "gptlab.nn.generation")
FIRST_PAGE_WAIT_S = 10.0


@dataclass(frozen=True)
class Step:
    key: str  # models.warmup.<key> names it in the sidebar
    run: Callable[[], object]
    needs_decoder: bool = False  # waits for the decoder's one-time preparation


def _import_lab_code() -> None:
    import course
    from gptlab.models import _TRANSFORMERS_IMPORT

    # transformers' lazy module is not thread-safe: a page resolving transformers.GPT2Tokenizer while
    # this thread imports it raised AttributeError (seen in tests/deploy). Every import of it takes
    # the one lock gptlab.models takes.
    with _TRANSFORMERS_IMPORT:
        for name in LAB_MODULES:
            importlib.import_module(name)
        from gptlab.exercises import bank

        for lesson in course.LESSONS:
            bank.for_lesson(lesson.id)


def _steps() -> tuple[Step, ...]:
    from ui import models as M

    return (
        Step("code", _import_lab_code),
        Step("tokenizers", lambda: (M.gpt2_tokenizer(), M.minilm_tokenizer())),
        Step("decoder", lambda: (M.gemma_tokenizer(), M.model_worker()), needs_decoder=True),
        Step("attention", M.decoder_fp32, needs_decoder=True),
        Step("encoder", M.minilm_encoder),
    )


class Warmup:
    """One background thread running the steps in order; `status()` says where it stands."""

    def __init__(self, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        self._lock = threading.Lock()
        self._state = {step.key: "waiting" for step in steps}  # waiting | loading | ready | skipped | failed
        self._thread: threading.Thread | None = None
        self._page_served = threading.Event()

    def page_served(self) -> None:
        """A page finished: loading may begin without slowing the first visitor's page."""
        self._page_served.set()

    def start(self) -> "Warmup":
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="gptlab-warmup", daemon=True)
                self._thread.start()
        return self

    def status(self) -> dict[str, str]:
        with self._lock:
            return dict(self._state)

    @property
    def running(self) -> bool:
        """Started and not finished."""
        return self._thread is not None and any(state in {"waiting", "loading"} for state in self.status().values())

    def _set(self, key: str, state: str) -> None:
        with self._lock:
            self._state[key] = state

    def _run(self) -> None:
        from gptlab import models
        from ui.models import ensure_preparation_started

        # Python runs one thread at a time: importing torch beside the first page would double its
        # time. Begin when a page has been served, or when nobody came for a while.
        self._page_served.wait(timeout=FIRST_PAGE_WAIT_S)
        for step in self.steps:
            if step.needs_decoder and not models.decoder_ready():
                job = ensure_preparation_started()  # only if GPTLAB_AUTO_PREPARE allows it
                while job.state.status == "running":
                    time.sleep(1.0)
                if not models.decoder_ready():
                    self._set(step.key, "skipped")  # a page prepares and loads it when asked
                    continue
            self._set(step.key, "loading")
            started = time.perf_counter()
            try:
                step.run()
            except Exception:  # a page meets the same error and explains it; the server keeps running
                log.exception("warm-up step %s failed", step.key)
                self._set(step.key, "failed")
                continue
            log.info("warm-up: %s in %.1f s", step.key, time.perf_counter() - started)
            self._set(step.key, "ready")


def enabled() -> bool:
    return os.environ.get("GPTLAB_WARM_UP", "1").strip().lower() not in {"0", "false", "no", "off"}


@st.cache_resource(show_spinner=False)
def warmup() -> Warmup:
    """The server's one warm-up (not started: `start_in_background` starts it)."""
    return Warmup(_steps())


def start_in_background() -> Warmup | None:
    """Start loading (once per server); None when GPTLAB_WARM_UP turns it off."""
    if not enabled():
        return None
    # Called from the server's startup, outside any session: Streamlit warns that there is no
    # script-run context, which is expected here (the caches are server-wide).
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    return warmup().start()


def current() -> Warmup | None:
    """The server's warm-up if it was started, for the sidebar."""
    return warmup() if enabled() else None


def page_served() -> None:
    """The router calls this after each page: the warm-up waits for the first one."""
    if enabled():
        warmup().page_served()
