"""Every lesson's exercises, one module per lesson, in the order the pages show them."""

from __future__ import annotations

import importlib
from functools import lru_cache

from core.exercises.model import Exercise

# lesson id -> module under core.exercises.bank
LESSON_MODULES = {
    "tokenization": "tokenization",
    "attention": "attention",
    "decoding": "decoding",
    "finetuning": "finetuning",
    "bert-vs-gpt": "bert_vs_gpt",
    "history": "history",
    "risks": "risks",
}


@lru_cache(maxsize=None)
def for_lesson(lesson_id: str) -> tuple[Exercise, ...]:
    """The lesson's exercises (an empty tuple for a lesson without any)."""
    module = LESSON_MODULES.get(lesson_id)
    if module is None:
        return ()
    exercises = importlib.import_module(f"core.exercises.bank.{module}").EXERCISES
    for ex in exercises:
        if ex.lesson != lesson_id:
            raise ValueError(f"{ex.id} is in the bank of {lesson_id!r} but says lesson {ex.lesson!r}")
    return tuple(exercises)


@lru_cache(maxsize=1)
def all_exercises() -> tuple[Exercise, ...]:
    out = tuple(ex for lesson in LESSON_MODULES for ex in for_lesson(lesson))
    ids = [ex.id for ex in out]
    if len(ids) != len(set(ids)):
        raise ValueError("two exercises share an id")
    return out


def by_id(exercise_id: str) -> Exercise | None:
    return next((ex for ex in all_exercises() if ex.id == exercise_id), None)
