"""The logit lens (nostalgebraist, 2020): read the residual stream at every layer with the model's own output layer.

    lens_l = softmax(final_norm(x_l) E^T)        x_l: the residual stream after l blocks; E: the tied unembedding

At the last layer this is the model's real next-token distribution; earlier, it shows what the
final readout would make of an intermediate state, a state it was never trained to read (Belrose
et al., 2023, train a small "tuned lens" per layer for that reason).

(layers x positions) rows of 262,144 logits are too many to keep: each block of rows is multiplied
by the unembedding in bfloat16 (the weights are bfloat16 already; only the rows are rounded), and
only what the lab shows is kept: the top k, the normalizer, and the rank of one chosen token. The
top k logits are then recomputed exactly in float32, so every probability printed is exact and only
the far tail of the normalizer carries the rows' bfloat16 rounding (tests bound it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from gptlab.nn.decoding import fast_topk

ROWS_PER_PRODUCT = 128  # rows multiplied by the unembedding at once: each product reads all of it (335 MB)
ROWS_PER_PASS = 32  # rows reduced at once in float32: a (32, 262,144) buffer, 34 MB
REFINED = 64  # candidates per row whose logits are recomputed exactly (the top k come from them)


@dataclass(frozen=True)
class Lens:
    """Per row (a layer at a position): the k most likely next tokens, and where one chosen token stands."""

    top_ids: np.ndarray  # (N, k) int64, most likely first
    top_logits: np.ndarray  # (N, k) float32, exact
    logsumexp: np.ndarray  # (N,) float32: log of the softmax's denominator
    target_logit: np.ndarray  # (N,) float32, exact: the chosen token's logit
    target_rank: np.ndarray  # (N,) int64, 1 = the most likely token

    @property
    def top_probs(self) -> np.ndarray:
        """(N, k) softmax probabilities of the top k."""
        return np.exp(self.top_logits - self.logsumexp[:, None])

    @property
    def target_prob(self) -> np.ndarray:
        return np.exp(self.target_logit - self.logsumexp)


def final_norm(model, x: torch.Tensor) -> torch.Tensor:
    """(..., d) residual stream -> (..., d): the model's final norm, the one before its output layer
    (Gemma's RMSNorm, GPT-2's LayerNorm ln_f)."""
    from gptlab.nn.architecture import family_of

    return family_of(model).final_norm(model, x)


@torch.no_grad()
def logit_lens(normed: torch.Tensor, unembedding: torch.Tensor, targets: torch.Tensor | None = None,
               k: int = 5) -> Lens:
    """(N, d) normed states, (V, d) unembedding, (N,) one token id per row -> the Lens of every row.

    targets None: each row's own most likely token. `unembedding` may be bfloat16 (the lab's) or float32
    (a test's reference): the product runs in its dtype.
    """
    normed = normed.float()  # (N, d)
    N, V = normed.shape[0], unembedding.shape[0]
    m = min(max(REFINED, k), V)
    rows_in = normed.to(unembedding.dtype)  # (N, d): the rows as the product sees them
    threshold = None
    if targets is not None:
        targets = torch.as_tensor(targets, dtype=torch.long)
        target_rows = unembedding[targets].float()  # (N, d)
        threshold = (rows_in.float() * target_rows).sum(-1).to(unembedding.dtype).float()  # (N,) rounded as the product
    candidates, log_total, above = _scan(rows_in, unembedding, m, threshold, targets)
    exact, logsumexp = _refine(normed, rows_in, unembedding, candidates, log_total)
    order = exact.argsort(dim=-1, descending=True)[:, :k]  # (N, k)
    top_ids, top_logits = candidates.gather(1, order), exact.gather(1, order)
    if targets is None:
        target_logit, rank = top_logits[:, 0], torch.ones(N, dtype=torch.long)
    else:
        target_logit = (normed * target_rows).sum(-1)  # (N,) exact
        among = (candidates == targets[:, None]).any(-1)  # a candidate: its rank among the exact logits is exact
        others = candidates != targets[:, None]  # the target never outranks itself (rounding in the last bit)
        rank = torch.where(among, ((exact > target_logit[:, None]) & others).sum(-1), above.long()) + 1
    return Lens(top_ids.numpy(), top_logits.numpy(), logsumexp.numpy(), target_logit.numpy(), rank.numpy())


def _scan(rows_in: torch.Tensor, unembedding: torch.Tensor, m: int, threshold: torch.Tensor | None,
          targets: torch.Tensor | None = None):
    """One pass over the vocabulary for (N, d) rows: the m largest rounded logits' ids (N, m), the log of the
    softmax's denominator (N,), and how many other tokens' logits exceed each row's threshold (N,)."""
    N, V = rows_in.shape[0], unembedding.shape[0]
    candidates = torch.empty(N, m, dtype=torch.long)
    log_total, above = torch.empty(N), torch.zeros(N)
    product = torch.empty(min(ROWS_PER_PRODUCT, N), V, dtype=unembedding.dtype)  # reused: no fresh pages per block
    work = torch.empty(min(ROWS_PER_PASS, N), V)  # (r, V) float32
    flags = torch.empty(min(ROWS_PER_PASS, N), V, dtype=torch.bool)
    for start in range(0, N, ROWS_PER_PRODUCT):
        stop = min(start + ROWS_PER_PRODUCT, N)
        block = torch.mm(rows_in[start:stop], unembedding.t(), out=product[: stop - start])  # (R, V)
        for first in range(start, stop, ROWS_PER_PASS):
            last = min(first + ROWS_PER_PASS, stop)
            logits = work[: last - first].copy_(block[first - start : last - start])  # (r, V) float32
            beats = None if threshold is None else torch.gt(logits, threshold[first:last, None], out=flags[: last - first])
            if beats is not None:  # the target never beats itself (its product may round above its threshold)
                beats.scatter_(1, targets[first:last, None], False)
            peak, candidates[first:last] = fast_topk(logits, m)  # (r, m) each, largest first
            peak = peak[:, :1].clone()  # (r, 1): exp() of the shifted logits stays at or below 1
            log_total[first:last] = logits.sub_(peak).exp_().sum(-1).log_() + peak[:, 0]
            if beats is not None:
                above[first:last] = logits.copy_(beats).sum(-1)  # summing floats is far faster than summing bools
    return candidates, log_total, above


def _refine(normed, rows_in, unembedding, candidates, log_total, rows: int = ROWS_PER_PRODUCT):
    """The candidates' exact float32 logits (N, m), and the log-normalizer with their rounded terms
    replaced by exact ones (N,)."""
    exact = torch.empty(candidates.shape)
    rounded = torch.empty(candidates.shape)
    for start in range(0, normed.shape[0], rows):  # (rows, m, d) at a time: a few MB
        block = slice(start, start + rows)
        weights = unembedding[candidates[block]].float()  # (r, m, d)
        exact[block] = torch.einsum("nd,nmd->nm", normed[block], weights)
        rounded[block] = torch.einsum("nd,nmd->nm", rows_in[block].float(), weights).to(unembedding.dtype).float()
    shift = exact.amax(-1, keepdim=True)  # (N, 1): every exp() below stays at or below 1
    rest = (log_total[:, None] - shift).exp()[:, 0] - (rounded - shift).exp().sum(-1)  # (N,) the other tokens
    return exact, (rest.clamp_min(0) + (exact - shift).exp().sum(-1)).log() + shift[:, 0]


def concat(parts: list[Lens]) -> Lens:
    """Several blocks of rows as one Lens, in the order given."""
    return Lens(*(np.concatenate([getattr(p, name) for p in parts]) for name in
                  ("top_ids", "top_logits", "logsumexp", "target_logit", "target_rank")))
