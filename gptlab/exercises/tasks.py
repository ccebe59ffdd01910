"""What every widget-task checker does with a page's state (the checkers themselves are in each lab's exercises.py).

A checker takes the page's state as a plain dict (session keys -> plain values, plus "answer"), the
models (a gptlab.exercises.env.TaskEnv) and the language, and returns a Verdict computed with the
real models: the same tokenizer, logits or attention the page shows.
"""

from __future__ import annotations

import math
from typing import Any

from gptlab.exercises.checkers import Verdict, code_span
from gptlab.nn import tokenization as tk


def state_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def state_number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return default
    return float(value)


def quoted(piece: str) -> str:
    """A token or word from the model or the student, shown literally (and its spaces visible)."""
    return code_span(tk.visible(piece), 60)


def done(ok: bool, *feedback: str) -> Verdict:
    return Verdict(1.0 if ok else 0.0, tuple(f for f in feedback if f))
