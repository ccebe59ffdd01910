"""Render lesson files section by section, so pages can interleave widgets with the text."""

from __future__ import annotations

import streamlit as st

from core.lessons import Lesson, load_lesson


def lesson(lesson_id: str, lang: str) -> Lesson:
    return load_lesson(lesson_id, lang)


def header(les: Lesson) -> None:
    st.title(les.title)
    if les.summary:
        st.markdown(f"*{les.summary}*")


def section(les: Lesson, section_id: str) -> None:
    sec = les.section(section_id)
    if sec.title:
        st.header(sec.title, anchor=sec.id)
    if sec.body:
        st.markdown(sec.body)


def sections(les: Lesson, *section_ids: str) -> None:
    for section_id in section_ids:
        section(les, section_id)


def objectives(les: Lesson, label: str) -> None:
    st.markdown(f"**{label}**\n\n" + "\n".join(f"- {o}" for o in les.objectives))
