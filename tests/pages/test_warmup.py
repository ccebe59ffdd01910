"""The server's background warm-up (ui.warmup): steps in order, a failure does not stop the rest,
nothing that needs the decoder runs before it is prepared, and nothing starts before the first page."""

from __future__ import annotations

import threading

import pytest

from ui import warmup as W


def wait_done(w: W.Warmup) -> dict[str, str]:
    w._thread.join(timeout=30)
    assert not w._thread.is_alive()
    return w.status()


def test_steps_run_in_order_once_a_page_was_served():
    order: list[str] = []
    w = W.Warmup(tuple(W.Step(key, lambda key=key: order.append(key)) for key in ("a", "b", "c")))
    assert not w.running  # not started: the sidebar shows nothing
    w.start()
    assert w.running and order == []  # waits for the first page
    w.page_served()
    assert wait_done(w) == {"a": "ready", "b": "ready", "c": "ready"}
    assert order == ["a", "b", "c"] and not w.running
    w.start()  # once per server
    assert order == ["a", "b", "c"]


def test_a_failing_step_is_marked_and_the_next_ones_still_load():
    def broken():
        raise OSError("disk")

    loaded = threading.Event()
    w = W.Warmup((W.Step("a", broken), W.Step("b", loaded.set)))
    w.page_served()
    status = wait_done(w.start())
    assert status == {"a": "failed", "b": "ready"} and loaded.is_set()


def test_decoder_steps_wait_for_the_preparation_and_are_skipped_without_it(monkeypatch):
    from gptlab import models
    from ui import models as M

    class Job:
        class state:
            status = "idle"

    monkeypatch.setattr(models, "decoder_ready", lambda: False)
    monkeypatch.setattr(M, "ensure_preparation_started", lambda: Job())
    ran: list[str] = []
    w = W.Warmup((W.Step("decoder", lambda: ran.append("decoder"), needs_decoder=True),
                  W.Step("encoder", lambda: ran.append("encoder"))))
    w.page_served()
    assert wait_done(w.start()) == {"decoder": "skipped", "encoder": "ready"}
    assert ran == ["encoder"]


@pytest.mark.parametrize("value, on", [("0", False), ("off", False), ("1", True), ("", True)])
def test_gptlab_warm_up_turns_it_off(monkeypatch, value, on):
    monkeypatch.setenv("GPTLAB_WARM_UP", value)
    assert W.enabled() is on


def test_the_sidebar_line_names_the_step_in_both_languages():
    from ui.models import _loading_line

    status = {"code": "ready", "tokenizers": "loading", "decoder": "waiting"}
    assert _loading_line(status, "en").startswith("Loading into memory: the tokenizers (2 of 3)")
    assert _loading_line(status, "pt-BR").startswith("Carregando na memória: os tokenizadores (2 de 3)")
