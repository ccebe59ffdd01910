"""Render lesson files section by section, so pages can interleave widgets with the text."""

from __future__ import annotations

import streamlit as st

import course
from gptlab.i18n import t
from gptlab.lessons import LESSONS_DIR, Lesson, Part, load_lesson


def lesson(lesson_id: str, lang: str) -> Lesson:
    return load_lesson(lesson_id, lang)


def header(les: Lesson) -> None:
    st.title(les.title)
    if les.summary:
        st.markdown(f"*{les.summary}*")
    if les.id in {entry.id for entry in course.LESSONS}:
        from ui.exercises import top_link  # lesson pages end with exercises; the home page has none

        top_link(les.id, les.language)
    if les.key_ideas:
        with st.container(border=True):
            st.markdown(f"**{t('lesson.key_ideas', les.language)}**\n\n"
                        + "\n".join(f"- {idea}" for idea in les.key_ideas))


def figure_svg(name: str, lang: str) -> str | None:
    """The figure's SVG text from lessons/figures/<name>.<lang>.svg, or None when it has no file."""
    path = LESSONS_DIR / "figures" / f"{name}.{lang}.svg"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _figure(part: Part, lang: str) -> None:
    name = part.title.split()[0]
    svg = figure_svg(name, lang)
    if svg is not None:
        # Our own files, reviewed like code (no script: tests/gptlab/test_lessons.py checks it).
        st.html(f'<figure class="gl-figure" role="group">{svg}</figure>')
    with st.expander(t("lesson.figure_text", lang), icon=":material/description:"):
        st.markdown(part.body)


def part(p: Part, lang: str) -> None:
    if p.kind == "text":
        st.markdown(p.body)
    elif p.kind == "deeper":
        with st.expander(t("lesson.deeper", lang, title=p.title), icon=":material/menu_book:"):
            st.markdown(p.body)
    elif p.kind == "notes":
        with st.expander(t("lesson.notes", lang, title=p.title), icon=":material/rule:"):
            st.markdown(p.body)
    elif p.kind == "figure":
        _figure(p, lang)


def section(les: Lesson, section_id: str) -> None:
    sec = les.section(section_id)
    if sec.title:
        st.header(sec.title, anchor=sec.id)
    for p in sec.parts:
        part(p, les.language)


def sections(les: Lesson, *section_ids: str) -> None:
    for section_id in section_ids:
        section(les, section_id)


def objectives(les: Lesson, label: str) -> None:
    st.markdown(f"**{label}**\n\n" + "\n".join(f"- {o}" for o in les.objectives))
