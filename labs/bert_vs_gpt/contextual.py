"""Contextual vectors of two sentences that start alike: does a token's vector depend on what comes after it?

A causal decoder computes position t from tokens <= t only, so on a shared beginning both sentences
give the same vectors (cosine 1). A bidirectional encoder also reads the different endings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gptlab.nn.attention import MAX_ATTENTION_TOKENS, keep_first_and_last


@dataclass(frozen=True)
class Vectors:
    tokens: tuple[str, ...]
    input_ids: tuple[int, ...]
    vectors: np.ndarray  # (T, d) the last layer's output, one row per token


@torch.inference_mode()
def encoder_vectors(model, tokenizer, text: str, max_tokens: int = MAX_ATTENTION_TOKENS) -> Vectors:
    """A BERT encoder's last hidden state for the text ([CLS] ... [SEP], cut like the attention views)."""
    enc = keep_first_and_last(tokenizer(text, return_tensors="pt"), max_tokens)
    hidden = model(**enc).last_hidden_state[0]  # (T, d)
    ids = enc["input_ids"][0].tolist()
    return Vectors(tuple(tokenizer.convert_ids_to_tokens(ids)), tuple(ids), hidden.float().numpy())


def shared_prefix_length(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many ids the two sequences share from the start."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    """cos(u, v) = u·v / (|u| |v|), computed in float64."""
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


@dataclass(frozen=True)
class PrefixComparison:
    tokens: tuple[str, ...]  # the shared beginning, token by token
    cosines: tuple[float, ...]  # per shared token: cosine between its vectors in the two sentences
    identical: bool  # the two inputs are the same token sequence

    @property
    def lowest(self) -> float:
        return min(self.cosines) if self.cosines else float("nan")


def compare_shared_prefix(a: Vectors, b: Vectors) -> PrefixComparison:
    """Cosine, position by position, between the two sentences' vectors over the tokens they share at the start."""
    n = shared_prefix_length(a.input_ids, b.input_ids)
    cosines = tuple(cosine(a.vectors[i], b.vectors[i]) for i in range(n))
    return PrefixComparison(a.tokens[:n], cosines, a.input_ids == b.input_ids)


def decoder_vectors(run) -> Vectors:
    """The last layer's output from a decoder run (gptlab.nn.attention.DecoderRun) already computed."""
    hidden = run.hidden_states[-1][0]  # (T, d)
    return Vectors(run.tokens, tuple(run.input_ids[0].tolist()), hidden.float().numpy())
