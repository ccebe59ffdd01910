"""Instructor dashboard: behind the server's instructor secret, classes, their progress and the CSV export."""

import streamlit as st

from gptlab.classroom import report as R
from gptlab.i18n import fmt_int, t
from ui import classroom as C
from ui import frame
from ui.frame import markdown_escape

lang = frame.language()
st.title(t("classroom.instructor.title", lang))


def how_to_set_a_secret() -> None:
    st.info(t("classroom.instructor.no_secret", lang), icon=":material/lock:")
    st.markdown(t("classroom.instructor.no_secret_env", lang))
    st.code(f"export {C.SECRET_ENV}='…'", language="bash")
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
    large = frame.projector_mode()
    chart_col, table_col = (st.container(), st.container()) if large else st.columns(2)
    with chart_col:
        st.altair_chart(R.success_rate_chart(summaries, lang, large=large), width="stretch",
                        height=R.success_rate_chart_height(len(summaries), large=large))
    with table_col:
        st.dataframe(R.exercise_table(summaries, lang), hide_index=True, width="stretch")
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
    st.dataframe(R.student_table(summaries, lang), hide_index=True, width="stretch")


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


def dashboard() -> None:
    store, message = C.safely(C.store)
    st.caption(t("classroom.instructor.unlocked_note", lang))
    st.button(t("classroom.instructor.lock", lang), key="instructor.lock", on_click=C.lock, icon=":material/lock:")
    C.show_message(C.instructor_message(), lang)
    if store is None:
        C.show_message(message, lang)
        return
    st.caption(t("classroom.instructor.location", lang, location=markdown_escape(store.location)))
    classes = classes_section(store)
    if not classes:
        return
    names = {c.code: c.name for c in classes}
    if st.session_state.get(C.PICKED_CLASS_KEY) not in names:
        st.session_state.pop(C.PICKED_CLASS_KEY, None)
    code = st.selectbox(t("classroom.instructor.pick", lang), list(names), key=C.PICKED_CLASS_KEY,
                        format_func=lambda c: f"{c} — {names[c]}")
    st.header(t("classroom.instructor.class_header", lang, code=code, class_name=markdown_escape(names[code])))
    st.button(t("classroom.instructor.refresh", lang), key="instructor.refresh", icon=":material/refresh:")
    with frame.contained(lang):
        students_section(store, code)
    with frame.contained(lang):
        exercises_section(store, code)
    with frame.contained(lang):
        export_section(store, code)


with frame.contained(lang):
    if C.instructor_secret() is None:
        how_to_set_a_secret()
    elif not C.is_instructor():
        unlock_form()
    else:
        dashboard()
