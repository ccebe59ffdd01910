"""The server-wide result caches hold a class: 40 students' own texts do not evict each other's results."""

from __future__ import annotations

import concurrent.futures

from ui import models as ui_models


def _pages_reading(cache: ui_models.ResultCache, students: int, reads: int) -> int:
    """Every student's page reads its own pass `reads` times, the class's reads interleaved; returns the passes run."""
    runs = 0

    def submit() -> concurrent.futures.Future:
        nonlocal runs
        runs += 1
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_result(runs)
        return future

    for _ in range(reads):
        for student in range(students):
            cache.future(f"student {student}'s sentence", submit)
    return runs


def test_a_class_of_forty_runs_each_students_pass_once():
    assert _pages_reading(ui_models.ResultCache(ui_models.CLASS_ENTRIES), students=40, reads=4) == 40


def test_a_cache_smaller_than_the_class_runs_the_passes_again_and_again():
    """What the attention lab did with 32 entries: 169 passes for 40 students in the classroom benchmark."""
    assert _pages_reading(ui_models.ResultCache(32), students=40, reads=4) == 160


def test_the_journey_labs_traces_are_kept_for_a_class(monkeypatch):
    from types import SimpleNamespace

    from labs.journey import widgets as journey

    asked = {}
    monkeypatch.setattr(ui_models, "lm_model", lambda entry: object())
    monkeypatch.setattr(journey, "prompt", lambda entry, text: SimpleNamespace(ids=(2, 5, 7)))
    monkeypatch.setattr(ui_models, "lm_job", lambda entry, name, key, fn, max_entries, quiet=False:
                        asked.setdefault(name, max_entries))
    journey.trace(None, "a student's prompt")
    assert asked == {"journey.trace": ui_models.CLASS_ENTRIES} and ui_models.CLASS_ENTRIES >= 40


def test_a_job_that_failed_with_a_timeout_is_not_taken_for_the_waits_own():
    """wait_for polls with a timeout; a job that itself raised TimeoutError reaches the page (it waited forever)."""
    import concurrent.futures
    import threading

    from ui import models as ui_models

    future: concurrent.futures.Future = concurrent.futures.Future()
    threading.Timer(0.05, lambda: future.set_exception(TimeoutError("the job's own"))).start()
    done = []

    from gptlab.models.worker import WaitStatus

    class Worker:  # the page asks the worker where the job stands between polls
        def job_status(self, future):
            return WaitStatus(ahead=0, running=True, estimate_s=0.0)

    def wait() -> None:
        try:
            ui_models.wait_for(future, "en", worker=Worker())
        except TimeoutError as exc:
            done.append(str(exc))

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    waiter.join(timeout=10)
    assert done == ["the job's own"]


def test_a_job_done_right_after_a_poll_gives_its_result():
    """A poll that times out while the job finishes: the page gets the result, not the poll's TimeoutError."""
    import concurrent.futures

    class Finishing(concurrent.futures.Future):
        def exception(self, timeout=None):  # the poll runs out; the job is done the moment after
            if not self.done():
                self.set_result("the result")
                raise concurrent.futures.TimeoutError()
            return super().exception(timeout)

    assert ui_models.wait_for(Finishing(), "en", worker=object()) == "the result"
