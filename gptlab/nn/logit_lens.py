"""The logit lens (nostalgebraist, 2020): read the residual stream at every layer with the model's own output layer.

    lens_l = softmax(final_norm(x_l) E^T)        x_l: the residual stream after l blocks; E: the tied unembedding

At the last layer this is the model's real next-token distribution; earlier, it shows what the
final readout would make of an intermediate state, a state it was never trained to read (Belrose
et al., 2023, train a small "tuned lens" per layer for that reason).

(layers x positions) rows of 262,144 logits are too many to keep: each block of rows is multiplied
by the unembedding in bfloat16 (the weights are bfloat16 already; only the rows are rounded), and
only what the lab shows is kept: the top k, the normalizer, and the rank of one chosen token. The
64 largest rounded logits are then recomputed exactly in float32 and a certificate checks, row by
row, that no other token can beat the k-th of them (the rounding error has a bound); a row that
fails it is recomputed exactly over the whole vocabulary. So every top k is exact, every probability
printed is exact but for the far tail of the normalizer, which carries the rows' bfloat16 rounding
(tests bound it), and a rank is exact wherever it is small (a token far down is ranked on rounded logits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from gptlab.nn.decoding import fast_topk

ROWS_PER_PRODUCT = 320  # rows multiplied by the unembedding at once: each product reads all of it (335 MB); the
# journey lab's heatmap window (19 layers x 16 positions, 304 rows) is one product, kept whole (160 MB) to rank
# the answer down its last column
ROWS_PER_PASS = 8  # rows reduced at once in float32: an (8, 262,144) buffer, 8 MB, stays in the cache between the passes
# (exp, top k, sum) over it (measured: 25-30 % faster than 32 rows, 34 MB)
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

    def rows(self, index) -> "Lens":
        """The Lens of some rows (an index array or a slice), in that order."""
        return Lens(self.top_ids[index], self.top_logits[index], self.logsumexp[index], self.target_logit[index],
                    self.target_rank[index])


def final_norm(model, x: torch.Tensor) -> torch.Tensor:
    """(..., d) residual stream -> (..., d): the model's final norm, the one before its output layer
    (Gemma's RMSNorm, GPT-2's LayerNorm ln_f)."""
    from gptlab.nn.architecture import family_of

    return family_of(model).final_norm(model, x)


@torch.no_grad()
def logit_lens(normed: torch.Tensor, unembedding: torch.Tensor, targets: torch.Tensor | None = None,
               k: int = 5, *, target_of: torch.Tensor | None = None) -> Lens:
    """(N, d) normed states, (V, d) unembedding, (N,) one token id per row -> the Lens of every row.

    targets None: each row's own most likely token; target_of (N,) row indices: row i's target is row
    target_of[i]'s own most likely token (the model's answer, when that row is the output layer's at
    the same position), found in the same pass over the vocabulary. `unembedding` may be bfloat16 (the
    lab's) or float32 (a test's reference): the product runs in its dtype.

    Every row's top k is exact: its k-th exact logit is checked against a bound on every other token's
    (certified), and a row that fails the check (none seen on Gemma, but nothing guarantees it) is
    recomputed exactly in float32 over the whole vocabulary.
    """
    normed = normed.float().contiguous()  # (N, d)
    N, V = normed.shape[0], unembedding.shape[0]
    m = min(max(REFINED, k), V)
    rows_in = normed.to(unembedding.dtype)  # (N, d): the rows as the product sees them
    keep = target_of is not None and N <= ROWS_PER_PRODUCT  # the whole product stays for the second look
    if targets is not None:
        targets = torch.as_tensor(targets, dtype=torch.long)
    candidates, low, log_total, above, kept = _scan(rows_in, unembedding, m, targets, keep)
    exact, logsumexp = _refine(normed, rows_in, unembedding, candidates, log_total)
    if target_of is not None:  # the answer rows' own top 1, then every row's rank of its answer
        target_of = torch.as_tensor(target_of, dtype=torch.long)
        sources = target_of.unique()  # (S,) the rows whose top 1 is an answer
        answers = candidates[sources, exact[sources].argmax(-1)]  # (S,)
        unsure = ~_certified(normed[sources], rows_in[sources], unembedding, exact[sources], low[sources], 1)
        if unsure.any():
            answers[unsure] = _exact_logits(normed[sources[unsure]], unembedding).argmax(-1)
        top1 = torch.zeros(N, dtype=torch.long)
        top1[sources] = answers
        targets = top1[target_of]  # (N,)
        # A target among a row's candidates is ranked on their exact logits below; only the other rows
        # count, over the whole vocabulary, the tokens whose rounded logits beat it (each a pass over V)
        far = (~(candidates == targets[:, None]).any(-1)).nonzero()[:, 0]  # (n,)
        above = torch.zeros(N)
        if len(far) and kept is not None:
            above[far] = _count_above(kept[far], _rounded_target(rows_in[far], unembedding, targets[far]), targets[far])
        elif len(far):  # too many rows to keep their product: a second pass for the counts
            above[far] = _scan(rows_in[far], unembedding, m, targets[far], False)[3]
    order = exact.argsort(dim=-1, descending=True)[:, :k]  # (N, k)
    top_ids, top_logits = candidates.gather(1, order), exact.gather(1, order)
    if targets is None:
        target_logit, rank = top_logits[:, 0], torch.ones(N, dtype=torch.long)
    else:
        target_logit = (normed * unembedding[targets].float()).sum(-1)  # (N,) exact
        is_target = candidates == targets[:, None]  # (N, m)
        among = is_target.any(-1)  # a candidate: its rank among the exact logits is exact, and its logit is theirs
        # (the same number, summed in the same order: a row's own top 1 stays rank 1 on a near-tie)
        target_logit = torch.where(among, exact.gather(1, is_target.float().argmax(-1, keepdim=True))[:, 0], target_logit)
        others = candidates != targets[:, None]  # the target never outranks itself (rounding in the last bit)
        rank = torch.where(among, ((exact > target_logit[:, None]) & others).sum(-1), above.long()) + 1
    doubtful = (~_certified(normed, rows_in, unembedding, exact, low, min(k, m))).nonzero()[:, 0]
    if len(doubtful):  # recompute those rows exactly over the whole vocabulary
        top_ids, top_logits, logsumexp, target_logit, rank = (
            x.clone() for x in (top_ids, top_logits, logsumexp, target_logit, rank))
        logits = _exact_logits(normed[doubtful], unembedding)  # (n, V) float32
        values, ids = logits.topk(k, dim=-1)
        top_ids[doubtful], top_logits[doubtful] = ids, values
        logsumexp[doubtful] = torch.logsumexp(logits, dim=-1)
        if targets is None:
            target_logit[doubtful], rank[doubtful] = values[:, 0], 1
        else:
            t = logits.gather(1, targets[doubtful][:, None])  # (n, 1)
            target_logit[doubtful] = t[:, 0]
            rank[doubtful] = (logits > t).sum(-1) + 1
    return Lens(top_ids.numpy(), top_logits.numpy(), logsumexp.numpy(), target_logit.numpy(), rank.numpy())


def _rounded_target(rows_in: torch.Tensor, unembedding: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """(N,) each row's target logit rounded as the product rounds it."""
    return (rows_in.float() * unembedding[targets].float()).sum(-1).to(unembedding.dtype).float()


# The largest row norm of the unembedding, which the certificate needs: computed once per unembedding.
_NORM_MAX: list = []  # [(key, norm)]


def _norm_max(unembedding: torch.Tensor) -> float:
    V = unembedding.shape[0]
    stride = max(1, V // 64)
    key = (unembedding.data_ptr(), tuple(unembedding.shape), unembedding.stride(), unembedding.dtype,
           unembedding._version, float(unembedding[::stride].float().sum()))  # a sample of its values, too
    if not _NORM_MAX or _NORM_MAX[0][0] != key:
        norm = float(max(unembedding[s : s + 16384].float().norm(dim=-1).max() for s in range(0, V, 16384)))
        _NORM_MAX[:] = [(key, norm)]
    return _NORM_MAX[0][1]


def _certified(normed, rows_in, unembedding, exact, low, k: int) -> torch.Tensor:
    """(N,) bool: the k largest exact logits among the candidates are the k largest of the whole vocabulary.

    A token left out has a rounded logit r <= low (the candidates' smallest). Its exact logit differs from r
    by at most: the rows' rounding to the product's dtype, ||x - x_rounded|| ||e||; the float32 sum over d
    terms, at most d 2^-24 ||x_rounded|| ||e|| (taken as 1e-4); and the product's own rounding of its result,
    |r| 2^-8 in bfloat16 (taken as 2^-7), 2^-24 in float32 (taken as 2^-22)."""
    rounding = 2.0 ** -7 if unembedding.dtype == torch.bfloat16 else 2.0 ** -22
    low = low.double()
    rows_err = (normed.double() - rows_in.double()).norm(dim=-1) + 1e-4 * rows_in.double().norm(dim=-1)
    bound = low + low.abs() * rounding + rows_err * _norm_max(unembedding)
    kth = exact.double().topk(k, dim=-1).values[:, -1]
    return kth > bound


def _exact_logits(normed: torch.Tensor, unembedding: torch.Tensor, chunk: int = 16384) -> torch.Tensor:
    """(n, d) -> (n, V) float32 logits over the whole vocabulary, the unembedding widened a chunk at a time."""
    out = torch.empty(normed.shape[0], unembedding.shape[0])
    for s in range(0, unembedding.shape[0], chunk):
        torch.mm(normed, unembedding[s : s + chunk].float().t(), out=out[:, s : s + chunk])
    return out


def _scan(rows_in: torch.Tensor, unembedding: torch.Tensor, m: int, targets: torch.Tensor | None, keep: bool):
    """One pass over the vocabulary for (N, d) rows: the m largest rounded logits' ids (N, m) and the smallest
    of them (N,), the log of the softmax's denominator (N,), how many other tokens' rounded logits exceed each
    row's target's (N,), and (keep) the whole rounded product."""
    N, V = rows_in.shape[0], unembedding.shape[0]
    candidates = torch.empty(N, m, dtype=torch.long)
    low, log_total, above = torch.empty(N), torch.empty(N), torch.zeros(N)
    threshold = None if targets is None else _rounded_target(rows_in, unembedding, targets)  # (N,)
    product = torch.empty(min(ROWS_PER_PRODUCT, N), V, dtype=unembedding.dtype)  # reused: no fresh pages per block
    work = torch.empty(min(ROWS_PER_PASS, N), V)  # (r, V) float32
    for start in range(0, N, ROWS_PER_PRODUCT):
        stop = min(start + ROWS_PER_PRODUCT, N)
        block = torch.mm(rows_in[start:stop], unembedding.t(), out=product[: stop - start])  # (R, V)
        if threshold is not None:
            above[start:stop] = _count_above(block, threshold[start:stop], targets[start:stop], work)
        for first in range(start, stop, ROWS_PER_PASS):
            last = min(first + ROWS_PER_PASS, stop)
            logits = work[: last - first].copy_(block[first - start : last - start])  # (r, V) float32
            peak, candidates[first:last] = fast_topk(logits, m)  # (r, m) each, largest first
            low[first:last] = peak[:, -1]
            peak = peak[:, :1].clone()  # (r, 1): exp() of the shifted logits stays at or below 1
            # exp() below -80 would give subnormal floats, which the CPU computes many times slower (measured:
            # most of the scan's time on a real prompt, whose early layers leave most logits far below the
            # peak); they add under 262,144 * e^-80 ~ 5e-30 to a sum of at least 1, nothing in float32
            log_total[first:last] = logits.sub_(peak).clamp_min_(-80.0).exp_().sum(-1).log_() + peak[:, 0]
    return candidates, low, log_total, above, (block if keep else None)


def _count_above(block: torch.Tensor, threshold: torch.Tensor, targets: torch.Tensor,
                 work: torch.Tensor | None = None) -> torch.Tensor:
    """(R, V) rounded logits -> (R,) how many tokens other than each row's target exceed its threshold."""
    out = torch.empty(block.shape[0])
    step = ROWS_PER_PASS
    work = torch.empty(min(step, block.shape[0]), block.shape[1]) if work is None else work
    for s in range(0, block.shape[0], step):
        rows = block[s : s + step]
        beats = torch.gt(rows, threshold[s : s + step, None].to(rows.dtype))  # (r, V) bool
        beats.scatter_(1, targets[s : s + step, None], False)  # the target never beats itself
        out[s : s + step] = work[: rows.shape[0]].copy_(beats).sum(-1)  # summing floats is faster than bools
    return out


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

