"""A model worker for any transformers causal LM (GPT-2 and the Hub models of gptlab.models.catalog).

The batched worker (gptlab.models.worker) runs Gemma through its own forward pass (engine.py), written
for Gemma's architecture. A Hub model runs here instead, through transformers itself and the readable
generation loop (gptlab.nn.generation.generate): one thread owns the model, so sessions never call torch
at once (Streamlit pitfall 4); each generation advances one step per round, in turn with the others,
and next-token distributions and other jobs are served between rounds. The choices are the same as
the batched worker's for the same logits (both drive gptlab.nn.generation.GenerationRun).

Same public API as ModelWorker where the labs use it: generate() -> a handle whose states(timeout)
yields GenerationState or WaitStatus, next_token_logits(), submit(), job_status(), close().
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import torch

from gptlab.models.results import result_of
from gptlab.models.worker import GenerationHandle, WaitStatus, WorkerThread
from gptlab.nn import generation as G
from gptlab.nn.decoding import Strategy


@dataclass(eq=False)
class _Generation:
    steps: Iterator[G.GenerationState] | None  # gptlab.nn.generation.generate, started on the worker thread
    start: Callable[[], Iterator[G.GenerationState]]
    states: "queue.Queue[G.GenerationState | BaseException | None]" = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    started: bool = False


class TransformersWorker(WorkerThread):
    """Owns one transformers causal LM and runs every session's work on one thread."""

    def __init__(self, model, *, name: str = "gptlab-hub-worker") -> None:
        super().__init__(name)
        self.model = model
        self._active: list[_Generation] = []
        self.round_seconds = 0.05  # moving average of one round (every active generation one step)
        self._start()

    # ------------------------------------------------------------------------------- public API
    def generate(self, prompt_ids: Sequence[int], strategies: Sequence[Strategy], *, max_new_tokens: int,
                 seed: int, stop_token_ids: Sequence[int] = (), pad_token_id: int = 0) -> GenerationHandle:
        if not prompt_ids:
            raise ValueError("the prompt has no tokens")
        prompt = tuple(int(i) for i in prompt_ids)
        strategies = tuple(strategies)
        request = _Generation(None, lambda: G.generate(self.model, prompt, strategies, max_new_tokens=max_new_tokens,
                                                       seed=seed, stop_token_ids=stop_token_ids,
                                                       pad_token_id=pad_token_id))
        with self._cond:
            self._check_open()
            self._active.append(request)
            self._cond.notify()
        return GenerationHandle(self, request)

    def generations_running(self) -> int:
        return max(1, len(self._active))  # they take turns step by step: a page's pace follows them too

    def next_token_logits(self, ids: Sequence[int], timeout: float | None = None) -> torch.Tensor:
        """(V,) float32 logits of the token after `ids` (blocks until served)."""
        if not ids:
            raise ValueError("no tokens")
        ids = tuple(int(i) for i in ids)
        return result_of(self.submit(lambda: G.next_token_logits(self.model, ids), "next_token_logits"), timeout)

    def _job_wait_s(self) -> float:
        return self.round_seconds

    # ------------------------------------------------------------------------------- internals
    def _status_of(self, request: _Generation) -> WaitStatus:
        return WaitStatus(0, True, 0.0)  # every generation is in the rotation from the start

    def _loop(self) -> None:
        torch.set_grad_enabled(False)
        while True:
            with self._cond:
                while not self._closed and not self._jobs and not self._active:
                    self._cond.wait()
                if self._closed:
                    break
                jobs = list(self._jobs)
                self._jobs.clear()
                active = list(self._active)
            for job in jobs:
                if job.future.set_running_or_notify_cancel():
                    try:
                        job.future.set_result(job.fn())
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        job.future.set_exception(exc)
            started = time.monotonic()
            for request in active:
                self._advance(request)
            if active:
                self.round_seconds = 0.8 * self.round_seconds + 0.2 * (time.monotonic() - started)
        with self._cond:
            for request in self._active:
                request.states.put(RuntimeError("the model worker is closed"))
            for job in self._jobs:
                job.future.cancel()

    def _advance(self, request: _Generation) -> None:
        """One step of one generation; it leaves the rotation when done, stopped or failed."""
        finished = request.cancelled.is_set()
        if not finished:
            try:
                if request.steps is None:
                    request.steps = request.start()
                state = next(request.steps)
                request.states.put(state)
                finished = state.done
            except StopIteration:
                finished = True
            except Exception as exc:  # noqa: BLE001 - the page shows it; the worker keeps serving others
                request.states.put(exc)
                finished = True
        if finished:
            request.states.put(None)
            if request.steps is not None:
                request.steps.close()
            with self._cond:
                if request in self._active:
                    self._active.remove(request)
