"""The model worker: many sessions' requests in one batch, each getting exactly what it would alone."""

from __future__ import annotations

import gc
import threading
import time

import pytest
import torch

from gptlab.models.engine import GemmaEngine
from gptlab.models.worker import ModelWorker
from gptlab.nn import decoding as D
from gptlab.nn import generation as G

SIDE_BY_SIDE = [D.GREEDY, D.Strategy(temperature=0.7), D.Strategy(top_k=20), D.Strategy(top_p=0.9),
                D.Strategy(temperature=0.7, top_k=20, top_p=0.9), D.Strategy(num_beams=3), D.Strategy()]
PROMPTS = [[2, 10, 20, 30, 40, 50, 60], [2, 5], [2, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18], [3]]


@pytest.fixture(scope="module")
def tiny(make_tiny_model):
    return make_tiny_model("gemma")


@pytest.fixture
def worker(tiny):
    w = ModelWorker(GemmaEngine(tiny))
    yield w
    w.close()


def _last(handle):
    state = None
    for state in handle:
        pass
    return state


def _tokens(state):
    return [[c.token_id for c in row.tokens] for row in state.rows]


def test_concurrent_requests_equal_the_readable_loop(tiny, worker):
    jobs = [(PROMPTS[i % 4], SIDE_BY_SIDE if i % 3 == 0 else [SIDE_BY_SIDE[i % 7]], 4 + 3 * i, i) for i in range(10)]
    results = [None] * len(jobs)

    def one(i, prompt, strategies, n, seed):
        results[i] = _last(worker.generate(prompt, strategies, max_new_tokens=n, seed=seed, stop_token_ids=[1]))

    threads = [threading.Thread(target=one, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (prompt, strategies, n, seed), got in zip(jobs, results):
        ref = G.run(tiny, prompt, strategies, max_new_tokens=n, seed=seed, stop_token_ids=[1])
        assert _tokens(got) == _tokens(ref)
        for a, b in zip(got.rows, ref.rows):
            assert [c.model_prob for c in a.tokens] == pytest.approx([c.model_prob for c in b.tokens], abs=1e-5)
    assert worker.load()["rows"] == 0  # every row freed


@pytest.mark.parametrize("beams", [2, 3, 4])
def test_beam_search_inside_the_worker_equals_transformers_generate(tiny, worker, beams):
    prompt = PROMPTS[0]
    out = tiny.generate(torch.tensor([prompt]), max_new_tokens=10, min_new_tokens=10, num_beams=beams,
                        do_sample=False, eos_token_id=None, pad_token_id=0)
    got = _last(worker.generate(prompt, [D.Strategy(num_beams=beams)], max_new_tokens=10, seed=0))
    assert _tokens(got)[0] == out[0, len(prompt):].tolist()


def test_each_step_streams_and_stop_frees_the_rows_at_once(worker):
    handle = worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=100, seed=0)
    steps = 0
    for state in handle:
        steps += 1
        assert state.step == steps
        if steps == 3:
            break  # what a page does when the student presses Stop or closes the tab
    deadline = time.monotonic() + 10
    while worker.load()["rows"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.load()["rows"] == 0


def test_every_step_writes_its_logits_in_the_same_memory_which_goes_back_when_the_worker_is_idle(tiny, worker):
    seen = []
    logits = worker.engine.logits

    def spy(hidden, int8_rows=None, out=None):
        assert out is not None and out.untyped_storage().data_ptr() == worker._logits_memory.untyped_storage().data_ptr()
        seen.append(out.untyped_storage().data_ptr())
        return logits(hidden, int8_rows, out=out)

    worker.engine.logits = spy
    _last(worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=6, seed=0))
    assert len(seen) >= 6 and None not in seen and len(set(seen)) == 1  # one buffer for every step
    deadline = time.monotonic() + 10
    while worker._logits_memory is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker._logits_memory is None  # nothing to do: the memory is given back
    again = _last(worker.generate(PROMPTS[2], SIDE_BY_SIDE, max_new_tokens=6, seed=1))  # in new memory
    assert _tokens(again) == _tokens(G.run(tiny, PROMPTS[2], SIDE_BY_SIDE, max_new_tokens=6, seed=1))


def test_the_key_value_cache_on_fresh_pages_gives_the_same_texts(tiny, monkeypatch):
    """Under `streamlit run` the cache grows on fresh zero pages (allocator.cache_zeros): the same texts."""
    from gptlab import allocator

    monkeypatch.setattr(allocator, "applied_before_threads", lambda: False)
    fresh = []
    monkeypatch.setattr(allocator, "fresh_zeros", lambda *a, fresh_zeros=allocator.fresh_zeros, **k: fresh.append(a) or fresh_zeros(*a, **k))
    w = ModelWorker(GemmaEngine(tiny))
    try:
        long_prompt = PROMPTS[2] * 12  # grows the cache's tokens as well as its rows
        handles = [w.generate(p, SIDE_BY_SIDE, max_new_tokens=5, seed=i) for i, p in enumerate([*PROMPTS, long_prompt])]
        got = [_last(h) for h in handles]
    finally:
        w.close()
    assert fresh  # the cache was on fresh pages
    for i, (p, state) in enumerate(zip([*PROMPTS, long_prompt], got)):
        assert _tokens(state) == _tokens(G.run(tiny, p, SIDE_BY_SIDE, max_new_tokens=5, seed=i))


def test_a_handle_nobody_holds_any_more_frees_its_rows(worker):
    # A page that submitted a generation and ended before reading it (its session closed): the handle goes
    # with the session, and the worker stops generating for nobody.
    handle = worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=200, seed=0)
    request = handle._request
    deadline = time.monotonic() + 10
    while not worker.load()["rows"] and time.monotonic() < deadline:  # running (not read: reading cancels at its end)
        time.sleep(0.01)
    assert worker.load()["rows"] and not request.cancelled.is_set()
    del handle
    gc.collect()
    assert request.cancelled.is_set()
    deadline = time.monotonic() + 10
    while worker.load()["rows"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.load()["rows"] == 0


def test_forward_gives_the_models_logits_at_any_position(tiny, worker):
    ids = PROMPTS[2]
    result = worker.forward(ids, positions=[0, 5, -1]).result(10)
    with torch.inference_mode():
        ref = tiny(input_ids=torch.tensor([ids])).logits[0]
    assert torch.allclose(result.logits, ref[[0, 5, len(ids) - 1]], atol=1e-5)
    assert torch.allclose(worker.next_token_logits(ids), ref[-1], atol=1e-5)


def test_a_full_worker_queues_and_says_where_a_request_stands(tiny):
    """Each status is read while the worker is held inside a job (jobs run between steps), so what the test
    sees never depends on how fast the worker steps (before, a slow test thread could miss the wait)."""
    worker = ModelWorker(GemmaEngine(tiny), max_rows=7)
    before_any_step, after_one_step = threading.Event(), threading.Event()
    try:
        held = worker.submit(before_any_step.wait)
        first = worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=30, seed=0)  # 8 rows: runs alone
        second = worker.generate(PROMPTS[1], SIDE_BY_SIDE, max_new_tokens=5, seed=0)
        queued = second.status()  # nothing has run yet: `first` is ahead of it
        assert (queued.running, queued.ahead) == (False, 1) and queued.estimate_s > 0
        held_again = worker.submit(after_one_step.wait)
        before_any_step.set()
        held.result(10)
        while not held_again.running():  # the worker ran one step (`first` admitted) and took the next job
            time.sleep(0.005)
        waiting = second.status()  # `first` runs, its rows fill the worker: `second` is next
        assert (waiting.running, waiting.ahead) == (False, 0) and waiting.estimate_s > 0
        assert first.status().running
        after_one_step.set()
        assert _last(first).step == 30
        assert len(_last(second).rows[0].tokens) == 5
    finally:
        before_any_step.set()
        after_one_step.set()
        worker.close()


def test_jobs_run_in_order_between_steps_and_a_failing_job_harms_nobody(worker):
    order = []
    futures = [worker.submit(lambda i=i: order.append(i) or i) for i in range(5)]
    bad = worker.submit(lambda: 1 / 0)
    assert [f.result(10) for f in futures] == list(range(5)) and order == list(range(5))
    with pytest.raises(ZeroDivisionError):
        bad.result(10)
    assert len(_last(worker.generate(PROMPTS[1], [D.GREEDY], max_new_tokens=3, seed=0)).rows[0].tokens) == 3


def test_empty_prompts_are_refused(worker):
    with pytest.raises(ValueError):
        worker.generate([], [D.GREEDY], max_new_tokens=3, seed=0)
    with pytest.raises(ValueError):
        worker.forward([])


@pytest.mark.real_models
def test_a_student_gets_the_same_text_alone_and_in_a_class(prepared_decoder, gemma_tokenizer):
    from gptlab import models

    worker = ModelWorker(GemmaEngine(models.load_decoding_model()))
    try:
        prompts = ["Eu moro no Rio de", "A inteligência artificial nas escolas do Brasil", "O Brasil é um país",
                   "Era uma vez um gato que", "Hoje o tempo está"]
        requests = [(gemma_tokenizer(p)["input_ids"], SIDE_BY_SIDE if i % 2 == 0 else [D.Strategy()], 12, 40 + i)
                    for i, p in enumerate(prompts)]
        alone = [_last(worker.generate(ids, s, max_new_tokens=n, seed=seed)) for ids, s, n, seed in requests]
        handles = [worker.generate(ids, s, max_new_tokens=n, seed=seed) for ids, s, n, seed in requests]
        together = [None] * len(handles)
        threads = [threading.Thread(target=lambda i=i: together.__setitem__(i, _last(handles[i])))
                   for i in range(len(handles))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert together == alone  # tokens and every probability, bit for bit
    finally:
        worker.close()


def test_several_strategies_after_the_cache_grew_for_a_long_prompt(tiny, worker):
    """A long forward grows the key/value cache inside inference mode; a later generation with several
    strategies copies the prompt's row into the others (found in the decoding lab: a 1,024-token prompt,
    then Generate, raised 'Inplace update to inference tensor outside InferenceMode')."""
    long_prompt = [2] + [10 + i % 50 for i in range(300)]  # past the cache's first 128 positions
    worker.next_token_logits(long_prompt, timeout=60)
    got = _last(worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=5, seed=1, stop_token_ids=[1]))
    ref = G.run(tiny, PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=5, seed=1, stop_token_ids=[1])
    assert _tokens(got) == _tokens(ref)


def test_a_failing_step_answers_the_requests_it_had_just_admitted(worker, monkeypatch):
    """Never a page waiting forever: a request admitted by a step that fails gets the error."""
    def broken(*args, **kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(worker.engine, "forward", broken)
    handle = worker.generate(PROMPTS[1], [D.GREEDY], max_new_tokens=3, seed=0)
    with pytest.raises(RuntimeError, match="engine broke"):
        for _ in handle.states(timeout=0.1):
            pass
    monkeypatch.undo()
    assert _tokens(_last(worker.generate(PROMPTS[1], [D.GREEDY], max_new_tokens=3, seed=0)))  # the worker goes on


def test_a_page_slower_than_the_worker_gets_the_newest_state_not_every_one(worker):
    """A page drawing slower than the worker steps (a full server) skips to the newest state: each
    state holds every token so far, so nothing is lost, and the page never falls behind. The end
    and an error still come after the last state."""
    handle = worker.generate(PROMPTS[0], [D.GREEDY, D.Strategy(num_beams=3)], max_new_tokens=6, seed=0)
    while not (handle._request.run.done and worker.load()["generations"] == 0):  # it runs to its end, unread
        time.sleep(0.01)
    seen = [item for item in handle.states(timeout=0.1) if isinstance(item, G.GenerationState)]
    assert [s.step for s in seen] == [6]  # one drawing, the last state
    ref = _last(worker.generate(PROMPTS[0], [D.GREEDY, D.Strategy(num_beams=3)], max_new_tokens=6, seed=0))
    assert _tokens(seen[0]) == _tokens(ref)


def test_the_newest_state_comes_before_the_error_that_followed_it(worker):
    from gptlab.models.worker import GenerationHandle

    class Request:
        def __init__(self):
            import queue
            self.states = queue.Queue()
            self.cancelled = threading.Event()

    request = Request()
    states = [G.GenerationState(step=i, max_new_tokens=3, rows=()) for i in (1, 2)]
    for item in (*states, RuntimeError("engine broke")):
        request.states.put(item)
    seen = []
    with pytest.raises(RuntimeError, match="engine broke"):
        for item in GenerationHandle(worker, request).states(timeout=0.1):
            seen.append(item)
    assert [s.step for s in seen] == [2]
    request = Request()
    for item in (*states, None):
        request.states.put(item)
    assert [s.step for s in GenerationHandle(worker, request).states(timeout=0.1)] == [2]


def test_step_seconds_say_where_the_steps_went(worker):
    """benchmarks.worker prints these: the blocks, the output layer, the choices, within the steps' total."""
    def counters():  # read on the worker's thread, between steps: a step is counted whole or not at all
        return worker.submit(lambda: (worker.seconds.copy(), worker.steps)).result()

    before, steps_before = counters()
    _last(worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=6, seed=0))
    after, steps_after = counters()
    parts = [getattr(after, n) - getattr(before, n) for n in ("blocks", "output_layer", "choices")]
    total = after.total - before.total
    assert all(p > 0 for p in parts)
    assert sum(parts) <= total
    assert steps_after - steps_before == 6


def test_a_failed_step_does_not_keep_the_logits_memory(tiny):
    """The error a failed step hands the pages keeps its traceback (what failed, where) but not the step's
    locals: a page holding the error must not hold the class's logits buffer once the worker lets it go."""
    import traceback

    worker = ModelWorker(GemmaEngine(tiny))
    buffers = []

    def failing(hidden, small=None, out=None):
        buffers.append(out.untyped_storage().data_ptr())  # the worker's buffer, handed to the output layer
        raise RuntimeError("the output layer failed")

    worker.engine.logits = failing
    try:
        with pytest.raises(RuntimeError, match="output layer failed") as info:
            _last(worker.generate(PROMPTS[0], SIDE_BY_SIDE, max_new_tokens=3, seed=0))
        assert buffers
        held = [name for error in (info.value, info.value.__cause__) for frame, _ in traceback.walk_tb(error.__traceback__)
                for name, value in frame.f_locals.items()
                if isinstance(value, torch.Tensor) and value.untyped_storage().data_ptr() == buffers[0]]
        assert held == []
        assert "failing" in "".join(traceback.format_exception(info.value))  # where it failed is still told (its cause)
    finally:
        worker.close()


def test_clearing_an_errors_frames_follows_its_causes():
    import traceback

    from gptlab.models.worker import _clear_frames

    def inner():
        kept = torch.zeros(3)  # noqa: F841 - a local the traceback would keep
        raise ValueError("inner")

    def outer():
        also = torch.ones(2)  # noqa: F841
        try:
            inner()
        except ValueError as exc:
            raise RuntimeError("outer") from exc

    try:
        outer()
    except RuntimeError as exc:
        error = exc
    _clear_frames(error)
    for e in (error, error.__cause__):
        assert all(not frame.f_locals for frame, _ in traceback.walk_tb(e.__traceback__)
                   if frame.f_code.co_name in ("inner", "outer"))
        assert "inner" in "".join(traceback.format_exception(error))


def test_every_reader_of_one_failure_raises_its_own_error(worker, monkeypatch):
    """A failed step's requests, and the sessions waiting for one job, get the same error; each raises its own
    copy (same type and message, the worker's error as its cause), so no page's frames join another's traceback."""
    import concurrent.futures
    import traceback

    from gptlab.models.results import own_error, result_of

    def broken(*args, **kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(worker.engine, "forward", broken)
    gate = threading.Event()
    held = worker.submit(lambda: gate.wait(30))  # the worker waits between steps: both requests join one step
    handles = [worker.generate(p, [D.GREEDY], max_new_tokens=3, seed=0) for p in PROMPTS[:2]]
    gate.set()
    held.result(timeout=30)
    raised = []

    def read_in(name, handle):  # each reader's frame has its own name in the traceback
        def reader():
            try:
                for _ in handle.states(timeout=0.1):
                    pass
            except RuntimeError as exc:
                raised.append((name, exc))
        thread = threading.Thread(target=reader, name=name)
        thread.start()
        return thread

    for thread in [read_in(f"page{i}", h) for i, h in enumerate(handles)]:
        thread.join(timeout=30)
    monkeypatch.undo()
    assert len(raised) == 2 and raised[0][1] is not raised[1][1]
    assert len({id(exc.__cause__) for _, exc in raised}) == 1  # one step failed both, with one error
    for _, exc in raised:
        assert type(exc) is RuntimeError and str(exc) == "engine broke"
        assert "broken" in "".join(traceback.format_exception(exc))  # where it failed: the cause's traceback
    # the shared error's traceback holds the worker's frames only, no page's
    assert all(frame.f_code.co_name != "reader" for frame, _ in traceback.walk_tb(raised[0][1].__cause__.__traceback__))

    shared = RuntimeError("job failed")
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_exception(shared)
    depth = []
    for _ in range(3):  # three sessions waiting for one job
        with pytest.raises(RuntimeError, match="job failed") as info:
            result_of(future)
        assert info.value is not shared and info.value.__cause__ is shared
        depth.append(len(list(traceback.walk_tb(shared.__traceback__))))
    assert depth == [0, 0, 0]  # future.result() itself made it 3, 6, 9 frames deep

    class Worded(Exception):  # builds its message from its argument (as gptlab.nn.architecture's errors do)
        def __init__(self, name):
            super().__init__(f"no adapter for {name!r}")
            self.name = name

    worded = Worded("llama")
    own = own_error(worded)  # built without calling __init__ again: the same message, the same attributes
    assert own is not worded and str(own) == str(worded) and own.name == "llama" and own.__cause__ is worded

    class Strict(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a} {b}")
            self.a = a

    odd = Strict(1, 2)
    copied = own_error(odd)
    assert str(copied) == "1 2" and copied.a == 1

    missing = ModuleNotFoundError("no module named 'x'", name="x")  # its name is kept outside args: not copied
    assert own_error(missing) is missing
    noted = RuntimeError("noted")
    noted.add_note("a note")
    own = own_error(noted)
    own.add_note("the page's")
    assert noted.__notes__ == ["a note"] and own.__notes__ == ["a note", "the page's"]


def test_a_page_draws_fewer_states_when_a_class_shares_the_steps():
    """Redraws: the first and the last state always; between them at most every 25 ms per generation running
    (a student alone sees every step of a fast worker, a class of 40 a drawing about every second)."""
    from gptlab.models.worker import REDRAW_S_PER_GENERATION, Redraws

    def state(step, last=False):
        return G.GenerationState(step=step, max_new_tokens=40, rows=(G.RowResult((), last, False),))

    alone, cls = Redraws(), Redraws()
    times = [0.03 * i for i in range(40)]  # a state every 30 ms
    drawn_alone = [alone.due(state(i + 1), 1, t) for i, t in enumerate(times)]
    drawn_class = [cls.due(state(i + 1, last=i == 39), 40, t) for i, t in enumerate(times)]
    assert all(drawn_alone)
    assert drawn_class[0] and drawn_class[-1]
    gaps = [b - a for a, b in zip([t for t, d in zip(times, drawn_class) if d], [t for t, d in zip(times, drawn_class) if d][1:])]
    assert all(g >= 40 * REDRAW_S_PER_GENERATION - 1e-9 for g in gaps[:-1])  # the last one: the end, drawn at once
    assert sum(drawn_class) == 3  # at 0, 1.02 s and the end (1.17 s)


def test_the_worker_says_how_many_generations_share_its_steps(worker):
    gate = threading.Event()
    held = worker.submit(lambda: gate.wait(30))  # the three join the same step
    handles = [worker.generate(p, [D.GREEDY], max_new_tokens=30, seed=0) for p in PROMPTS[:3]]
    gate.set()
    held.result(timeout=30)
    first = next(iter(handles[0].states(timeout=0.1)))
    assert first.step == 1 and handles[0].sharing() == 3
    for h in handles:
        _last(h)
    assert worker.submit(worker.generations_running).result(timeout=30) == 1  # none running: one, the pace's floor
