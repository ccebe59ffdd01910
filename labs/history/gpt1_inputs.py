"""GPT-1's input transformations: every task becomes one or more token sequences for the same decoder.

Radford et al. (2018), section 3.3 and figure 1: structured inputs are turned into ordered
sequences with a start token, a delimiter between parts and an extract token at the end. The
final hidden state at the extract token feeds the task's only new weights, a linear layer W_y.

    classification   [Start] text [Extract]                              -> linear -> softmax over classes
    entailment       [Start] premise [Delim] hypothesis [Extract]       -> linear -> softmax over 3 labels
    similarity       [Start] A [Delim] B [Extract]  and  [Start] B [Delim] A [Extract]
                     -> the two final states are added element-wise     -> linear
    multiple choice  [Start] context [Delim] answer_k [Extract], one per answer k
                     -> linear gives one score per sequence             -> softmax over the k answers
"""

from __future__ import annotations

from dataclasses import dataclass

from gptlab.nn.tokenization import byte_level_view

START, DELIM, EXTRACT = "<s>", "$", "<e>"  # the paper's ⟨s⟩, $ and ⟨e⟩: new embeddings learned during fine-tuning
SPECIALS = (START, DELIM, EXTRACT)
TASKS = ("classification", "entailment", "similarity", "multiple_choice")
MAX_PART_CHARS = 500
MAX_CHOICES = 5
GPT1_CONTEXT = 512  # GPT-1's context: a sequence longer than this would not fit


@dataclass(frozen=True)
class Piece:
    text: str  # what the chip shows: the token's text, or its bytes in hex when it holds part of a character
    special: bool  # Start, Delim or Extract, rather than a token of the student's text
    raw: bytes = b""  # the text's bytes this token stands for (GPT-2's BPE is byte-level)


@dataclass(frozen=True)
class Gpt1Input:
    task: str
    sequences: tuple[tuple[Piece, ...], ...]  # what enters the decoder, one row per forward pass
    combine: str  # "single" | "sum" (similarity) | "softmax_over_sequences" (multiple choice)

    @property
    def longest(self) -> int:
        return max(len(s) for s in self.sequences)


class InputError(ValueError):
    """A missing or too long part; `field` names it for the page's message."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


def _pieces(tokenizer, text: str) -> tuple[Piece, ...]:
    return tuple(
        Piece(tok.text if tok.text is not None else f"⟨{tok.hex}⟩", False, tok.raw)
        for tok in byte_level_view(tokenizer, text)
    )


def _sequence(tokenizer, *parts: str) -> tuple[Piece, ...]:
    body: list[Piece] = [Piece(START, True)]
    for i, part in enumerate(parts):
        if i:
            body.append(Piece(DELIM, True))
        body.extend(_pieces(tokenizer, part))
    body.append(Piece(EXTRACT, True))
    return tuple(body)


def _check(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise InputError(field, "empty")
    if len(value) > MAX_PART_CHARS:
        raise InputError(field, "too_long")
    return value


def build(task: str, tokenizer, *, text: str = "", second: str = "", choices: tuple[str, ...] = ()) -> Gpt1Input:
    """The decoder input(s) for `task`. text = the sentence, premise, first sentence or context;
    second = the hypothesis or second sentence; choices = the candidate answers (multiple choice)."""
    if task == "classification":
        return Gpt1Input(task, (_sequence(tokenizer, _check("text", text)),), "single")
    if task == "entailment":
        return Gpt1Input(task, (_sequence(tokenizer, _check("text", text), _check("second", second)),), "single")
    if task == "similarity":
        a, b = _check("text", text), _check("second", second)
        # No order is natural for a pair of sentences, so both orders go through the model.
        return Gpt1Input(task, (_sequence(tokenizer, a, b), _sequence(tokenizer, b, a)), "sum")
    if task == "multiple_choice":
        context = _check("text", text)
        answers = tuple(_check("choices", c) for c in choices if c.strip())
        if len(answers) < 2:
            raise InputError("choices", "too_few")
        if len(answers) > MAX_CHOICES:
            raise InputError("choices", "too_many")
        return Gpt1Input(task, tuple(_sequence(tokenizer, context, a) for a in answers), "softmax_over_sequences")
    raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
