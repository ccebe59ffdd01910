"""Repetition figures of a generated text, computed on the model's tokens.

- distinct-n (Li et al., 2016): distinct n-grams / all n-grams. 1.0 means nothing repeats; a
  greedy text stuck in a loop falls towards 0.
- repeated n-grams: how many n-grams are a repeat of an earlier one, and which repeat most.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence


def ngrams(tokens: Sequence[int], n: int) -> list[tuple[int, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(tokens: Sequence[int], n: int) -> float | None:
    """Share of distinct n-grams; None when the text is too short to have any."""
    grams = ngrams(tokens, n)
    if not grams:
        return None
    return len(set(grams)) / len(grams)


@dataclass(frozen=True)
class RepetitionStats:
    distinct_1: float | None
    distinct_2: float | None
    n: int  # length of the n-grams counted as repeats
    repeated: int  # occurrences of an n-gram that already appeared earlier in the text
    total: int  # n-grams in the text
    most_repeated: tuple[tuple[tuple[int, ...], int], ...]  # (n-gram, occurrences), most frequent first


def repetition_stats(tokens: Sequence[int], n: int = 3, top: int = 3) -> RepetitionStats:
    grams = ngrams(tokens, n)
    counts = Counter(grams)
    repeats = [(g, c) for g, c in counts.most_common() if c > 1][:top]
    return RepetitionStats(
        distinct_1=distinct_n(tokens, 1),
        distinct_2=distinct_n(tokens, 2),
        n=n,
        repeated=len(grams) - len(counts),
        total=len(grams),
        most_repeated=tuple(repeats),
    )
