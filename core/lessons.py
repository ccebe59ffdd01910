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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("pt-BR", "en")
LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_SECTION_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # "" for the intro
    body: str  # Markdown, without the heading line


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
    return Lesson(
        id=str(meta["id"]),
        order=int(meta["order"]),
        language=language,
        title=str(meta["title"]),
        summary=str(meta.get("summary", "")),
        objectives=tuple(str(o) for o in meta["objectives"]),
        sections=sections,
        path=path,
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
