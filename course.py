"""The course: THE list of its lessons, in the order a student takes them.

Everything that needs the lessons reads them here: the router (streamlit_app.py), the home page,
the exercise bank, saved progress, the page tests and the browser tests. A lesson is

    lessons/pt-BR/NN-<id>.md, lessons/en/NN-<id>.md    its text (NN = its place in LESSONS)
    labs/<package>/                                     its lab: page.py, strings, exercises.py, tests
    one line in LESSONS below

tests/test_course.py fails when a lesson here lacks any of them. Pure Python: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_EXERCISES = 2  # a lesson ends with at least this many self-grading exercises


@dataclass(frozen=True)
class Lesson:
    id: str  # the one spelling: lesson files, URL path, exercise ids ("<id>.<name>"), saved progress
    icon: str  # Material icon in the navigation, e.g. ":material/abc:"

    @property
    def package(self) -> str:
        """The lab's Python package under labs/ (a Python name cannot hold '-'); also its string namespace."""
        return self.id.replace("-", "_")

    @property
    def page(self) -> str:
        """The page script, relative to the repository root (what st.Page and AppTest take)."""
        return f"labs/{self.package}/page.py"

    @property
    def url_path(self) -> str:
        return self.id

    @property
    def title_key(self) -> str:
        """The navigation title's string key, in the lab's own strings."""
        return f"{self.package}.nav"

    @property
    def order(self) -> int:
        """1-based place in the course; the lesson files' NN prefix."""
        return LESSONS.index(self) + 1


@dataclass(frozen=True)
class Page:
    """A page that is not a lesson (the home page, the instructor's dashboard)."""

    id: str
    page: str
    icon: str
    title_key: str

    @property
    def url_path(self) -> str:
        return self.id


LESSONS: tuple[Lesson, ...] = (
    Lesson("tokenization", ":material/abc:"),
    Lesson("attention", ":material/visibility:"),
    Lesson("journey", ":material/route:"),
    Lesson("decoding", ":material/casino:"),
    Lesson("finetuning", ":material/model_training:"),
    Lesson("bert-vs-gpt", ":material/compare_arrows:"),
    Lesson("history", ":material/history_edu:"),
    Lesson("risks", ":material/health_and_safety:"),
)

HOME = Page("home", "app_pages/home.py", ":material/home:", "nav.home")  # lesson file 00-home.md
INSTRUCTOR = Page("instructor", "app_pages/instructor.py", ":material/school:", "classroom.nav.page")


def lesson(lesson_id: str) -> Lesson:
    """The manifest entry of `lesson_id`; KeyError for an id the course does not have."""
    for entry in LESSONS:
        if entry.id == lesson_id:
            return entry
    raise KeyError(lesson_id)
