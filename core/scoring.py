"""How likely a model finds a given continuation: log P(answer | prompt), token by token.

    log P(a_1..a_m | prompt) = sum_i log P(a_i | prompt, a_<i)

One forward pass over prompt + answer gives every term at once (teacher forcing): the logits at
the position just before each answer token score that token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from core.generation import model_logits


@dataclass(frozen=True)
class ContinuationScore:
    token_ids: tuple[int, ...]  # the answer's tokens
    token_logprobs: tuple[float, ...]  # natural log of each token's probability, in order
    first_rank: int  # 1 = the answer's first token was the model's most likely next token
    top_first_id: int  # the model's most likely next token after the prompt

    @property
    def logprob(self) -> float:
        return float(sum(self.token_logprobs))

    @property
    def probability(self) -> float:
        return math.exp(self.logprob)


@torch.inference_mode()
def score_continuation(model, prompt_ids: Sequence[int], answer_ids: Sequence[int]) -> ContinuationScore:
    """Log-probability of `answer_ids` right after `prompt_ids`, from one forward pass."""
    if not prompt_ids or not answer_ids:
        raise ValueError("prompt and answer need at least one token each")
    ids = torch.tensor([list(prompt_ids) + list(answer_ids)], dtype=torch.long)  # (1, P + A)
    hidden = model.base_model(input_ids=ids, use_cache=False).last_hidden_state[0]  # (P + A, d)
    start = len(prompt_ids) - 1  # the position whose logits predict the first answer token
    logits = model_logits(model, hidden[start : start + len(answer_ids)])  # (A, V) float32
    logprobs = torch.log_softmax(logits, dim=-1)  # (A, V)
    answer = torch.tensor(list(answer_ids), dtype=torch.long)  # (A,)
    picked = logprobs.gather(1, answer[:, None])[:, 0]  # (A,)
    first = logprobs[0]  # (V,)
    rank = int((first > first[answer[0]]).sum()) + 1
    return ContinuationScore(
        token_ids=tuple(int(i) for i in answer_ids),
        token_logprobs=tuple(float(x) for x in picked),
        first_rank=rank,
        top_first_id=int(first.argmax()),
    )
