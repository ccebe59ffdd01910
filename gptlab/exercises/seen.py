"""An answer as the student saw it: the choice's text rather than its id, the task's option rather than JSON.

The graded Attempt keeps the raw answer (choice ids "a,c", a task's widget state as JSON): exact, and
what a regrade needs. A gradebook reader wants what the student picked in words, in the language the
student worked in; `answer_as_seen` gives that, and the progress store keeps it beside the raw value.
"""

from __future__ import annotations

import json

from gptlab.exercises.model import ChoiceExercise, Exercise, WidgetTask

SEPARATOR = " | "  # between the texts of several choices
MAX_VALUE_CHARS = 80  # a widget value shown in a task's answer


def _value(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def answer_as_seen(ex: Exercise, answer: str, lang: str) -> str:
    """What the student saw for `answer` (the raw answer of an Attempt of `ex`), in `lang`."""
    if isinstance(ex, ChoiceExercise):
        known = {c.id for c in ex.choices}
        picked = [part.strip() for part in answer.split(",") if part.strip()]
        if picked and all(p in known for p in picked):
            return SEPARATOR.join(ex.text(f"choice.{p}", lang) for p in picked)
        return answer
    if isinstance(ex, WidgetTask):
        try:
            state = json.loads(answer)
        except ValueError:
            return answer
        if not isinstance(state, dict):
            return answer
        given = state.get("answer")
        if ex.answer == "option":
            options = {o.id: o for o in ex.options}
            return ex.option_text(options[given], lang) if given in options else _value(given)
        if ex.answer in ("number", "text"):
            return _value(given)
        return "; ".join(f"{key.split('.', 1)[-1]} = {_value(state.get(key))}" for key in ex.reads if key in state)
    return answer
