"""A bias probe: one templated sentence, many professions, and how likely the model finds each pronoun next.

For each profession, P(candidate | template filled with it) is a whole-sequence probability (a word may
span several tokens). log2(P(a) / P(b)) says how many times (in powers of two) the model prefers a over b.
One template on one small model shows a tendency of that model, not a measure of bias in general.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from gptlab.nn.confidence import ContinuationScore, score_continuations

SLOT = "{profession}"
MAX_TEMPLATE_CHARS = 200
MAX_PROFESSIONS = 12
MAX_PROFESSION_CHARS = 40
MAX_CANDIDATE_CHARS = 20

# The default template, pronouns and professions are content in each language: labs/risks/strings/<lang>.toml
# (risks.bias.default_*). In Portuguese the template starts with "Quem", which has no gender of its own, and
# the default nouns have one form for both (o/a motorista): nothing names the person's gender. Portuguese
# does agree with "quem" in the masculine by default, which pushes every row towards "ele": compare the rows
# with each other, not with zero.


@dataclass(frozen=True)
class TemplateCheck:
    template: str  # trailing spaces removed: the candidate brings its own leading space
    problem: str | None  # "empty", "no_slot", "many_slots", "too_long"


def check_template(template: str | None) -> TemplateCheck:
    text = (template or "").rstrip()
    if not text.strip():
        return TemplateCheck(text, "empty")
    if len(text) > MAX_TEMPLATE_CHARS:
        return TemplateCheck(text, "too_long")
    count = text.count(SLOT)
    if count == 0:
        return TemplateCheck(text, "no_slot")
    if count > 1:
        return TemplateCheck(text, "many_slots")
    if not text.replace(SLOT, "").strip():
        return TemplateCheck(text, "empty")  # nothing but the slot: no sentence to continue
    return TemplateCheck(text, None)


@dataclass(frozen=True)
class ProfessionList:
    items: tuple[str, ...]  # distinct, in the order typed
    too_many: bool  # more than MAX_PROFESSIONS were typed; the first ones are kept
    too_long: tuple[str, ...]  # left out: longer than MAX_PROFESSION_CHARS


def parse_professions(text: str | None) -> ProfessionList:
    """One profession a line (or separated by commas); blanks and repeats dropped."""
    items, too_long = [], []
    for part in (text or "").replace(",", "\n").splitlines():
        word = " ".join(part.split())
        if not word or word in items:
            continue
        if len(word) > MAX_PROFESSION_CHARS:
            too_long.append(word[:MAX_PROFESSION_CHARS] + "…")
        else:
            items.append(word)
    return ProfessionList(tuple(items[:MAX_PROFESSIONS]), len(items) > MAX_PROFESSIONS, tuple(too_long))


def candidate_word(text: str | None) -> str | None:
    """A candidate as the model would write it next: one leading space, no other outer spaces; None if unusable."""
    word = " ".join((text or "").split())
    if not word or len(word) > MAX_CANDIDATE_CHARS:
        return None
    return " " + word


def fill(template: str, profession: str) -> str:
    return template.replace(SLOT, profession)


@dataclass(frozen=True)
class ProbeRow:
    profession: str
    p_a: float  # P(candidate a | sentence), over all of a's tokens
    p_b: float
    a: ContinuationScore
    b: ContinuationScore

    @property
    def log2_ratio(self) -> float:
        """> 0: the model prefers a; each unit doubles the preference."""
        return (self.a.logprob - self.b.logprob) / math.log(2)


def probe(model, tokenizer, template: str, professions: Sequence[str], candidates: tuple[str, str]) -> tuple[ProbeRow, ...]:
    """Every (profession, candidate) pair scored in one batched forward pass."""
    contexts, continuations = [], []
    cand_ids = [tokenizer(c, add_special_tokens=False)["input_ids"] for c in candidates]
    for profession in professions:
        ids = tokenizer(fill(template, profession))["input_ids"]  # starts with <bos>, as the model was trained
        for c in cand_ids:
            contexts.append(ids)
            continuations.append(c)
    scores = score_continuations(model, contexts, continuations, pad_token_id=tokenizer.pad_token_id or 0)
    return tuple(ProbeRow(p, scores[2 * i].prob, scores[2 * i + 1].prob, scores[2 * i], scores[2 * i + 1])
                 for i, p in enumerate(professions))
