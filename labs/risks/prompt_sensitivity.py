"""Sensitivity to the prompt: the same question phrased several ways, and P(right answer) after each.

The question does not change, only its wording; a model that "knows" the answer would give it the same
probability every time. A base model does not: the wording decides what kind of text it thinks it is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from gptlab.nn.confidence import ContinuationScore, score_continuations

MAX_PHRASINGS = 6
MAX_PHRASING_CHARS = 200
NEWLINE_MARK = "\\n"  # typed inside a line where a phrasing itself breaks the line (e.g. "Q: ...\nA:")


@dataclass(frozen=True)
class PhrasingList:
    items: tuple[str, ...]  # distinct, in the order typed, with NEWLINE_MARK turned into line breaks
    too_many: bool  # more than MAX_PHRASINGS; the first ones are kept
    too_long: int  # how many were left out for being longer than MAX_PHRASING_CHARS


def parse_phrasings(text: str | None) -> PhrasingList:
    """One phrasing a line; trailing spaces dropped (the answer brings its own leading space)."""
    items, too_long = [], 0
    for line in (text or "").splitlines():
        phrasing = line.replace(NEWLINE_MARK, "\n").rstrip()
        if not phrasing.strip() or phrasing in items:
            continue
        if len(phrasing) > MAX_PHRASING_CHARS:
            too_long += 1
        else:
            items.append(phrasing)
    return PhrasingList(tuple(items[:MAX_PHRASINGS]), len(items) > MAX_PHRASINGS, too_long)


@dataclass(frozen=True)
class PhrasingScore:
    phrasing: str
    answer: ContinuationScore  # P(answer | phrasing), with the model's favourite next tokens


def answer_probabilities(model, tokenizer, phrasings: Sequence[str], answer: str) -> tuple[PhrasingScore, ...]:
    """P(" answer" | phrasing) for every phrasing, in one batched forward pass."""
    answer_ids = tokenizer(" " + " ".join(answer.split()), add_special_tokens=False)["input_ids"]
    contexts = [tokenizer(p)["input_ids"] for p in phrasings]
    scores = score_continuations(model, contexts, [answer_ids] * len(contexts), pad_token_id=tokenizer.pad_token_id or 0)
    return tuple(PhrasingScore(p, s) for p, s in zip(phrasings, scores))
