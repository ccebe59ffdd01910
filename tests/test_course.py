"""The course manifest (course.py) is complete: every lesson it lists has its page, its two lesson files and
its exercises, and no other list of pages exists anywhere in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import course
from gptlab.exercises import bank
from gptlab.i18n import LANGUAGES, STRINGS
from gptlab.lessons import LESSONS_DIR, lesson_files, load_lesson_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_has_its_page(lesson):
    assert (ROOT / lesson.page).is_file(), f"{lesson.id}: no page at {lesson.page}"
    assert (ROOT / "labs" / lesson.package / "__init__.py").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_has_its_lesson_file_in_every_language(lesson, language):
    path = LESSONS_DIR / language / f"{lesson.order:02d}-{lesson.id}.md"
    assert path.is_file(), f"{lesson.id}: no lesson file {path.relative_to(ROOT)}"
    text = load_lesson_file(path, language)
    assert (text.id, text.order) == (lesson.id, lesson.order), f"{path.name}: its front-matter says otherwise"
    assert "references" in text.section_ids


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_has_at_least_the_minimum_exercises(lesson):
    exercises = bank.for_lesson(lesson.id)
    assert len(exercises) >= course.MIN_EXERCISES, f"{lesson.id}: {len(exercises)} exercises"
    assert all(ex.id.startswith(f"{lesson.id}.") for ex in exercises)


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_has_a_navigation_title(lesson):
    assert lesson.title_key in STRINGS


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_lesson_file_is_left_out_of_the_course(language):
    listed = {f"{lesson.order:02d}-{lesson.id}.md" for lesson in course.LESSONS} | {"00-home.md"}
    assert {path.name for path in lesson_files(language)} == listed


def test_lesson_ids_are_unique_and_one_word_each():
    ids = [lesson.id for lesson in course.LESSONS]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)
    assert len({lesson.package for lesson in course.LESSONS}) == len(ids)


PAGE_PATH = re.compile(r"labs/[a-z0-9_]+/page\.py|app_pages/[a-z0-9_]+\.py")


def test_no_other_list_of_pages_exists():
    """Pages are named in course.py only; everything else asks it (course.lesson(id).page, course.LESSONS)."""
    found = []
    for path in ROOT.rglob("*.py"):
        if path == ROOT / "course.py" or {".venv", "node_modules"} & set(path.parts) or path == Path(__file__):
            continue
        for match in PAGE_PATH.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not found, found
