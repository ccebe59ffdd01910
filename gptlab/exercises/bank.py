"""Every lesson's exercises: each lab's `labs/<package>/exercises.py` EXERCISES, in course order (course.py)."""

from __future__ import annotations

import importlib
from functools import lru_cache

import course
from gptlab.exercises.model import Exercise


@lru_cache(maxsize=None)
def for_lesson(lesson_id: str) -> tuple[Exercise, ...]:
    """The lesson's exercises (an empty tuple for a lesson without any)."""
    try:
        package = course.lesson(lesson_id).package
    except KeyError:
        return ()
    exercises = importlib.import_module(f"labs.{package}.exercises").EXERCISES
    for ex in exercises:
        if ex.lesson != lesson_id:
            raise ValueError(f"{ex.id} is in the bank of {lesson_id!r} but says lesson {ex.lesson!r}")
    return tuple(exercises)


@lru_cache(maxsize=1)
def all_exercises() -> tuple[Exercise, ...]:
    out = tuple(ex for lesson in course.LESSONS for ex in for_lesson(lesson.id))
    ids = [ex.id for ex in out]
    if len(ids) != len(set(ids)):
        raise ValueError("two exercises share an id")
    return out


def by_id(exercise_id: str) -> Exercise | None:
    return next((ex for ex in all_exercises() if ex.id == exercise_id), None)
