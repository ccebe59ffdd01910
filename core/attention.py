"""Scaled dot-product attention and the causal mask, step by step, from a real model's weights.

    scores  = Q K^T * scale          (Gemma 3: scale = query_pre_attn_scalar ** -0.5)
    masked  = scores + M             M[i, j] = -inf where j > i (the future), else 0
    weights = softmax(masked, dim=-1)

Everything is recomputed from the model's own modules and hidden states: no hooks, nothing
changed on the model, so the one instance shared by every user of the server stays untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    Runs the base decoder without the LM head: attention views need no logits, and the head
    (640 x 262,144) would cost more than all 18 layers together.
    """
    ids = tokenizer(text, return_tensors="pt")["input_ids"][:, :max_tokens]  # (1, T)
    base = getattr(model, "model", model)  # Gemma3ForCausalLM -> Gemma3TextModel
    out = base(input_ids=ids, output_hidden_states=True, output_attentions=True, use_cache=False)
    tokens = tuple(tokenizer.convert_ids_to_tokens(ids[0].tolist()))
    return DecoderRun(tokens, ids, tuple(out.hidden_states), tuple(out.attentions))


@torch.no_grad()
def gemma_attention_steps(model, run: DecoderRun, layer: int, head: int) -> AttentionSteps:
    """Recompute one Gemma 3 layer's attention for one head from its weights, stage by stage."""
    decoder = model.model  # Gemma3TextModel
    block = decoder.layers[layer]
    attn = block.self_attn
    config = model.config
    h = run.hidden_states[layer]  # (1, T, d_model) the layer's input
    B, T, _ = h.shape
    x = block.input_layernorm(h)  # (1, T, d_model) RMSNorm before attention
    q = attn.q_proj(x).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H, T, hd)
    k = attn.k_proj(x).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H_kv, T, hd)
    q, k = attn.q_norm(q), attn.k_norm(k)  # Gemma 3 normalizes queries and keys per head
    positions = torch.arange(T)[None, :]  # (1, T)
    cos, sin = decoder.rotary_emb(x, positions, config.layer_types[layer])  # (1, T, hd) each
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    kv_head = head // attn.num_key_value_groups  # grouped-query attention: heads share K and V
    scores = (q[0, head] @ k[0, kv_head].T) * attn.scaling  # (T, T)
    window = attn.sliding_window
    mask = (causal_mask(T) if window is None else sliding_window_mask(T, window)).to(scores.dtype)  # (T, T)
    masked = scores + mask  # (T, T)
    weights = torch.softmax(masked, dim=-1, dtype=torch.float32).to(scores.dtype)  # (T, T)
    leaked = torch.softmax(scores, dim=-1, dtype=torch.float32)  # (T, T) no mask at all
    own = run.attentions[layer][0, head]  # (T, T)
    return AttentionSteps(
        tokens=run.tokens,
        layer=layer,
        head=head,
        scale=float(attn.scaling),
        scores=scores.float().numpy(),
        mask=mask.float().numpy(),
        masked_scores=masked.float().numpy(),
        weights=weights.float().numpy(),
        unmasked_weights=leaked.numpy(),
        model_weights=own.float().numpy(),
        sliding_window=window,
    )


@torch.no_grad()
def encoder_attentions(model, tokenizer, text: str, max_tokens: int = MAX_ATTENTION_TOKENS):
    """A BERT encoder's attention: (tokens, array (L, H, T, T)); no mask, every token sees all."""
    enc = tokenizer(text, return_tensors="pt", truncation=True, max_length=max_tokens)
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


def gpt2_small_parameter_count() -> int:
    """Parameters of GPT-2 small, counted from `GPT2Config()` without allocating any weights."""
    from core.models import _hf

    GPT2Config, GPT2LMHeadModel = _hf("GPT2Config", "GPT2LMHeadModel")
    with torch.device("meta"):  # shapes only: no 500 MB of random numbers
        model = GPT2LMHeadModel(GPT2Config())
    return sum(p.numel() for p in model.parameters())  # the tied LM head is counted once


def token_labels(tokens: tuple[str, ...]) -> list[str]:
    """'3 ▁gato': position first, so repeated tokens stay distinct and axes keep their order."""
    from core.tokenization import visible

    return [f"{i} {visible(tok)}" for i, tok in enumerate(tokens)]


@dataclass(frozen=True)
class RowSummary:
    token: str  # the query token (the row)
    top: tuple[tuple[str, float], ...]  # the keys it attends to most, with their weights


def top_attended(weights: np.ndarray, tokens: tuple[str, ...], k: int = 3) -> tuple[RowSummary, ...]:
    """The text alternative of a (T, T) heatmap: for each row, its k most-attended tokens."""
    labels = token_labels(tokens)
    rows = []
    for i, row in enumerate(weights):
        order = np.argsort(-row, kind="stable")[:k]
        rows.append(RowSummary(labels[i], tuple((labels[j], float(row[j])) for j in order if row[j] > 0)))
    return tuple(rows)


@dataclass(frozen=True)
class ParameterGroup:
    name: str  # e.g. "wte (token embeddings)"
    shape: str  # e.g. "50257 x 768"
    count: int


def gpt2_small_parameter_breakdown() -> tuple[ParameterGroup, ...]:
    """GPT-2 small's parameters grouped as the lesson explains them; they add up to the total."""
    from core.models import _hf

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
        out.append(ParameterGroup(key, " x ".join(str(d) for d in params[0][1].shape), count))
    per_block = sum(g.count for g in out if g.name.startswith("h.0."))
    n_layer = model.config.n_layer
    out.append(ParameterGroup(f"h.1 … h.{n_layer - 1}", f"{n_layer - 1} x {per_block:,}", per_block * (n_layer - 1)))
    return tuple(out)
