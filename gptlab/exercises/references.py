"""Reference answers of the code exercises, in plain Python on plain lists.

They run only in the app's own process, to compute the expected value of each case; they are
never sent to the sandbox. Tests check them against the library code the lessons teach
(core.attention, core.decoding, core.blocks, core.finetune).
"""

from __future__ import annotations

import math
from typing import Sequence

NEG_INF = float("-inf")


def causal_mask(T: int) -> list[list[float]]:
    """(T, T): 0.0 on and below the diagonal, -inf above it (position i sees positions j <= i)."""
    return [[0.0 if j <= i else NEG_INF for j in range(T)] for i in range(T)]


def top_p_filter(logits: Sequence[float], p: float) -> list[float]:
    """Nucleus filter: keep the most likely tokens while the probability before each is < p; cut the rest to -inf.

    The most likely token is always kept. Ties in the sort keep the earlier index first.
    """
    top = max(logits)
    weights = [math.exp(z - top) for z in logits]  # softmax numerator, shifted for stability
    total = sum(weights)
    order = sorted(range(len(logits)), key=lambda i: -logits[i])  # stable: equal logits keep index order
    keep, mass = set(), 0.0
    for i in order:
        if keep and mass >= p:
            break
        keep.add(i)
        mass += weights[i] / total
    return [float(z) if i in keep else NEG_INF for i, z in enumerate(logits)]


def perplexity(losses: Sequence[float]) -> float:
    """exp of the mean cross-entropy (nats), the losses being per-token (or equal-sized) means."""
    return math.exp(sum(losses) / len(losses))


def group_texts(ids: Sequence[int], block_size: int) -> list[list[int]]:
    """Consecutive blocks of block_size ids; the remainder that does not fill a block is dropped."""
    usable = (len(ids) // block_size) * block_size
    return [list(ids[i : i + block_size]) for i in range(0, usable, block_size)]
