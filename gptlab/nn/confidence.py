"""The model's own confidence: how likely it finds a given continuation, and the text it writes itself.

P(w_1..w_k | context) = prod_i P(w_i | context, w_<i). With teacher forcing one forward pass over
context + continuation gives every factor at once: the position before each continuation token
predicts it. These probabilities say how usual a text is for the model, not whether it is true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from gptlab.nn import decoding as D
from gptlab.nn import generation as G

TOP_NEXT = 5  # candidates kept of the distribution right after the context


@dataclass(frozen=True)
class ContinuationScore:
    """How likely the model finds one continuation after one context."""

    token_ids: tuple[int, ...]  # the continuation's tokens
    token_logprobs: tuple[float, ...]  # natural log of each token's probability given everything before it
    top_next: tuple[tuple[int, float], ...]  # (token id, probability): the model's own favourites after the context
    first_rank: int = 1  # where the continuation's first token ranks right after the context (1 = the favourite)

    @property
    def logprob(self) -> float:
        return sum(self.token_logprobs)

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)


def _exact_target_logits(model, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """(N, d) hidden states, (N,) token ids -> (N,) their logits computed in float32 (softcapped like the model)."""
    weight = model.lm_head.weight[targets].float()  # (N, d)
    logits = (hidden.float() * weight).sum(-1)  # (N,)
    cap = getattr(model.config, "final_logit_softcapping", None)
    return torch.tanh(logits / cap) * cap if cap else logits


@torch.inference_mode()
def score_continuations(model, contexts: Sequence[Sequence[int]], continuations: Sequence[Sequence[int]],
                        top_next: int = TOP_NEXT, pad_token_id: int = 0) -> tuple[ContinuationScore, ...]:
    """log P(continuation | context) for each pair, with teacher forcing, all pairs in one batched forward pass.

    Rows are right-padded: under causal attention no real position ever sees the padding after it.
    """
    if len(contexts) != len(continuations):
        raise ValueError("one continuation per context")
    if any(not c for c in contexts) or any(not c for c in continuations):
        raise ValueError("every context and continuation needs at least one token")
    # The last continuation token is only predicted, never read.
    rows = [list(map(int, c)) + list(map(int, k))[:-1] for c, k in zip(contexts, continuations)]
    width = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), width), pad_token_id, dtype=torch.long)  # (B, T)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.long)  # (B, T)
    for b, r in enumerate(rows):
        input_ids[b, : len(r)] = torch.tensor(r)
        attention_mask[b, : len(r)] = 1
    hidden = model.base_model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).last_hidden_state  # (B, T, d)

    # Only the positions that predict a continuation token need the (large) vocabulary projection.
    batch_index, positions, targets = [], [], []
    for b, (c, k) in enumerate(zip(contexts, continuations)):
        for i, token in enumerate(k):
            batch_index.append(b)
            positions.append(len(c) - 1 + i)
            targets.append(int(token))
    picked = hidden[torch.tensor(batch_index), torch.tensor(positions)]  # (N, d)
    target_ids = torch.tensor(targets)  # (N,)
    logits = G.model_logits(model, picked)  # (N, V) float32 for the likely tokens, bfloat16 tail otherwise
    # A continuation token may lie in the bfloat16 tail: recompute its own logit in float32 too.
    logits.scatter_(-1, target_ids[:, None], _exact_target_logits(model, picked, target_ids)[:, None])
    logprobs = torch.log_softmax(logits, dim=-1)  # (N, V)
    target_logprobs = logprobs.gather(-1, target_ids[:, None])[:, 0].tolist()  # (N,)

    scores, n = [], 0
    for c, k in zip(contexts, continuations):
        first = logprobs[n].exp()  # (V,) the distribution right after the context
        p, ids = first.topk(top_next)
        scores.append(ContinuationScore(
            token_ids=tuple(int(t) for t in k),
            token_logprobs=tuple(target_logprobs[n : n + len(k)]),
            top_next=tuple((int(i), float(q)) for i, q in zip(ids, p)),
            first_rank=int((logprobs[n] > logprobs[n, int(k[0])]).sum()) + 1,
        ))
        n += len(k)
    return tuple(scores)


def greedy_continuation(model, prompt_ids: Sequence[int], max_new_tokens: int) -> tuple[G.Chosen, ...]:
    """What the model writes when it always takes its most likely token, each with the probability it had."""
    state = G.run(model, prompt_ids, [D.GREEDY], max_new_tokens=max_new_tokens, seed=0,
                  stop_token_ids=G.stop_token_ids(model))
    return state.rows[0].tokens


@dataclass(frozen=True)
class ConfidenceSummary:
    mean: float  # average probability of the tokens written
    minimum: float  # the least likely token written
    first: float  # the first token: where the answer starts


def summarize(probs: Sequence[float]) -> ConfidenceSummary:
    if not probs:
        raise ValueError("no tokens to summarize")
    return ConfidenceSummary(mean=sum(probs) / len(probs), minimum=min(probs), first=probs[0])
