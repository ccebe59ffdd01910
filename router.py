"""GPT Lab router: page config, the shared sidebar (language, projector mode, models), navigation from course.py."""

from pathlib import Path

import streamlit as st

import course
from gptlab.i18n import t
from ui import classroom, frame, warmup
from ui.models import cancel_early_generations, sidebar_model_picker, sidebar_model_status

FAVICON = Path(__file__).resolve().parent / "ui" / "static" / "favicon.svg"

# Our own icon file: Streamlit sends it to the browser inline (a data: URL). A ":material/..." page icon
# would make every browser fetch the favicon from an outside font server.
st.set_page_config(page_title="GPT Lab", page_icon=str(FAVICON), layout="wide")

cancel_early_generations()  # before any page submits this run's
lang = frame.sidebar_controls()
classroom.start_outbox()  # attempts kept while the progress database was away are written from the first run on
classroom.sidebar(lang)


def page(entry, default: bool = False) -> st.Page:
    return st.Page(entry.page, title=t(entry.title_key, lang), icon=entry.icon, url_path=entry.url_path,
                   default=default)


# One flat list, the instructor's page last. With sections, Streamlit 1.67 puts each section's <li> items in a
# <div> inside the <ul>: a list a screen reader cannot announce as one (axe-core's "list" and "listitem").
navigation = st.navigation([page(course.HOME, default=True), *(page(lesson) for lesson in course.LESSONS),
                            page(course.INSTRUCTOR)])
sidebar_model_picker(lang)
sidebar_model_status(lang)
navigation.run()
warmup.page_served()
