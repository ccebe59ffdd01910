"""Decoding: how a next-token distribution becomes the next token.

A language model gives, at each step, one score (logit) per vocabulary entry. Decoding turns those
scores into a choice. This module implements, readably, what the decoding lesson teaches:

- temperature: divide the logits by T before the softmax (T < 1 sharpens, T > 1 flattens;
  T = 0 is taken to mean greedy, always the most likely token);
- top-k: keep the k highest logits, cut the rest;
- top-p (nucleus): keep the smallest set of most likely tokens whose probabilities add up to at
  least p; never fewer than one token.

They are applied in the order transformers applies them in `generate` (temperature, then top-k,
then top-p), and a test checks that the result equals transformers' own logits processors on the
same logits. Every function works on a tensor whose last dimension is the vocabulary, so one call
serves a whole batch of rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

CUT = float("-inf")  # the logit of a token a filter removed: probability exactly 0 after softmax

# Bounds the lab accepts (the UI clamps URL values into them; Strategy rejects anything outside).
MAX_TEMPERATURE = 5.0
MAX_BEAMS = 8


@dataclass(frozen=True)
class Strategy:
    """One decoding setting. The defaults change nothing: plain sampling from the model."""

    temperature: float = 1.0  # 0 = greedy (argmax); otherwise logits / temperature
    top_k: int = 0  # 0 = off; otherwise keep the k most likely tokens
    top_p: float = 1.0  # 1 = off; otherwise keep the smallest set with probability >= top_p
    num_beams: int = 1  # > 1: beam search (deterministic; temperature, top-k, top-p ignored)

    def __post_init__(self) -> None:
        if not (0.0 <= self.temperature <= MAX_TEMPERATURE) or math.isnan(self.temperature):
            raise ValueError(f"temperature must be in [0, {MAX_TEMPERATURE}], got {self.temperature}")
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0 (0 = off), got {self.top_k}")
        if not (0.0 <= self.top_p <= 1.0) or math.isnan(self.top_p):
            raise ValueError(f"top_p must be in [0, 1], got {self.top_p}")
        if not (1 <= self.num_beams <= MAX_BEAMS):
            raise ValueError(f"num_beams must be in [1, {MAX_BEAMS}], got {self.num_beams}")

    @property
    def is_beam(self) -> bool:
        return self.num_beams > 1

    @property
    def is_greedy(self) -> bool:
        return not self.is_beam and self.temperature == 0.0

    @property
    def samples(self) -> bool:
        """True when the choice is random (needs a seed to be reproducible)."""
        return not self.is_beam and not self.is_greedy


GREEDY = Strategy(temperature=0.0)


def topk_chunk(k: int) -> int:
    """fast_topk's chunk length for a top-k: the second top-k runs over k chunks, so the larger k, the
    shorter they pay to be (measured here on Gemma's logits: 128 for a beam's 8 or top-k's 40, 64 for
    the engine's 256, 32 for top-p's window of 512, 8 for its widened window of 4,096)."""
    if k <= 64:
        return 128
    if k <= 256:
        return 64
    return 32 if k <= 1024 else 8


def fast_topk(x: torch.Tensor, k: int, chunk: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, V) -> values and indices of the k largest per row, like torch.topk, for a large V.

    Cut each row into chunks; the k largest values lie in the k chunks with the largest maxima
    (a chunk holding one of them has a maximum at least that large, and k values fill at most k
    chunks). So a top-k over chunk maxima and one over k chunks replace a top-k over V values.
    """
    chunk = chunk or topk_chunk(k)
    rows, vocab = x.shape
    if vocab % chunk or vocab // chunk <= k:
        return torch.topk(x, k, dim=-1)
    n = vocab // chunk
    chunks = x.view(rows, n, chunk)  # (B, n, chunk)
    best = chunks.amax(dim=-1).topk(k, dim=-1).indices  # (B, k) chunks that may hold a winner
    candidates = chunks.gather(1, best[:, :, None].expand(-1, -1, chunk)).reshape(rows, -1)  # (B, k*chunk)
    values, where = candidates.topk(k, dim=-1)  # (B, k)
    indices = best.gather(1, where // chunk) * chunk + where % chunk  # (B, k) back to vocabulary ids
    return values, indices


def first_argmax(x: torch.Tensor, chunk: int = 128) -> int:
    """(V,) -> the index of the largest value (the first one if several are equal), like int(x.argmax()).

    torch's argmax walks the whole vector keeping an index beside the running maximum, ten times
    slower than a plain maximum (0.35 ms against 0.03 ms for Gemma's 262,144 logits here). So take
    each chunk's maximum, the first chunk holding the largest, and the argmax inside that chunk:
    every earlier chunk's maximum is smaller, so the first largest value of the vector is there.
    """
    vocab = x.shape[-1]
    if x.dim() != 1 or vocab % chunk or vocab <= chunk:
        return int(x.argmax())
    best = int(x.view(vocab // chunk, chunk).amax(dim=-1).argmax())  # the first chunk with the maximum
    return best * chunk + int(x[best * chunk : (best + 1) * chunk].argmax())


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """(..., V) -> (..., V). T = 0 keeps only the largest logit (greedy), T = 1 changes nothing."""
    if temperature == 0.0:
        return keep_top_k(logits, 1)
    if temperature == 1.0:
        return logits
    return logits / temperature


def keep_top_k(logits: torch.Tensor, k: int) -> torch.Tensor:
    """(..., V) -> (..., V): cut every logit below the k-th largest. k = 0 or k >= V: nothing cut.

    Ties with the k-th largest are kept (so, rarely, more than k tokens survive), as in transformers.
    """
    vocab = logits.shape[-1]
    if k <= 0 or k >= vocab:
        return logits
    kth_largest = torch.topk(logits, k, dim=-1).values[..., -1:]  # (..., 1)
    return logits.masked_fill(logits < kth_largest, CUT)


NUCLEUS_WINDOW = 512  # tokens sorted first when looking for the nucleus (widened if too few)


def keep_top_p(logits: torch.Tensor, p: float) -> torch.Tensor:
    """(..., V) -> (..., V): nucleus filtering.

    Sort tokens from most to least likely and walk down the list adding probabilities; a token is
    kept while the probability mass *before* it is still below p. So the kept set is the smallest
    one whose mass reaches p, and the most likely token is always kept (even for p = 0).

    Sorting all 262,144 logits of Gemma's vocabulary would cost more than a whole model step on a
    laptop, so only the most likely tokens are sorted (topk returns them in order): if their mass
    already reaches p, every token outside them is cut anyway; otherwise the window widens.
    """
    if p >= 1.0:
        return logits
    vocab = logits.shape[-1]
    log_norm = torch.logsumexp(logits.float(), dim=-1, keepdim=True)  # (..., 1) softmax denominator
    window = min(NUCLEUS_WINDOW, vocab)
    while True:
        top_logits, top_ids = torch.topk(logits, window, dim=-1)  # (..., window), most likely first
        top_probs = (top_logits.float() - log_norm).exp()
        mass_before = top_probs.cumsum(dim=-1) - top_probs  # (..., window) exclusive prefix sums
        window_mass = mass_before[..., -1] + top_probs[..., -1]  # (...)
        if window == vocab or bool((window_mass >= p).all()):
            break
        window = min(window * 8, vocab)
    keep_sorted = mass_before < p
    keep_sorted[..., 0] = True  # keep at least one token
    keep = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, top_ids, keep_sorted)
    return logits.masked_fill(~keep, CUT)


def warp(logits: torch.Tensor, strategy: Strategy) -> torch.Tensor:
    """(..., V) -> (..., V) the logits the strategy samples from: temperature, then top-k, then top-p."""
    if strategy.is_beam:
        return logits
    out = apply_temperature(logits, strategy.temperature)
    out = keep_top_k(out, strategy.top_k)
    return keep_top_p(out, strategy.top_p)


def probabilities(logits: torch.Tensor, strategy: Strategy | None = None) -> torch.Tensor:
    """(..., V) -> (..., V) softmax of the (warped) logits, in float32; cut tokens get exactly 0."""
    if strategy is not None:
        logits = warp(logits, strategy)
    return logits.float().softmax(dim=-1)


def entropy_bits(probs: torch.Tensor) -> torch.Tensor:
    """(..., V) -> (...) Shannon entropy in bits; 0 for a certain choice, log2(n) for n equal options."""
    p = probs.float()
    terms = torch.where(p > 0, -p * torch.log2(p.clamp_min(1e-45)), torch.zeros_like(p))
    return terms.sum(dim=-1)


def sample(probs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """(B, V) -> (B,) one draw per row, by inverse transform sampling.

    Lay the probabilities end to end on [0, 1) (their running sum), throw a uniform number u and
    take the token whose stretch contains u: token i comes out with probability probs[i], and a cut
    token (probability 0) has no stretch at all. One pass over the vocabulary, no sorting.
    """
    cdf = probs.float().cumsum(dim=-1)  # (B, V)
    u = torch.rand(probs.shape[0], 1, generator=generator) * cdf[:, -1:]  # (B, 1) in [0, total)
    return torch.searchsorted(cdf, u, right=True).squeeze(-1).clamp_max(probs.shape[-1] - 1)


def choose(logits: torch.Tensor, strategy: Strategy, generator: torch.Generator | None = None) -> torch.Tensor:
    """(B, V) -> (B,) the next token of each row: argmax for greedy, a draw for sampling strategies."""
    if strategy.is_beam:
        raise ValueError("beam search chooses among beams, not row by row: use gptlab.nn.generation")
    if strategy.is_greedy:
        return logits.argmax(dim=-1)
    return sample(probabilities(logits, strategy), generator)


def choose_token(logits: torch.Tensor, strategy: Strategy, generator: torch.Generator | None = None) -> tuple[int, float]:
    """(V,) logits -> (token, its probability under the strategy): the same draw as
    `sample(probabilities(logits, strategy))`, computed on the tokens the filters keep.

    Top-k and top-p keep a few hundred of 262,144 tokens; every other token has probability 0 and no
    stretch on [0, 1). So the kept tokens, in vocabulary order, get the same softmax and the same
    running sum as in the full vector, and the same uniform number picks the same token, without
    two passes over the whole vocabulary per step. Plain sampling (nothing cut) uses the full vector.
    """
    if strategy.is_beam:
        raise ValueError("beam search chooses among beams, not row by row: use gptlab.nn.generation")
    if strategy.is_greedy:
        return first_argmax(logits), 1.0
    logits = logits.float()
    scaled = apply_temperature(logits, strategy.temperature)  # (V,)
    vocab = scaled.shape[-1]
    kept: torch.Tensor | None = None  # vocabulary ids that survive, ascending
    if 0 < strategy.top_k < vocab:
        top, ids = fast_topk(scaled[None], strategy.top_k)  # (1, k) each, largest first
        kth = top[0, -1]
        if int((scaled >= kth).sum()) == strategy.top_k:  # no tie beyond the k-th: the top k are the kept set
            kept = ids[0].sort().values  # (k,)
        else:
            kept = (scaled >= kth).nonzero()[:, 0]  # (n,) ties with the k-th kept, as keep_top_k does
    if strategy.top_p < 1.0:
        pool = scaled if kept is None else scaled[kept]  # (n,) what top-p is handed
        nucleus = _nucleus(pool, strategy.top_p)  # positions in pool
        kept = nucleus if kept is None else kept[nucleus]
        kept = kept.sort().values
    if kept is None:
        probs = scaled.softmax(dim=-1)  # (V,)
        token = int(sample(probs[None], generator)[0])
        return token, float(probs[token])
    probs = scaled[kept].softmax(dim=-1)  # (n,) in vocabulary order
    cdf = probs.cumsum(dim=-1)
    u = torch.rand(1, generator=generator) * cdf[-1:]  # one number, as sample() draws it
    where = int(torch.searchsorted(cdf, u, right=True).clamp_max(len(kept) - 1))
    return int(kept[where]), float(probs[where])


def _nucleus(logits: torch.Tensor, p: float) -> torch.Tensor:
    """(n,) logits -> positions of the smallest set, most likely first, whose probability reaches p."""
    log_norm = torch.logsumexp(logits, dim=-1)
    n = logits.shape[-1]
    window = min(NUCLEUS_WINDOW, n)
    while True:
        top_logits, top_ids = fast_topk(logits[None], window)
        top_probs = (top_logits[0] - log_norm).exp()  # (window,) most likely first
        mass_before = top_probs.cumsum(dim=-1) - top_probs  # exclusive prefix sums
        if window == n or float(mass_before[-1] + top_probs[-1]) >= p:
            break
        window = min(window * 8, n)
    keep = mass_before < p
    keep[0] = True  # at least one token
    return top_ids[0][keep]


def draw_many(probs: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """(V,) -> (V,) how many times each token came out in n independent draws (with replacement)."""
    generator = torch.Generator().manual_seed(seed)
    cdf = probs.float().cumsum(dim=-1)  # (V,) the same inverse transform as sample(), n numbers at once
    u = torch.rand(n, generator=generator) * cdf[-1]  # (n,)
    draws = torch.searchsorted(cdf, u, right=True).clamp_max(probs.shape[-1] - 1)  # (n,)
    return torch.bincount(draws, minlength=probs.shape[-1])


@dataclass(frozen=True)
class Candidate:
    """One row of the next-token chart."""

    token_id: int
    model_prob: float  # softmax of the raw logits (T = 1, nothing cut)
    strategy_prob: float  # probability after temperature, top-k and top-p (0 if cut)
    cumulative: float  # after temperature and top-k, the mass of this token and every more likely one
    kept: bool


@dataclass(frozen=True)
class NextTokenView:
    """What the distribution widget shows for one prompt and one strategy."""

    candidates: tuple[Candidate, ...]  # the most likely tokens under the model, best first
    kept_count: int  # how many vocabulary entries the strategy keeps (of the whole vocabulary)
    vocab_size: int
    model_entropy_bits: float
    strategy_entropy_bits: float
    shown_model_mass: float  # total model probability of the candidates shown


def next_token_view(logits: torch.Tensor, strategy: Strategy, shown: int = 20) -> NextTokenView:
    """(V,) logits of the next position -> the candidates, what the strategy keeps, the entropies."""
    logits = logits.float()
    model = probabilities(logits)  # (V,)
    warped = probabilities(logits, strategy) if not strategy.is_beam else model
    top = torch.topk(model, min(shown, model.shape[-1]))
    # Top-p cuts the distribution it is handed, i.e. after temperature and top-k: the running sum of
    # that distribution is where it stops (temperature and top-k keep the order of the candidates).
    before_top_p = model if strategy.is_beam else probabilities(
        keep_top_k(apply_temperature(logits, strategy.temperature), strategy.top_k))
    cumulative = before_top_p[top.indices].cumsum(-1)
    candidates = tuple(
        Candidate(
            token_id=int(i),
            model_prob=float(p),
            strategy_prob=float(warped[i]),
            cumulative=float(c),
            kept=bool(warped[i] > 0),
        )
        for i, p, c in zip(top.indices, top.values, cumulative)
    )
    return NextTokenView(
        candidates=candidates,
        kept_count=int((warped > 0).sum()),
        vocab_size=int(model.shape[-1]),
        model_entropy_bits=float(entropy_bits(model)),
        strategy_entropy_bits=float(entropy_bits(warped)),
        shown_model_mass=float(top.values.sum()),
    )
