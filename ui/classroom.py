"""The classroom in the app: a student joins a class and keeps progress; an instructor unlocks with the server secret.

Everything here lives in the server's session state; the only secret that reaches a browser is a
student's own return code, shown once when they join.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from typing import Any, Callable, Mapping, Sequence, TypeVar

import streamlit as st

import course
from gptlab.classroom import store as P
from gptlab.i18n import fmt_int, t
from ui import frame
from ui.frame import markdown_escape

T = TypeVar("T")

SECRET_ENV = "GPTLAB_INSTRUCTOR_SECRET"
SECRET_NAME = "instructor_secret"  # in .streamlit/secrets.toml
WRONG_SECRET_DELAY_S = 1.0  # a wrong try waits: guessing the secret online becomes slow

SCORES_KEY = "exercises.scores"  # the exercise widget's {exercise id: best score} for this session
STUDENT_KEY = "classroom.student"  # the signed-in StudentSession
NEW_CODE_KEY = "classroom.new_code"  # a return code just issued, shown until the student dismisses it
MESSAGE_KEY = "classroom.message"  # (level, string key, params) left by the last sidebar action
JOIN_CODE_KEY, JOIN_NAME_KEY, RESUME_KEY = "classroom.join_code", "classroom.join_name", "classroom.return_code"
# The instructor page's state: a student's sign-out (which clears "classroom.*") leaves it alone.
INSTRUCTOR_KEY = "instructor.unlocked"  # digest of the secret this session was unlocked with
INSTRUCTOR_MESSAGE_KEY = "instructor.message"
SECRET_INPUT_KEY = "instructor.secret"
NEW_CLASS_CODE_KEY, NEW_CLASS_NAME_KEY = "instructor.new_class_code", "instructor.new_class_name"
PICKED_CLASS_KEY = "instructor.class"

_log = logging.getLogger("gptlab")


# --- the store -------------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store_at(url: str) -> P.ProgressStore:
    return P.ProgressStore(url)


def store() -> P.ProgressStore:
    """The server's one progress store (keyed by URL: a changed GPTLAB_DATABASE_URL opens the new one)."""
    return _store_at(P.database_url())


def _escaped(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: markdown_escape(v) if isinstance(v, str) else v for k, v in params.items()}


Message = tuple[str, str, dict]  # (st function: "error", "warning", "success"; string key; its params)


def safely(work: Callable[[], T]) -> tuple[T | None, Message | None]:
    """(result, None), or (None, message) for a refused input or an unreachable database."""
    try:
        return work(), None
    except P.ProgressError as error:
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


def current_student() -> P.StudentSession | None:
    """The student signed in this browser session, if any."""
    return st.session_state.get(STUDENT_KEY)


def record_attempt(record: P.AttemptRecord) -> None:
    """Save a graded answer for the signed-in student; a failure warns and never hides the grade."""
    student = current_student()
    if student is None:
        return
    try:
        store().record(student.token, record)
    except P.UnknownStudent:  # the database no longer knows this student (it was replaced or reset)
        for key in (STUDENT_KEY, NEW_CODE_KEY):
            st.session_state.pop(key, None)
        st.warning(t("classroom.session_lost", frame.language()))
    except Exception:  # noqa: BLE001 - the grade is already computed: show it whatever the database does
        _log.exception("could not save an attempt")
        st.warning(t("classroom.save_failed", frame.language()))


def best_scores() -> dict[str, float]:
    """{exercise id: best score}: saved ones for a signed-in student, else this session's."""
    student = current_student()
    if student is not None:
        saved, _ = safely(lambda: store().best_scores(student.token))
        if saved is not None:
            return saved
    return dict(st.session_state.get(SCORES_KEY, {}))


def lesson_progress(lesson_id: str, exercise_ids: Sequence[str]) -> tuple[P.LessonProgress, bool]:
    """(standing on a lesson's exercises, whether it is the saved one); this session's when not saved."""
    student = current_student()
    if student is not None:
        saved, _ = safely(lambda: store().lesson_progress(student.token, lesson_id, exercise_ids))
        if saved is not None:
            return saved, True
    from gptlab.classroom.report import session_lesson_progress  # pandas and altair: not for the home page

    return session_lesson_progress(lesson_id, exercise_ids, st.session_state.get(SCORES_KEY, {})), False


def progress_line(progress: P.LessonProgress, lang: str) -> str:
    return t("classroom.progress.line", lang, solved=fmt_int(progress.solved, lang),
             total=fmt_int(progress.total, lang), attempted=fmt_int(progress.attempted, lang))


def lesson_progress_box(lesson_id: str, exercise_ids: tuple[str, ...], lang: str) -> None:
    """A progress bar over a lesson's exercises, saying whether the progress is saved."""
    if not exercise_ids:
        return
    progress, saved = lesson_progress(lesson_id, exercise_ids)
    st.progress(progress.solved / progress.total, text=progress_line(progress, lang))
    student = current_student()
    if student is None:
        st.caption(t("classroom.progress.session_only", lang))
    elif saved:
        st.caption(t("classroom.progress.saved_for", lang, **_escaped({"name": student.name, "code": student.class_code})))
    else:
        st.warning(t("classroom.unavailable", lang))


def any_progress() -> bool:
    """Whether there is progress to show: a student signed in, or a visitor who checked an answer."""
    return current_student() is not None or bool(st.session_state.get(SCORES_KEY))


def lesson_exercise_ids() -> dict[str, tuple[str, ...]]:
    """{lesson id: its exercise ids, in order} from the exercise bank."""
    from gptlab.exercises import bank  # the bank imports torch: only when progress is shown

    return {lesson.id: tuple(ex.id for ex in bank.for_lesson(lesson.id)) for lesson in course.LESSONS}


def home_progress(lessons: Sequence[tuple[str, str]], exercise_ids: Mapping[str, Sequence[str]], lang: str) -> None:
    """Per lesson ((id, title) pairs), a bar of solved exercises; an invitation to join for a visitor."""
    student = current_student()
    if student is None:
        st.info(t("classroom.home.invite", lang), icon=":material/group_add:")
    else:
        st.markdown(t("classroom.home.joined", lang, **_escaped({"name": student.name, "code": student.class_code})))
    rows = [(title, *lesson_progress(lesson, exercise_ids[lesson]))
            for lesson, title in lessons if exercise_ids.get(lesson)]
    if student is not None and not all(saved for _, _, saved in rows):
        st.warning(t("classroom.unavailable", lang))
    if not any(p.attempted for _, p, _ in rows):
        st.caption(t("classroom.home.nothing_yet", lang))
        return
    for title, progress, _ in rows:
        st.progress(progress.solved / progress.total, text=t(
            "classroom.progress.lesson_line", lang, title=markdown_escape(title),
            solved=fmt_int(progress.solved, lang), total=fmt_int(progress.total, lang),
            attempted=fmt_int(progress.attempted, lang)))


# --- the sidebar block ------------------------------------------------------------------------------------------


def _forget_student() -> None:
    """Sign out: on a shared computer the next person must not see this one's answers either."""
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(("exercises.", "classroom.")):
            del st.session_state[key]


def _join() -> None:
    code, name = st.session_state.get(JOIN_CODE_KEY, ""), st.session_state.get(JOIN_NAME_KEY, "")
    student, message = safely(lambda: store().join(code, name))
    if student is not None:
        st.session_state[STUDENT_KEY] = student
        st.session_state[NEW_CODE_KEY] = student.token
        message = ("success", "classroom.sidebar.joined", {"code": student.class_code})
    st.session_state[MESSAGE_KEY] = message


def _resume() -> None:
    token = st.session_state.get(RESUME_KEY, "")
    token = token.strip() if isinstance(token, str) else ""
    student, message = safely(lambda: store().resume(token))
    if student is not None:
        st.session_state[STUDENT_KEY] = student
        message = ("success", "classroom.sidebar.resumed", {"name": student.name})
    st.session_state[MESSAGE_KEY] = message


def _sign_out() -> None:
    _forget_student()
    st.session_state[MESSAGE_KEY] = ("success", "classroom.sidebar.signed_out", {})


def _dismiss_code() -> None:
    st.session_state.pop(NEW_CODE_KEY, None)


def sidebar(lang: str) -> None:
    """The 'Class' block of the sidebar: join or come back; who is signed in; sign out."""
    message = st.session_state.pop(MESSAGE_KEY, None)
    student = current_student()
    with st.sidebar, st.container(key="classroom-sidebar"):
        st.markdown(f"**{t('classroom.sidebar.title', lang)}**")
        if student is None:
            with st.expander(t("classroom.sidebar.join_or_resume", lang), expanded=message is not None):
                join_tab, resume_tab = st.tabs([t("classroom.sidebar.tab.join", lang), t("classroom.sidebar.tab.resume", lang)])
                with join_tab, st.form("classroom.join_form", border=False):
                    st.text_input(t("classroom.sidebar.class_code", lang), key=JOIN_CODE_KEY, max_chars=20,
                                  help=t("classroom.sidebar.class_code_help", lang))
                    st.text_input(t("classroom.sidebar.name", lang), key=JOIN_NAME_KEY, max_chars=P.MAX_NAME_CHARS,
                                  help=t("classroom.sidebar.name_help", lang))
                    st.form_submit_button(t("classroom.sidebar.join", lang), on_click=_join, type="primary")
                with resume_tab, st.form("classroom.resume_form", border=False):
                    st.text_input(t("classroom.sidebar.return_code", lang), key=RESUME_KEY, type="password",
                                  max_chars=64, help=t("classroom.sidebar.return_code_help", lang))
                    st.form_submit_button(t("classroom.sidebar.resume", lang), on_click=_resume)
                st.caption(t("classroom.sidebar.privacy", lang))
                show_message(message, lang)
            return
        st.markdown(t("classroom.sidebar.signed_in", lang, name=markdown_escape(student.name), code=student.class_code))
        show_message(message, lang)
        new_code = st.session_state.get(NEW_CODE_KEY)
        if new_code:
            st.warning(t("classroom.sidebar.new_code", lang), icon=":material/key:")
            st.code(new_code, language=None, wrap_lines=True)  # Streamlit's copy button comes with it
            st.button(t("classroom.sidebar.saved_it", lang), key="classroom.saved_it", on_click=_dismiss_code)
        st.button(t("classroom.sidebar.sign_out", lang), key="classroom.sign_out", on_click=_sign_out,
                  icon=":material/logout:", help=t("classroom.sidebar.sign_out_help", lang))


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


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def is_instructor() -> bool:
    """This session was unlocked with the instructor secret the server has now (a changed secret locks it)."""
    secret, held = instructor_secret(), st.session_state.get(INSTRUCTOR_KEY)
    return bool(secret and isinstance(held, bytes) and hmac.compare_digest(held, _digest(secret)))


def unlock() -> None:
    """Callback of the unlock form: compare in constant time; a wrong try waits and says so."""
    typed = st.session_state.get(SECRET_INPUT_KEY, "")
    typed = typed.strip() if isinstance(typed, str) else ""
    secret = instructor_secret()
    if secret and hmac.compare_digest(_digest(typed), _digest(secret)):
        st.session_state[INSTRUCTOR_KEY] = _digest(secret)
        st.session_state.pop(INSTRUCTOR_MESSAGE_KEY, None)
        return
    time.sleep(WRONG_SECRET_DELAY_S)
    st.session_state[INSTRUCTOR_MESSAGE_KEY] = ("error", "classroom.instructor.wrong", {})


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
        message = ("success", "classroom.instructor.created", {"code": created.code})
    st.session_state[INSTRUCTOR_MESSAGE_KEY] = message
