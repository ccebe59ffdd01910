"""Scaled dot-product attention and the causal mask, step by step, from a real model's weights.

    scores  = Q K^T * scale          (GPT-2: head_dim ** -0.5; Gemma 3: query_pre_attn_scalar ** -0.5)
    masked  = scores + M             M[i, j] = -inf where j > i (the future), else 0
    weights = softmax(masked, dim=-1)

Each stage is recomputed from the model's own modules and the hidden states it returns. The lab adds
no hooks of its own and changes no weight or setting: the only hooks are the ones transformers
itself installs (once, thread-safely) to record hidden states and attentions when a forward pass
asks for them, each call collecting into its own context. So the one instance shared by every user
of the server stays as it was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

MAX_ATTENTION_TOKENS = 64  # attention views are T x T per head: beyond this they stop being readable


def causal_mask(T: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(T, T) additive mask: 0 on and below the diagonal, -inf above it (position t sees <= t)."""
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)  # (T, T) True above diagonal
    return torch.zeros(T, T, dtype=dtype).masked_fill(future, float("-inf"))


def sliding_window_mask(T: int, window: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(T, T) causal mask that also hides keys `window` or more positions back (Gemma's local layers)."""
    i = torch.arange(T)[:, None]  # (T, 1) query positions
    j = torch.arange(T)[None, :]  # (1, T) key positions
    hidden = (j > i) | (i - j >= window)  # (T, T)
    return torch.zeros(T, T, dtype=dtype).masked_fill(hidden, float("-inf"))


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(..., d) -> (..., d): [x1, x2] -> [-x2, x1], the 90-degree turn inside each rotary pair."""
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotary position embedding: rotate each pair of features by an angle that grows with position.

    x: (B, H, T, d); cos, sin: (B, T, d).
    """
    return x * cos[:, None] + rotate_half(x) * sin[:, None]  # (B, H, T, d)


@dataclass(frozen=True)
class AttentionSteps:
    """One layer and head of a decoder on one text, each stage as a plain (T, T) array."""

    tokens: tuple[str, ...]
    layer: int
    head: int
    scale: float
    scores: np.ndarray  # (T, T) Q K^T * scale
    mask: np.ndarray  # (T, T) 0 or -inf
    masked_scores: np.ndarray  # (T, T) scores + mask
    weights: np.ndarray  # (T, T) softmax of masked_scores; rows sum to 1
    unmasked_weights: np.ndarray  # (T, T) softmax of scores alone: what the future would leak
    model_weights: np.ndarray  # (T, T) the model's own output_attentions for this layer and head
    sliding_window: int | None  # Gemma 3 local layers only see this many positions back


@dataclass(frozen=True)
class DecoderRun:
    """What one forward pass gives the lab: tokens, every layer's input, every layer's attention."""

    tokens: tuple[str, ...]
    input_ids: torch.Tensor  # (1, T)
    hidden_states: tuple[torch.Tensor, ...]  # L+1 x (1, T, d): hidden_states[l] is layer l's input
    attentions: tuple[torch.Tensor, ...]  # L x (1, H, T, T)


@torch.no_grad()
def run_decoder(model, tokenizer, text: str, max_tokens: int = MAX_ATTENTION_TOKENS) -> DecoderRun:
    """Tokenize (keeping the first `max_tokens`), run once, keep hidden states and attentions.

    Runs the base decoder without the LM head: attention views need no logits, and Gemma's head
    (640 x 262,144) would cost more than all 18 layers together.
    """
    from gptlab.nn.architecture import family_of

    ids = tokenizer(text, return_tensors="pt")["input_ids"][:, :max_tokens]  # (1, T)
    family = family_of(model)
    base = family.decoder(model)  # Gemma3TextModel, GPT2Model
    out = base(input_ids=ids, output_hidden_states=True, output_attentions=True, use_cache=False)
    tokens = family.token_names(tokenizer, ids[0].tolist())
    return DecoderRun(tokens, ids, tuple(out.hidden_states), tuple(out.attentions))


@torch.no_grad()
def attention_steps(model, run: DecoderRun, layer: int, head: int) -> AttentionSteps:
    """Recompute one layer's attention for one head from its weights, stage by stage (GPT-2 or Gemma 3).

    Where the families differ (how Q and K are made, where position enters, which key head a query
    head reads, the scale, the window) the model's adapter says (gptlab.nn.architecture).
    """
    from gptlab.nn.architecture import family_of

    arch = family_of(model)
    h = run.hidden_states[layer]  # (1, T, d_model) the layer's input
    T = h.shape[1]
    q, k, _ = arch.attention_inputs(model, layer, h)  # (1, H, T, hd), (1, H_kv, T, hd): position applied
    kv_head = arch.kv_head(model, head)  # Gemma: query heads share key heads; GPT-2: its own
    scale = arch.scaling(model, layer)
    scores = (q[0, head] @ k[0, kv_head].T) * scale  # (T, T)
    window = arch.sliding_window(model, layer)
    mask = arch.mask(model, layer, T, scores.dtype)  # (T, T)
    masked = scores + mask  # (T, T)
    weights = torch.softmax(masked, dim=-1, dtype=torch.float32).to(scores.dtype)  # (T, T)
    leaked = torch.softmax(scores, dim=-1, dtype=torch.float32)  # (T, T) no mask at all
    own = run.attentions[layer][0, head]  # (T, T)
    return AttentionSteps(
        tokens=run.tokens,
        layer=layer,
        head=head,
        scale=scale,
        scores=scores.float().numpy(),
        mask=mask.float().numpy(),
        masked_scores=masked.float().numpy(),
        weights=weights.float().numpy(),
        unmasked_weights=leaked.numpy(),
        model_weights=own.float().numpy(),
        sliding_window=window,
    )


def keep_first_and_last(enc: dict, max_tokens: int) -> dict:
    """Cut a tokenized BERT input to `max_tokens`: the first max_tokens - 1 positions and the final [SEP].

    Done here rather than with tokenizer(..., truncation=True, max_length=...): a fast tokenizer
    stores that setting on itself, and the tokenizer is one object shared by every user, so another
    page tokenizing at the same moment would be cut too.
    """
    T = enc["input_ids"].shape[-1]
    if T <= max_tokens:
        return dict(enc)
    keep = torch.cat([torch.arange(max_tokens - 1), torch.tensor([T - 1])])  # (max_tokens,) last = [SEP]
    return {name: value[:, keep] for name, value in enc.items()}  # input_ids, token_type_ids, attention_mask


def token_count(tokenizer, text: str) -> int:
    """Tokens the model would see for the whole text, special tokens included (before any cut)."""
    return len(tokenizer(text)["input_ids"])


@torch.no_grad()
def encoder_attentions(model, tokenizer, text: str, max_tokens: int = MAX_ATTENTION_TOKENS):
    """A BERT encoder's attention: (tokens, array (L, H, T, T)); no mask, every token sees all.

    Texts longer than `max_tokens` keep their first max_tokens - 1 tokens and the closing [SEP].
    """
    enc = keep_first_and_last(tokenizer(text, return_tensors="pt"), max_tokens)  # never truncation=True
    out = model(**enc, output_attentions=True)
    tokens = tuple(tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist()))
    return tokens, torch.stack([a[0] for a in out.attentions]).float().numpy()  # (L, H, T, T)


def future_attention_share(weights: np.ndarray) -> float:
    """Mean over query rows of the attention weight placed on later positions (above the diagonal).

    weights: (..., T, T). 0 for a causal decoder; clearly above 0 for a bidirectional encoder.
    """
    T = weights.shape[-1]
    future = np.triu(np.ones((T, T), dtype=bool), k=1)  # (T, T)
    per_row = (weights * future).sum(axis=-1)  # (..., T)
    return float(per_row.mean())


@cache  # the same numbers every time: a meta-device model costs ~20 ms of Python per page run
def gpt2_small_parameter_count() -> int:
    """Parameters of GPT-2 small, counted from `GPT2Config()` without allocating any weights."""
    from gptlab.models import _hf

    GPT2Config, GPT2LMHeadModel = _hf("GPT2Config", "GPT2LMHeadModel")
    with torch.device("meta"):  # shapes only: no 500 MB of random numbers
        model = GPT2LMHeadModel(GPT2Config())
    return sum(p.numel() for p in model.parameters())  # the tied LM head is counted once


def token_labels(tokens: tuple[str, ...]) -> list[str]:
    """'3 ▁gato': position first, so repeated tokens stay distinct and axes keep their order."""
    from gptlab.nn.tokenization import visible

    return [f"{i} {visible(tok)}" for i, tok in enumerate(tokens)]


@dataclass(frozen=True)
class RowSummary:
    token: str  # the query token (the row)
    top: tuple[tuple[str, float], ...]  # its largest entries, largest first: (key token, value)


def top_attended(
    matrix: np.ndarray, tokens: tuple[str, ...], k: int = 3, kind: str = "weights"
) -> tuple[RowSummary, ...]:
    """The text alternative of a (T, T) weights or scores heatmap: each row's k largest entries.

    weights: only entries above 0 (a masked position gets exactly 0: the row does not look there).
    scores: negative scores count like any other; -inf (masked) entries are never listed.
    """
    if kind not in ("weights", "scores"):
        raise ValueError(f"top_attended takes weights or scores, not {kind!r}")
    labels = token_labels(tokens)
    rows = []
    for i, row in enumerate(np.asarray(matrix, dtype=float)):
        candidates = np.flatnonzero(row > 0 if kind == "weights" else np.isfinite(row))  # NaN never qualifies
        order = candidates[np.argsort(-row[candidates], kind="stable")][:k]
        rows.append(RowSummary(labels[i], tuple((labels[j], float(row[j])) for j in order)))
    return tuple(rows)


def position_runs(flags) -> tuple[tuple[int, int], ...]:
    """[T, T, F, T] -> ((0, 1), (3, 3)): the runs of consecutive True positions, first and last included."""
    runs: list[tuple[int, int]] = []
    for j, flag in enumerate(flags):
        if not flag:
            continue
        if runs and runs[-1][1] == j - 1:
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    return tuple(runs)


def format_runs(runs: tuple[tuple[int, int], ...]) -> str:
    """((0, 3), (7, 7)) -> '0–3, 7'; the same numbers as the heatmap's axis labels."""
    return ", ".join(f"{a}–{b}" if b > a else f"{a}" for a, b in runs)


@dataclass(frozen=True)
class MaskRow:
    token: str  # the query token (the row)
    visible: tuple[tuple[int, int], ...]  # runs of key positions the mask lets it see (entry 0)
    hidden: tuple[tuple[int, int], ...]  # runs of key positions the mask hides (entry -inf)


def mask_visibility(mask: np.ndarray, tokens: tuple[str, ...]) -> tuple[MaskRow, ...]:
    """The text alternative of a (T, T) mask (0 or -inf): per row, which positions it sees and which are hidden."""
    labels = token_labels(tokens)
    seen = np.isfinite(np.asarray(mask, dtype=float))  # (T, T)
    return tuple(MaskRow(labels[i], position_runs(row), position_runs(~row)) for i, row in enumerate(seen))


def text_alternative(matrix: np.ndarray, tokens: tuple[str, ...], kind: str, language: str) -> dict[str, list[str]]:
    """The table beside a heatmap, in the user's language: column title -> one cell per row."""
    from gptlab.i18n import fmt_float, t

    if kind == "mask":
        rows = mask_visibility(matrix, tokens)
        seen = []
        for r in rows:
            visible = format_runs(r.visible) or "—"
            if r.hidden:
                seen.append(t("attention.mask.row", language, visible=visible, hidden=format_runs(r.hidden)))
            else:
                seen.append(t("attention.mask.row_all", language, visible=visible))
        return {t("attention.col.token", language): [r.token for r in rows], t("attention.col.mask", language): seen}
    summaries = top_attended(matrix, tokens, kind=kind)
    column = "attention.col.top" if kind == "weights" else "attention.col.top_scores"
    return {
        t("attention.col.token", language): [r.token for r in summaries],
        t(column, language): [
            ", ".join(f"{tok} ({fmt_float(v, language, 3)})" for tok, v in r.top) for r in summaries
        ],
    }


@dataclass(frozen=True)
class ParameterGroup:
    name: str  # e.g. "wte.weight"
    shape: tuple[int, ...]  # e.g. (50257, 768); for the repeated blocks: (11, 7087872) = blocks x parameters each
    count: int


def format_shape(shape: tuple[int, ...], language: str) -> str:
    """(50257, 768) -> '50.257 × 768' (pt-BR) or '50,257 × 768' (en)."""
    from gptlab.i18n import fmt_int

    return " × ".join(fmt_int(d, language) for d in shape)


@cache
def gpt2_small_parameter_breakdown() -> tuple[ParameterGroup, ...]:
    """GPT-2 small's parameters grouped as the lesson explains them; they add up to the total."""
    from gptlab.models import _hf

    GPT2Config, GPT2LMHeadModel = _hf("GPT2Config", "GPT2LMHeadModel")
    with torch.device("meta"):
        model = GPT2LMHeadModel(GPT2Config())
    named = dict(model.named_parameters())  # the tied lm_head.weight is not listed again
    groups: dict[str, list[tuple[str, torch.Tensor]]] = {}
    for name, p in named.items():
        if name.startswith("transformer.h.0."):
            key = "h.0." + name.removeprefix("transformer.h.0.")
        elif name.startswith("transformer.h."):
            continue  # blocks 1-11 have the same shapes as block 0; counted below
        else:
            key = name.removeprefix("transformer.")
        groups.setdefault(key, []).append((name, p))
    out = []
    for key, params in groups.items():
        count = sum(p.numel() for _, p in params)
        out.append(ParameterGroup(key, tuple(params[0][1].shape), count))
    per_block = sum(g.count for g in out if g.name.startswith("h.0."))
    n_layer = model.config.n_layer
    out.append(ParameterGroup(f"h.1 … h.{n_layer - 1}", (n_layer - 1, per_block), per_block * (n_layer - 1)))
    return tuple(out)
