"""While a page waits for the model worker (ui.models.wait_for), the student reads their place in the queue
and an estimate, in their language; the notice is drawn again only when what it says changed, and it goes
away with the result."""

from __future__ import annotations

import concurrent.futures

import pytest

from gptlab.i18n import t
from gptlab.models.worker import WaitStatus
from ui import models as M


class Slot:
    """What st.empty() returns, recording what is drawn in it."""

    def __init__(self, drawn: list) -> None:
        self.drawn = drawn

    def info(self, text: str, icon: str | None = None) -> None:
        self.drawn.append(("info", text))

    def caption(self, text: str) -> None:
        self.drawn.append(("caption", text))

    def empty(self) -> None:
        self.drawn.append(("empty", None))


class FakeSt:
    def __init__(self) -> None:
        self.drawn: list = []

    def empty(self) -> Slot:
        return Slot(self.drawn)


class Queue:
    """A worker whose job waits behind others: each look at the queue returns the next status; the job's result
    comes after the last."""

    def __init__(self, future: concurrent.futures.Future, statuses: list[WaitStatus]) -> None:
        self.future, self.statuses = future, list(statuses)

    def job_status(self, future) -> WaitStatus:
        status = self.statuses.pop(0)
        if not self.statuses:
            future.set_result("done")
        return status


@pytest.mark.parametrize("lang", ("pt-BR", "en"))
def test_the_notice_shows_the_place_and_the_estimate_and_is_drawn_again_only_when_they_change(monkeypatch, lang):
    fake = FakeSt()
    monkeypatch.setattr(M, "st", fake)
    monkeypatch.setattr(M, "POLL_S", 0.001)
    future: concurrent.futures.Future = concurrent.futures.Future()
    statuses = [WaitStatus(2, False, 9.6), WaitStatus(2, False, 9.7), WaitStatus(2, False, 9.8),  # the same: once
                WaitStatus(1, False, 4.2), WaitStatus(0, True, 0.0), WaitStatus(0, True, 0.0)]
    assert M.wait_for(future, lang, worker=Queue(future, statuses)) == "done"
    waiting = [("info", t("models.queue.waiting", lang, ahead=n, seconds=s)) for n, s in (("3", "10"), ("2", "4"))]
    assert fake.drawn == [*waiting, ("caption", f":material/hourglass_top: {t('models.queue.computing', lang)}"),
                          ("empty", None)]


def test_a_result_already_there_draws_nothing(monkeypatch):
    fake = FakeSt()
    monkeypatch.setattr(M, "st", fake)
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_result(7)
    assert M.wait_for(future, "en", worker=Queue(future, [])) == 7
    assert fake.drawn == []


class Rerun(Exception):
    """What Streamlit raises in a script whose student pressed something (its RerunException)."""


def test_a_click_while_the_notice_stays_the_same_stops_the_wait_and_withdraws_the_job(monkeypatch):
    """Streamlit looks for a stop or a rerun when a script sends something; a notice that is not drawn again
    sends nothing, so the wait asks Streamlit itself at every look at the queue."""
    fake = FakeSt()
    monkeypatch.setattr(M, "st", fake)
    monkeypatch.setattr(M, "POLL_S", 0.001)
    looks = []

    def check() -> None:
        looks.append(1)
        if len(looks) == 4:  # the student clicked while the place in the queue did not change
            raise Rerun

    monkeypatch.setattr(M, "get_run_yield_check", lambda: check)
    future: concurrent.futures.Future = concurrent.futures.Future()
    with pytest.raises(Rerun):
        M.wait_for(future, "en", worker=Queue(future, [WaitStatus(2, False, 9.6)] * 10))
    assert future.cancelled()  # a job that had not started is withdrawn
    assert fake.drawn == [("info", t("models.queue.waiting", "en", ahead="3", seconds="10")), ("empty", None)]
