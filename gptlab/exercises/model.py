"""Exercises as data: one frozen dataclass per kind, and the graded attempt that #8 will store.

Every text a student reads is a `Text`, a (pt-BR, en) pair. Answer keys (which choice is right,
the number, the reference function) live here, on the server: the widget never sends them to the
browser, and choice explanations are shown only after an answer was checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

Text = tuple[str, str]  # (pt-BR, en)

ENGINE_VERSION = 1  # bump when a change of the grading engine changes scores of old answers

# Statuses of a graded attempt. "invalid": the answer could not be read (empty, not a number...);
# "busy": the code checker had no free slot, nothing was graded (the score is not recorded).
CORRECT, INCORRECT, INVALID = "correct", "incorrect", "invalid"
ERROR, TIMEOUT, LIMIT, BUSY = "error", "timeout", "limit", "busy"
STATUSES = (CORRECT, INCORRECT, INVALID, ERROR, TIMEOUT, LIMIT, BUSY)


def pick(text: Text, lang: str) -> str:
    """The text in the user's language."""
    return text[0] if lang == "pt-BR" else text[1]


@dataclass(frozen=True)
class Choice:
    id: str  # stable, meaningless ("a", "b"...): it says nothing about correctness
    text: Text
    correct: bool
    explanation: Text  # shown after checking, for every choice the student picked (and the missed ones)


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """What every kind shares. `kind` is how the widget renders it and the CLI lists it."""

    id: str  # "<lesson>.<name>", unique
    lesson: str  # lesson id: "tokenization", "attention", ...
    prompt: Text  # Markdown, our own text
    hints: tuple[Text, ...] = ()  # a ladder: the first is a nudge, the last almost the answer
    version: int = 1  # bump when the key or the checker of this exercise changes

    kind = "exercise"

    @property
    def checker_version(self) -> str:
        return f"{ENGINE_VERSION}.{self.version}"


@dataclass(frozen=True, kw_only=True)
class ChoiceExercise(Exercise):
    choices: tuple[Choice, ...] = ()
    multiple: bool = False  # several choices may be right: every right one must be picked, no wrong one

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "multiple" if self.multiple else "single"


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and what to tell a student who gives it (a value, or a predicate)."""

    matches: Callable[[Any], bool]
    feedback: Text


@dataclass(frozen=True, kw_only=True)
class NumericExercise(Exercise):
    answer: float = 0.0
    rel_tol: float = 0.0  # |x - answer| <= max(rel_tol * |answer|, abs_tol)
    abs_tol: float = 0.0
    mistakes: tuple[Mistake, ...] = ()  # checked first, in order, against the number read
    explanation: Text = ("", "")  # shown once the answer is right

    kind = "numeric"


@dataclass(frozen=True, kw_only=True)
class TextExercise(Exercise):
    accepted: tuple[str, ...] = ()  # compared after answers.normalise_text on both sides
    mistakes: tuple[Mistake, ...] = ()  # matched against the normalised answer
    explanation: Text = ("", "")

    kind = "text"


@dataclass(frozen=True, kw_only=True)
class CellsExercise(Exercise):
    """Tick cells of a size x size grid (e.g. the -inf cells of a mask)."""

    size: int = 4
    key: Callable[[int], frozenset[tuple[int, int]]] = lambda n: frozenset()  # the right cells
    why_in: Callable[[int, int], Text] = lambda i, j: ("", "")  # why cell (i, j) belongs to the key
    why_out: Callable[[int, int], Text] = lambda i, j: ("", "")  # why it does not
    row_label: Text = ("linha", "row")
    column_label: Text = ("coluna", "column")
    explanation: Text = ("", "")

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
    explanation: Text = ("", "")

    kind = "code"


@dataclass(frozen=True)
class TaskOption:
    id: str
    text: Text


@dataclass(frozen=True, kw_only=True)
class WidgetTask(Exercise):
    """A task done on the page's live widgets, checked from their state (a plain dict).

    `reads` are the session keys the widget copies into the dict; the student may also give an
    answer ("number", "text" or one of `options`), stored under "answer".
    """

    reads: tuple[str, ...] = ()
    answer: str | None = None  # None, "number", "text", "option"
    answer_label: Text = ("Sua resposta", "Your answer")
    options: tuple[TaskOption, ...] = ()
    needs: tuple[str, ...] = ()  # models the checker uses: "gemma", "gpt2", "minilm"
    checker: Callable[..., Any] = lambda state, env, lang: None  # -> checkers.Verdict

    kind = "task"


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
        """The progress store's status (core.progress.STATUSES), or None when nothing should be stored.

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
