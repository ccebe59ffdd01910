"""The lesson framework, and the rule that both languages hold the same lessons and sections."""

import shutil
from pathlib import Path

import pytest

import course
from gptlab.i18n import value
from gptlab.lessons import (LESSONS_DIR, LessonFormatError, check_lessons, count_words, lesson_files, load_lessons,
                            parse_lesson)

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


# --- the format's rules (docs/lesson-format.md), as gptlab.lessons.check_lessons finds them ----------------------

def test_the_course_lessons_follow_the_format():
    """Key ideas, a recap, figures with their files and text alternatives, the same blocks in both languages,
    and a main path within its word budget, in every lesson of every language."""
    assert check_lessons() == []


@pytest.fixture
def tree(tmp_path):
    """A copy of the course's lessons and figures to break one rule at a time."""
    shutil.copytree(LESSONS_DIR, tmp_path / "lessons")
    return tmp_path / "lessons"


def _edit(tree, lang, name, old, new, count=1):
    path = tree / lang / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _problems(tree, expected):
    found = check_lessons(tree)
    assert any(expected in p for p in found), found
    return found


def test_the_copy_starts_clean(tree):
    assert check_lessons(tree) == []


def test_a_lesson_without_key_ideas_fails(tree):
    text = (tree / "en" / "02-attention.md").read_text(encoding="utf-8")
    start = text.index("key_ideas:")
    end = text.index("objectives:")
    (tree / "en" / "02-attention.md").write_text(text[:start] + text[end:], encoding="utf-8")
    _problems(tree, "en/02-attention.md: 0 key ideas")
    _problems(tree, "attention: the languages have different numbers of key ideas")


def test_a_lesson_without_its_recap_fails(tree):
    _edit(tree, "pt-BR", "04-decoding.md", "{#recap}", "{#summing-up}")
    _problems(tree, "pt-BR/04-decoding.md: no recap section")
    _problems(tree, "decoding: the languages' sections differ")


def test_a_recap_of_one_bullet_fails(tree):
    path = tree / "en" / "05-finetuning.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("{#recap}") + len("{#recap}")
    end = text.index("## References")
    path.write_text(text[:start] + "\n\n- The one thing to remember.\n\n" + text[end:], encoding="utf-8")
    _problems(tree, "en/05-finetuning.md: the recap has 1 bullets")


def test_a_figure_without_its_text_alternative_fails(tree):
    path = tree / "en" / "06-bert-vs-gpt.md"
    text = path.read_text(encoding="utf-8")
    start = text.index(":::figure bert-vs-gpt-masks\n") + len(":::figure bert-vs-gpt-masks\n")
    end = text.index("\n:::", start)
    path.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    _problems(tree, "en/06-bert-vs-gpt.md: ")  # an empty block does not even parse
    path.write_text(text[:start] + "Two grids." + text[end:], encoding="utf-8")
    _problems(tree, "figure 'bert-vs-gpt-masks': its text alternative has 2 words")


def test_a_figure_without_its_file_or_with_a_wrong_stage_fails(tree):
    (tree / "figures" / "decoding-temperature.pt-BR.svg").unlink()
    _problems(tree, "figure 'decoding-temperature' has no file figures/decoding-temperature.pt-BR.svg")
    _edit(tree, "en", "01-tokenization.md", ":::figure pipeline stage=tokenization", ":::figure pipeline stage=bytes")
    _problems(tree, "pipeline has no stage 'bytes'")


def test_languages_whose_blocks_differ_fail(tree):
    _edit(tree, "pt-BR", "07-history.md", ":::deeper", ":::notes")
    _problems(tree, "history: the languages' blocks differ")


def test_languages_whose_figures_differ_fail(tree):
    _edit(tree, "en", "08-risks.md", ":::figure risks-calibration", ":::figure risks-context-window")
    _problems(tree, "risks: the languages' figures differ")


def test_a_main_path_past_its_budget_fails(tree):
    budget = value("language.lesson_word_budget", "en")
    _edit(tree, "en", "02-attention.md", "## Recap {#recap}", "word " * budget + "\n\n## Recap {#recap}")
    _problems(tree, f"(budget {budget})")
    # the same words inside a "Go deeper" expander are not on the main path
    shutil.copy(LESSONS_DIR / "en" / "02-attention.md", tree / "en" / "02-attention.md")
    _edit(tree, "en", "02-attention.md", "## Recap {#recap}",
          ":::deeper More\n" + "word " * budget + "\n:::\n\n## Recap {#recap}")
    assert not [p for p in check_lessons(tree) if "main path" in p]


def test_the_main_path_counts_what_a_reader_reads():
    section = parse_lesson(GOOD.replace("Body one.", "Body one.\n\n:::deeper Why\nSkipped words here.\n:::\n"
                                        "\n:::figure pipeline\nAlso skipped.\n:::\n\nBack on the path [a link]"
                                        "(https://example.com/x)."), "en", Path("x.md")).section("first")
    assert [p.kind for p in section.parts] == ["text", "deeper", "figure", "text"]
    assert count_words(section.main_text) == count_words("Body one. Back on the path a link. not a heading inside "
                                                         "code python a level-3 heading is fine")


@pytest.mark.parametrize("bad", [
    ":::deeper\nno title\n:::\n",  # a block needs a title
    ":::deeper Title\nnever closed\n",
    ":::sidebar Title\nunknown kind\n:::\n",
    ":::deeper Outer\n:::notes Inner\nnested\n:::\n:::\n",
])
def test_malformed_blocks_are_errors(bad):
    with pytest.raises(LessonFormatError):
        parse_lesson(GOOD.replace("Body two.", "Body two.\n\n" + bad), "en", Path("x.md"))


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


def test_figure_file_is_read_again_when_the_file_changes(tmp_path):
    import os

    from gptlab.lessons import figure_file

    (tmp_path / "figures").mkdir()
    svg = tmp_path / "figures" / "loop.en.svg"
    svg.write_text("<svg>one</svg>", encoding="utf-8")
    os.utime(svg, ns=(1_000_000_000, 1_000_000_000))
    assert figure_file("loop", "en", tmp_path) == "<svg>one</svg>"
    svg.write_text("<svg>two</svg>", encoding="utf-8")
    os.utime(svg, ns=(2_000_000_000, 2_000_000_000))  # a new version (set: two writes can share a clock tick)
    assert figure_file("loop", "en", tmp_path) == "<svg>two</svg>"
    assert figure_file("loop", "pt-BR", tmp_path) is None  # no such file
    (tmp_path / "figures" / "folder.en.svg").mkdir()
    assert figure_file("folder", "en", tmp_path) is None
