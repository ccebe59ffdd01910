"""One model worker for the whole server: every session's model work, batched (continuous batching).

Streamlit runs each session's script in its own thread. If forty sessions each called the model,
forty threads would share two cores and each would read every weight on its own: forty students
would each wait forty times as long. Here one thread owns the decoder and runs everybody's work:

- every running generation's next step goes into ONE forward pass (one read of the weights for all
  rows); a request joins the batch at the next step, its prompt read in that same pass, and leaves
  it as soon as it ends, is stopped, or its tab is closed (vLLM's continuous batching, small);
- next-token distributions asked for at the same time go into that same pass too;
- other model work (the attention lab's float32 pass, the probes) queues as jobs, run one at a time
  between steps, so a long generation never blocks them for more than one step.

Each request sees exactly what it would alone (same choices for the same seed: gptlab.nn.generation's
GenerationRun), and while it waits it can ask where it stands (`status()`).
"""

from __future__ import annotations

import atexit
import collections
import os
import queue
import threading
import time
import traceback
import weakref
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

import torch

from gptlab.nn.decoding import Strategy
from gptlab.models.engine import GemmaEngine, KVCache, round_up
from gptlab.models.results import own_error, result_of
from gptlab.nn.generation import GenerationRun, GenerationState

MAX_BATCH_ROWS = int(os.environ.get("GPTLAB_MAX_BATCH_ROWS", "512"))  # rows in one step, all requests together
KV_CACHE_BUDGET_BYTES = int(float(os.environ.get("GPTLAB_KV_CACHE_GB", "3")) * 1e9)


class ThreadPolicy:
    """How many threads torch may use for the next steps: all cores on an idle machine, one fewer when
    other programs keep a core busy (a student's laptop always runs something).

    Measured here, one generation of 48 tokens: idle machine, 2 threads 35 tok/s and 1 thread 31;
    with other programs busy, 2 threads 35 and 1 thread 40 (and 17 with spinning OpenMP threads).
    A thread that waits for a core the other program holds makes every step wait for it.
    GPTLAB_TORCH_THREADS fixes the number instead.
    """

    INTERVAL_S = 1.0  # how often the machine's load is looked at
    BUSY_CORES = 0.6  # other programs using this much CPU (in cores) leave us one core fewer

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._process = psutil.Process()
        self.cores = os.cpu_count() or 1
        fixed = os.environ.get("GPTLAB_TORCH_THREADS", "").strip()
        self.fixed = int(fixed) if fixed.isdigit() and int(fixed) > 0 else None
        self.threads = self.fixed or self.cores
        self._last = self._sample()
        self._last_check = time.monotonic()

    def _sample(self) -> tuple[float, float, float]:
        times = self._psutil.cpu_times()
        busy = sum(times) - times.idle - getattr(times, "iowait", 0.0)
        mine = sum(self._process.cpu_times()[:2])
        return time.monotonic(), busy, mine

    def others_cores(self) -> float:
        """CPU used by other programs since the last look, in cores."""
        now, busy, mine = self._sample()
        then, busy0, mine0 = self._last
        self._last = (now, busy, mine)
        wall = max(now - then, 1e-3)
        return max(0.0, (busy - busy0) - (mine - mine0)) / wall

    def apply(self) -> None:
        """Look at the machine now and then; set torch's threads (call from the thread that runs torch)."""
        if self.fixed is None and self.cores > 1 and time.monotonic() - self._last_check >= self.INTERVAL_S:
            self._last_check = time.monotonic()
            self.threads = self.cores - 1 if self.others_cores() >= self.BUSY_CORES else self.cores
        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)


@dataclass
class StepSeconds:
    """Seconds the worker's steps spent, cumulative, by part (perf_counter, wall time on the worker's thread).

    Written by the worker's thread only; read them there too, between steps (`worker.submit(worker.seconds.copy)`):
    from another thread a step may be half counted. A part is counted when its call returns; `total` for every
    step, a failed one and one that found nothing to do included.
    """

    blocks: float = 0.0  # GemmaEngine.forward: the decoder's blocks for every row's new tokens
    output_layer: float = 0.0  # GemmaEngine.logits (and the buffer it writes into): 262,144 logits a row
    choices: float = 0.0  # every request's strategies choosing their tokens (GenerationRun.step)
    total: float = 0.0  # whole steps, those three included

    def copy(self) -> "StepSeconds":
        return replace(self)


@dataclass(frozen=True)
class WaitStatus:
    """Where a request stands, for the page to show while it waits."""

    ahead: int  # requests before it in the queue (0: it is being served)
    running: bool  # it has started
    estimate_s: float  # seconds until it starts (0 once started), a rough figure


def _clear_frames(exc: BaseException) -> None:
    """Drop the locals of every finished frame in the error's tracebacks (its causes' included); what failed
    and where stays readable."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


class Cancelled(Exception):
    """The request was stopped before it finished."""


@dataclass(eq=False)
class _Generation:
    prompt_ids: tuple[int, ...]
    run: GenerationRun
    states: "queue.Queue[GenerationState | BaseException | None]" = field(default_factory=queue.Queue)
    rows: list[int] = field(default_factory=list)  # cache rows, in the request's own row order
    cancelled: threading.Event = field(default_factory=threading.Event)
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    adapter: Any = None  # a LoRA adapter (gptlab.nn.lora.Adapter) applied to this request's rows, or None

    @property
    def n_rows(self) -> int:
        return self.run.n_rows


@dataclass(eq=False)
class _Forward:
    """Token ids in; logits (and final hidden states) at some positions out, no cache kept."""

    ids: tuple[int, ...]
    positions: tuple[int, ...]
    future: Future = field(default_factory=Future)
    submitted: float = field(default_factory=time.monotonic)
    adapter: Any = None


@dataclass(eq=False)
class _Job:
    fn: Callable[[], Any]
    future: Future = field(default_factory=Future)
    label: str = ""
    submitted: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class ForwardResult:
    logits: torch.Tensor  # (P, V) float32, the top refined exactly
    hidden: torch.Tensor  # (P, d) final hidden states (after the last norm), bfloat16


_NOTHING = object()


def _cancel(worker: "WorkerThread", request: Any) -> None:
    if not request.cancelled.is_set():
        request.cancelled.set()
        worker._wake()


REDRAW_S_PER_GENERATION = 0.025  # see Redraws


class Redraws:
    """When a page draws a generation's newest state: the first and the last always, the others at most every
    REDRAW_S_PER_GENERATION seconds per generation running in the worker's steps (a student alone: every 25 ms,
    as fast as the steps come; a class of 40: about every second, a step or two at a time).

    Drawing is the pages' Python on the cores the worker's steps need: two runs of a class of 40 drawing only the
    first and last states took 16.1 and 16.4 s against 17.4 and 19.6 s drawing every step (2-core machine; the
    README has the figures of this pace). Every state is still kept by the page as it comes.
    """

    def __init__(self) -> None:
        self.last: float | None = None  # when the last drawing was (time.monotonic)

    def due(self, state: GenerationState, generations: int, now: float) -> bool:
        """Whether to draw `state` now; if so, counts it as drawn."""
        if state.done or self.last is None or now - self.last >= REDRAW_S_PER_GENERATION * max(1, generations):
            self.last = now
            return True
        return False


class GenerationHandle:
    """A generation running in a worker (this one or gptlab.models.transformers_worker's): iterate to receive
    its state after each step."""

    def __init__(self, worker: "WorkerThread", request: Any) -> None:
        self._worker = worker
        self._request = request
        # Nobody holds the handle any more (a session that ended before its page read it): its rows are freed.
        weakref.finalize(self, _cancel, worker, request)

    def __iter__(self) -> Iterator[GenerationState]:
        try:
            while True:
                item = self._request.states.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise own_error(item)
                yield item
        finally:
            self.cancel()  # a page that stops reading (Stop, a closed tab) frees the rows at once

    def states(self, timeout: float | None) -> Iterator[GenerationState | WaitStatus]:
        """Like iterating, but yields a WaitStatus every `timeout` seconds while nothing comes, and only the
        newest of the states that came meanwhile: each state holds every token so far, so a page that
        draws slower than the worker steps (a full server) skips the drawings it could not keep up with
        instead of falling behind."""
        pending: Any = _NOTHING
        try:
            while True:
                if pending is not _NOTHING:
                    item, pending = pending, _NOTHING
                else:
                    try:
                        item = self._request.states.get(timeout=timeout)
                    except queue.Empty:
                        yield self.status()
                        continue
                while isinstance(item, GenerationState):  # newer states already waiting replace it
                    try:
                        newer = self._request.states.get_nowait()
                    except queue.Empty:
                        break
                    if not isinstance(newer, GenerationState):  # the end or an error: after this state
                        pending = newer
                        break
                    item = newer
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise own_error(item)
                yield item
        finally:
            self.cancel()

    def cancel(self) -> None:
        _cancel(self._worker, self._request)

    def status(self) -> WaitStatus:
        return self._worker._status_of(self._request)

    def sharing(self) -> int:
        """How many generations share the worker's steps now, this one included."""
        return self._worker.generations_running()


class WorkerThread:
    """One thread that owns a model and runs every session's work on it (sessions never call torch at once):
    other work queues as jobs, run in order between the model's steps. Subclasses write `_loop`."""

    def __init__(self, name: str) -> None:
        self._jobs: collections.deque[_Job] = collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _start(self) -> None:
        self._thread.start()
        atexit.register(self.close)  # a daemon thread still inside torch at exit aborts the process

    def _loop(self) -> None:
        raise NotImplementedError

    def submit(self, fn: Callable[[], Any], label: str = "") -> Future:
        """Run fn() on the worker thread, between steps (other model work: one at a time, in order)."""
        job = _Job(fn, label=label)
        with self._cond:
            self._check_open()
            self._jobs.append(job)
            self._cond.notify()
        return job.future

    def _job_wait_s(self) -> float:
        """Seconds each job ahead in the queue adds to the wait, a rough figure."""
        raise NotImplementedError

    def generations_running(self) -> int:
        """How many generations share the worker's steps now (at least one: the caller's)."""
        return 1

    def job_status(self, future: Future) -> WaitStatus:
        with self._cond:
            for i, job in enumerate(self._jobs):
                if job.future is future:
                    return WaitStatus(ahead=i, running=False, estimate_s=(i + 1) * self._job_wait_s())
        return WaitStatus(ahead=0, running=True, estimate_s=0.0)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=10)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the model worker is closed")

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify()


class ModelWorker(WorkerThread):
    """Owns one engine (the decoder) and runs every request on one thread."""

    def __init__(self, engine: GemmaEngine, *, max_rows: int = MAX_BATCH_ROWS,
                 kv_budget_bytes: int = KV_CACHE_BUDGET_BYTES, name: str = "gptlab-model-worker") -> None:
        super().__init__(name)
        self.engine = engine
        self.max_rows = max_rows
        self.kv_budget_bytes = kv_budget_bytes
        self.cache = KVCache(engine.shape)
        self._owner: list[tuple[_Generation, int]] = []  # per cache row: its request and index in it
        self._active: list[_Generation] = []
        self._waiting: collections.deque[_Generation] = collections.deque()
        self._forwards: collections.deque[_Forward] = collections.deque()
        self.step_seconds = 0.05  # moving average of a step's time, for estimates
        self.job_seconds = 0.5  # moving average of a job's time
        self.steps = 0
        # Where the steps' time went, cumulative (benchmarks.worker prints them): the model's passes (the blocks,
        # then the output layer), the strategies' choices, and everything else in a step.
        self.seconds = StepSeconds()
        self._logits_memory: torch.Tensor | None = None  # every step's logits are written here (_logits_buffer)
        self._start()

    # ------------------------------------------------------------------------------- public API
    def generate(self, prompt_ids: Sequence[int], strategies: Sequence[Strategy], *, max_new_tokens: int,
                 seed: int, stop_token_ids: Sequence[int] = (), pad_token_id: int = 0,
                 adapter: Any = None) -> GenerationHandle:
        """Start a generation (every strategy from one prompt, as gptlab.nn.generation.generate), on the
        base model or with a student's LoRA adapter (gptlab.nn.lora.Adapter) on top of it."""
        if not prompt_ids:
            raise ValueError("the prompt has no tokens")
        run = GenerationRun(strategies, max_new_tokens=max_new_tokens, seed=seed, stop_token_ids=stop_token_ids,
                            pad_token_id=pad_token_id)
        request = _Generation(tuple(int(i) for i in prompt_ids), run, adapter=adapter)
        with self._cond:
            self._check_open()
            self._waiting.append(request)
            self._cond.notify()
        return GenerationHandle(self, request)

    def forward(self, ids: Sequence[int], positions: Sequence[int] | None = None, adapter: Any = None) -> Future:
        """Logits and hidden states at `positions` (default: the last) of one sequence, as a Future."""
        if not ids:
            raise ValueError("no tokens")
        n = len(ids)
        picked = tuple(p % n for p in (positions if positions is not None else (-1,)))
        request = _Forward(tuple(int(i) for i in ids), picked, adapter=adapter)
        with self._cond:
            self._check_open()
            self._forwards.append(request)
            self._cond.notify()
        return request.future

    def next_token_logits(self, ids: Sequence[int], timeout: float | None = None, adapter: Any = None) -> torch.Tensor:
        """(V,) float32 logits of the token after `ids` (blocks until served)."""
        return result_of(self.forward(ids, adapter=adapter), timeout).logits[0]

    def _job_wait_s(self) -> float:
        return self.job_seconds + self.step_seconds

    def generations_running(self) -> int:
        return max(1, len(self._active))  # read without the lock: a length, for a pace, not a decision

    def load(self) -> dict[str, int]:
        """What the worker holds now: for the sidebar and the benchmarks."""
        with self._cond:
            return {"rows": self.cache.rows, "generations": len(self._active), "waiting": len(self._waiting),
                    "jobs": len(self._jobs), "steps": self.steps}

    # ------------------------------------------------------------------------------- internals
    def _status_of(self, request: _Generation) -> WaitStatus:
        with self._cond:
            if request.started is not None:
                return WaitStatus(0, True, 0.0)
            try:
                ahead = list(self._waiting).index(request)
            except ValueError:
                return WaitStatus(0, request.started is not None, 0.0)
            # Rows free up as running requests finish: a rough bound from their remaining steps.
            remaining = max((r.run.max_new_tokens - r.run.step_count for r in list(self._active)), default=0)
            return WaitStatus(ahead, False, (max(remaining, 1) + ahead) * self.step_seconds)

    def _has_work(self) -> bool:
        return bool(self._active or self._waiting or self._forwards or self._jobs)

    def _loop(self) -> None:
        torch.set_grad_enabled(False)
        policy = ThreadPolicy()
        self.thread_policy = policy
        while True:
            with self._cond:
                idle = not self._closed and not self._has_work()
            if idle:  # nothing to do: a class's 400 MB of logits go back (freed outside the lock the pages wait on)
                self._logits_memory = None
            with self._cond:
                while not self._closed and not self._has_work():
                    self._cond.wait()
                if self._closed:
                    self._fail_everything(RuntimeError("the model worker was closed"))
                    return
                job = self._jobs.popleft() if self._jobs else None
            policy.apply()
            if job is not None:
                self._run_job(job)
            try:
                # The engine grows the key/value cache inside inference mode; every later change to it
                # (a row copied for another strategy, a beam reordered) must be made there too.
                with torch.inference_mode():
                    self._step()
            except Exception as exc:  # a failed step fails its requests, never the worker
                # The error goes to every page in the step, and a page may keep it: its traceback's frames would
                # keep the step's locals alive with it, a view of the class's 400 MB of logits among them.
                _clear_frames(exc)
                self._fail_active(exc)

    def _run_job(self, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        start = time.monotonic()
        try:
            job.future.set_result(job.fn())
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            job.future.set_exception(exc)
        self.job_seconds = 0.8 * self.job_seconds + 0.2 * (time.monotonic() - start)

    def _rows_bytes(self, rows: int, tokens: int) -> int:
        s = self.engine.shape
        return rows * tokens * s.layers * 2 * s.kv_heads * s.head_dim * 4

    def _admit(self) -> list[_Generation]:
        """Waiting requests that fit (rows and memory), in arrival order: nobody overtakes."""
        admitted = []
        with self._cond:
            rows = self.cache.rows
            longest = max(self.cache.lengths, default=0)
            while self._waiting:
                request = self._waiting[0]
                if request.cancelled.is_set():
                    self._waiting.popleft()
                    request.states.put(None)
                    continue
                need_rows = rows + request.n_rows
                need_tokens = max(longest, len(request.prompt_ids) + request.run.max_new_tokens)
                fits = need_rows <= self.max_rows and self._rows_bytes(need_rows, need_tokens) <= self.kv_budget_bytes
                if not fits and rows > 0:  # the first request always runs, whatever its size
                    break
                self._waiting.popleft()
                request.started = time.monotonic()
                admitted.append(request)
                rows, longest = need_rows, need_tokens
            forwards = list(self._forwards)
            self._forwards.clear()
        self._pending_forwards = forwards
        return admitted

    def _step(self) -> None:
        start = time.perf_counter()
        try:
            self._run_step(start)
        finally:  # a failed step's time counts too (its parts up to the failure were counted)
            self.seconds.total += time.perf_counter() - start

    def _run_step(self, start: float) -> None:
        self._drop_cancelled()
        admitted = self._admit()
        self._pending_admitted = admitted  # not active yet: a failing step must still answer them
        forwards = self._pending_forwards
        if not (self._active or admitted or forwards):
            return
        engine, cache = self.engine, self.cache
        # Every row this step ends with (each admitted request's strategies and beams, each forward): one allocation.
        cache.reserve_rows(cache.rows + sum(request.n_rows for request in admitted) + len(forwards))
        # Decoding rows first (all rows of the cache, in order), then one new row per prompt.
        decode_rows = list(range(cache.rows))
        decode_tokens = [[int(req.run.next_ids[i])] for req, i in self._owner]
        new_rows, new_tokens = [], []
        for request in admitted:
            row = cache.add_row()
            self._owner.append((request, 0))
            request.rows = [row]
            new_rows.append(row)
            new_tokens.append(list(request.prompt_ids))
        forward_rows = []
        for request in forwards:
            row = cache.add_row()
            self._owner.append((None, 0))  # type: ignore[arg-type]
            forward_rows.append(row)
            new_rows.append(row)
            new_tokens.append(list(request.ids))
        adapters = [(id(req), req.adapter) if req.adapter is not None else None for req, _ in self._owner[:len(decode_rows)]]
        adapters += [(id(req), req.adapter) if req.adapter is not None else None for req in (*admitted, *forwards)]
        began = time.perf_counter()
        hidden = engine.forward(cache, decode_rows + new_rows, decode_tokens + new_tokens, adapters)  # (N, d)
        self.seconds.blocks += time.perf_counter() - began
        # Which hidden states need logits: the last of every row, and a forward's asked positions.
        offsets, offset = [], 0
        for tokens in decode_tokens + new_tokens:
            offsets.append(offset)
            offset += len(tokens)
        picks = [offsets[i] for i in range(len(decode_rows))]
        picks += [offsets[len(decode_rows) + j] + len(new_tokens[j]) - 1 for j in range(len(admitted))]
        forward_picks = []
        for j, request in enumerate(forwards):
            base = offsets[len(decode_rows) + len(admitted) + j]
            forward_picks.append([base + p for p in request.positions])
        all_picks = picks + [p for ps in forward_picks for p in ps]
        picked_hidden = hidden[torch.tensor(all_picks)]  # (P, d)
        # The output layer's kernel is chosen per request (see GemmaEngine.logits): the same numbers
        # for a request alone and in a full class.
        small = [self._small(req) for req, _ in self._owner[: len(decode_rows)]]
        small += [self._small(req) for req in admitted]
        small += [True] * (len(all_picks) - len(small))  # a forward: one sequence, a few positions
        began = time.perf_counter()
        logits = engine.logits(picked_hidden, small, out=self._logits_buffer(len(all_picks)))  # (P, V)
        self.seconds.output_layer += time.perf_counter() - began
        # Hand out the results.
        n_decode, n_new = len(decode_rows), len(admitted)
        # Beams that moved, every request's at once: one copy per block for the whole class (request by request,
        # 40 students' beams were 1,440 small copies a step). Requests own disjoint rows, so the moves commute.
        moves: tuple[list[int], list[int]] = ([], [])
        for request in self._active:
            rows = request.rows
            contiguous = rows == list(range(rows[0], rows[0] + len(rows)))
            request_logits = logits[rows[0] : rows[0] + len(rows)] if contiguous else logits[torch.tensor(rows)]  # (rows, V)
            self._advance(request, request_logits, moves)
        for j, request in enumerate(admitted):
            prompt_row = request.rows[0]
            for _ in range(request.n_rows - 1):  # every strategy and beam starts from the prompt
                row = cache.add_row()
                cache.copy_row(prompt_row, row)
                self._owner.append((request, len(request.rows)))
                request.rows.append(row)
            self._owner[prompt_row] = (request, 0)
            first = logits[n_decode + j].expand(request.n_rows, -1)  # (rows, V)
            self._active.append(request)
            self._advance(request, first, moves)
        self.cache.reorder(*moves)
        self._hand_out([*self._active])
        base = n_decode + n_new
        for request, ps in zip(forwards, forward_picks):
            k = len(ps)
            result = ForwardResult(logits[base : base + k].clone(), picked_hidden[base : base + k].clone())
            base += k
            if request.future.set_running_or_notify_cancel():
                request.future.set_result(result)
        self._remove_rows(forward_rows)
        self._finish_done()
        self.steps += 1
        elapsed = time.perf_counter() - start
        self.step_seconds = 0.8 * self.step_seconds + 0.2 * elapsed

    def _logits_buffer(self, rows: int) -> torch.Tensor:
        """(rows, V) float32 for this step's logits, the same memory every step (see GemmaEngine.logits): valid
        until the next step; what outlives the step (a forward's result) is copied out of it."""
        buffer = self._logits_memory
        if buffer is None or buffer.shape[0] < rows:
            self._logits_memory = buffer = None  # the old one goes before the larger one comes
            buffer = self._logits_memory = torch.empty(round_up(rows, 64), self.engine.shape.vocab, dtype=torch.float32)
        return buffer[:rows]

    @staticmethod
    def _small(request: "_Generation | None") -> bool:
        from gptlab.models.engine import INT8_MAX_ROWS

        return request is None or request.n_rows <= INT8_MAX_ROWS

    def _advance(self, request: _Generation, logits: torch.Tensor, moves: tuple[list[int], list[int]]) -> None:
        """One step of a request's choices; the rows its beams move to go into `moves` (targets, sources).
        The new state is handed to the page at the end of the step (_hand_out)."""
        run = request.run
        began = time.perf_counter()
        run.step(logits)
        self.seconds.choices += time.perf_counter() - began
        if run.reorder is not None:
            rows = request.rows
            moves[0].extend(rows)
            moves[1].extend(rows[int(i)] for i in run.reorder)

    @staticmethod
    def _hand_out(requests: Sequence[_Generation]) -> None:
        """Every request's new state, at once, once the step's choices are all made: a page woken by its
        state draws (holding the GIL) while the worker is still choosing the other requests' tokens in
        Python, and 40 pages woken one by one made those choices wait for the GIL again and again."""
        for request in requests:
            request.states.put(request.run.state)

    def _finish_done(self) -> None:
        self._release_all([r for r in self._active if r.run.done or r.cancelled.is_set()], None)

    def _drop_cancelled(self) -> None:
        self._release_all([r for r in self._active if r.cancelled.is_set()], None)

    def _release_all(self, requests: list[_Generation], last: Any) -> None:
        """Tell each of these requests `last` (None: done), then free all their rows in one move (told first:
        if freeing fails, for want of memory, the step's failure reaches the others, not these)."""
        for request in requests:
            request.states.put(last)
        self._release(*requests)

    def _release(self, *requests: _Generation) -> None:
        for request in requests:
            self._active.remove(request)
        self._remove_rows([row for request in requests for row in request.rows])
        for request in requests:
            request.rows = []

    def _remove_rows(self, rows: Sequence[int]) -> None:
        for old, new in self.cache.remove_rows(rows).items():
            owner, index = self._owner[old]
            self._owner[new] = (owner, index)
            if owner is not None:
                owner.rows[index] = new
        del self._owner[self.cache.rows :]

    def _fail_active(self, exc: BaseException) -> None:
        # Tell every request first and move no rows (the cache is replaced below): freeing rows allocates, and a
        # step that failed for want of memory must not fail again here and leave its requests waiting forever.
        for request in self._active:
            request.states.put(exc)
            request.rows = []
        self._active = []
        for request in getattr(self, "_pending_admitted", []):  # admitted by the failed step, not yet active
            if request not in self._active:
                request.states.put(exc)
                request.rows = []
        self._pending_admitted = []
        for request in getattr(self, "_pending_forwards", []):
            if not request.future.done():
                request.future.set_exception(exc)
        # Rows of half-built requests may remain: start from a clean cache.
        self.cache = KVCache(self.engine.shape)
        self._owner = []

    def _fail_everything(self, exc: BaseException) -> None:
        self._fail_active(exc)
        for request in self._waiting:
            request.states.put(exc)
        for request in self._forwards:
            request.future.set_exception(exc)
        for job in self._jobs:
            job.future.set_exception(exc)
