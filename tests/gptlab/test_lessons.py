"""The lesson framework, and the rule that both languages hold the same lessons and sections."""

from pathlib import Path

import pytest

import course
from gptlab.lessons import LESSONS_DIR, LessonFormatError, lesson_files, load_lessons, parse_lesson

ROOT = Path(__file__).resolve().parents[2]


def _names(language):
    return [p.name for p in lesson_files(language)]


def test_both_languages_have_the_same_lesson_files():
    assert _names("pt-BR"), "no lessons found"
    assert _names("pt-BR") == _names("en")


def test_both_languages_have_the_same_lessons_sections_and_objective_counts():
    pt = {lesson.id: lesson for lesson in load_lessons("pt-BR")}
    en = {lesson.id: lesson for lesson in load_lessons("en")}
    assert pt.keys() == en.keys()
    for lesson_id in pt:
        a, b = pt[lesson_id], en[lesson_id]
        assert a.order == b.order, lesson_id
        assert a.section_ids == b.section_ids, f"{lesson_id}: sections differ"
        assert len(a.objectives) == len(b.objectives), f"{lesson_id}: objectives differ"
        assert a.title and b.title and a.title != "" and b.summary and a.summary
        for sa, sb in zip(a.sections, b.sections):
            assert sa.body.strip() and sb.body.strip(), f"{lesson_id}/{sa.id} is empty in one language"


def test_orders_are_unique_and_file_numbers_match():
    lessons = load_lessons("en")
    assert len({lesson.order for lesson in lessons}) == len(lessons)
    for lesson in lessons:
        assert int(lesson.path.name[:2]) == lesson.order


def test_every_lesson_but_home_has_a_page_and_references():
    for lesson in load_lessons("en"):
        if lesson.id == "home":
            continue
        page = ROOT / course.lesson(lesson.id).page  # KeyError: a lesson file the course does not list
        assert page.exists(), f"lesson {lesson.id} has no page {page}"
        assert "references" in lesson.section_ids


GOOD = """---
id: demo
order: 3
title: Demo
summary: A demo.
objectives: [one, two]
---
Intro text.

## First {#first}
Body one.
```python
## not a heading inside code
```
### a level-3 heading is fine
## Second {#second}
Body two.
"""


def test_parser_splits_sections_and_respects_code_fences():
    lesson = parse_lesson(GOOD, "en", Path("x.md"))
    assert lesson.section_ids == ("intro", "first", "second")
    assert "## not a heading inside code" in lesson.section("first").body
    assert lesson.objectives == ("one", "two")
    with pytest.raises(KeyError):
        lesson.section("missing")


@pytest.mark.parametrize(
    "bad",
    [
        GOOD.replace("---\nid: demo", "id: demo"),  # no front-matter
        GOOD.replace("order: 3\n", ""),  # missing field
        GOOD.replace("## Second {#second}", "## Second"),  # heading without id
        GOOD.replace("{#second}", "{#first}"),  # duplicate id
    ],
)
def test_parser_rejects_malformed_lessons(bad):
    with pytest.raises(LessonFormatError):
        parse_lesson(bad, "en", Path("x.md"))


def test_lessons_dir_is_the_repository_folder():
    assert LESSONS_DIR == ROOT / "lessons"


def test_no_lesson_is_left_unwritten():
    for language in ("pt-BR", "en"):
        for lesson in load_lessons(language):
            text = lesson.path.read_text(encoding="utf-8")
            assert "TODO" not in text, f"{lesson.path} still has a TODO"
            assert all(s.body.strip() for s in lesson.sections if s.id != "intro" or lesson.id != "home"), lesson.path


def test_every_table_header_cell_in_the_lessons_has_text():
    """A screen reader names each column by its header: an empty <th> leaves one unnamed (axe: empty-table-header)."""
    empty = []
    for path in sorted(LESSONS_DIR.glob("*/*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, (line, below) in enumerate(zip(lines, lines[1:] + [""]), start=1):
            if line.lstrip().startswith("|") and set(below.replace("|", "").replace(":", "").strip()) == {"-"}:
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if any(not c for c in cells):
                    empty.append(f"{path.relative_to(ROOT)}:{number}")
    assert empty == []
