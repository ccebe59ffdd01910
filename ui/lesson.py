"""Render lesson files section by section, so pages can interleave widgets with the text.

In the lab view (ui/frame.py: the sidebar switch, ?view=lab) a lesson shows its title, its key ideas and
its section headings as signposts; the prose, its expanders and its figures are left out, and the page's
widgets, placed between the sections by the page itself, run exactly as in the full view.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import streamlit as st

import course
from gptlab import models
from gptlab.figures import PIPELINE, WIDTH, figure_options, pipeline_svg, svg_label
from gptlab.i18n import t
from gptlab.lessons import Lesson, Part, figure_file, load_lesson
from ui import frame

PROSE_ONLY_SECTIONS = ("recap", "references")  # no widget follows them: the lab view leaves them out


def lesson(lesson_id: str, lang: str) -> Lesson:
    return load_lesson(lesson_id, lang)


def lab_view(les: Lesson) -> bool:
    """The lab view applies to lessons; the home page has no widgets and stays whole."""
    return frame.lab_view() and les.id != course.HOME.id


def header(les: Lesson) -> None:
    st.title(les.title)
    if lab_view(les):
        st.caption(t("lesson.lab_view_note", les.language))
    elif les.summary:
        st.markdown(f"*{les.summary}*")
    exercises_below = les.id in {entry.id for entry in course.LESSONS}  # the home page has no exercises
    if exercises_below and not lab_view(les):  # on the first screen, above the key ideas
        exercises_link(les)
    if les.key_ideas:
        with st.container(border=True, key="lesson-key-ideas"):
            st.markdown(f"**{t('lesson.key_ideas', les.language)}**\n\n"
                        + "\n".join(f"- {idea}" for idea in les.key_ideas))
    if exercises_below and lab_view(les):  # the lab view opens with its key ideas (no prose above them)
        exercises_link(les)


def exercises_link(les: Lesson) -> None:
    from ui.exercises import top_link  # lesson pages end with exercises

    top_link(les.id, les.language)


def decoder_layers() -> int | None:
    """The lab decoder's number of blocks, from its config file; None until it is prepared.

    A file read, not transformers' AutoConfig: the home page draws the figure without importing a model library.
    """
    if not models.decoder_ready():
        return None
    try:
        config = json.loads((models.decoder_model_dir() / "config.json").read_text(encoding="utf-8"))
        layers = config["num_hidden_layers"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return layers if isinstance(layers, int) and not isinstance(layers, bool) and layers > 0 else None


def picked_hub_layers() -> tuple[int, str] | None:
    """(blocks, name) of the Hub model picked in the sidebar, from its cached config file; None for Gemma or
    when no cached config says (a model still to be downloaded)."""
    from ui import models as ui_models

    try:
        entry = ui_models.picked_model()
    except Exception:  # noqa: BLE001 - no session (a figure drawn outside a page): the default model
        return None
    if entry is None or entry.is_gemma or not entry.local_path:
        return None
    try:
        config = json.loads((Path(entry.local_path) / "config.json").read_text(encoding="utf-8"))
        layers = config.get("num_hidden_layers", config.get("n_layer"))
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(layers, int) or isinstance(layers, bool) or layers < 1:
        return None
    return layers, ui_models.model_label(entry)


def figure_svg(spec: str, lang: str) -> str | None:
    """A `:::figure` block's SVG: "pipeline [stage=...]" drawn from data, any other name read from
    lessons/figures/<name>.<lang>.svg; None when there is no such file."""
    name, options = figure_options(spec)
    if name == PIPELINE:
        hub_layers = picked_hub_layers()
        if hub_layers is not None:  # the model picked in the sidebar (ui.models) is a Hub model: its blocks
            return pipeline_svg(lang, hub_layers[0], options.get("stage"), hub_layers[1])
        layers = decoder_layers()
        return pipeline_svg(lang, layers, options.get("stage"), models.GEMMA_DECODER.name if layers else None)
    return figure_file(name, lang)


def _aside(label: str, icon: str, body: str, key: str | None) -> None:
    """An expander of lesson text. With a key its text is sent when it is opened (a rerun), not on every visit:
    about half a lesson's text and math is in these, and a browser spends most of a page switch drawing text."""
    box = st.expander(label, icon=icon, **({"key": key, "on_change": "rerun"} if key else {}))
    if box.open is not False:
        with box:
            st.markdown(body)


def _figure(part: Part, lang: str, key: str | None = None) -> None:
    svg = figure_svg(part.title, lang)
    if svg is not None:
        # As an image (st.html's sanitizer drops SVG): drawn at its 800-px design width, as wide as the column
        # when projected; its alt text is the SVG's own title and description.
        st.image(svg, width="stretch" if frame.projector_mode() else WIDTH, alt=svg_label(svg))
    _aside(t("lesson.figure_text", lang), ":material/description:", part.body, key)


def part(p: Part, lang: str, key: str | None = None) -> None:
    """One part of a section; `key` (unique on the page) makes its expander, if it has one, open on demand."""
    if p.kind == "text":
        st.markdown(p.body)
    elif p.kind == "deeper":
        _aside(t("lesson.deeper", lang, title=p.title), ":material/menu_book:", p.body, key)
    elif p.kind == "notes":
        _aside(t("lesson.notes", lang, title=p.title), ":material/rule:", p.body, key)
    elif p.kind == "figure":
        _figure(p, lang, key)


def section(les: Lesson, section_id: str) -> None:
    if lab_view(les):
        signpost(les, section_id)
        return
    sec = les.section(section_id)
    if sec.title:
        st.header(sec.title, anchor=sec.id)
    for i, p in enumerate(sec.parts):
        part(p, les.language, key=f"lesson.{les.id}.{sec.id}.{i}")


def sections(les: Lesson, *section_ids: str) -> None:
    if lab_view(les):
        signpost(les, *section_ids)
        return
    for section_id in section_ids:
        section(les, section_id)


def signpost(les: Lesson, *section_ids: str) -> None:
    """The lab view's trace of sections: one small line naming them, each under its own anchor, so that the
    widgets below stay placed in the lesson and a shared link to a section still lands there."""
    shown = [les.section(i) for i in section_ids]
    shown = [sec for sec in shown if sec.title and sec.id not in PROSE_ONLY_SECTIONS]
    if shown:
        names = " · ".join(f'<span id="{sec.id}">{html.escape(sec.title)}</span>' for sec in shown)
        st.markdown(f'<p class="gl-signpost">§ {names}</p>', unsafe_allow_html=True)  # lesson titles, escaped


def objectives(les: Lesson, label: str) -> None:
    st.markdown(f"**{label}**\n\n" + "\n".join(f"- {o}" for o in les.objectives))
