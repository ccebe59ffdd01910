"""AppTest for the classroom: the instructor dashboard behind the server secret, joining a class in the sidebar,
saved progress on the home page and above a lesson's exercises. Every test gets its own SQLite database."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

import course
from gptlab.classroom import store as P
from gptlab.i18n import t
from tests.apptest import APP, all_text, run_app
from ui import classroom as C
from ui import frame
from ui.frame import markdown_escape

INSTRUCTOR = course.INSTRUCTOR.page
SECRET = "correct horse battery staple 42"


class Clock:
    """The secret guard's clock: time passes only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(C, "_now", fake)
    return fake


@pytest.fixture
def db(tmp_path, monkeypatch, clock) -> P.ProgressStore:
    """An empty progress database for the app (and this store on it), no instructor secret set; a fresh
    secret guard on a clock of the test's own; the kept attempts in the test's folder."""
    monkeypatch.delenv("GPTLAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("GPTLAB_PROGRESS_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("GPTLAB_PROGRESS_OUTBOX", str(tmp_path / "outbox.sqlite3"))
    monkeypatch.delenv(C.SECRET_ENV, raising=False)
    st.cache_resource.clear()
    yield P.ProgressStore(P.database_url())
    stop_drainers()
    st.cache_resource.clear()


from gptlab.classroom.outbox import stop_drainers  # noqa: E402  (the app's outbox threads, stopped after each test)


@pytest.fixture
def media(monkeypatch):
    """read(url) -> the bytes a download button serves, from the app test's in-memory media storage."""
    kept: list[MemoryMediaFileStorage] = []

    class KeptStorage(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            kept.append(self)

    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", KeptStorage)
    return lambda url: kept[-1].get_file(url.rsplit("/", 1)[1]).content


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str) -> AppTest:
    """Widgets are looked up again after each run: an old handle changes nothing."""
    next(b for b in at.button if b.label == label).click()
    return ok(at.run())


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def sidebar_text(at: AppTest) -> str:
    side = at.sidebar
    return "\n".join(texts(side.markdown) + texts(side.error) + texts(side.warning) + texts(side.success)
                     + texts(side.code) + texts(side.caption))


def message(key: str, lang: str, **params) -> str:
    return t(key, lang, **{k: markdown_escape(v) if isinstance(v, str) else v for k, v in params.items()})


def unlock(at: AppTest, secret: str, lang: str = "en") -> AppTest:
    at.text_input(key=C.SECRET_INPUT_KEY).set_value(secret)
    return click(at, t("classroom.instructor.unlock", lang))


def join(at: AppTest, code: str, name: str, lang: str = "en") -> AppTest:
    at.text_input(key=C.JOIN_CODE_KEY).set_value(code)
    at.text_input(key=C.JOIN_NAME_KEY).set_value(name)
    return click(at, t("classroom.sidebar.join", lang))


def resume(at: AppTest, token: str, lang: str = "en") -> AppTest:
    at.text_input(key=C.RESUME_KEY).set_value(token)
    return click(at, t("classroom.sidebar.resume", lang))


def progress_bars(at: AppTest) -> list[tuple[int, str]]:
    return [(bar.proto.value, bar.proto.text) for bar in at.get("progress")]


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def attempt(exercise_id: str, status: str, score: float, answer: str = "42") -> P.AttemptRecord:
    return P.AttemptRecord(exercise_id, exercise_id.split(".")[0], "1.1", answer, status, score, "")


# --------------------------------------------------------------------------------------------
# The instructor dashboard


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_without_a_secret_the_dashboard_explains_and_stays_locked(db, lang):
    db.create_class("IA-1", "Turma")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["another_setting"] = "x"  # st.secrets holds only this: a local secrets.toml cannot leak in
    at.query_params["lang"] = lang
    ok(at.run())
    ok(at.switch_page(INSTRUCTOR).run())
    assert t("classroom.instructor.no_secret", lang) in texts(at.info)
    assert any(C.SECRET_ENV in c for c in texts(at.code)) and any(C.SECRET_NAME in c for c in texts(at.code))
    assert not at.dataframe
    assert C.SECRET_INPUT_KEY not in [w.key for w in at.text_input]  # nothing to type: nothing can open it
    assert "IA-1" not in all_text(at)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_wrong_secret_is_refused(db, monkeypatch, clock, lang):
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    db.create_class("IA-1", "Turma")
    at = run_app(lang, page=INSTRUCTOR)
    assert t("classroom.instructor.locked", lang) in texts(at.info)
    for wrong in ["", "correct horse", SECRET + "x", SECRET.upper(), "<script>alert(1)</script>", "🔑" * 300]:
        clock.now += 3_600  # an hour apart: each try is a first one (the delays are tested below)
        unlock(at, wrong, lang)
        assert t("classroom.instructor.wrong", lang, wait="1") in texts(at.error)
        assert not at.dataframe and "IA-1" not in all_text(at)
        assert C.INSTRUCTOR_KEY not in at.session_state


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_wrong_tries_grow_the_wait_and_even_the_secret_waits_its_turn(db, monkeypatch, clock, lang, caplog):
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    at = run_app(lang, page=INSTRUCTOR)
    with caplog.at_level("WARNING", logger="gptlab.classroom.guard"):
        unlock(at, "guess 1", lang)
        assert t("classroom.instructor.wrong", lang, wait="1") in texts(at.error)
        unlock(at, SECRET, lang)  # the right secret, too early: not even compared
        assert t("classroom.instructor.too_soon", lang, wait="1") in texts(at.error)
        assert C.INSTRUCTOR_KEY not in at.session_state
        clock.now += 1
        unlock(at, "guess 2", lang)
        assert t("classroom.instructor.wrong", lang, wait="2") in texts(at.error)  # the delay doubles
        clock.now += 2
        unlock(at, "guess 3", lang)
        assert t("classroom.instructor.wrong", lang, wait="4") in texts(at.error)
        clock.now += 4
    wrong_tries = [r for r in caplog.records if "wrong try" in r.getMessage()]
    assert len(wrong_tries) == 3 and all("guess" not in r.getMessage() for r in wrong_tries)  # logged, not the text
    unlock(at, SECRET, lang)
    assert C.INSTRUCTOR_KEY in at.session_state and not at.error


def test_a_short_secret_keeps_the_dashboard_locked(db, monkeypatch):
    monkeypatch.setenv(C.SECRET_ENV, "x" * (C.MIN_SECRET_CHARS - 1))
    at = run_app("en", page=INSTRUCTOR)
    assert t("classroom.instructor.too_short", "en", n=C.MIN_SECRET_CHARS - 1, min=C.MIN_SECRET_CHARS) in texts(at.error)
    assert C.SECRET_INPUT_KEY not in [w.key for w in at.text_input]


def test_the_secret_opens_the_dashboard_and_a_class_follows_its_students(db, monkeypatch, media):
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    at = run_app("en", page=INSTRUCTOR)
    unlock(at, f"  {SECRET} ")  # pasted with spaces around
    assert not at.error
    assert t("classroom.instructor.no_classes", "en") in texts(at.info)
    assert t("classroom.instructor.location", "en", location=markdown_escape(db.location)) in texts(at.caption)
    # Create a class in the dashboard; bad codes get the store's message.
    at.text_input(key=C.NEW_CLASS_CODE_KEY).set_value("ia 2025")
    at.text_input(key=C.NEW_CLASS_NAME_KEY).set_value("Intro <b>IA</b>")
    click(at, t("classroom.instructor.create_button", "en"))
    assert message("progress.error.bad_class_code", "en", min=3, max=20) in texts(at.error)
    at.text_input(key=C.NEW_CLASS_CODE_KEY).set_value("ia-2025")
    click(at, t("classroom.instructor.create_button", "en"))
    assert t("classroom.instructor.created", "en", code="IA\\-2025") in texts(at.success)
    assert db.class_info("IA-2025").name == "Intro <b>IA</b>"
    assert at.selectbox(key=C.PICKED_CLASS_KEY).value == "IA-2025"
    assert t("classroom.instructor.no_students", "en", code="IA-2025") in texts(at.info)
    assert "Intro \\<b\\>IA\\</b\\>" in texts(at.header)[-1]  # the class name is escaped, never HTML

    # Students answer (through the store, as the exercise widget will).
    ana, bruno, carla = (db.join("IA-2025", name) for name in ("Ana", "=Bruno", "<script>Carla</script>"))
    db.join("IA-2025", "Davi")  # joined, never answered
    db.record(ana.token, attempt("tokenization.gpt2_vocab", "wrong", 0.0, "50000"))
    db.record(ana.token, attempt("tokenization.gpt2_vocab", "correct", 1.0, "50257"))
    db.record(bruno.token, attempt("tokenization.gpt2_vocab", "wrong", 0.0, "=1+1"))
    db.record(bruno.token, attempt("attention.causal_cells", "partial", 0.5, "cells"))
    db.record(carla.token, attempt("attention.causal_cells", "correct", 1.0, "line\nbreak, \"quoted\""))
    click(at, t("classroom.instructor.refresh", "en"))
    assert not at.error

    people = frame_with(at, t("classroom.instructor.col.name", "en"))
    as_rows = people.to_dict("records")
    name, tried, solved = (t(f"classroom.instructor.col.{c}", "en") for c in ("name", "attempted", "correct"))
    mean, last = t("classroom.instructor.col.mean_best", "en"), t("classroom.instructor.col.last", "en")
    expected = {s.name: s for s in db.student_summary("IA-2025")}
    assert [row[name] for row in as_rows] == [s.name for s in db.student_summary("IA-2025")]
    assert {row[name]: (row[tried], row[solved], row[mean]) for row in as_rows} == {
        "Ana": ("1", "1", "1.00"), "=Bruno": ("2", "0", "0.25"), "<script>Carla</script>": ("1", "1", "1.00"),
        "Davi": ("0", "0", "—"),
    }
    assert all(row[last] == "—" for row in as_rows if row[name] == "Davi")
    assert expected["Ana"].last_activity.strftime("%Y-%m-%d %H:%M") in [row[last] for row in as_rows]
    assert t("classroom.instructor.counts", "en", students="4", attempts="5") in texts(at.markdown)

    exercises = frame_with(at, t("classroom.instructor.col.rate", "en"))
    ex_col, rate_col = t("classroom.instructor.col.exercise", "en"), t("classroom.instructor.col.rate", "en")
    lesson_col, number_col = t("classroom.instructor.col.lesson", "en"), t("classroom.instructor.col.number", "en")
    # Course order (tokenization before attention), each exercise by its lesson, number and title.
    assert exercises[lesson_col].tolist() == ["Tokenization", "Attention"]
    assert exercises[number_col].tolist() == ["1.1", "2.1"]
    assert exercises[ex_col].tolist() == ["GPT-2's vocabulary size", "The causal mask's −∞ cells"]
    assert exercises[rate_col].tolist() == ["50 %", "50 %"]
    chart = at.get("vega_lite_chart")
    assert len(chart) == 1 and "#0072B2" in chart[0].proto.spec  # Okabe-Ito blue

    # The CSV the instructor downloads reads back as exactly the stored history.
    button = at.get("download_button")[0]
    assert button.proto.label == t("classroom.instructor.download", "en")
    data = media(button.proto.url).decode("utf-8")
    assert data.startswith("\ufeff")
    assert P.read_attempts_csv(data) == db.attempts("IA-2025")
    assert len(db.attempts("IA-2025")) == 5

    # Lock: back to the secret form.
    click(at, t("classroom.instructor.lock", "en"))
    assert C.SECRET_INPUT_KEY in [w.key for w in at.text_input] and not at.dataframe


def test_the_secret_can_come_from_streamlit_secrets_and_a_changed_secret_locks(db, monkeypatch):
    db.create_class("IA-1", "Turma")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets[C.SECRET_NAME] = SECRET
    at.query_params["lang"] = "pt-BR"
    ok(at.run())
    ok(at.switch_page(INSTRUCTOR).run())
    unlock(at, SECRET, "pt-BR")
    assert at.selectbox(key=C.PICKED_CLASS_KEY).value == "IA-1"
    assert isinstance(at.session_state[C.INSTRUCTOR_KEY], bytes)  # a digest, not the secret itself
    monkeypatch.setenv(C.SECRET_ENV, "another secret, set by the admin")  # the environment wins over secrets.toml
    ok(at.run())
    assert C.SECRET_INPUT_KEY in [w.key for w in at.text_input] and not at.dataframe


def test_a_student_cannot_open_the_instructor_views(db, monkeypatch):
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    db.create_class("IA-1", "Turma")
    other = db.join("IA-1", "Bia")
    db.record(other.token, attempt("tokenization.gpt2_vocab", "correct", 1.0, "Bia's secret answer"))
    at = run_app("en")
    join(at, "IA-1", "Ana")
    ok(at.switch_page(INSTRUCTOR).run())
    assert C.SECRET_INPUT_KEY in [w.key for w in at.text_input]
    assert not at.dataframe and not at.get("download_button")
    shown = all_text(at) + sidebar_text(at)
    assert "Bia" not in shown and "secret answer" not in shown
    assert C.INSTRUCTOR_KEY not in at.session_state
    # A student's own session holds only their own token: nothing in it opens another student's rows.
    student = at.session_state[C.STUDENT_KEY]
    assert db.best_scores(student.token) == {} and db.my_attempts(student.token) == ()


# --------------------------------------------------------------------------------------------
# Students: the sidebar and saved progress


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_join_save_the_code_sign_out_and_resume(db, lang):
    db.create_class("IA-1", "Turma")
    at = run_app(lang)
    assert t("classroom.home.invite", lang) in texts(at.info)
    join(at, " ia-1 ", "  Ana  Souza ", lang)
    assert message("classroom.sidebar.joined", lang, code="IA-1") in texts(at.sidebar.success)
    assert t("classroom.sidebar.signed_in", lang, name="Ana Souza", code="IA-1") in texts(at.sidebar.markdown)
    token = at.sidebar.code[0].value
    assert db.resume(token).name == "Ana Souza"  # the code shown is the student's real return code
    assert t("classroom.home.joined", lang, name="Ana Souza", code="IA\\-1") in texts(at.markdown)
    next(b for b in at.sidebar.button if b.label == t("classroom.sidebar.saved_it", lang)).click()
    ok(at.run())
    assert not at.sidebar.code and token not in sidebar_text(at)  # shown once
    click(at, t("classroom.sidebar.sign_out", lang))
    assert t("classroom.sidebar.signed_out", lang) in texts(at.sidebar.success)
    assert C.STUDENT_KEY not in at.session_state and t("classroom.home.invite", lang) in texts(at.info)
    resume(at, f" {token}\n", lang)
    assert message("classroom.sidebar.resumed", lang, name="Ana Souza") in texts(at.sidebar.success)
    assert at.session_state[C.STUDENT_KEY].student_id == db.resume(token).student_id
    assert not at.sidebar.code  # resuming never shows the code again


BAD_JOINS = [
    ("empty name", "IA-1", "", "progress.error.bad_name", {"max": P.MAX_NAME_CHARS}),
    ("blank name", "IA-1", " \t ", "progress.error.bad_name", {"max": P.MAX_NAME_CHARS}),
    ("control chars", "IA-1", "Ana\x1b[31m", "progress.error.bad_name", {"max": P.MAX_NAME_CHARS}),
    ("name taken", "IA-1", "ＢＩＡ", "progress.error.name_taken", {"name": "ＢＩＡ", "code": "IA-1"}),
    ("unknown class", "NOPE-9", "Ana", "progress.error.class_not_found", {"code": "NOPE-9"}),
    ("empty class", "", "Ana", "progress.error.bad_class_code", {"min": 3, "max": 20}),
    ("markup class", "<script>", "Ana", "progress.error.bad_class_code", {"min": 3, "max": 20}),
]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
@pytest.mark.parametrize("case, code, name, key, params", BAD_JOINS, ids=[c[0] for c in BAD_JOINS])
def test_bad_joins_get_the_store_message(db, lang, case, code, name, key, params):
    db.create_class("IA-1", "Turma")
    db.join("IA-1", "Bia")
    at = run_app(lang)
    join(at, code, name, lang)
    assert message(key, lang, **params) in texts(at.sidebar.error)
    assert C.STUDENT_KEY not in at.session_state


def test_a_huge_name_is_cut_by_the_input(db):
    db.create_class("IA-1", "Turma")
    at = run_app("en")
    join(at, "IA-1", "Ana " + "x" * 10_000)
    assert at.session_state[C.STUDENT_KEY].name == ("Ana " + "x" * 10_000)[: P.MAX_NAME_CHARS]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_markup_and_emoji_names_are_shown_as_text(db, lang):
    db.create_class("IA-1", "Turma")
    at = run_app(lang)
    name = "<script>alert(1)</script> 🦜 *Ana*"
    join(at, "IA-1", name, lang)
    shown = texts(at.sidebar.markdown)
    assert t("classroom.sidebar.signed_in", lang, name=markdown_escape(name), code="IA-1") in shown
    assert not any("<script>" in s for s in shown + texts(at.markdown))
    assert db.resume(at.sidebar.code[0].value).name == name  # stored as typed


UNKNOWN = ("progress.error.unknown_student", {})
WRONG_CODES = {  # case: (what is typed, from the real code; the message: string key and params)
    "empty": (lambda real: "", UNKNOWN),
    "huge": (lambda real: "x" * 10_000, ("classroom.sidebar.code_length", {"n": 64, "symbols": 20})),  # the box keeps 64
    "huge, not a code": (lambda real: "é" * 10_000, UNKNOWN),
    "markup": (lambda real: "<script>alert(1)</script>", UNKNOWN),
    "a wrong symbol": (lambda real: ("1" if real[0] != "1" else "2") + real[1:], UNKNOWN),
    "an old-style code that is nobody's": (lambda real: "J7Q5s1piWjuVlMWTWmR4DR4sr1EDbMy8", UNKNOWN),
    "one character short": (lambda real: real[:-1], ("classroom.sidebar.code_length", {"n": 19, "symbols": 20})),
    "one character too many": (lambda real: real + "7", ("classroom.sidebar.code_length", {"n": 21, "symbols": 20})),
    "garbage": (lambda real: "nope", ("classroom.sidebar.code_length", {"n": 4, "symbols": 20})),
    "someone else's name": (lambda real: "Ana", ("classroom.sidebar.code_length", {"n": 3, "symbols": 20})),
}


@pytest.mark.parametrize("case", sorted(WRONG_CODES))
def test_a_wrong_return_code_gets_a_message(db, case):
    db.create_class("IA-1", "Turma")
    real = db.join("IA-1", "Ana")
    at = run_app("en")
    typed, (key, params) = WRONG_CODES[case]
    resume(at, typed(real.token))
    assert t(key, "en", **params) in texts(at.sidebar.error)
    assert C.STUDENT_KEY not in at.session_state


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_return_code_typed_by_hand_resumes(db, lang):
    db.create_class("IA-1", "Turma")
    real = db.join("IA-1", "Ana")
    assert len(real.token) == 24 and real.token.count("-") == 4  # XXXX-XXXX-XXXX-XXXX-XXXX
    by_hand = "  " + real.token.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    at = run_app(lang)
    resume(at, by_hand, lang)
    assert message("classroom.sidebar.resumed", lang, name="Ana") in texts(at.sidebar.success)
    assert at.session_state[C.STUDENT_KEY].student_id == real.student_id


def test_a_code_issued_before_the_new_alphabet_still_resumes(db):
    """Codes were secrets.token_urlsafe(24) before: those already handed out keep working, case and all."""
    import hashlib

    from sqlalchemy import update

    db.create_class("IA-1", "Turma")
    ana = db.join("IA-1", "Ana")
    old = "J7Q5s1piWjuVlMWTWmR4DR4sr1EDbMy8"
    with db.engine.begin() as conn:  # as an older GPT Lab stored it: the hash of the code as issued
        conn.execute(update(P.students).where(P.students.c.id == ana.student_id)
                     .values(token_hash=hashlib.sha256(old.encode()).hexdigest()))
    at = run_app("en")
    resume(at, f" {old} ")
    assert at.session_state[C.STUDENT_KEY].student_id == ana.student_id
    at = run_app("en")
    resume(at, old.lower())  # an old code is case-sensitive: it is the exact secret that was issued
    assert C.STUDENT_KEY not in at.session_state


def test_progress_survives_a_browser_restart_and_a_server_restart(db):
    db.create_class("IA-1", "Turma")
    ids = C.lesson_exercise_ids()["tokenization"]
    assert len(ids) >= 3
    at = run_app("en")
    join(at, "IA-1", "Ana")
    token = at.sidebar.code[0].value
    db.record(token, attempt(ids[0], "wrong", 0.0))
    db.record(token, attempt(ids[0], "correct", 1.0))
    db.record(token, attempt(ids[1], "partial", 0.5))
    ok(at.run())
    title = next(text for _, text in progress_bars(at) if "Tokenization" in text)
    line = t("classroom.progress.lesson_line", "en", title="", solved="1", total=str(len(ids)), attempted="2")
    assert title.endswith(line.removeprefix("****"))
    assert (100 // len(ids)) <= dict((text, value) for value, text in progress_bars(at))[title] <= 100 // len(ids) + 1

    st.cache_resource.clear()  # the server's store is gone, as after a restart; the database stays
    fresh = run_app("en")  # a new browser session: nothing signed in
    assert t("classroom.home.invite", "en") in texts(fresh.info)
    resume(fresh, token)
    assert title in [text for _, text in progress_bars(fresh)]


def test_a_visitor_sees_this_sessions_progress(db):
    ids = C.lesson_exercise_ids()["attention"]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "pt-BR"
    at.session_state[C.SCORES_KEY] = {ids[0]: 1.0, ids[1]: 0.5}
    ok(at.run())
    assert t("classroom.home.invite", "pt-BR") in texts(at.info)
    line = t("classroom.progress.lesson_line", "pt-BR", title="", solved="1", total=str(len(ids)), attempted="2")
    assert any(text.endswith(line.removeprefix("****")) for _, text in progress_bars(at))


# --------------------------------------------------------------------------------------------
# What the exercise widget calls: record_attempt, best_scores, lesson_progress_box


def widget_script():
    """A lesson's exercise section as the widget will drive it: record on click, then show progress."""
    import streamlit as st

    from gptlab.classroom import store as P
    from ui import classroom

    lang = "en"
    if st.button("check", key="test.check"):
        uid = classroom.record_attempt(P.AttemptRecord("tokenization.gpt2_vocab", "tokenization", "1.1", "50257",
                                                       "correct", 1.0, "right"))
        st.success("graded: correct")  # the grade shows whatever the database did
        classroom.save_note(uid, lang)
    classroom.lesson_progress_box("tokenization", ("tokenization.gpt2_vocab", "tokenization.why_a_tilde"), lang)
    st.json(classroom.best_scores())
    st.text(f"instructor: {classroom.is_instructor()}")


def widget_app(**state) -> AppTest:
    at = AppTest.from_function(widget_script, default_timeout=30)
    at.session_state[frame.LANGUAGE_STATE] = "en"  # what the router's language switch leaves
    for key, value in state.items():
        at.session_state[key] = value
    return ok(at.run())


def test_record_attempt_saves_for_a_signed_in_student_only(db):
    db.create_class("IA-1", "Turma")
    ana = db.join("IA-1", "Ana")
    visitor = widget_app(**{C.SCORES_KEY: {"tokenization.why_a_tilde": 0.5}})
    assert t("classroom.progress.session_only", "en") in texts(visitor.caption)
    assert visitor.json[0].value == '{"tokenization.why_a_tilde": 0.5}'
    assert progress_bars(visitor) == [(0, t("classroom.progress.line", "en", solved="0", total="2", attempted="1"))]
    click(visitor, "check")
    assert db.my_attempts(ana.token) == ()  # a visitor's answers are not saved anywhere

    student = widget_app(**{C.STUDENT_KEY: ana, C.SCORES_KEY: {"tokenization.why_a_tilde": 0.5}})
    assert student.json[0].value == "{}"  # saved scores only: none yet
    click(student, "check")
    assert [(a.exercise_id, a.status, a.answer) for a in db.my_attempts(ana.token)] == [
        ("tokenization.gpt2_vocab", "correct", "50257")
    ]
    assert student.json[0].value == '{"tokenization.gpt2_vocab": 1.0}'
    assert progress_bars(student) == [(50, t("classroom.progress.line", "en", solved="1", total="2", attempted="1"))]
    assert t("classroom.progress.saved_for", "en", name="Ana", where="class IA\\-1") in texts(student.caption)
    assert student.text[0].value == "instructor: False"


def test_a_database_failure_keeps_the_attempt_and_the_grade_still_shows(db, monkeypatch):
    db.create_class("IA-1", "Turma")
    ana = db.join("IA-1", "Ana")
    monkeypatch.setenv("GPTLAB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/gptlab")  # nothing listens there
    at = widget_app(**{C.STUDENT_KEY: ana})
    click(at, "check")
    assert "graded: correct" in texts(at.success)
    assert t("classroom.pending", "en") in texts(at.warning)  # kept on the server, to be written later
    assert t("classroom.unavailable", "en") in texts(at.warning)  # the progress box cannot say "saved"...
    assert t("classroom.progress.pending", "en", n="1") in texts(at.caption)  # ...but counts the kept attempt
    assert progress_bars(at) == [(50, t("classroom.progress.line", "en", solved="1", total="2", attempted="1"))]
    assert at.session_state[C.STUDENT_KEY] == ana  # still signed in
    box, _ = C.outbox()
    assert [p.record.answer for p in box.pending(ana.key)] == ["50257"]


def test_a_saved_attempt_says_so(db):
    db.create_class("IA-1", "Turma")
    ana = db.join("IA-1", "Ana")
    at = widget_app(**{C.STUDENT_KEY: ana})
    click(at, "check")
    assert t("classroom.saved", "en") in texts(at.caption)
    assert C.outbox()[0].pending() == ()


def test_a_database_that_forgot_the_student_signs_them_out(db, tmp_path, monkeypatch):
    db.create_class("IA-1", "Turma")
    ana = db.join("IA-1", "Ana")
    monkeypatch.setenv("GPTLAB_PROGRESS_DB", str(tmp_path / "a-new-empty.sqlite3"))
    at = widget_app(**{C.STUDENT_KEY: ana})
    click(at, "check")
    assert t("classroom.session_lost", "en") in texts(at.warning)
    assert "graded: correct" in texts(at.success)
    assert C.STUDENT_KEY not in at.session_state


def test_is_instructor_follows_the_unlocked_secret(db, monkeypatch):
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    at = run_app("en", page=INSTRUCTOR)
    unlock(at, SECRET)
    digest = at.session_state[C.INSTRUCTOR_KEY]
    assert widget_app(**{C.INSTRUCTOR_KEY: digest}).text[0].value == "instructor: True"
    assert widget_app(**{C.INSTRUCTOR_KEY: b"not the digest"}).text[0].value == "instructor: False"
    monkeypatch.delenv(C.SECRET_ENV)
    assert widget_app(**{C.INSTRUCTOR_KEY: digest}).text[0].value == "instructor: False"  # no secret: nobody is


# --- the exercise widget and the classroom ------------------------------------------------------------------
def answer_choice(at: AppTest, exercise_id: str, correct: bool) -> AppTest:
    from gptlab.exercises import bank

    ex = bank.by_id(exercise_id)
    choice = next(c for c in ex.choices if c.correct == correct)
    at.radio(key=f"exercises.{exercise_id}.answer.0").set_value(choice.id)
    at.button(key=f"exercises.{exercise_id}.check.0").click()
    return ok(at.run())


def test_a_signed_in_students_checked_answers_are_saved_and_survive_a_new_session(db):
    db.create_class("NLP-1", "NLP")
    at = ok(run_app("en", course.lesson("tokenization").page))
    join(at, "NLP-1", "Ana")
    answer_choice(at, "tokenization.why_a_tilde", correct=False)
    answer_choice(at, "tokenization.why_a_tilde", correct=True)  # same form: the key stays attempt 0
    (student,) = db.student_summary("NLP-1")
    assert student.name == "Ana" and student.attempts == 2 and student.exercises_correct == 1
    rows = db.attempts("NLP-1")
    assert [r.status for r in rows] == ["wrong", "correct"] and rows[0].lesson_id == "tokenization"
    token = at.session_state[C.STUDENT_KEY].token
    # A new browser session: resuming with the return code brings the saved score back.
    fresh = ok(run_app("en", course.lesson("tokenization").page))
    assert "1.00" not in all_text(fresh)
    fresh.text_input(key=C.RESUME_KEY).set_value(token)
    click(fresh, t("classroom.sidebar.resume", "en"))
    assert t("exercises.best", "en", score="1.00") in all_text(fresh)


def test_a_visitors_answers_are_graded_but_not_saved(db):
    db.create_class("NLP-1", "NLP")
    at = ok(run_app("en", course.lesson("tokenization").page))
    answer_choice(at, "tokenization.why_a_tilde", correct=True)
    assert t("exercises.status.correct", "en") in "\n".join(texts(at.success))
    assert db.attempts("NLP-1") == ()
    from gptlab.exercises import bank

    total = len(bank.for_lesson("tokenization"))  # the bar counts the check made in this very run
    line = t("classroom.progress.line", "en", solved="1", total=str(total), attempted="1")
    assert line in [str(p.text) for p in at.get("progress")]


def test_only_an_instructor_gets_the_reveal_switch(db, monkeypatch):
    from gptlab.exercises import bank

    ex = bank.by_id("tokenization.why_a_tilde")
    right = next(c for c in ex.choices if c.correct)
    student = ok(run_app("en", course.lesson("tokenization").page))
    assert not [w for w in student.toggle if w.label == t("exercises.reveal.toggle", "en")]
    assert ex.text(f"choice.{right.id}.why", "en") not in all_text(student)
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    teacher = ok(run_app("en", INSTRUCTOR))
    unlock(teacher, SECRET)
    teacher.switch_page(course.lesson("tokenization").page)
    ok(teacher.run())
    teacher.toggle(key=f"exercises.{ex.id}.reveal").set_value(True)
    ok(teacher.run())
    assert ex.text(f"choice.{right.id}.why", "en") in "\n".join(texts(teacher.info))


# Studying alone: a personal profile (issue 16.3); a class's join link (issue 22.1)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_student_alone_creates_a_personal_profile_that_saves_progress(db, lang):
    at = ok(run_app(lang, course.lesson("tokenization").page))
    at.text_input(key=C.PROFILE_NAME_KEY).set_value("  Lia <b>solo</b> ")
    click(at, t("classroom.sidebar.create_profile", lang))
    assert t("classroom.sidebar.profile_created", lang) in texts(at.sidebar.success)
    student = at.session_state[C.STUDENT_KEY]
    assert student.personal and student.name == "Lia <b>solo</b>"
    token = at.sidebar.code[0].value
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", token) and db.resume(token).personal
    answer_choice(at, "tokenization.why_a_tilde", correct=True)
    assert db.list_classes() == ()  # no class shows it: no instructor sees a personal profile
    # a new browser session, on the home page: the return code brings the progress back
    home = ok(run_app(lang))
    home.text_input(key=C.RESUME_KEY).set_value(token.lower().replace("-", " "))
    click(home, t("classroom.sidebar.resume", lang))
    assert message("classroom.sidebar.resumed", lang, name="Lia <b>solo</b>") in texts(home.sidebar.success)
    assert message("classroom.home.personal", lang, name="Lia <b>solo</b>") in texts(home.markdown)
    assert [a.status for a in db.my_attempts(token)] == ["correct"]
    assert any(value > 0 for value, _ in progress_bars(home))  # the home page counts the saved answer
    assert t("classroom.home.invite", lang) not in texts(home.info)


def test_two_personal_profiles_may_share_a_name(db):
    first = db.create_profile("Ana")
    second = db.create_profile("Ana")
    assert first.token != second.token and db.resume(second.token).student_id == second.student_id


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_join_link_fills_in_the_class_code_on_the_home_page(db, lang):
    db.create_class("NLP-2026", "NLP")
    at = ok(run_app(lang, **{"class": "nlp-2026"}))
    assert t("classroom.link.title", lang, code="NLP-2026") in [h.value for h in at.subheader]
    assert at.session_state[C.JOIN_CODE_KEY] == "NLP-2026"  # the sidebar's form has it too
    at.text_input(key=C.LINK_NAME_KEY).set_value("Rui")
    click(at, t("classroom.link.join", lang, code="NLP-2026"))
    student = at.session_state[C.STUDENT_KEY]
    assert (student.name, student.class_code) == ("Rui", "NLP-2026")
    assert "class" not in at.query_params  # the address no longer carries the join link
    assert any(c.value == student.token for c in at.main.code)  # the new code, on the page too (a phone)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_join_link_with_garbage_gets_a_notice_and_no_box(db, lang):
    at = ok(run_app(lang, **{"class": "<script>alert(1)</script>"}))
    assert not at.subheader or all("script" not in h.value for h in at.subheader)
    assert at.session_state[C.LINK_CODE_KEY] == ""


def test_many_sessions_cannot_guess_faster_than_the_server_wide_limit(db, monkeypatch, clock):
    """Eight browser sessions take turns typing wrong secrets, three rounds, all within one instant: one guess is
    compared, every other try is refused unchecked, whichever session it comes from (the limit is the server's,
    not a session's). Truly simultaneous tries, thread against thread, are in tests/gptlab/test_classroom_codes.py:
    AppTest cannot run two scripts at once (Python's ast is not thread-safe while compiling them)."""
    monkeypatch.setenv(C.SECRET_ENV, SECRET)
    sessions = [run_app("en", page=INSTRUCTOR) for _ in range(8)]
    every: list[str] = []
    for n in range(3):
        for i, at in enumerate(sessions):
            unlock(at, f"guess {i}-{n}")
            every.extend(texts(at.error))
    compared = [m for m in every if m == t("classroom.instructor.wrong", "en", wait="1")]
    refused = [m for m in every if m == t("classroom.instructor.too_soon", "en", wait="1")]
    assert len(compared) == 1 and len(refused) == 8 * 3 - 1, every
    assert all(C.INSTRUCTOR_KEY not in at.session_state for at in sessions)
    clock.now += 1  # the delay over, the right secret opens the dashboard in any session
    unlock(sessions[5], SECRET)
    assert C.INSTRUCTOR_KEY in sessions[5].session_state
