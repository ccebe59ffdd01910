"""A department's deployment, for real: PostgreSQL, two app replicas and nginx, as deploy/replicas.py runs them.

Students work THROUGH THE PROXY as real Streamlit sessions (tabs.py: Streamlit's websocket protocol,
cookies kept and sent back as a browser does): an instructor creates the class on the instructor page
of one replica, students open a lesson, join the class in the sidebar and check exercise answers, all
at once. Then every attempt must be in PostgreSQL exactly once, both replicas must have served students
(nginx's cookie and its access log agree on who went where), and the instructor dashboard of either
replica must count them all and export them all. A replica killed under a student ends that student's
session (not their saved work): the tab reconnects through nginx to a replica that is up, as the
frontend does, and its next action runs in a new session, signed out; the student comes back with
their return code, and the launcher brings the replica back. Last, a real Chromium keeps
nginx's cookie and checks an answer through the proxy.

Every wait is on the protocol's own signals (a run's script_finished, a closed websocket) or on a
process or file state, with generous timeouts; nothing is timed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from deploy.replicas import HEALTH_PATH
from tests.deploy.conftest import SECRET, Deployment, ProgressView, _in_ci
from tests.deploy.tabs import REPLICA_COOKIE, Tab

pytestmark = [pytest.mark.deploy, pytest.mark.browser]

CLASS = "DEPT-2026"
STUDENTS = 6
LESSON = ("tokenization", {"lang": "en"})  # a light page: tokenizers only, no model pass
VOCAB, MARKER = "tokenization.gpt2_vocab", "tokenization.space_marker"


def form(exercise: str, attempt: int = 0) -> str:
    return f"exercises.{exercise}.form.{attempt}"


def answer_key(exercise: str, attempt: int = 0) -> str:
    return f"exercises.{exercise}.answer.{attempt}"


def student_name(i: int) -> str:
    return f"Estudante {i + 1} Conceição"


def vocab_answer(i: int) -> str:
    return "50257" if i % 2 == 0 else "50256"  # every other student forgets the special token


STREAM_LINE = re.compile(r'"GET /_stcore/stream" (\d+) \d+ pinned=(\S+) upstream=(.+?) time=')


def stream_lines(deployment: Deployment) -> list[tuple[int, str, str]]:
    """(status, pinned replica, the address that served it) of every websocket nginx has logged."""
    out = []
    for line in deployment.access_log():
        m = STREAM_LINE.search(line)
        if m:
            out.append((int(m.group(1)), m.group(2), m.group(3).split(", ")[-1]))
    return out


def wait_for_stream_lines(deployment: Deployment, n: int, timeout: float = 60) -> list[tuple[int, str, str]]:
    """nginx logs a websocket when it closes: until n are logged."""
    deadline = time.time() + timeout
    while len(lines := stream_lines(deployment)) < n and time.time() < deadline:
        time.sleep(0.5)
    return lines


async def instructor(deployment: Deployment, pin: str) -> Tab:
    """The instructor page on replica `pin` (the cookie set by hand), unlocked with the secret."""
    tab = Tab(deployment.url, f"instructor@{pin}", cookies={REPLICA_COOKIE: pin})
    await tab.visit("instructor", {"lang": "en"})
    await tab.connect()
    await tab.open("instructor", {"lang": "en"})
    await tab.submit("instructor.unlock_form", {"instructor.secret": SECRET})
    assert tab.has("instructor.lock"), f"the dashboard did not unlock: {tab.keys()}"
    assert tab.replica == pin, "nginx moved a pinned tab"
    return tab


async def join(tab: Tab, name: str, code: str = CLASS) -> str:
    """Join in the sidebar; returns the return code the sidebar shows once."""
    assert tab.has("classroom.join_code"), f"{tab.name}: no join form: {tab.keys()}"
    before = set(tab.sidebar_code_blocks())
    await tab.submit("classroom.join_form", {"classroom.join_code": code.lower(), "classroom.join_name": name})
    assert tab.has("classroom.sign_out"), f"{tab.name} did not join: {tab.alerts('ERROR')} {tab.alerts('WARNING')}"
    codes = [c for c in tab.sidebar_code_blocks() if c not in before]
    assert len(codes) == 1, f"{tab.name}: return codes shown: {codes}"
    return codes[0].strip()


async def check_answer(tab: Tab, exercise: str, answer: str, *, correct: bool) -> None:
    await tab.submit(form(exercise), {answer_key(exercise): answer})
    verdicts = tab.alerts("SUCCESS") if correct else tab.alerts("ERROR")
    word = "**Correct**" if correct else "**Not yet**"
    assert any(v.startswith(word) for v in verdicts), f"{tab.name} {exercise}={answer!r}: {verdicts}"


async def student(tab: Tab, i: int) -> str:
    """One student's lesson: open it, join, check two answers, then a rerun that presses nothing."""
    await tab.connect()
    await tab.open(*LESSON)
    token = await join(tab, student_name(i))
    await check_answer(tab, VOCAB, vocab_answer(i), correct=vocab_answer(i) == "50257")
    await check_answer(tab, MARKER, "U+2581", correct=True)
    await tab.rerun_plain()  # nothing pressed: nothing may be recorded again
    assert tab.has("classroom.sign_out")
    shown = [p for p in tab.page_problems() if not p.startswith("error alert: **Not yet**")]  # a wrong answer's verdict
    assert not tab.problems and not shown, (tab.problems, shown)
    return token


def test_students_through_the_proxy_every_attempt_once_seen_from_either_replica(deployment, progress_view):
    asyncio.run(_class_through_the_proxy(deployment, progress_view))


async def _class_through_the_proxy(deployment: Deployment, view: ProgressView) -> None:
    logged_before = len(stream_lines(deployment))
    # The instructor creates the class on r1's instructor page.
    teacher = await instructor(deployment, "r1")
    await teacher.submit("instructor.create_form",
                         {"instructor.new_class_code": CLASS, "instructor.new_class_name": "Departamento"})
    assert any(CLASS.replace("-", "\\-") in a for a in teacher.alerts("SUCCESS")), teacher.alerts("ERROR")
    await teacher.close()

    # Every student's first request has no cookie: nginx picks a replica and pins the tab with a cookie.
    tabs = [Tab(deployment.url, f"student-{i}") for i in range(STUDENTS)]
    for tab in tabs:  # one after the other: the round robin alternates
        await tab.visit(*LESSON)
        assert tab.replica in deployment.addresses, tab.cookies
        flags = tab.cookie_flags[REPLICA_COOKIE]
        assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags, flags
    placed = Counter(tab.replica for tab in tabs)
    print(f"students per replica: {dict(placed)}")
    assert set(placed) == set(deployment.addresses), f"one replica got every student: {placed}"

    # The whole class at once, through the proxy.
    pinned = {tab.name: tab.replica for tab in tabs}
    try:
        tokens = await asyncio.gather(*(student(tab, i) for i, tab in enumerate(tabs)))
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))
    assert {tab.name: tab.replica for tab in tabs} == pinned  # nginx re-set the same cookie all along

    # PostgreSQL: every attempt exactly once, as sent.
    rows = view.attempts(CLASS)
    assert [view.student_name(token) for token in tokens] == [student_name(i) for i in range(STUDENTS)]
    per_attempt = Counter((r.student_name, r.exercise_id) for r in rows)
    expected = {(student_name(i), ex) for i in range(STUDENTS) for ex in (VOCAB, MARKER)}
    assert set(per_attempt) == expected and set(per_attempt.values()) == {1}, per_attempt
    assert len(rows) == 2 * STUDENTS
    for r in rows:
        i = int(r.student_name.split()[1]) - 1
        assert r.regrade_of is None and r.class_code == CLASS
        if r.exercise_id == VOCAB:
            assert r.answer == vocab_answer(i)
            assert (r.status == "correct") == (vocab_answer(i) == "50257") and r.score == (1.0 if i % 2 == 0 else 0.0)
        else:
            assert (r.answer, r.status, r.score) == ("U+2581", "correct", 1.0)

    # The instructor on either replica sees all of them, and exports all of them.
    for pin, other in (("r1", "r2"), ("r2", "r1")):
        dash = await instructor(deployment, pin)
        try:
            counts = f"Students: {STUDENTS} · answers submitted: {2 * STUDENTS}"
            assert any(counts in text for text in dash.texts()), [t for t in dash.texts() if "Students" in t]
            media = dash.download_url("instructor.download")
            status, body = await asyncio.to_thread(dash.get, media)
            assert status == 200, f"the CSV from {pin}: HTTP {status}"
            assert view.read_csv(body.decode("utf-8-sig")) == rows
            if pin == "r1":
                # The file lives in that replica's memory only: pinned to the other one (which has made
                # no such file yet; media URLs are content hashes), the same URL is not found.
                elsewhere = Tab(deployment.url, "elsewhere", cookies={REPLICA_COOKIE: other})
                status, _ = await asyncio.to_thread(elsewhere.get, media)
                assert status == 404, f"{pin}'s media file answered from {other}: HTTP {status}"
        finally:
            await dash.close()

    # nginx's own account: every websocket went to the replica its cookie named, and both served students.
    opened = STUDENTS + 3  # the students, the instructor's first tab, the two dashboards
    lines = wait_for_stream_lines(deployment, logged_before + opened)[logged_before:]
    assert len(lines) == opened, lines
    for status, pin, served_by in lines:
        assert status == 101, lines
        assert served_by == deployment.addresses[pin], f"pinned to {pin} but served by {served_by}"
    assert Counter(pin for _, pin, _ in lines) == placed + Counter({"r1": 2, "r2": 1})
    for name in deployment.addresses:
        assert "Traceback" not in deployment.replica_log(name), deployment.replica_log(name)[-3000:]


def _healthy(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}{HEALTH_PATH}", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_replica_restart_ends_its_sessions_and_the_student_comes_back_with_the_return_code(deployment,
                                                                                            progress_view):
    asyncio.run(_replica_restart(deployment, progress_view))


async def _replica_restart(deployment: Deployment, view: ProgressView) -> None:
    code, name = "DEPT-RESTART", "Estudante Reinício"
    view.store.create_class(code, "Reinício")  # the instructor, straight in the database this time
    tab = Tab(deployment.url, "restart-student")
    await tab.visit(*LESSON)
    await tab.connect()
    await tab.open(*LESSON)
    token = await join(tab, name, code)
    await check_answer(tab, VOCAB, "50257", correct=True)
    lost, old_session = tab.replica, tab.session_id
    survivor = next(r for r in deployment.addresses if r != lost)
    before = next(r for r in deployment.state()["replicas"] if r["name"] == lost)

    os.kill(before["pid"], signal.SIGKILL)  # a crash, the OOM killer, a restart of that machine...
    why = await tab.wait_closed(120)
    print(f"{lost} killed; the tab's websocket: {why}")

    # The frontend reconnects with its session's id. nginx sends it where the cookie says or, that
    # replica being down, to another one, and re-pins the tab there. The page still shows the student
    # signed in: nothing comes until the student acts.
    await tab.reconnect()
    if not _healthy(deployment.addresses[lost]):
        assert tab.replica == survivor, tab.cookies
    # Their next action runs in a new session: the answer is graded but not saved, and the sidebar
    # asks them to join or come back.
    await check_answer(tab, MARKER, "U+2581", correct=True)
    assert tab.session_id and tab.session_id != old_session
    assert tab.has("classroom.join_code") and not tab.has("classroom.sign_out"), "the old session survived?"
    assert [r.exercise_id for r in view.attempts(code)] == [VOCAB]
    # They come back with their return code; what they had saved is theirs again, and new answers save.
    await tab.submit("classroom.resume_form", {"classroom.return_code": token})
    assert tab.has("classroom.sign_out"), tab.alerts("ERROR")
    assert any(f"**{name}**" in text for text in tab.texts()), "the sidebar does not name the student"
    await check_answer(tab, MARKER, "U+2581", correct=True)
    await tab.close()
    saved = Counter((r.student_name, r.exercise_id) for r in view.attempts(code))
    assert saved == Counter({(name, VOCAB): 1, (name, MARKER): 1})  # the answer before the crash is kept, once

    # The launcher restarts the replica; nginx sends it browsers again.
    deadline = time.time() + 300
    while time.time() < deadline:
        state = next(r for r in deployment.state()["replicas"] if r["name"] == lost)
        if state["restarts"] >= 1 and state["pid"] != before["pid"] and _healthy(deployment.addresses[lost]):
            break
        await asyncio.sleep(1)
    else:
        raise AssertionError(f"{lost} was not restarted:\n{deployment.launcher_output()[-3000:]}")
    assert f"{lost} ended with code -9" in deployment.launcher_output()
    back = Tab(deployment.url, "after-restart", cookies={REPLICA_COOKIE: lost})
    await back.visit(*LESSON)
    await back.connect()
    try:
        await back.open(*LESSON)
        assert back.replica == lost and back.has("classroom.join_code")
    finally:
        await back.close()


# --- a real browser -------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _wait_ready(page, timeout: int = 120_000) -> None:
    """Until the app says its script is not running (the frontend's own state), after a click or a load."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => { const a = document.querySelector('[data-testid="stApp"]');
                   return a && a.getAttribute('data-test-script-state') === 'notRunning'; }""",
        timeout=timeout,
    )


def test_a_browser_keeps_nginx_s_cookie_and_checks_an_answer_through_the_proxy(deployment, progress_view):
    if not Path(CHROMIUM).exists():
        if _in_ci():
            pytest.fail("CI must install Debian's chromium (.ci/run does)", pytrace=False)
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    code, name = "DEPT-BROWSER", "Navegadora Ana"
    progress_view.store.create_class(code, "Navegador")
    before = len(stream_lines(deployment))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
            page = context.new_page()
            page.goto(f"{deployment.url}/tokenization?lang=en")
            _wait_ready(page)
            cookie = next(c for c in context.cookies() if c["name"] == REPLICA_COOKIE)
            assert cookie["value"] in deployment.addresses and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            pinned = cookie["value"]

            sidebar = page.locator('[data-testid="stSidebar"]')
            from gptlab.i18n import t

            sidebar.get_by_text(t("classroom.sidebar.join_or_resume", "en")).click()
            code_box = sidebar.locator(f'input[aria-label="{t("classroom.sidebar.class_code", "en")}"]')
            code_box.fill(code.lower())
            # the class form's name box (a personal profile has its own "Your name")
            code_box.locator(f'xpath=following::input[@aria-label="{t("classroom.sidebar.name", "en")}"][1]').fill(name)
            sidebar.get_by_role("button", name="Join the class").click()
            sidebar.get_by_role("button", name="Sign out").wait_for(timeout=120_000)
            _wait_ready(page)

            # the exercise's box: its container key, as the frontend turns it into a class name
            box = page.locator(f'[class*="st-key-exercises-box-{VOCAB.replace(".", "-")}"]').first
            box.locator('input[aria-label="Your answer"]').fill("50257")
            box.get_by_role("button", name="Check").click()
            box.get_by_text("Correct", exact=False).first.wait_for(timeout=120_000)
            _wait_ready(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert next(c for c in context.cookies() if c["name"] == REPLICA_COOKIE)["value"] == pinned
            context.close()
        finally:
            browser.close()

    rows = progress_view.attempts(code)
    assert [(r.student_name, r.exercise_id, r.answer, r.status) for r in rows] == [(name, VOCAB, "50257", "correct")]
    lines = wait_for_stream_lines(deployment, before + 1)[before:]
    assert lines and all(pin == pinned and served == deployment.addresses[pinned] for _, pin, served in lines), lines
