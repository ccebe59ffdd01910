"""An exercise's answer key as Markdown, for an instructor discussing it with the class.

Only the instructor's session ever asks for it (ui.exercises shows it behind the reveal switch,
which exists only once the instructor secret is entered): for students the key stays on the server.
"""

from __future__ import annotations

import inspect

from gptlab.exercises.checkers import number_text
from gptlab.exercises.model import (
    CellsExercise, ChoiceExercise, CodeExercise, Exercise, NumericExercise, TextExercise, WidgetTask,
)
from gptlab.i18n import t


def answer_key(ex: Exercise, lang: str) -> str:
    """What a right answer is, and why, in the instructor's language."""
    lines: list[str] = []
    if isinstance(ex, ChoiceExercise):
        for choice in ex.choices:
            if choice.correct:
                lines.append(f"- **{ex.text(f'choice.{choice.id}', lang)}** — {ex.text(f'choice.{choice.id}.why', lang)}")
    elif isinstance(ex, NumericExercise):
        tolerance = max(ex.rel_tol * abs(ex.answer), ex.abs_tol)
        lines.append(t("exercises.reveal.number", lang, answer=number_text(ex.answer, lang),
                       tolerance=number_text(tolerance, lang)))
        for n, other in enumerate(ex.also_right, 1):
            lines.append(t("exercises.reveal.also", lang, answer=number_text(other, lang),
                           why=ex.text(f"also.{n}", lang)))
    elif isinstance(ex, TextExercise):
        lines.append(t("exercises.reveal.text", lang, accepted=" · ".join(f"`{a}`" for a in ex.accepted)))
    elif isinstance(ex, CellsExercise):
        cells = sorted(ex.key(ex.size))
        lines.append(t("exercises.reveal.cells", lang, cells=", ".join(f"({i}, {j})" for i, j in cells) or "—"))
    elif isinstance(ex, CodeExercise):
        lines.append(t("exercises.reveal.code", lang))
        lines.append(f"```python\n{inspect.getsource(ex.reference).rstrip()}\n```")
    elif isinstance(ex, WidgetTask):
        lines.append(t("exercises.reveal.task", lang))
        lines += [f"- {hint}" for hint in ex.hints(lang)]
    if ex.explanation(lang):
        lines.append(ex.explanation(lang))
    return "\n\n".join(lines)
