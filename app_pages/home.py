"""Home: what the course covers, the lessons with their objectives, where the student stands."""

import streamlit as st

from core import models
from core.i18n import t
from core.lessons import load_lessons
from ui import classroom, frame
from ui import lesson as lesson_ui

lang = frame.language()
overview = lesson_ui.lesson("home", lang)

lesson_ui.header(overview)
lesson_ui.sections(overview, *overview.section_ids)

st.header(t("home.lessons", lang))
# Each lesson file names its page: lessons/<lang>/NN-some-topic.md <-> app_pages/NN_some_topic.py
for les in [lesson for lesson in load_lessons(lang) if lesson.id != "home"]:
    with st.container(border=True):
        st.subheader(f"{les.order}. {les.title}")
        if les.summary:
            st.markdown(les.summary)
        lesson_ui.objectives(les, t("home.objectives", lang))
        st.page_link(
            f"app_pages/{les.path.stem.replace('-', '_')}.py",
            label=t("home.open", lang, title=les.title),
            icon=":material/arrow_forward:",
        )

st.header(t("home.progress", lang))
with frame.contained(lang):
    classroom.home_progress(
        [(les.id, les.title) for les in load_lessons(lang) if les.id != "home"], classroom.lesson_exercise_ids(), lang
    )

st.header(t("home.models", lang))
for spec in models.OFFLINE_DEFAULTS:
    st.markdown(
        f"- **{spec.name}**, {t(f'models.desc.{spec.key}', lang)} — `{spec.package}` — "
        f"{t(f'models.licence.{spec.key}', lang)}"
    )
