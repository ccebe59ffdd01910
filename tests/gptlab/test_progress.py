"""gptlab.classroom.store on SQLite and on a real PostgreSQL server: the same tests, both backends."""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text

from gptlab.classroom import store as P
from gptlab.i18n import STRINGS

UTC = timezone.utc
WRITER = Path(__file__).with_name("progress_writer.py")


# --------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    """An empty database (no tables yet) on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.sqlite3'}"
    return request.getfixturevalue("postgres_url")


class StepClock:
    """A clock that advances one second per reading: distinct, known times."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=1)
            return self.now


@pytest.fixture
def open_store(db_url):
    """open_store(clock=None) -> a ProgressStore on its own engine, disposed after the test."""
    opened: list[P.ProgressStore] = []

    def make(clock=None) -> P.ProgressStore:
        store = P.ProgressStore(P.make_engine(db_url), clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.engine.dispose()


@pytest.fixture
def store(open_store) -> P.ProgressStore:
    return open_store()


def attempt(exercise="ex1", status="correct", score=1.0, answer="42", lesson="l1", version="1", feedback=""):
    return P.AttemptRecord(exercise, lesson, version, answer, status, score, feedback)


def assert_has_message(error: P.ProgressError) -> None:
    """The error names a string in both languages whose placeholders its params fill."""
    pt, en = STRINGS[error.key]["pt-BR"], STRINGS[error.key]["en"]
    assert pt.format(**error.params) and en.format(**error.params)


def writer(url: str, *args: str, token: str | None = None, go: Path | None = None) -> subprocess.Popen:
    command = [sys.executable, str(WRITER), url, *args]
    if token is not None:
        # one argument, "--token=<value>": a token may start with "-" (token_urlsafe draws from A-Z a-z 0-9 - _),
        # and argparse reads a separate "-x..." as an option (this test failed in about 3 % of runs)
        command.append(f"--token={token}")
    if go is not None:
        command += ["--go", str(go)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def committed_ids(stdout: str) -> list[int]:
    return [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("committed ")]


def count_rows(store: P.ProgressStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(P.attempts)).scalar_one()


# --------------------------------------------------------------------------------------------
# Classes, students, tokens


def test_round_trip(store):
    classroom = store.create_class("ia-2025", "Turma de IA")
    assert (classroom.code, classroom.name) == ("IA-2025", "Turma de IA")
    assert store.class_info("IA-2025") == classroom
    assert classroom.created_at.tzinfo is not None
    later = store.create_class("b-2", "Second")
    assert store.list_classes() == (later, classroom)  # newest first
    ana = store.join("ia-2025", "  Ana   Souza ")
    assert (ana.name, ana.class_code) == ("Ana Souza", "IA-2025")
    first = store.record(ana.token, attempt(status="wrong", score=0.0, answer="41"))
    second = store.record(ana.token, attempt(status="correct", score=1.0, answer="42"))
    assert second > first
    again = store.resume(ana.token)
    assert (again.student_id, again.name, again.class_code) == (ana.student_id, "Ana Souza", "IA-2025")
    assert store.best_scores(ana.token) == {"ex1": 1.0}
    mine = store.my_attempts(ana.token)
    assert [(a.attempt_id, a.answer, a.status, a.score) for a in mine] == [
        (first, "41", "wrong", 0.0),
        (second, "42", "correct", 1.0),
    ]
    assert all(a.created_at.tzinfo is not None and a.student_name == "Ana Souza" for a in mine)


def test_class_codes_are_case_insensitive_and_checked(store):
    store.create_class("Abc-1", "A")
    with pytest.raises(P.ClassExists) as exists:
        store.create_class(" abc-1 ", "again")
    assert_has_message(exists.value)
    for bad in ["", "ab", "A" * 21, "abc 1", "ABC_1", "ção-1", "<script>", None, 123]:
        with pytest.raises(P.InvalidClassCode) as error:
            store.join(bad, "Ana")
        assert_has_message(error.value)
    with pytest.raises(P.ClassNotFound) as missing:
        store.join("NOPE-1", "Ana")
    assert_has_message(missing.value)
    for bad_name in ["", "   ", "x" * (P.MAX_CLASS_NAME_CHARS + 1), "bell\x07"]:
        with pytest.raises(P.InvalidClassName) as error:
            store.create_class("NEW-1", bad_name)
        assert_has_message(error.value)
    assert store.join("aBc-1", "Ana").class_code == "ABC-1"


def test_names_are_unique_per_class_after_normalising(store):
    store.create_class("CL1", "one")
    store.create_class("CL2", "two")
    store.join("CL1", "José Ana")
    same_person = [
        "josé ana",
        "  JOSÉ   ANA ",
        "Jose\u0301 Ana",  # decomposed é
        "ＪＯＳÉ ＡＮＡ",  # full-width letters
        "José\u200b Ana",  # a zero-width space inside
        "José\tAna",
    ]
    for name in same_person:
        with pytest.raises(P.NameTaken) as taken:
            store.join("CL1", name)
        assert_has_message(taken.value)
    assert store.join("CL2", "José Ana").class_code == "CL2"  # another class: free
    for odd in ["<script>alert(1)</script>", "🦜 Maria 👩🏽‍💻", "Ñandú", "O'Brien, \"Jr\""]:
        assert store.join("CL1", odd).name == odd  # stored as typed; escaping is the page's job
    for bad in ["", "   ", "x" * (P.MAX_NAME_CHARS + 1), "Ana\x00", "Ana\x1b[31m", "\ud800", None]:
        with pytest.raises(P.InvalidName) as error:
            store.join("CL1", bad)
        assert_has_message(error.value)


def test_a_token_is_needed_to_come_back(store):
    store.create_class("CL1", "one")
    ana = store.join("CL1", "Ana")
    with pytest.raises(P.NameTaken):
        store.join("CL1", "Ana")  # knowing the name is not enough
    assert store.resume(ana.token).student_id == ana.student_id
    for bad in ["", "nope", ana.token[:-1], ana.token + "x", None]:
        with pytest.raises(P.UnknownStudent) as unknown:
            store.resume(bad)
        assert_has_message(unknown.value)
        with pytest.raises(P.UnknownStudent):
            store.record(bad, attempt())
    assert count_rows(store) == 0
    # Only the token's hash is stored.
    with store.engine.connect() as conn:
        stored = conn.execute(select(P.students.c.token_hash)).scalar_one()
    assert stored == hashlib.sha256(ana.token.replace("-", "").encode()).hexdigest()  # of its 20 symbols
    assert ana.token not in repr(ana)


def test_students_cannot_read_each_other(store):
    store.create_class("CL1", "one")
    store.create_class("CL2", "two")
    ana, bia = store.join("CL1", "Ana"), store.join("CL1", "Bia")
    caio = store.join("CL2", "Caio")
    store.record(ana.token, attempt("secret-ex", answer="ana's answer"))
    store.record(bia.token, attempt("ex1", status="partial", score=0.5, answer="bia's answer"))
    assert store.best_scores(bia.token) == {"ex1": 0.5}
    assert [a.answer for a in store.my_attempts(bia.token)] == ["bia's answer"]
    assert store.my_attempts(bia.token, "secret-ex") == ()
    lesson = store.lesson_progress(bia.token, "l1", ["secret-ex", "ex1"])
    assert [(e.exercise_id, e.attempts) for e in lesson.exercises] == [("secret-ex", 0), ("ex1", 1)]
    assert store.best_scores(caio.token) == {}
    # Every method that reads one student's rows needs that student's token, nothing else: a name,
    # an id or a class code opens nothing. The class views are the instructor page's (server secret).
    for method in ("resume", "record", "my_attempts", "best_scores", "lesson_progress"):
        assert list(inspect.signature(getattr(store, method)).parameters)[0] == "token"
    assert {a.answer for a in store.attempts("cl1")} == {"ana's answer", "bia's answer"}
    assert store.attempts("CL2") == ()
    for view in (store.attempts, store.exercise_summary, store.student_summary, store.attempts_csv):
        with pytest.raises(P.ClassNotFound) as missing:
            view("NOPE-1")
        assert_has_message(missing.value)


def test_bad_attempts_are_refused_and_long_text_capped(store):
    store.create_class("CL1", "one")
    ana = store.join("CL1", "Ana")
    bad = [
        attempt(status="right"),
        attempt(score=1.5),
        attempt(score=-0.1),
        attempt(score=float("nan")),
        attempt(score=True),
        attempt(score="1"),
        attempt(exercise=""),
        attempt(exercise="x" * (P.MAX_ID_CHARS + 1)),
        attempt(lesson=" "),
        attempt(version=""),
        attempt(answer=None),
    ]
    for record in bad:
        with pytest.raises(P.InvalidAttempt) as error:
            store.record(ana.token, record)
        assert_has_message(error.value)
    assert count_rows(store) == 0
    store.record(ana.token, attempt(answer="é" * (P.MAX_ANSWER_CHARS + 500), score=-0.0))
    store.record(ana.token, attempt(answer="nul\x00 lone\ud800 emoji 🦜 <b>x</b>", feedback="f" * 10_000))
    long, odd = store.my_attempts(ana.token)
    assert long.answer == "é" * P.MAX_ANSWER_CHARS
    assert str(long.score) == "0.0"
    assert odd.answer == "nul\ufffd lone\ufffd emoji 🦜 <b>x</b>"
    assert odd.feedback == "f" * P.MAX_FEEDBACK_CHARS


# --------------------------------------------------------------------------------------------
# Append-only history and regrades


def test_a_regrade_appends_and_keeps_the_history(store):
    store.create_class("CL1", "one")
    ana, bia = store.join("CL1", "Ana"), store.join("CL1", "Bia")
    store.record(ana.token, attempt("ex1", "wrong", 0.0, answer=" 42 "))
    store.record(bia.token, attempt("ex1", "correct", 1.0, answer="42"))
    store.record(bia.token, attempt("ex1", "wrong", 0.0, answer="forty-two"))
    store.record(ana.token, attempt("ex2", "correct", 1.0, answer="other exercise"))
    before = store.attempts("CL1")

    def strip_then_compare(answer: str):  # checker v2 forgives spaces
        return ("correct", 1.0, "ok") if answer.strip() == "42" else ("wrong", 0.0, "not 42")

    assert store.regrade("ex1", "2", strip_then_compare) == 3
    after = store.attempts("CL1")
    assert after[: len(before)] == before  # nothing changed or vanished
    regrades = after[len(before):]
    originals = {a.attempt_id: a for a in before}
    assert sorted(r.regrade_of for r in regrades) == sorted(a.attempt_id for a in before if a.exercise_id == "ex1")
    for row in regrades:
        original = originals[row.regrade_of]
        assert (row.student_id, row.exercise_id, row.answer, row.checker_version) == (
            original.student_id, "ex1", original.answer, "2"
        )
    assert store.best_scores(ana.token) == {"ex1": 1.0, "ex2": 1.0}  # the current verdict changed
    assert [a.status for a in store.my_attempts(bia.token)] == ["correct", "wrong"]

    assert store.regrade("ex1", "2", strip_then_compare) == 0  # rerun: nothing stale
    store.record(ana.token, attempt("ex1", "wrong", 0.0, answer="41", version="1"))  # an old server
    assert store.regrade("ex1", "2", strip_then_compare) == 1
    assert store.regrade("ex1", "3", lambda answer: P.Grade("partial", 0.5, "v3")) == 4
    latest = store.attempts("CL1")
    v3 = [a for a in latest if a.checker_version == "3"]
    # Every regrade points at the original answer, never at an earlier regrade.
    ex1_originals = {a.attempt_id for a in latest if a.exercise_id == "ex1" and a.regrade_of is None}
    assert {a.regrade_of for a in v3} == ex1_originals
    assert len(latest) == len(before) + 1 + 3 + 1 + 4
    summary = {s.exercise_id: s for s in store.exercise_summary("CL1")}
    assert (summary["ex1"].students_correct, summary["ex1"].attempts) == (0, 4)
    with pytest.raises(P.InvalidAttempt):
        store.regrade("ex1", "4", lambda answer: ("perfect", 2.0, ""))
    assert not [name for name in dir(P.ProgressStore) if name.startswith(("update", "delete", "remove", "edit"))]


def test_summaries_on_a_hand_checked_class(open_store):
    clock = StepClock()
    store = open_store(clock)
    store.create_class("CL1", "one")
    store.create_class("CL2", "two")
    ana, bruno, carla = (store.join("CL1", n) for n in ("Ana", "bruno", "Carla"))
    davi = store.join("CL1", "Davi")  # joined, never answered
    outsider = store.join("CL2", "Eve")
    store.record(ana.token, attempt("e1", "wrong", 0.0))
    store.record(ana.token, attempt("e1", "correct", 1.0))
    store.record(ana.token, attempt("e2", "partial", 0.5))
    ana_last = clock.now
    store.record(bruno.token, attempt("e1", "partial", 0.5))
    store.record(bruno.token, attempt("e2", "correct", 1.0))
    bruno_last = clock.now
    store.record(carla.token, attempt("e1", "wrong", 0.2))
    carla_last = clock.now
    store.record(outsider.token, attempt("e1", "correct", 1.0))
    store.record(outsider.token, attempt("e3", "correct", 1.0))

    exercises = store.exercise_summary("CL1")
    assert exercises == (
        P.ExerciseSummary("e1", students_attempted=3, students_correct=1, success_rate=1 / 3, attempts=4),
        P.ExerciseSummary("e2", students_attempted=2, students_correct=1, success_rate=0.5, attempts=2),
    )
    people = store.student_summary("CL1")
    assert [(s.name, s.exercises_attempted, s.exercises_correct, s.mean_best_score, s.attempts, s.last_activity)
            for s in people] == [
        ("Ana", 2, 1, 0.75, 3, ana_last),
        ("bruno", 2, 1, 0.75, 2, bruno_last),
        ("Carla", 1, 0, 0.2, 1, carla_last),
        ("Davi", 0, 0, None, 0, None),
    ]
    assert people[3].student_id == davi.student_id and people[3].joined_at.tzinfo is not None
    lesson = store.lesson_progress(ana.token, "l1", ["e1", "e2", "e3"])
    assert (lesson.total, lesson.attempted, lesson.solved) == (3, 2, 1)
    assert lesson.exercises[2] == P.ExerciseProgress("e3", 0, None, False)
    by_lesson = store.lesson_progress(ana.token, "l1")  # no list: the exercises tried in l1
    assert [e.exercise_id for e in by_lesson.exercises] == ["e1", "e2"]
    assert store.exercise_summary("CL2")[0].success_rate == 1.0


# --------------------------------------------------------------------------------------------
# Concurrency and crashes


def test_concurrent_threads_lose_nothing(store):
    threads_n, per_thread = 8, 200
    store.create_class("CL1", "one")
    sessions = [store.join("CL1", f"student {i}") for i in range(4)]  # two threads per student
    start = threading.Barrier(threads_n)
    ids: list[list[int]] = [[] for _ in range(threads_n)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            token = sessions[n % len(sessions)].token
            for i in range(per_thread):
                ids[n].append(store.record(token, attempt(f"ex{i % 5}", answer=f"thread {n} #{i}")))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    every_id = [i for chunk in ids for i in chunk]
    assert len(every_id) == len(set(every_id)) == threads_n * per_thread
    assert count_rows(store) == threads_n * per_thread
    for n, session in enumerate(sessions):
        mine = store.my_attempts(session.token)
        assert len(mine) == 2 * per_thread
        assert {a.answer for a in mine} == {f"thread {t} #{i}" for t in (n, n + 4) for i in range(per_thread)}


def test_concurrent_processes_lose_nothing(db_url, tmp_path, open_store):
    """Four processes open a database nobody created yet (racing on the tables), then write."""
    processes_n, per_process = 4, 100
    go = tmp_path / "go"
    children = [writer(db_url, "--join", f"P{n}-X", "--count", str(per_process), go=go) for n in range(processes_n)]
    for child in children:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
    go.touch()
    results = [child.communicate(timeout=300) for child in children]
    for child, (out, err) in zip(children, results):
        assert child.returncode == 0, err
    store = open_store()
    assert count_rows(store) == processes_n * per_process
    reported = [committed_ids(out) for out, _ in results]
    assert sum(map(len, reported)) == len({i for ids in reported for i in ids}) == processes_n * per_process
    for n, (out, _) in enumerate(results):
        token = next(line.split()[1] for line in out.splitlines() if line.startswith("token "))
        assert [a.attempt_id for a in store.my_attempts(token)] == reported[n]


def test_the_writer_takes_a_token_that_starts_with_a_dash(tmp_path):
    """Regression: `--token -x...` made argparse stop with "expected one argument"; the writer gets `--token=`."""
    child = writer(f"sqlite:///{tmp_path / 'p.sqlite3'}", "--count", "0", token="-Zq3_dash-first")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert out.splitlines() == ["ready"]


def test_killed_mid_write_keeps_every_committed_attempt(db_url, open_store):
    store = open_store()
    store.create_class("CL1", "one")
    ana = store.join("CL1", "Ana")
    reported: list[int] = []
    for kill_after in (3, 25, 60):  # a few different moments
        child = writer(db_url, "--count", "1000000", token=ana.token)
        seen = 0
        for line in child.stdout:
            seen += line.startswith("committed ")
            reported += committed_ids(line)
            if seen >= kill_after:
                break
        os.kill(child.pid, signal.SIGKILL)
        rest = child.stdout.read()  # the lines already buffered here, then the rest until EOF
        child.stderr.close()
        assert child.wait(timeout=60) == -signal.SIGKILL
        reported += committed_ids(rest)  # lines printed before the kill are committed too
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    fresh = open_store()  # new connections, as after a restart
    stored = {a.attempt_id for a in fresh.my_attempts(ana.token)}
    assert set(reported) <= stored
    assert len(stored) - len(reported) <= 3  # at most one commit per kill happened unreported
    after = fresh.record(ana.token, attempt(answer="after the crash"))  # the lock was released
    assert after > max(reported)


# --------------------------------------------------------------------------------------------
# CSV export


NASTY = [
    "plain",
    "comma, separated",
    'quote " inside',
    "line\nbreak",
    "windows\r\nline",
    "old mac\rline",
    "=HYPERLINK(\"http://x\",\"click\")",
    "+1+1",
    "-2",
    "@SUM(A1:A2)",
    "\ttab first",
    "'already quoted",
    "''two quotes",
    "",
    "emoji 🦜👩🏽‍💻 e acentuação",
    "<script>alert('x')</script>",
]


def test_csv_export_round_trips_and_is_formula_safe(store):
    store.create_class("CL1", "one")
    names = ["=cmd|' /C calc'!A0", "O'Brien, \"Jr\"", "-Ana", "Zoë 🦜"]
    sessions = [store.join("CL1", name) for name in names]
    for i, text_value in enumerate(NASTY):
        session = sessions[i % len(sessions)]
        record = attempt(f"ex{i % 3}", "partial", 1 / 3, answer=text_value, feedback=text_value[::-1])
        store.record(session.token, record)
    store.regrade("ex0", "=2", lambda answer: ("wrong", 0.1, "+regraded, \"really\"\n"))
    rows = store.attempts("CL1")
    exported = store.attempts_csv("CL1")
    assert P.read_attempts_csv(exported) == rows
    assert P.read_attempts_csv("\ufeff" + exported) == rows  # as saved by a spreadsheet, with a BOM
    cells = [cell for line in csv.reader(io.StringIO(exported, newline="")) for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0" in cells and "'-Ana" in cells and "'''two quotes" in cells
    with pytest.raises(ValueError):
        P.read_attempts_csv("id,name\n1,x\n")
    with pytest.raises(ValueError):
        P.read_attempts_csv(exported.replace("\r\n", ",extra\r\n", 2))


_texts = st.text(max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.builds(
            P.SavedAttempt,
            attempt_id=st.integers(1, 2**31 - 1),
            regrade_of=st.none() | st.integers(1, 2**31 - 1),
            class_code=st.from_regex(P.CLASS_CODE_PATTERN, fullmatch=True),
            student_id=st.integers(1, 2**31 - 1),
            student_name=_texts,
            exercise_id=_texts,
            lesson_id=_texts,
            checker_version=_texts,
            status=st.sampled_from(P.STATUSES),
            score=st.floats(0, 1),
            feedback=_texts,
            answer=_texts,
            created_at=st.datetimes(timezones=st.just(UTC)),
        ),
        max_size=5,
    )
)
def test_csv_round_trips_any_text(rows):
    assert P.read_attempts_csv(P.attempts_to_csv(rows)) == tuple(rows)


# --------------------------------------------------------------------------------------------
# Configuration


def test_where_the_database_lives(monkeypatch, tmp_path):
    for name in ("GPTLAB_DATABASE_URL", "GPTLAB_PROGRESS_DB", "GPTLAB_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path / "cache"))
    assert P.database_url() == f"sqlite:///{tmp_path / 'cache' / 'progress.sqlite3'}"
    monkeypatch.setenv("GPTLAB_PROGRESS_DB", str(tmp_path / "elsewhere.db"))
    assert P.database_url() == f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("GPTLAB_DATABASE_URL", "postgresql://teacher:s3cret@db.example/gptlab")
    assert P.database_url() == "postgresql://teacher:s3cret@db.example/gptlab"
    engine = P.make_engine(P.database_url())  # no connection is made yet
    assert engine.dialect.driver == "psycopg"
    assert P.engine_for("sqlite:///" + str(tmp_path / "a.db")) is P.engine_for("sqlite:///" + str(tmp_path / "a.db"))


def test_sqlite_is_set_up_for_concurrent_writers(tmp_path):
    store = P.ProgressStore(P.make_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'p.db'}"))
    try:
        with store.engine.connect() as conn:
            pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                       ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
        assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                           "busy_timeout": P.SQLITE_BUSY_TIMEOUT_MS}
        P.ensure_schema(store.engine)  # again: a no-op
        with store.engine.connect() as conn:
            with pytest.raises(Exception, match="FOREIGN KEY"):  # foreign keys are enforced
                with conn.begin():
                    conn.execute(insert(P.students).values(
                        class_code="NOPE", display_name="x", name_key="x", token_hash="h",
                        created_at=datetime.now(UTC)))
    finally:
        store.engine.dispose()


def test_every_error_has_a_message_in_both_languages():
    from gptlab.i18n import placeholders

    for error in P.ERRORS:
        pt, en = STRINGS[error("x").key]["pt-BR"], STRINGS[error("x").key]["en"]
        assert pt and en and pt != en
        assert placeholders(pt) == placeholders(en)


def test_the_schema_survives_a_second_process_view(db_url, open_store):
    """Tables created by one engine are found, not recreated, by another (e.g. a second replica)."""
    first = open_store()
    first.create_class("CL1", "one")
    second = open_store()
    assert second.class_info("cl1").name == "one"
    with second.engine.connect() as conn:
        # CL1, and the personal profiles' reserved class, created once
        assert conn.execute(text("SELECT COUNT(*) FROM progress_classes")).scalar_one() == 2
