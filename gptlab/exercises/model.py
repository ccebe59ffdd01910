"""Exercises as data: one frozen dataclass per kind, and the graded attempt the classroom stores.

An exercise holds its structure (right choices, the number, the reference function); every text a
student reads is in its lab's strings, under `<lab>.exercise.<name>` (title, prompt, hints, explanation,
"choice.<id>" and "choice.<id>.why", "mistake.<n>", "also.<n>", answer_label, "option.<id>"), in every language.
Answer keys live on the server: the widget never sends them to the browser, and choice explanations
are shown only after an answer was checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from gptlab.i18n import STRINGS, t, value

ENGINE_VERSION = 1  # bump when a change of the grading engine changes scores of old answers

# Statuses of a graded attempt. "invalid": the answer could not be read (empty, not a number...);
# "busy": the code checker had no free slot, nothing was graded (the score is not recorded).
CORRECT, INCORRECT, INVALID = "correct", "incorrect", "invalid"
ERROR, TIMEOUT, LIMIT, BUSY = "error", "timeout", "limit", "busy"
STATUSES = (CORRECT, INCORRECT, INVALID, ERROR, TIMEOUT, LIMIT, BUSY)


@dataclass(frozen=True)
class Choice:
    """Its text is the exercise's "choice.<id>", its explanation "choice.<id>.why" (shown after checking,
    for every choice the student picked)."""

    id: str  # stable, meaningless ("a", "b"...): it says nothing about correctness
    correct: bool


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """What every kind shares. `kind` is how the widget renders it and the CLI lists it."""

    id: str  # "<lesson>.<name>", unique
    lesson: str  # lesson id: "tokenization", "attention", ...
    version: int = 1  # bump when the key or the checker of this exercise changes

    kind = "exercise"

    @property
    def checker_version(self) -> str:
        return f"{ENGINE_VERSION}.{self.version}"

    @property
    def text_key(self) -> str:
        """Where its texts are: `<lab package>.exercise.<name>` in the lab's strings."""
        return f"{self.lesson.replace('-', '_')}.exercise.{self.id.split('.', 1)[1]}"

    def has_text(self, part: str) -> bool:
        return f"{self.text_key}.{part}" in STRINGS

    def text(self, part: str, lang: str) -> str:
        """One of its texts ("prompt", "explanation", "choice.a"...) in the student's language: Markdown shown
        as written (its braces are LaTeX, not placeholders)."""
        return value(f"{self.text_key}.{part}", lang)

    def title(self, lang: str) -> str:
        """Its short title ("Top-p after temperature"): how the instructor's dashboard and the CSV name it."""
        return self.text("title", lang) if self.has_text("title") else self.id

    def hints(self, lang: str) -> tuple[str, ...]:
        """The hint ladder: the first is a nudge, the last almost the answer."""
        return tuple(value(f"{self.text_key}.hints", lang)) if self.has_text("hints") else ()

    def explanation(self, lang: str) -> str:
        """Why the right answer is right, shown once it is given ("" when the exercise has none)."""
        return self.text("explanation", lang) if self.has_text("explanation") else ""


@dataclass(frozen=True, kw_only=True)
class ChoiceExercise(Exercise):
    choices: tuple[Choice, ...] = ()
    multiple: bool = False  # several choices may be right: every right one must be picked, no wrong one

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "multiple" if self.multiple else "single"


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer (a predicate); what to tell a student who gives it is the exercise's
    "mistake.<n>", n counting from 1 in the order of `mistakes`."""

    matches: Callable[[Any], bool]


@dataclass(frozen=True, kw_only=True)
class NumericExercise(Exercise):
    answer: float = 0.0
    rel_tol: float = 0.0  # |x - answer| <= max(rel_tol * |answer|, abs_tol)
    abs_tol: float = 0.0
    # Other answers as right as `answer`, with the same tolerance (a lesson that gives a figure two ways, from
    # rounded and from exact numbers): each is told why it is right too, the exercise's "also.<n>".
    also_right: tuple[float, ...] = ()
    mistakes: tuple[Mistake, ...] = ()  # checked after the right answers, in order, against the number read

    kind = "numeric"


@dataclass(frozen=True, kw_only=True)
class TextExercise(Exercise):
    accepted: tuple[str, ...] = ()  # compared after answers.normalise_text on both sides
    mistakes: tuple[Mistake, ...] = ()  # matched against the normalised answer

    kind = "text"


@dataclass(frozen=True, kw_only=True)
class CellsExercise(Exercise):
    """Tick cells of a size x size grid (e.g. the -inf cells of a mask). The rows and columns are named by
    the exercise's "row_label" and "column_label" when it has them, else "row" and "column"."""

    size: int = 4
    key: Callable[[int], frozenset[tuple[int, int]]] = lambda n: frozenset()  # the right cells
    why_in: Callable[[int, int, str], str] = lambda i, j, lang: ""  # why cell (i, j) belongs to the key
    why_out: Callable[[int, int, str], str] = lambda i, j, lang: ""  # why it does not

    def label(self, part: str, lang: str) -> str:
        return self.text(part, lang) if self.has_text(part) else t(f"exercises.cells.{part}", lang)

    kind = "cells"


@dataclass(frozen=True)
class CodeCase:
    args: tuple  # positional arguments, plain JSON data


@dataclass(frozen=True, kw_only=True)
class CodeExercise(Exercise):
    """The student writes `function_name`; it runs in the sandbox on example and hidden cases."""

    function_name: str = ""
    template: str = ""  # the code box starts with it
    examples: tuple[CodeCase, ...] = ()  # shown to the student, each failure explained
    hidden: Callable[[Any], Sequence[CodeCase]] = lambda rng: ()  # fresh cases from a random.Random
    reference: Callable[..., Any] = lambda *a: None  # never sent to the sandbox
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9
    # (case args, path of the first difference, expected, got, lang) -> a sentence on what is wrong,
    # or None for the generic diff
    explain: Callable[[tuple, tuple, Any, Any, str], str | None] = lambda args, path, expected, got, lang: None

    kind = "code"


@dataclass(frozen=True)
class TaskOption:
    """Its text is the exercise's "option.<id>", unless `label` writes it (e.g. numbers, the user's way)."""

    id: str
    label: Callable[[str], str] | None = None  # lang -> text


@dataclass(frozen=True, kw_only=True)
class WidgetTask(Exercise):
    """A task done on the page's live widgets, checked from their state (a plain dict).

    `reads` are the session keys the widget copies into the dict; the student may also give an
    answer ("number", "text" or one of `options`), stored under "answer".
    """

    reads: tuple[str, ...] = ()
    answer: str | None = None  # None, "number", "text", "option"; labelled by "answer_label" if it has one
    options: tuple[TaskOption, ...] = ()
    needs: tuple[str, ...] = ()  # models the checker uses: "gemma", "gpt2", "minilm"
    checker: Callable[..., Any] = lambda state, env, lang: None  # -> checkers.Verdict

    kind = "task"

    def answer_label(self, lang: str) -> str:
        return self.text("answer_label", lang) if self.has_text("answer_label") else t("exercises.answer", lang)

    def option_text(self, option: TaskOption, lang: str) -> str:
        return option.label(lang) if option.label else self.text(f"option.{option.id}", lang)


@dataclass(frozen=True)
class Attempt:
    """One graded answer, as the widget shows it and progress storage (#8) will keep it."""

    exercise_id: str
    checker_version: str
    answer: str  # the answer as the student gave it (code, text, choice ids, or the task's state as JSON)
    status: str  # one of STATUSES
    score: float  # 0..1 (partial credit for multiple choice, cells and code)
    feedback: tuple[str, ...] = field(default_factory=tuple)  # sentences in the student's language, plain text
    explanations: tuple[tuple[str, str], ...] = ()  # (choice text, its explanation) for choice exercises
    language: str = "en"
    lesson_id: str = ""
    hidden_failed: int = 0  # code: hidden checks that failed
    hidden_total: int = 0
    stdout: str = ""  # what the student's code printed (shown, never trusted)

    @property
    def recorded(self) -> bool:
        """Whether this attempt counts towards the score (a busy checker graded nothing)."""
        return self.status != BUSY

    @property
    def stored_status(self) -> str | None:
        """The progress store's status (gptlab.classroom.records.STATUSES), or None when nothing should be stored.

        An unreadable answer and a busy checker graded nothing; a sandbox failure is the student's
        code failing ("error" there means the answer could not be graded, which is our "error" too).
        """
        if self.status in (BUSY, INVALID):
            return None
        if self.status == CORRECT:
            return "correct"
        if self.status == INCORRECT:
            return "partial" if self.score > 0 else "wrong"
        return "error"
