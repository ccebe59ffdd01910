"""GPT Lab router: page config, the shared sidebar (language, projector mode, models), navigation from course.py."""

import streamlit as st

import course
from gptlab.i18n import t
from ui import classroom, frame, warmup
from ui.models import sidebar_model_status

st.set_page_config(page_title="GPT Lab", page_icon=":material/science:", layout="wide")

lang = frame.sidebar_controls()
classroom.start_outbox()  # attempts kept while the progress database was away are written from the first run on
classroom.sidebar(lang)


def page(entry, default: bool = False) -> st.Page:
    return st.Page(entry.page, title=t(entry.title_key, lang), icon=entry.icon, url_path=entry.url_path,
                   default=default)


lessons = [page(course.HOME, default=True), *(page(lesson) for lesson in course.LESSONS)]
navigation = st.navigation({t("nav.section.course", lang): lessons,
                            t("classroom.nav.section", lang): [page(course.INSTRUCTOR)]})
sidebar_model_status(lang)
navigation.run()
warmup.page_served()
