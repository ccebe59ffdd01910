"""Home: what the course covers, the lessons with their objectives, where the student stands."""

import streamlit as st

import course
from gptlab import models
from gptlab.i18n import t
from gptlab.lessons import load_lesson
from ui import classroom, frame
from ui import lesson as lesson_ui

lang = frame.language()
overview = lesson_ui.lesson("home", lang)

lesson_ui.header(overview)
with frame.contained(lang):
    classroom.join_link_box(lang)  # opened from a class's join card: the class code is filled in, up here
lesson_ui.sections(overview, *overview.section_ids)

st.header(t("home.lessons", lang))
lessons = [(entry, load_lesson(entry.id, lang)) for entry in course.LESSONS]
for entry, les in lessons:
    with st.container(border=True):
        st.subheader(f"{entry.order}. {les.title}")
        if les.summary:
            st.markdown(les.summary)
        lesson_ui.objectives(les, t("home.objectives", lang))
        st.page_link(
            entry.page,
            label=t("home.open", lang, title=les.title),
            icon=":material/arrow_forward:",
        )

st.header(t("home.progress", lang))
with frame.contained(lang):
    # The exercise bank imports the models' code: a first visitor, with nothing to show, does not wait for it.
    exercise_ids = classroom.lesson_exercise_ids() if classroom.any_progress() else {}
    classroom.home_progress([(les.id, les.title) for _, les in lessons], exercise_ids, lang)

st.header(t("home.models", lang))
for spec in models.OFFLINE_DEFAULTS:
    st.markdown(
        f"- **{spec.name}**, {t(f'models.desc.{spec.key}', lang)} — `{spec.package}` — "
        f"{t(f'models.licence.{spec.key}', lang)}"
    )
