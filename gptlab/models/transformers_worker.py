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

import atexit
import collections
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import torch

from gptlab.models.worker import WaitStatus
from gptlab.nn import generation as G
from gptlab.nn.decoding import Strategy


@dataclass(eq=False)
class _Generation:
    steps: Iterator[G.GenerationState] | None  # gptlab.nn.generation.generate, started on the worker thread
    start: Callable[[], Iterator[G.GenerationState]]
    states: "queue.Queue[G.GenerationState | BaseException | None]" = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    started: bool = False


@dataclass(eq=False)
class _Job:
    fn: Callable[[], Any]
    future: Future = field(default_factory=Future)
    label: str = ""


class TransformersGenerationHandle:
    """A generation on the worker: iterate (or states(timeout)) to receive its state after each step."""

    def __init__(self, worker: "TransformersWorker", request: _Generation) -> None:
        self._worker, self._request = worker, request

    def __iter__(self) -> Iterator[G.GenerationState]:
        for item in self.states(timeout=None):
            if isinstance(item, G.GenerationState):
                yield item

    def states(self, timeout: float | None) -> Iterator[G.GenerationState | WaitStatus]:
        try:
            while True:
                try:
                    item = self._request.states.get(timeout=timeout)
                except queue.Empty:
                    yield self.status()
                    continue
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.cancel()  # a page that stops reading (Stop, a closed tab) leaves the rotation at once

    def cancel(self) -> None:
        if not self._request.cancelled.is_set():
            self._request.cancelled.set()
            self._worker._wake()

    def status(self) -> WaitStatus:
        return self._worker._status_of(self._request)


class TransformersWorker:
    """Owns one transformers causal LM and runs every session's work on one thread."""

    def __init__(self, model, *, name: str = "gptlab-hub-worker") -> None:
        self.model = model
        self._active: list[_Generation] = []
        self._jobs: collections.deque[_Job] = collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self.round_seconds = 0.05  # moving average of one round (every active generation one step)
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()
        atexit.register(self.close)

    # ------------------------------------------------------------------------------- public API
    def generate(self, prompt_ids: Sequence[int], strategies: Sequence[Strategy], *, max_new_tokens: int,
                 seed: int, stop_token_ids: Sequence[int] = (), pad_token_id: int = 0) -> TransformersGenerationHandle:
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
        return TransformersGenerationHandle(self, request)

    def submit(self, fn: Callable[[], Any], label: str = "") -> Future:
        """Run fn() on the worker thread, between rounds of generation steps, one job at a time."""
        job = _Job(fn, label=label)
        with self._cond:
            self._check_open()
            self._jobs.append(job)
            self._cond.notify()
        return job.future

    def next_token_logits(self, ids: Sequence[int], timeout: float | None = None) -> torch.Tensor:
        """(V,) float32 logits of the token after `ids` (blocks until served)."""
        if not ids:
            raise ValueError("no tokens")
        ids = tuple(int(i) for i in ids)
        return self.submit(lambda: G.next_token_logits(self.model, ids), "next_token_logits").result(timeout)

    def job_status(self, future: Future) -> WaitStatus:
        with self._cond:
            for i, job in enumerate(self._jobs):
                if job.future is future:
                    return WaitStatus(ahead=i, running=False, estimate_s=(i + 1) * self.round_seconds)
        return WaitStatus(ahead=0, running=True, estimate_s=0.0)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=10)

    # ------------------------------------------------------------------------------- internals
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the model worker is closed")

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify()

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
