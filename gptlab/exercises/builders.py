"""Small builders the lesson banks share: predicates for known mistakes."""

from __future__ import annotations

import math
from typing import Callable

from gptlab.exercises.answers import normalise_text
from gptlab.exercises.checkers import within


def near(value: float, rel: float = 1e-3, abs_: float = 0.0) -> Callable[[float], bool]:
    """A predicate: the student's number is `value` (a known wrong result), within a small tolerance."""
    return lambda x: within(x, value, rel, abs_)


def said(*answers: str) -> Callable[[str], bool]:
    """A predicate on a normalised short answer: it is one of these (normalised too)."""
    wanted = {normalise_text(a) for a in answers}
    return lambda given: given in wanted


def is_neg_inf(x) -> bool:
    return isinstance(x, float) and math.isinf(x) and x < 0
