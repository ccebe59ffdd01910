"""A small class through the load generator (benchmarks/classroom.py) on the real app and the real Gemma.

Four real Streamlit sessions over the websocket protocol, each with its own text, all at once: every
one must end with its own page content and no error. Timings are printed, never asserted; every wait
is on the protocol's own signals (the run's script_finished), with generous timeouts.
The tests at the end check the generator's reading of the protocol on hand-made messages.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import classroom

ROOT = classroom.ROOT
LOGS = ROOT / "tests" / "browser" / "screenshots"  # git-ignored, beside the other browser tests' server logs
SESSIONS, TOKENS, SEED = 4, 4, 2024


@pytest.fixture(scope="module")
def server(prepared_decoder):
    LOGS.mkdir(parents=True, exist_ok=True)
    port = classroom.free_port()
    proc, url, _ = classroom.start_server(port, log_path=LOGS / f"server-{port}.log")
    yield url, proc.pid
    classroom.stop_server(proc)


@pytest.mark.browser
@pytest.mark.real_models
def test_a_class_of_four_each_gets_their_own_complete_page(server):
    url, pid = server
    report = classroom.Report(SESSIONS)
    memory = classroom.RssSampler(pid)
    memory.start()
    try:
        asyncio.run(classroom.run_class(
            url, sessions=SESSIONS, scenario="all", tokens=TOKENS, lang="pt-BR", seed=SEED, timeout=600,
            warmup=True, solo_check=True, report=report, log=print,
        ))
    finally:
        report.peak_rss_gb = memory.stop()
    classroom.print_problems(report)
    print(report.last_line())

    sentences = classroom.student_texts(SESSIONS, SEED, open_ended=False)
    prompts = classroom.student_texts(SESSIONS, SEED + 1, open_ended=True)
    assert len(set(sentences)) == len(set(prompts)) == SESSIONS  # every student their own text
    expected = {"attention": sentences, "decoding": prompts, "generate": prompts}
    for scenario, texts in expected.items():
        results = report.results[scenario]
        assert [r.student for r in results] == list(range(SESSIONS)), scenario
        for r in results:
            # ok: the run finished, and the page held the student's own text (the sentence box and the
            # heatmaps' tokens; the prompt box and the prompt shown back from the model's tokens), the
            # expected elements, every generated row complete, no exception and no error alert
            assert r.ok, f"{scenario}, student {r.student} ({r.text!r}): {r.problems}"
            assert r.text == texts[r.student]
    for r in report.results["generate"]:
        assert len(r.rows) >= 2 and all(r.rows), f"student {r.student}: rows {r.rows!r}"
        assert r.first_token_s is not None and r.first_token_s <= r.seconds
    # the texts seen under load are the student's own: the same as the student's generation alone
    assert [r.rows for r in report.solo] == [r.rows for r in report.results["generate"]]
    assert report.errors == 0


@pytest.mark.browser
def test_the_generator_waits_for_a_busy_page_that_fills_itself_in():
    """A queue and a self-rerunning fragment (classroom_busy_app.py): no error, every student's own text."""
    LOGS.mkdir(parents=True, exist_ok=True)
    port = classroom.free_port()
    proc, url, _ = classroom.start_server(port, log_path=LOGS / f"server-{port}.log",
                                          script=Path(__file__).with_name("classroom_busy_app.py"))
    students, tokens = 6, 8
    report = classroom.Report(students)
    try:
        asyncio.run(classroom.run_class(
            url, sessions=students, scenario="generate", tokens=tokens, lang="pt-BR", seed=SEED, timeout=120,
            warmup=False, solo_check=False, report=report, log=print,
        ))
    finally:
        classroom.stop_server(proc)
    classroom.print_problems(report)
    prompts = classroom.student_texts(students, SEED + 1, open_ended=True)
    for r in report.results["generate"]:
        assert r.ok, f"student {r.student}: {r.problems}"
        own = "".join(f" {prompts[r.student].split()[0].lower()}{i}" for i in range(tokens))
        assert r.rows == (own, own)
    assert report.errors == 0


# --- the generator's reading of the protocol, on hand-made messages -------------------------------------
def _new_session(run: str) -> bytes:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = "main"
    msg.metadata.run.script_run_id = run
    return msg.SerializeToString()


def _finished(run: str, fragment: str = "") -> bytes:
    msg = ForwardMsg()
    msg.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    msg.metadata.run.script_run_id = run
    if fragment:
        msg.metadata.run.fragment_ids.append(fragment)
    return msg.SerializeToString()


def _block(path, kind="vertical") -> bytes:
    msg = ForwardMsg()
    getattr(msg.delta.add_block, kind).SetInParent()
    msg.metadata.delta_path[:] = path
    return msg.SerializeToString()


def _markdown(path, body: str, fragment: str = "") -> bytes:
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = body
    msg.delta.fragment_id = fragment
    msg.metadata.delta_path[:] = path
    return msg.SerializeToString()


def _feed(session: classroom.Session, *messages: bytes) -> None:
    for data in messages:
        session._handle(data)


def _bodies(session: classroom.Session) -> dict[tuple, str]:
    return {path: proto.body for path, kind, proto in session.page.elements() if kind == "markdown"}


def test_the_page_tree_follows_the_frontends_rules():
    s = classroom.Session("http://127.0.0.1:1", "pt-BR", "t")
    _feed(s, _new_session("a"), _block([0, 0]), _markdown([0, 0, 0], "old child"), _markdown([0, 1], "old"),
          _finished("a"))
    assert _bodies(s) == {(0, 0, 0): "old child", (0, 1): "old"}
    # run b: the same kind of block re-sent keeps its children until the run ends; what run b did not
    # write is stale when it finishes
    _feed(s, _new_session("b"), _block([0, 0]))
    assert _bodies(s)[(0, 0, 0)] == "old child"
    _feed(s, _markdown([0, 2], "new"), _finished("b"))
    assert _bodies(s) == {(0, 2): "new"}
    # a block of another kind, or an element, replaces what stood there with its children
    _feed(s, _new_session("c"), _block([0, 0]), _markdown([0, 0, 0], "c child"), _block([0, 0], "column"))
    assert (0, 0, 0) not in _bodies(s)
    assert s.runs == ["a", "b", "c"]
    # a fragment's run replaces only what that fragment wrote
    _feed(s, _markdown([0, 3], "f old", "f"), _markdown([0, 4], "f gone", "f"), _markdown([0, 5], "c"),
          _finished("c"), _new_session("d"), _markdown([0, 3], "f new", "f"), _finished("d", "f"))
    assert _bodies(s) == {(0, 3): "f new", (0, 5): "c"}


def test_widgets_are_found_by_their_user_key_and_generated_rows_are_checked():
    s = classroom.Session("http://127.0.0.1:1", "pt-BR", "t")
    msg = ForwardMsg()
    msg.delta.new_element.button.id = "$$ID-0123456789abcdef-decoding.sbs.go"
    msg.metadata.delta_path[:] = [0, 5]
    grid = ForwardMsg()
    grid.delta.new_element.button.id = "$$ID-fedcba9876543210-decoding.grid.go"
    grid.metadata.delta_path[:] = [0, 9]
    token = '<span class="gl-chip gl-inline" style="x" title="y">{}</span>'
    box = '<div class="gl-gen" dir="auto"><span class="gl-prompt"></span>{}</div>'
    _feed(s, _new_session("a"), msg.SerializeToString(), grid.SerializeToString(),
          _block([0, 6]), _markdown([0, 6, 0], box.format(token.format(" Era") + token.format(" uma"))),
          _block([0, 7]), _markdown([0, 7, 0], box.format(token.format(" vez") + token.format("↵<br>"))),
          _block([0, 8]), _markdown([0, 8, 0], box.format(token.format(" só"))), _finished("a"))
    assert classroom.user_key(s.widget("decoding.sbs.go")[2].id) == "decoding.sbs.go"
    low, high = classroom.side_by_side_section(s)
    problems, texts = classroom.check_generated(s, 2, low, high)
    assert texts == (" Era uma", " vez\n", " só")
    assert problems == ["a row with 1 of 2 tokens and no end-of-text note", "no repetition table after the run"]


def test_every_student_gets_a_distinct_text_of_5_to_15_words():
    for open_ended in (False, True):
        texts = classroom.student_texts(40, 7, open_ended=open_ended)
        assert len(set(texts)) == 40
        assert all(5 <= len(t.split()) <= 15 for t in texts)
    assert classroom.student_texts(4, 7, open_ended=True) == classroom.student_texts(4, 7, open_ended=True)
