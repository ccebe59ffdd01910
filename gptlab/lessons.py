"""Lesson files: Markdown with YAML front-matter, split into sections with stable ids.

    ---
    id: tokenization
    order: 1
    title: Tokenization
    summary: One sentence.
    objectives: [..]
    ---
    intro text (section "intro")
    ## Heading {#section-id}
    text

A page renders section by section and puts each widget right after the text it illustrates.
Inside a section, `:::deeper`, `:::notes` and `:::figure` blocks (docs/lesson-format.md) split the
body into parts: the main path, and what a first reading may skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from gptlab.figures import PIPELINE, FigureError, figure_options
from gptlab.i18n import DEFAULT_LANGUAGE, LANGUAGES, value

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_SECTION_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


BlockKind = Literal["text", "deeper", "notes", "figure"]
BLOCK_KINDS: tuple[str, ...] = ("deeper", "notes", "figure")
_BLOCK_OPEN = re.compile(r"^:::(?P<kind>[a-z]+)(?:[ \t]+(?P<title>.*?))?\s*$")
_BLOCK_CLOSE = re.compile(r"^:::\s*$")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)

# The main path of a lesson (outside blocks, front-matter and references) reads in about 15 minutes: each
# language says in how many words (its strings' language.lesson_word_budget).


@dataclass(frozen=True)
class Part:
    """A piece of a section: main-path text, or a block (expander, course-notes aside, figure)."""

    kind: BlockKind
    body: str  # Markdown; for a figure, its text alternative
    title: str = ""  # a block's title; for a figure, its name and options ("pipeline stage=decoding")


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # "" for the intro
    body: str  # Markdown, without the heading line

    @property
    def parts(self) -> tuple[Part, ...]:
        return split_parts(self.body)

    @property
    def main_text(self) -> str:
        """The section's main path: its text outside blocks."""
        return "\n\n".join(p.body for p in self.parts if p.kind == "text")


def split_parts(body: str, where: str = "") -> tuple[Part, ...]:
    """Section body -> text and block parts, in order. Unclosed or unknown blocks are errors."""
    parts: list[Part] = []
    lines: list[str] = []
    block: tuple[str, str] | None = None
    in_fence = False

    def flush(kind: str, title: str = "") -> None:
        text = "\n".join(lines).strip()
        if kind != "text" or text:
            parts.append(Part(kind, text, title))  # type: ignore[arg-type]
        lines.clear()

    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and block is None and (opened := _BLOCK_OPEN.match(line)):
            if opened["kind"] not in BLOCK_KINDS:
                raise LessonFormatError(f"{where}: unknown block ':::{opened['kind']}'")
            flush("text")
            block = (opened["kind"], (opened["title"] or "").strip())
        elif not in_fence and block is not None and _BLOCK_CLOSE.match(line):
            flush(*block)
            block = None
        elif not in_fence and block is not None and _BLOCK_OPEN.match(line):
            raise LessonFormatError(f"{where}: a block inside a block: {line!r}")
        else:
            lines.append(line)
    if block is not None:
        raise LessonFormatError(f"{where}: ':::{block[0]}' is never closed")
    flush("text")
    for part in parts:
        if part.kind in ("deeper", "notes", "figure") and not part.title:
            raise LessonFormatError(f"{where}: ':::{part.kind}' needs a title (a figure: its name)")
        if part.kind != "text" and not part.body:
            raise LessonFormatError(f"{where}: ':::{part.kind} {part.title}' is empty")
    return tuple(parts)


def count_words(markdown: str) -> int:
    """Words a reader reads: runs of letters/digits; math, code and link targets count roughly."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)  # link targets are not read
    text = re.sub(r"https?://\S+", "", text)
    return len(_WORD.findall(text))


@dataclass(frozen=True)
class Lesson:
    id: str
    order: int
    language: str
    title: str
    summary: str
    objectives: tuple[str, ...]
    sections: tuple[Section, ...]
    path: Path
    key_ideas: tuple[str, ...] = ()

    @property
    def main_path_words(self) -> int:
        """Words of the main path: outside blocks, without the references."""
        return sum(count_words(s.main_text) for s in self.sections if s.id != "references")

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"lesson {self.id!r} ({self.language}) has no section {section_id!r}")


class LessonFormatError(ValueError):
    pass


def parse_lesson(text: str, language: str, path: Path) -> Lesson:
    match = _FRONT_MATTER.match(text)
    if not match:
        raise LessonFormatError(f"{path}: missing '---' front-matter")
    meta = yaml.safe_load(match.group(1)) or {}
    for field in ("id", "order", "title", "objectives"):
        if field not in meta:
            raise LessonFormatError(f"{path}: front-matter lacks {field!r}")
    sections = _split_sections(text[match.end() :], path)
    for section in sections:
        split_parts(section.body, f"{path}#{section.id}")  # raises on malformed blocks
    return Lesson(
        id=str(meta["id"]),
        order=int(meta["order"]),
        language=language,
        title=str(meta["title"]),
        summary=str(meta.get("summary", "")),
        objectives=tuple(str(o) for o in meta["objectives"]),
        sections=sections,
        path=path,
        key_ideas=tuple(str(k) for k in meta.get("key_ideas") or ()),
    )


def _split_sections(body: str, path: Path) -> tuple[Section, ...]:
    sections: list[Section] = []
    current_id, current_title, lines = "intro", "", []
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _SECTION_HEADING.match(line)
        if heading:
            sections.append(Section(current_id, current_title, "\n".join(lines).strip()))
            current_id, current_title, lines = heading["id"], heading["title"], []
        elif not in_fence and re.match(r"^##\s", line):
            raise LessonFormatError(f"{path}: level-2 heading without {{#id}}: {line!r}")
        else:
            lines.append(line)
    sections.append(Section(current_id, current_title, "\n".join(lines).strip()))
    if not sections[0].body:
        sections.pop(0)  # no intro text
    ids = [s.id for s in sections]
    if len(set(ids)) != len(ids):
        raise LessonFormatError(f"{path}: duplicate section ids {ids}")
    return tuple(sections)


@lru_cache(maxsize=64)
def _load_file(path: Path, language: str, mtime_ns: int) -> Lesson:
    return parse_lesson(path.read_text(encoding="utf-8"), language, path)


def figure_file(name: str, language: str, root: Path = LESSONS_DIR) -> str | None:
    """The SVG text of lessons/figures/<name>.<language>.svg, read once per version of the file (like the
    lessons: a lesson page shows its figures on every run); None when there is no such file."""
    path = root / "figures" / f"{name}.{language}.svg"
    try:
        return _read_figure(path, path.stat().st_mtime_ns)
    except OSError:  # no such figure (a folder of that name cannot be read either)
        return None


@lru_cache(maxsize=128)
def _read_figure(path: Path, mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


def lesson_files(language: str, root: Path = LESSONS_DIR) -> list[Path]:
    return sorted((root / language).glob("[0-9][0-9]-*.md"))


def load_lesson_file(path: Path, language: str) -> Lesson:
    return _load_file(path, language, path.stat().st_mtime_ns)


def load_lessons(language: str, root: Path = LESSONS_DIR) -> tuple[Lesson, ...]:
    """All lessons of one language, in course order (the home overview, id 'home', included)."""
    lessons = [load_lesson_file(p, language) for p in lesson_files(language, root)]
    return tuple(sorted(lessons, key=lambda lesson: lesson.order))


def load_lesson(lesson_id: str, language: str, root: Path = LESSONS_DIR) -> Lesson:
    for lesson in load_lessons(language, root):
        if lesson.id == lesson_id:
            return lesson
    raise KeyError(f"no lesson {lesson_id!r} in {language}")


def block_outline(lesson: Lesson) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per section, the kinds of its blocks in order: both languages must have the same outline."""
    return tuple((s.id, tuple(p.kind for p in s.parts if p.kind != "text")) for s in lesson.sections)


KEY_IDEAS = (3, 5)  # "In this lesson": at least 3, at most 5 ideas
RECAP_BULLETS = (3, 6)
MIN_FIGURE_ALT_WORDS = 40  # a figure's text alternative teaches what the figure teaches: full sentences
_BULLET = re.compile(r"^\s*[-*+]\s+\S")


def check_lesson(lesson: Lesson, root: Path = LESSONS_DIR) -> list[str]:
    """What one lesson file breaks of docs/lesson-format.md ([] when nothing)."""
    where = f"{lesson.language}/{lesson.path.name}"
    problems: list[str] = []
    for section in lesson.sections:
        for part in section.parts:
            if part.kind == "figure":
                problems += [f"{where}#{section.id}: {p}" for p in _figure_problems(part, lesson.language, root)]
    if lesson.id == "home":
        return problems
    low, high = KEY_IDEAS
    if not low <= len(lesson.key_ideas) <= high:
        problems.append(f"{where}: {len(lesson.key_ideas)} key ideas ({low} to {high})")
    ids = lesson.section_ids
    if "recap" not in ids:
        problems.append(f"{where}: no recap section")
    else:
        if "references" in ids and ids.index("recap") != ids.index("references") - 1:
            problems.append(f"{where}: the recap is not just before the references")
        bullets = sum(1 for line in lesson.section("recap").body.splitlines() if _BULLET.match(line))
        if not RECAP_BULLETS[0] <= bullets <= RECAP_BULLETS[1]:
            problems.append(f"{where}: the recap has {bullets} bullets ({RECAP_BULLETS[0]} to {RECAP_BULLETS[1]})")
    budget = value("language.lesson_word_budget", lesson.language)
    if lesson.main_path_words > budget:
        problems.append(f"{where}: main path {lesson.main_path_words} words (budget {budget})")
    return problems


def _figure_problems(part: Part, language: str, root: Path) -> list[str]:
    problems = []
    try:
        name, _ = figure_options(part.title)
    except FigureError as error:
        return [str(error)]
    if name != PIPELINE and not (root / "figures" / f"{name}.{language}.svg").is_file():
        problems.append(f"figure {name!r} has no file figures/{name}.{language}.svg")
    if count_words(part.body) < MIN_FIGURE_ALT_WORDS:
        problems.append(f"figure {name!r}: its text alternative has {count_words(part.body)} words "
                        f"(at least {MIN_FIGURE_ALT_WORDS})")
    return problems


def check_lessons(root: Path = LESSONS_DIR) -> list[str]:
    """Problems that the format (docs/lesson-format.md) forbids, in every lesson of every language; [] when
    all is well. A file that does not parse is one problem, not an exception."""
    problems: list[str] = []
    by_language: dict[str, dict[str, Lesson]] = {}
    for language in LANGUAGES:
        by_language[language] = {}
        for path in lesson_files(language, root):
            try:
                lesson = parse_lesson(path.read_text(encoding="utf-8"), language, path)
            except LessonFormatError as error:
                problems.append(f"{language}/{path.name}: {error}")
                continue
            by_language[language][lesson.id] = lesson
            problems += check_lesson(lesson, root)
    first = by_language[DEFAULT_LANGUAGE]
    for language, lessons in by_language.items():
        for lesson_id in sorted(first.keys() ^ lessons.keys()):
            problems.append(f"{lesson_id}: not in every language ({DEFAULT_LANGUAGE}, {language})")
        for lesson_id in sorted(first.keys() & lessons.keys()):
            a, b = first[lesson_id], lessons[lesson_id]
            if a.section_ids != b.section_ids:
                problems.append(f"{lesson_id}: the languages' sections differ ({language})")
            elif block_outline(a) != block_outline(b):
                problems.append(f"{lesson_id}: the languages' blocks differ: {block_outline(a)} vs "
                                f"{block_outline(b)} ({language})")
            if _figure_names(a) != _figure_names(b):
                problems.append(f"{lesson_id}: the languages' figures differ ({language})")
            if len(a.key_ideas) != len(b.key_ideas):
                problems.append(f"{lesson_id}: the languages have different numbers of key ideas ({language})")
    return problems


def _figure_names(lesson: Lesson) -> tuple[str, ...]:
    return tuple(p.title for s in lesson.sections for p in s.parts if p.kind == "figure")


if __name__ == "__main__":  # python -m gptlab.lessons: word counts and format problems
    for language in LANGUAGES:
        for lesson in load_lessons(language):
            blocks = sum(1 for s in lesson.sections for p in s.parts if p.kind != "text")
            print(f"{language:6} {lesson.path.name:24} main path {lesson.main_path_words:5} words, "
                  f"{len(lesson.key_ideas)} key ideas, {blocks} blocks")
    found = check_lessons()
    print("\n".join(found) if found else "no problems")
    raise SystemExit(1 if found else 0)
