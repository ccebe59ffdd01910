"""The classroom in the app: a student joins a class (or keeps a personal profile) and keeps progress; an
instructor unlocks with the server secret.

Everything here lives in the server's session state; the only secret that reaches a browser is a
student's own return code, shown once when they join. Every checked answer of a signed-in student is
kept on the app server first (gptlab.classroom.outbox), then written to the progress database: a
database that is away loses nothing, and the student is told whether the answer is saved yet.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TypeVar

import streamlit as st

import course
from gptlab.classroom import codes
from gptlab.classroom import guard as G
from gptlab.classroom import outbox as O
from gptlab.classroom import records as R
from gptlab.classroom.location import database_url
from gptlab.i18n import fmt_int, t
from ui import frame
from ui.frame import markdown_escape

if TYPE_CHECKING:
    from gptlab.classroom.store import ProgressStore

T = TypeVar("T")

SECRET_ENV = "GPTLAB_INSTRUCTOR_SECRET"
SECRET_NAME = "instructor_secret"  # in .streamlit/secrets.toml
MIN_SECRET_CHARS = 16  # shorter secrets keep the dashboard locked (README: how long a secret must be)

SCORES_KEY = "exercises.scores"  # the exercise widget's {exercise id: best score} for this session
STUDENT_KEY = "classroom.student"  # the signed-in StudentSession
NEW_CODE_KEY = "classroom.new_code"  # a return code just issued, shown until the student dismisses it
MESSAGE_KEY = "classroom.message"  # (level, string key, params) left by the last sidebar action
JOIN_CODE_KEY, JOIN_NAME_KEY, RESUME_KEY = "classroom.join_code", "classroom.join_name", "classroom.return_code"
PROFILE_NAME_KEY = "classroom.profile_name"
LINK_CODE_KEY = "classroom.link_code"  # the class code a join link (?class=CODE) brought, once read
LINK_NAME_KEY = "classroom.link_name"  # the name typed in the home page's join box
CLASS_PARAM = "class"  # ?class=NLP-2026: the join card's link fills in the class code
# The instructor page's state: a student's sign-out (which clears "classroom.*") leaves it alone.
INSTRUCTOR_KEY = "instructor.unlocked"  # digest of the secret this session was unlocked with
INSTRUCTOR_MESSAGE_KEY = "instructor.message"
SECRET_INPUT_KEY = "instructor.secret"
NEW_CLASS_CODE_KEY, NEW_CLASS_NAME_KEY = "instructor.new_class_code", "instructor.new_class_name"
PICKED_CLASS_KEY = "instructor.class"
JUST_CREATED_KEY = "instructor.just_created"  # the class created in this session: its join card opens

_log = logging.getLogger("gptlab")


# --- the store and the attempts kept on this server ------------------------------------------------------------


def _open_store(url: str) -> ProgressStore:
    """A progress store on `url`. The store module (and SQLAlchemy) is imported here, when progress is first
    written or read: a page that only shows the sidebar's forms does not wait for it."""
    from gptlab.classroom.store import ProgressStore

    return ProgressStore(url)


@st.cache_resource(show_spinner=False)
def _store_at(url: str) -> ProgressStore:
    return _open_store(url)


def store() -> ProgressStore:
    """The server's one progress store (keyed by URL: a changed GPTLAB_DATABASE_URL opens the new one)."""
    return _store_at(database_url())


@st.cache_resource(show_spinner=False)
def _outbox_at(url: str, path: str) -> tuple[O.Outbox, O.OutboxDrainer]:
    box = O.Outbox(path, url)
    # The drainer opens its own store: it must not need a session, and a database away at start is no error.
    return box, O.OutboxDrainer(box, partial(_open_store, url))


def outbox() -> tuple[O.Outbox, O.OutboxDrainer]:
    """This server's kept attempts for the current database, and the thread that writes them (started here:
    attempts kept before a restart are written as soon as the app runs again)."""
    url = database_url()
    return _outbox_at(url, str(O.default_path(url)))


def start_outbox() -> None:
    """Called by the router on every run: the first one after a start begins writing what was kept."""
    try:
        outbox()
    except Exception:  # noqa: BLE001 - a broken outbox file must not take the app down
        _log.exception("cannot open the outbox of kept attempts")


def _escaped(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: markdown_escape(v) if isinstance(v, str) else v for k, v in params.items()}


Message = tuple[str, str, dict]  # (st function: "error", "warning", "success"; string key; its params)


def safely(work: Callable[[], T]) -> tuple[T | None, Message | None]:
    """(result, None), or (None, message) for a refused input or an unreachable database."""
    try:
        return work(), None
    except R.ProgressError as error:
        return None, ("error", error.key, error.params)
    except Exception:  # noqa: BLE001 - a database down must not take the page with it
        _log.exception("progress store failed")
        return None, ("warning", "classroom.unavailable", {})


def show_message(message: Message | None, lang: str) -> None:
    """The message in the user's language; user text in its params is escaped for Markdown."""
    if message is None:
        return
    level, key, params = message
    getattr(st, level)(t(key, lang, **_escaped(params)))


# --- students ----------------------------------------------------------------------------------------------------


def current_student() -> R.StudentSession | None:
    """The student signed in this browser session, if any."""
    return st.session_state.get(STUDENT_KEY)


def _sign_out_lost_student() -> None:
    for key in (STUDENT_KEY, NEW_CODE_KEY):
        st.session_state.pop(key, None)
    st.warning(t("classroom.session_lost", frame.language()))


def record_attempt(record: R.AttemptRecord) -> str | None:
    """Keep a graded answer of the signed-in student, then write it; returns its attempt id (None for a visitor).

    The attempt is on this server's disk before the database is asked; if the database does not answer,
    it is written later, in order, once (`save_note` tells the student which). The grade always shows.
    """
    student = current_student()
    if student is None:
        return None
    uid, checked_at = O.new_attempt_uid(), datetime.now(timezone.utc)
    try:
        box, drainer = outbox()
        box.add(student.key, record, attempt_uid=uid, checked_at=checked_at)
    except R.InvalidAttempt:
        _log.exception("an attempt the store refuses")
        st.warning(t("classroom.save_failed", frame.language()))
        return None
    except Exception:  # noqa: BLE001 - no local disk: write straight to the database, as before the outbox
        _log.exception("cannot keep an attempt on this server; writing it directly")
        try:
            store().record(student.token, record, attempt_uid=uid, checked_at=checked_at)
        except R.UnknownStudent:
            _sign_out_lost_student()
        except Exception:  # noqa: BLE001
            _log.exception("could not save an attempt")
            st.warning(t("classroom.save_failed", frame.language()))
        return None
    try:
        box.flush(store())
    except Exception:  # noqa: BLE001 - the database is away: the drainer keeps trying
        _log.warning("progress database unreachable; the attempt waits on this server")
    state = box.state(uid)
    if state == O.PENDING:
        drainer.wake()
    elif state == O.FAILED:
        try:
            store().resume(student.token)
        except R.UnknownStudent:  # the database no longer knows this student (it was replaced or reset)
            _sign_out_lost_student()
        except Exception:  # noqa: BLE001
            pass
    return uid


def save_state(uid: str | None) -> str | None:
    """O.WRITTEN, O.PENDING, O.FAILED for an attempt `record_attempt` kept; None when unknown."""
    if not uid:
        return None
    try:
        return outbox()[0].state(uid)
    except Exception:  # noqa: BLE001
        return None


def save_note(uid: str | None, lang: str) -> None:
    """Under a graded answer: 'saved', or 'will be saved when the database is back'."""
    state = save_state(uid)
    if state == O.WRITTEN:
        st.caption(t("classroom.saved", lang))
    elif state == O.PENDING:
        st.warning(t("classroom.pending", lang), icon=":material/cloud_off:")
    elif state == O.FAILED:
        st.warning(t("classroom.save_failed", lang))


def pending_attempts() -> tuple[O.PendingAttempt, ...]:
    """The signed-in student's attempts kept on this server, waiting for the database."""
    student = current_student()
    if student is None:
        return ()
    try:
        return outbox()[0].pending(student.key)
    except Exception:  # noqa: BLE001
        _log.exception("cannot read the outbox")
        return ()


def pending_count() -> int:
    """How many attempts of every student wait on this server for the database (the instructor's view)."""
    try:
        return outbox()[0].count()
    except Exception:  # noqa: BLE001
        return 0


def best_scores() -> dict[str, float]:
    """{exercise id: best score}: saved ones (and those waiting to be) for a signed-in student, else this session's."""
    student = current_student()
    if student is not None:
        saved, _ = safely(lambda: store().best_scores(student.token))
        if saved is not None:
            for item in pending_attempts():
                exercise = item.record.exercise_id
                saved[exercise] = max(saved.get(exercise, 0.0), item.record.score)
            return saved
    return dict(st.session_state.get(SCORES_KEY, {}))


def lesson_progress(lesson_id: str, exercise_ids: Sequence[str]) -> tuple[R.LessonProgress, bool, int]:
    """(standing on a lesson's exercises, whether it is the saved one, how many of its attempts wait to be
    written); this session's standing when nothing is saved. Waiting attempts count already."""
    from gptlab.classroom.report import session_lesson_progress, with_pending  # pandas and altair: not for the home page

    student = current_student()
    if student is None:
        return session_lesson_progress(lesson_id, exercise_ids, st.session_state.get(SCORES_KEY, {})), False, 0
    saved, _ = safely(lambda: store().lesson_progress(student.token, lesson_id, exercise_ids))
    pending = [item.record for item in pending_attempts() if item.record.exercise_id in set(exercise_ids)]
    if saved is None:
        base = session_lesson_progress(lesson_id, exercise_ids, st.session_state.get(SCORES_KEY, {}))
        return with_pending(base, pending), False, len(pending)
    return with_pending(saved, pending), True, len(pending)


def progress_line(progress: R.LessonProgress, lang: str) -> str:
    return t("classroom.progress.line", lang, solved=fmt_int(progress.solved, lang),
             total=fmt_int(progress.total, lang), attempted=fmt_int(progress.attempted, lang))


def _who(student: R.StudentSession, lang: str) -> dict[str, str]:
    """The {name}, {where} a message about the signed-in student fills in (escaped for Markdown)."""
    where = (t("classroom.where.personal", lang) if student.personal
             else t("classroom.where.class", lang, code=markdown_escape(student.class_code)))
    return {"name": markdown_escape(student.name), "where": where}


def lesson_progress_box(lesson_id: str, exercise_ids: tuple[str, ...], lang: str) -> None:
    """A progress bar over a lesson's exercises, saying whether the progress is saved."""
    if not exercise_ids:
        return
    progress, saved, pending = lesson_progress(lesson_id, exercise_ids)
    st.progress(progress.solved / progress.total, text=progress_line(progress, lang))
    student = current_student()
    if student is None:
        st.caption(t("classroom.progress.session_only", lang))
        return
    if saved:
        st.caption(t("classroom.progress.saved_for", lang, **_who(student, lang)))
    else:
        st.warning(t("classroom.unavailable", lang))
    if pending:
        st.caption(t("classroom.progress.pending", lang, n=fmt_int(pending, lang)))


def any_progress() -> bool:
    """Whether there is progress to show: a student signed in, or a visitor who checked an answer."""
    return current_student() is not None or bool(st.session_state.get(SCORES_KEY))


def lesson_exercise_ids() -> dict[str, tuple[str, ...]]:
    """{lesson id: its exercise ids, in order} from the exercise bank."""
    from gptlab.exercises import bank  # the bank imports torch: only when progress is shown

    return {lesson.id: tuple(ex.id for ex in bank.for_lesson(lesson.id)) for lesson in course.LESSONS}


def exercise_labels(lang: str) -> dict[str, "ExerciseLabel"]:
    """{exercise id: its lesson, number and short title in `lang`}: how the dashboard names exercises."""
    from gptlab.classroom.report import ExerciseLabel  # pandas and altair: only for the dashboard
    from gptlab.exercises import bank

    labels = {}
    for entry in course.LESSONS:
        lesson_title = t(entry.title_key, lang)  # the navigation's short name
        for n, ex in enumerate(bank.for_lesson(entry.id), 1):
            labels[ex.id] = ExerciseLabel(entry.order, lesson_title, n, ex.title(lang))
    return labels


def home_progress(lessons: Sequence[tuple[str, str]], exercise_ids: Mapping[str, Sequence[str]], lang: str) -> None:
    """Per lesson ((id, title) pairs), a bar of solved exercises; for a visitor, how to save progress."""
    student = current_student()
    if student is None:
        st.info(t("classroom.home.invite", lang), icon=":material/save:")
    elif student.personal:
        st.markdown(t("classroom.home.personal", lang, name=markdown_escape(student.name)))
    else:
        st.markdown(t("classroom.home.joined", lang, **_escaped({"name": student.name, "code": student.class_code})))
    rows = [(title, *lesson_progress(lesson, exercise_ids[lesson]))
            for lesson, title in lessons if exercise_ids.get(lesson)]
    if student is not None and not all(saved for _, _, saved, _ in rows):
        st.warning(t("classroom.unavailable", lang))
    pending = sum(n for *_, n in rows)
    if pending:
        st.caption(t("classroom.progress.pending", lang, n=fmt_int(pending, lang)))
    if not any(p.attempted for _, p, _, _ in rows):
        st.caption(t("classroom.home.nothing_yet", lang))
        return
    for title, progress, _, _ in rows:
        st.progress(progress.solved / progress.total, text=t(
            "classroom.progress.lesson_line", lang, title=markdown_escape(title),
            solved=fmt_int(progress.solved, lang), total=fmt_int(progress.total, lang),
            attempted=fmt_int(progress.attempted, lang)))


def last_attempts(exercise_ids: Sequence[str]) -> dict[str, R.SavedAttempt | O.PendingAttempt]:
    """{exercise id: the signed-in student's newest attempt}, saved or waiting to be: what a student who
    comes back sees under each exercise. Empty for a visitor or when the database is away."""
    student = current_student()
    if student is None:
        return {}
    wanted = set(exercise_ids)
    newest: dict[str, R.SavedAttempt | O.PendingAttempt] = {}
    saved, _ = safely(lambda: store().my_attempts(student.token))
    for row in saved or ():  # oldest answer first, each with its current verdict
        if row.exercise_id in wanted:
            newest[row.exercise_id] = row
    for item in pending_attempts():  # checked after every saved one
        if item.record.exercise_id in wanted:
            newest[item.record.exercise_id] = item
    return newest


# --- the sidebar block ------------------------------------------------------------------------------------------


def _forget_student() -> None:
    """Sign out: on a shared computer the next person must not see this one's answers either."""
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(("exercises.", "classroom.")):
            del st.session_state[key]
    st.session_state[LINK_CODE_KEY] = ""  # a join link already used does not come back after signing out


def join_link_code() -> str:
    """The class code of the join link this session was opened with (?class=NLP-2026), once read; "" if none."""
    if LINK_CODE_KEY not in st.session_state:
        raw = st.query_params.get(CLASS_PARAM)
        code = ""
        if raw is not None:
            try:
                code = R.normalize_class_code(raw)
            except R.InvalidClassCode:
                shown = "`" + str(raw)[:40].replace("`", "'").replace("\n", " ") + "`"  # a toast renders Markdown
                st.toast(t("sidebar.bad_url_value", frame.language(), name=CLASS_PARAM, value=shown))
        st.session_state[LINK_CODE_KEY] = code
        if code:
            st.session_state.setdefault(JOIN_CODE_KEY, code)
    return st.session_state[LINK_CODE_KEY]


def _signed_in(student: R.StudentSession, message: Message, *, new_code: bool) -> None:
    st.session_state[STUDENT_KEY] = student
    if new_code:
        st.session_state[NEW_CODE_KEY] = student.token
    st.session_state[MESSAGE_KEY] = message
    if CLASS_PARAM in st.query_params:
        del st.query_params[CLASS_PARAM]  # the link did its job; a shared address must not carry it on


def _join(code_key: str = JOIN_CODE_KEY, name_key: str = JOIN_NAME_KEY, code: str | None = None) -> None:
    code = st.session_state.get(code_key, "") if code is None else code
    name = st.session_state.get(name_key, "")
    student, message = safely(lambda: store().join(code, name))
    if student is not None:
        _signed_in(student, ("success", "classroom.sidebar.joined", {"code": student.class_code}), new_code=True)
        return
    st.session_state[MESSAGE_KEY] = message


def _create_profile() -> None:
    student, message = safely(lambda: store().create_profile(st.session_state.get(PROFILE_NAME_KEY, "")))
    if student is not None:
        _signed_in(student, ("success", "classroom.sidebar.profile_created", {}), new_code=True)
        return
    st.session_state[MESSAGE_KEY] = message


def _resume() -> None:
    raw = st.session_state.get(RESUME_KEY, "")
    raw = raw.strip() if isinstance(raw, str) else ""
    student, message = safely(lambda: store().resume(raw))
    if student is not None:
        _signed_in(student, ("success", "classroom.sidebar.resumed", {"name": student.name}), new_code=False)
        return
    n = codes.symbol_count(raw)
    if message is not None and message[1] == R.UnknownStudent("").key and n is not None and n != codes.SYMBOLS:
        message = ("error", "classroom.sidebar.code_length", {"n": n, "symbols": codes.SYMBOLS})
    st.session_state[MESSAGE_KEY] = message


def _sign_out() -> None:
    _forget_student()
    st.session_state[MESSAGE_KEY] = ("success", "classroom.sidebar.signed_out", {})


def _dismiss_code() -> None:
    st.session_state.pop(NEW_CODE_KEY, None)


def sidebar(lang: str) -> None:
    """The sidebar's progress block: join a class, study alone with a personal profile, or come back; who is
    signed in; sign out."""
    message = st.session_state.pop(MESSAGE_KEY, None)
    link_code = join_link_code()
    student = current_student()
    with st.sidebar, st.container(key="classroom-sidebar"):
        st.markdown(f"**{t('classroom.sidebar.title', lang)}**")
        if student is None:
            with st.expander(t("classroom.sidebar.join_or_resume", lang), expanded=message is not None or bool(link_code)):
                join_tab, alone_tab, resume_tab = st.tabs([t("classroom.sidebar.tab.join", lang),
                                                           t("classroom.sidebar.tab.alone", lang),
                                                           t("classroom.sidebar.tab.resume", lang)])
                with join_tab, st.form("classroom.join_form", border=False):
                    st.text_input(t("classroom.sidebar.class_code", lang), key=JOIN_CODE_KEY, max_chars=20,
                                  help=t("classroom.sidebar.class_code_help", lang))
                    st.text_input(t("classroom.sidebar.name", lang), key=JOIN_NAME_KEY, max_chars=R.MAX_NAME_CHARS,
                                  help=t("classroom.sidebar.name_help", lang))
                    st.form_submit_button(t("classroom.sidebar.join", lang), on_click=_join, type="primary")
                with alone_tab, st.form("classroom.profile_form", border=False):
                    st.caption(t("classroom.sidebar.alone_intro", lang))
                    st.text_input(t("classroom.sidebar.name", lang), key=PROFILE_NAME_KEY, max_chars=R.MAX_NAME_CHARS,
                                  help=t("classroom.sidebar.profile_name_help", lang))
                    st.form_submit_button(t("classroom.sidebar.create_profile", lang), on_click=_create_profile,
                                          type="primary")
                with resume_tab, st.form("classroom.resume_form", border=False):
                    st.text_input(t("classroom.sidebar.return_code", lang), key=RESUME_KEY, type="password",
                                  max_chars=64, help=t("classroom.sidebar.return_code_help", lang),
                                  placeholder="XXXX-XXXX-XXXX-XXXX-XXXX")
                    st.form_submit_button(t("classroom.sidebar.resume", lang), on_click=_resume)
                st.caption(t("classroom.sidebar.privacy", lang))
                show_message(message, lang)
            return
        if student.personal:
            st.markdown(t("classroom.sidebar.signed_in_personal", lang, name=markdown_escape(student.name)))
        else:
            st.markdown(t("classroom.sidebar.signed_in", lang, name=markdown_escape(student.name),
                          code=student.class_code))
        show_message(message, lang)
        new_code_box(lang, "sidebar")
        st.button(t("classroom.sidebar.sign_out", lang), key="classroom.sign_out", on_click=_sign_out,
                  icon=":material/logout:", help=t("classroom.sidebar.sign_out_help", lang))


def new_code_box(lang: str, where: str) -> None:
    """A return code just issued, until the student says they saved it (in the sidebar, and on the home page,
    where a phone shows it: its sidebar starts closed)."""
    new_code = st.session_state.get(NEW_CODE_KEY)
    if not new_code:
        return
    st.warning(t("classroom.sidebar.new_code", lang), icon=":material/key:")
    with st.container(key=f"classroom-return-code-{where}"):
        st.code(new_code, language=None, wrap_lines=True)  # Streamlit's copy button comes with it
    st.caption(t("classroom.sidebar.new_code_hint", lang))
    st.button(t("classroom.sidebar.saved_it", lang), key=f"classroom.saved_it.{where}", on_click=_dismiss_code)


def join_link_box(lang: str) -> None:
    """At the top of the home page: for a visitor who opened a class's join link, the class code filled in and a
    name to give; for a student just signed in, their new return code."""
    if current_student() is not None:
        if st.session_state.get(NEW_CODE_KEY):
            with st.container(border=True, key="classroom-new-code"):
                new_code_box(lang, "home")
        return
    code = join_link_code()
    if not code:
        return
    with st.container(border=True, key="classroom-join-link"):
        st.subheader(t("classroom.link.title", lang, code=code))
        with st.form("classroom.link_form", border=False):
            st.text_input(t("classroom.sidebar.name", lang), key=LINK_NAME_KEY, max_chars=R.MAX_NAME_CHARS,
                          help=t("classroom.sidebar.name_help", lang))
            st.form_submit_button(t("classroom.link.join", lang, code=code), type="primary", on_click=_join,
                                  kwargs={"name_key": LINK_NAME_KEY, "code": code})
        st.caption(t("classroom.link.or_sidebar", lang))


# --- the instructor secret --------------------------------------------------------------------------------------


def instructor_secret() -> str | None:
    """The server's instructor secret: env GPTLAB_INSTRUCTOR_SECRET, else st.secrets; None when unset."""
    value: Any = os.environ.get(SECRET_ENV, "")
    if not value.strip():
        try:
            value = st.secrets.get(SECRET_NAME, "")
        except FileNotFoundError:  # no secrets file, or one that does not parse
            value = ""
    value = "" if value is None else str(value).strip()
    return value or None


def secret_too_short(secret: str | None) -> bool:
    """A secret shorter than MIN_SECRET_CHARS is guessable: the dashboard stays locked and says why."""
    return secret is not None and len(secret) < MIN_SECRET_CHARS


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def _now() -> float:
    """The guard's clock (tests replace it)."""
    return time.monotonic()


@st.cache_resource(show_spinner=False)
def secret_guard() -> G.SecretGuard:
    """The server's one limit on wrong tries of the instructor secret, shared by every session."""
    return G.SecretGuard(clock=lambda: _now())


def is_instructor() -> bool:
    """This session was unlocked with the instructor secret the server has now (a changed secret locks it)."""
    held = st.session_state.get(INSTRUCTOR_KEY)
    if not isinstance(held, bytes):  # a student: no need to look the secret up (with no secrets file, Streamlit
        return False  # looks for one under two locks on every access: 4 % of a class's page runs)
    secret = instructor_secret()
    return bool(secret and not secret_too_short(secret) and hmac.compare_digest(held, _digest(secret)))


def client_address() -> str:
    """The address this session's browser connects from (the proxy's behind one: the overall limit still holds)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser
        address = None
    return address if isinstance(address, str) and address else "unknown"


def unlock() -> None:
    """Callback of the unlock form: under the server-wide limit on wrong tries, compare in constant time."""
    typed = st.session_state.get(SECRET_INPUT_KEY, "")
    typed = typed.strip() if isinstance(typed, str) else ""
    secret = instructor_secret()
    if not secret or secret_too_short(secret):
        return
    outcome = secret_guard().attempt(client_address(), lambda: hmac.compare_digest(_digest(typed), _digest(secret)))
    if outcome.verdict == G.GRANTED:
        st.session_state[INSTRUCTOR_KEY] = _digest(secret)
        st.session_state.pop(INSTRUCTOR_MESSAGE_KEY, None)
        return
    wait = fmt_int(max(1, round(outcome.wait_s)), frame.language())
    if outcome.verdict == G.WRONG:
        message = ("error", "classroom.instructor.wrong", {"wait": wait})
    elif outcome.verdict == G.WAIT:
        message = ("error", "classroom.instructor.too_soon", {"wait": wait})
    else:
        minutes = fmt_int(max(1, round(outcome.wait_s / 60)), frame.language())
        message = ("error", f"classroom.instructor.locked_out.{outcome.scope}", {"minutes": minutes})
    st.session_state[INSTRUCTOR_MESSAGE_KEY] = message


def lock() -> None:
    st.session_state.pop(INSTRUCTOR_KEY, None)


def instructor_message() -> Message | None:
    """The message the instructor page's last callback left, once."""
    return st.session_state.pop(INSTRUCTOR_MESSAGE_KEY, None)


def create_class() -> None:
    """Callback of the instructor's create-class form."""
    if not is_instructor():
        return
    code = st.session_state.get(NEW_CLASS_CODE_KEY, "")
    name = st.session_state.get(NEW_CLASS_NAME_KEY, "")
    created, message = safely(lambda: store().create_class(code, name))
    if created is not None:
        st.session_state[PICKED_CLASS_KEY] = created.code
        st.session_state[JUST_CREATED_KEY] = created.code
        message = ("success", "classroom.instructor.created", {"code": created.code})
    st.session_state[INSTRUCTOR_MESSAGE_KEY] = message
