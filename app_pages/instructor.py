"""Instructor dashboard: behind the server's instructor secret, classes, a join card to project, their progress
(refreshing itself while open) and the CSV export."""

import os
from datetime import datetime, timezone

import streamlit as st

import course
from gptlab.classroom import join_card as J
from gptlab.classroom import report as R
from gptlab.i18n import fmt_int, t
from ui import classroom as C
from ui import frame
from ui.frame import markdown_escape
from ui import vega

REFRESH_S = 15  # the class's tables and chart refresh themselves this often while the page is open
PUBLIC_URL_ENV = "GPTLAB_PUBLIC_URL"  # the address students reach the app at, when it is not the one the dashboard uses

lang = frame.language()
st.title(t("classroom.instructor.title", lang))


def how_to_set_a_secret(too_short: str | None = None) -> None:
    if too_short is not None:
        st.error(t("classroom.instructor.too_short", lang, n=len(too_short), min=C.MIN_SECRET_CHARS), icon=":material/lock:")
    else:
        st.info(t("classroom.instructor.no_secret", lang), icon=":material/lock:")
    st.markdown(t("classroom.instructor.no_secret_env", lang))
    st.code(f"export {C.SECRET_ENV}=\"$(python -c 'import secrets; print(secrets.token_urlsafe(18))')\"", language="bash")
    st.markdown(t("classroom.instructor.no_secret_file", lang))
    st.code(f'{C.SECRET_NAME} = "…"', language="toml")


def unlock_form() -> None:
    st.info(t("classroom.instructor.locked", lang), icon=":material/lock:")
    with st.form("instructor.unlock_form", clear_on_submit=True):
        st.text_input(t("classroom.instructor.secret", lang), type="password", key=C.SECRET_INPUT_KEY, max_chars=200)
        st.form_submit_button(t("classroom.instructor.unlock", lang), on_click=C.unlock, type="primary",
                              icon=":material/lock_open:")
    C.show_message(C.instructor_message(), lang)


def classes_section(store) -> list:
    st.header(t("classroom.instructor.classes", lang))
    classes, message = C.safely(store.list_classes)
    C.show_message(message, lang)
    classes = classes or []
    if classes:
        st.dataframe(R.classes_table(classes, lang), hide_index=True, width="stretch")
    else:
        st.info(t("classroom.instructor.no_classes", lang))
    with st.expander(t("classroom.instructor.create", lang), expanded=not classes):
        with st.form("instructor.create_form", border=False):
            st.text_input(t("classroom.instructor.new_code", lang), key=C.NEW_CLASS_CODE_KEY, max_chars=20)
            st.text_input(t("classroom.instructor.new_name", lang), key=C.NEW_CLASS_NAME_KEY, max_chars=80)
            st.form_submit_button(t("classroom.instructor.create_button", lang), on_click=C.create_class,
                                  icon=":material/add:")
    return classes


def app_base_url() -> str:
    """Where students open the app: GPTLAB_PUBLIC_URL, else the address this dashboard was opened at."""
    given = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if given:
        return given
    try:
        page_url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser (AppTest)
        page_url = ""
    return J.app_base_url(page_url or "http://localhost:8501/", course.INSTRUCTOR.url_path)


def join_card_section(code: str, class_name: str) -> None:
    """The card to project: the code in large type, a link and a QR code that open the app with the code filled in."""
    st.subheader(t("classroom.instructor.card.header", lang))
    shown = st.toggle(t("classroom.instructor.card.show", lang, code=code), key=f"instructor.card.{code}",
                      value=st.session_state.get(C.JUST_CREATED_KEY) == code)
    if not shown:
        return
    link = J.join_link(app_base_url(), code, lang)
    card = J.JoinCard(code, class_name, link, t("classroom.instructor.card.code", lang),
                      t("classroom.instructor.card.steps", lang), t("classroom.instructor.card.qr_alt", lang, link=link))
    with st.container(key="instructor-join-card"):
        st.html(J.card_html(card))
    if J.is_local(link):
        from urllib.parse import urlsplit

        st.warning(t("classroom.instructor.card.local_link", lang, host=f"`{urlsplit(link).hostname}`"),
                   icon=":material/wifi_off:")


def _column(key: str, width: int, **extra) -> tuple[str, st.column_config.Column]:
    """A column `width` px wide, or wider when its header needs it (about 7.5 px a character, plus the sort icon)."""
    label = t(f"classroom.instructor.col.{key}", lang)
    return label, st.column_config.TextColumn(label, width=max(width, 7 * len(label) + 24), **extra)


# Column widths in pixels: every table fits the main column of a 1366 px screen with the sidebar open (~900 px).
def exercise_columns() -> dict:
    return dict([_column("lesson", 150), _column("number", 48), _column("exercise", 290), _column("tried", 80),
                 _column("solved", 90), _column("rate", 110), _column("answers", 85)])


def student_columns() -> dict:
    return dict([_column("name", 170), _column("attempted", 90), _column("correct", 90),
                 _column("mean_best", 120, help=t("classroom.instructor.col.mean_best_help", lang)),
                 _column("answers", 80), _column("last", 150)])


def exercises_section(store, code: str) -> None:
    st.subheader(t("classroom.instructor.per_exercise", lang))
    summaries, message = C.safely(lambda: store.exercise_summary(code))
    C.show_message(message, lang)
    if not summaries:
        if message is None:
            st.info(t("classroom.instructor.no_attempts", lang))
        return
    course_order = [ex for ids in C.lesson_exercise_ids().values() for ex in ids]
    summaries = R.in_course_order(summaries, course_order)
    labels = C.exercise_labels(lang)
    large = frame.projector_mode()
    table = R.exercise_table(summaries, lang, labels)
    st.dataframe(table, hide_index=True, width="stretch", column_config=exercise_columns())
    vega.show(R.success_rate_chart(summaries, lang, large=large, labels=labels), width="stretch",
              height=R.success_rate_chart_height(len(summaries), large=large))
    st.caption(t("classroom.instructor.chart_caption", lang))


def students_section(store, code: str) -> None:
    st.subheader(t("classroom.instructor.per_student", lang))
    summaries, message = C.safely(lambda: store.student_summary(code))
    C.show_message(message, lang)
    if summaries is None:
        return
    if not summaries:
        st.info(t("classroom.instructor.no_students", lang, code=code))
        return
    st.markdown(t("classroom.instructor.counts", lang, students=fmt_int(len(summaries), lang),
                  attempts=fmt_int(sum(s.attempts for s in summaries), lang)))
    st.dataframe(R.student_table(summaries, lang), hide_index=True, width="stretch", column_config=student_columns())


def export_section(store, code: str) -> None:
    st.subheader(t("classroom.instructor.export", lang))
    exported, message = C.safely(lambda: store.attempts_csv(code))
    C.show_message(message, lang)
    if exported is None:
        return
    st.caption(t("classroom.instructor.export_help", lang))
    st.download_button(
        t("classroom.instructor.download", lang),
        data="\ufeff" + exported,  # the BOM makes spreadsheets read UTF-8 (accents, emoji) correctly
        file_name=f"gptlab-{code}-attempts.csv",
        mime="text/csv",
        key="instructor.download",
        icon=":material/download:",
        on_click="ignore",
    )


@st.fragment(run_every=REFRESH_S)
def class_view(store, code: str) -> None:
    """Students, exercises and the export: redrawn every REFRESH_S seconds while the page is open, alone
    (the rest of the page, the join card included, stays as it is)."""
    now = datetime.now(timezone.utc)
    st.caption(t("classroom.instructor.auto_refresh", lang, seconds=REFRESH_S, time=now.strftime("%H:%M:%S")))
    st.button(t("classroom.instructor.refresh", lang), key="instructor.refresh", icon=":material/refresh:")
    pending = C.pending_count()
    if pending:
        st.warning(t("classroom.instructor.pending", lang, n=fmt_int(pending, lang)), icon=":material/cloud_off:")
    with frame.contained(lang):
        students_section(store, code)
    with frame.contained(lang):
        exercises_section(store, code)
    with frame.contained(lang):
        export_section(store, code)


def admin_details(store) -> None:
    """For the server's administrator, out of the instructor's way."""
    with st.expander(t("classroom.instructor.admin", lang), icon=":material/dns:"):
        if store is not None:
            st.caption(t("classroom.instructor.location", lang, location=markdown_escape(store.location)))
        st.caption(t("classroom.instructor.pending", lang, n=fmt_int(C.pending_count(), lang)))


def dashboard() -> None:
    store, message = C.safely(C.store)
    st.caption(t("classroom.instructor.unlocked_note", lang))
    st.button(t("classroom.instructor.lock", lang), key="instructor.lock", on_click=C.lock, icon=":material/lock:")
    C.show_message(C.instructor_message(), lang)
    if store is None:
        C.show_message(message, lang)
        admin_details(store)
        return
    classes = classes_section(store)
    if classes:
        names = {c.code: c.name for c in classes}
        if st.session_state.get(C.PICKED_CLASS_KEY) not in names:
            st.session_state.pop(C.PICKED_CLASS_KEY, None)
        code = st.selectbox(t("classroom.instructor.pick", lang), list(names), key=C.PICKED_CLASS_KEY,
                            format_func=lambda c: f"{c} — {names[c]}")
        st.header(t("classroom.instructor.class_header", lang, code=code, class_name=markdown_escape(names[code])))
        with frame.contained(lang):
            join_card_section(code, names[code])
        class_view(store, code)
    admin_details(store)


with frame.contained(lang):
    secret = C.instructor_secret()
    if secret is None:
        how_to_set_a_secret()
    elif C.secret_too_short(secret):
        how_to_set_a_secret(too_short=secret)
    elif not C.is_instructor():
        unlock_form()
    else:
        dashboard()
