"""The context window: a model reads at most so many tokens; whatever falls outside is simply not there.

When a text is longer than the window, an application keeps the start token and the end of the text
(what the model continues) and drops the middle, as gptlab.nn.generation.fit_prompt does. A fact that sat in
the dropped part cannot influence the answer, however clearly it was stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from gptlab.nn import generation as G
from gptlab.nn.confidence import ContinuationScore, score_continuations

MIN_WINDOW = 16
MAX_WINDOW = G.LAB_CONTEXT_TOKENS
MAX_TEXT_CHARS = 8_000  # about 2,000 tokens: beyond the lab's window anyway

# The default text (a fact stated at the start, a question at the end) is content in each language:
# labs/risks/strings/<lang>.toml, risks.ctx.default_text. Its answer is the same in every language:
DEFAULT_ANSWER = "Recife"


@dataclass(frozen=True)
class Window:
    """Which tokens of a text the model still reads through a window of `size` tokens."""

    size: int
    ids: tuple[int, ...]  # what the model reads: <bos> and the end of the text
    kept: tuple[bool, ...]  # one flag per token of the whole text
    dropped: int


def fit_window(ids: Sequence[int], size: int, bos_id: int | None, answer_tokens: int = 1) -> Window:
    """Keep <bos> and the last tokens so that text + answer fit: the answer's tokens (all but the last,
    which is only predicted) are read by the model too, so they take room in the window."""
    if size < answer_tokens + 1:
        raise ValueError("the window must hold at least one token of text and the answer")
    fitted = G.fit_prompt(ids, max_new_tokens=answer_tokens - 1, bos_id=bos_id, context=size)
    n = len(ids)
    head = 1 if fitted.dropped and bos_id is not None and n and ids[0] == bos_id else 0
    kept = tuple(i < head or i >= head + fitted.dropped for i in range(n))
    return Window(size, fitted.ids, kept, fitted.dropped)


@dataclass(frozen=True)
class WindowComparison:
    window: Window
    full: ContinuationScore  # P(answer) having read the whole text
    cut: ContinuationScore  # P(answer) having read only what fits the window


def compare(model, ids: Sequence[int], answer_ids: Sequence[int], size: int, bos_id: int | None,
            pad_token_id: int = 0) -> WindowComparison:
    """P(answer) after the whole text and after what a window of `size` tokens keeps, in one forward pass."""
    ids = tuple(int(i) for i in ids)
    window = fit_window(ids, size, bos_id, answer_tokens=len(answer_ids))
    full, cut = score_continuations(model, [ids, window.ids], [answer_ids, answer_ids], pad_token_id=pad_token_id)
    return WindowComparison(window, full, cut)


AnswerPlace = Literal["kept", "dropped", "absent"]  # risks.ctx.lost.<this> in the strings


def answer_place(pieces: Sequence[str], kept: Sequence[bool], answer: str) -> AnswerPlace:
    """Where the text states the expected answer: still inside the window ("kept"), only in what the window
    dropped, or cut through by it ("dropped"), or nowhere in the text ("absent"). Case and spacing aside."""
    def normal(text: str) -> str:
        return " ".join(text.split()).casefold()

    needle = normal(answer)
    if not needle:
        return "absent"
    if needle in normal("".join(p for p, k in zip(pieces, kept) if k)):
        return "kept"
    return "dropped" if needle in normal("".join(pieces)) else "absent"
