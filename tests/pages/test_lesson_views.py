"""How every lesson page renders its lesson file: the full view and the lab view (?view=lab), through AppTest.

The full view shows the key ideas, every section under its anchor, the "Go deeper" and course-notes asides as
titled expanders, and each figure as an image with its text alternative in an expander beside it. The lab view
shows the key ideas and the page's widgets, the same widgets as the full view, without the prose.
"""

from __future__ import annotations

from collections import Counter

import pytest

import course
from gptlab.i18n import LANGUAGES, t
from gptlab.lessons import load_lesson
from tests.apptest import all_text, run_app
from ui import frame
from ui.lesson import PROSE_ONLY_SECTIONS

LESSONS = [lesson.id for lesson in course.LESSONS]
PROSE = {"markdown", "header", "caption", "image", "expander"}  # what the two views may differ in


def elements(at) -> list:
    out = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict) and children:
            out.append(node)
            for child in children.values():
                walk(child)
        else:
            out.append(node)

    walk(at.main)
    return out


def widgets(at) -> Counter:
    """Every element that is not prose, by kind and by key (or label): charts, tables, inputs, buttons..."""
    found = Counter()
    for e in elements(at):
        kind = getattr(e, "type", type(e).__name__)
        # "empty": a placeholder emptied again, e.g. ui.models' queue notice, there only when a job had to wait
        if kind in PROSE or kind in ("main", "flex_container", "column", "form", "empty"):
            continue
        found[(kind, getattr(e, "key", None) or str(getattr(e, "label", "")))] += 1
    return found


def expander_labels(at) -> list[str]:
    return [e.label for e in elements(at) if getattr(e, "type", None) == "expander"]


def key_ideas_box(at, lang) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(f"**{t('lesson.key_ideas', lang)}**"))


def figures(les) -> list:
    return [p for s in les.sections for p in s.parts if p.kind == "figure"]


@pytest.fixture(scope="module")
def full_views(prepared_decoder):
    return {}


def full_view(cache, lesson_id, lang):
    if (lesson_id, lang) not in cache:
        cache[(lesson_id, lang)] = run_app(lang, course.lesson(lesson_id).page)
    return cache[(lesson_id, lang)]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_the_full_view_shows_key_ideas_asides_and_figures(lesson_id, lang, full_views):
    at = full_view(full_views, lesson_id, lang)
    les = load_lesson(lesson_id, lang)
    ideas = key_ideas_box(at, lang)
    assert all(idea in ideas for idea in les.key_ideas)
    labels = expander_labels(at)
    for section in les.sections:
        for part in section.parts:
            if part.kind == "deeper":
                assert t("lesson.deeper", lang, title=part.title) in labels
            elif part.kind == "notes":
                assert t("lesson.notes", lang, title=part.title) in labels
    assert labels.count(t("lesson.figure_text", lang)) == len(figures(les))
    assert len(at.get("image")) == len(figures(les))  # every figure drawn, without any model call
    assert not at.exception and not at.error


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_the_lab_view_keeps_every_widget_and_leaves_the_prose_out(lesson_id, lang, full_views):
    full = full_view(full_views, lesson_id, lang)
    lab = run_app(lang, course.lesson(lesson_id).page, view="lab")
    les = load_lesson(lesson_id, lang)
    assert widgets(lab) == widgets(full)
    assert lab.title[0].value == les.title
    assert lab.markdown[0].value == key_ideas_box(full, lang)  # the key ideas, first
    assert t("lesson.lab_view_note", lang) in [c.value for c in lab.caption]
    shown = [m.value for m in lab.markdown]
    for section in les.sections:
        for part in section.parts:
            if part.kind == "text":
                assert part.body not in shown, (section.id, part.body[:80])
    lesson_labels = {t("lesson.figure_text", lang)} | {t(f"lesson.{kind}", lang, title=p.title)
                                                       for s in les.sections for p in s.parts
                                                       for kind in ("deeper", "notes") if p.kind == kind}
    assert not lesson_labels & set(expander_labels(lab))
    assert not lab.get("image")
    # each section whose widgets follow it keeps a signpost under its anchor; headers are the page's own
    signposts = "\n".join(v for v in shown if 'class="gl-signpost"' in v)
    for section in les.sections:
        expected = bool(section.title) and section.id not in PROSE_ONLY_SECTIONS
        assert (f'id="{section.id}"' in signposts) == expected, section.id
    assert not {s.title for s in les.sections} & {h.value for h in lab.header}
    assert not lab.exception and not lab.error


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_home_page_stays_whole_in_the_lab_view(lang):
    at = run_app(lang, course.HOME.page, view="lab")
    home = load_lesson("home", lang)
    assert home.section("intro").main_text in all_text(at)
    assert len(at.get("image")) == 1  # the pipeline
    assert at.session_state[frame.LAB_VIEW_STATE] is True


def test_the_switch_and_the_url_agree_and_the_widgets_keep_their_state():
    page = course.lesson("tokenization").page
    at = run_app("en", page)
    assert "view" not in at.query_params and at.toggle(key=frame.LAB_VIEW_KEY).value is False
    at.text_area(key="tokenization.text").set_value("Olá, mundo").run()
    before = widgets(at), [m.value for m in at.markdown if "tokens ·" in m.value]
    at.toggle(key=frame.LAB_VIEW_KEY).set_value(True).run()
    assert at.query_params["view"] == "lab"
    assert t("lesson.lab_view_note", "en") in [c.value for c in at.caption]
    assert at.text_area(key="tokenization.text").value == "Olá, mundo"  # what the student typed stays
    assert (widgets(at), [m.value for m in at.markdown if "tokens ·" in m.value]) == before
    at.toggle(key=frame.LAB_VIEW_KEY).set_value(False).run()
    assert "view" not in at.query_params
    assert t("lesson.lab_view_note", "en") not in [c.value for c in at.caption]


@pytest.mark.parametrize("raw", ["full", "LAB", "<b>x</b>", "1"])
def test_a_view_the_app_does_not_know_is_the_full_view_with_a_message(raw):
    at = run_app("en", view=raw)  # the router reads the URL once, on the session's first page
    assert at.session_state[frame.LAB_VIEW_STATE] is False
    toasts = [str(x.value) for x in at.toast]
    assert any("view=" in x for x in toasts) == (raw != "full"), toasts
    assert all("<b>" not in x or "`<b>" in x for x in toasts)  # shown as code, never as markup
    at.switch_page(course.lesson("decoding").page).run()
    assert t("lesson.lab_view_note", "en") not in [c.value for c in at.caption]
