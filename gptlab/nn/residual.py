"""The residual stream of a Gemma 3 decoder, block by block, recomputed from the model's own weights.

    x_0     = E[ids] * sqrt(d)                                   the embedding rows, scaled (E: V x d)
    a_l     = post_attention_norm(attention_l(input_norm(x_l)))    what block l's attention adds
    m_l     = post_ffn_norm(mlp_l(pre_ffn_norm(x_l + a_l)))        what block l's MLP adds
    x_{l+1} = x_l + a_l + m_l                                     the residual stream after block l

Each x_l is then checked against the model's own forward pass with `output_hidden_states=True`
(`hidden_states[l]` is block l's input; the last entry is final_norm(x_L), the final norm applied).
Position enters only inside attention, as a rotation of queries and keys (RoPE): nothing is added
to x_0 for it. The model is used read-only: its modules are called, nothing is hooked or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gptlab.nn.attention import apply_rope, causal_mask, sliding_window_mask


@dataclass(frozen=True)
class ResidualStream:
    """One forward pass taken apart: every block's input and what its two halves add."""

    ids: tuple[int, ...]
    embed_scale: float  # sqrt(d), as the model holds it
    embedding_rows: torch.Tensor  # (T, d) E[ids], before the scaling
    residual: torch.Tensor  # (L+1, T, d) x_0 .. x_L (x_L before the final norm)
    attention: torch.Tensor  # (L, T, d) a_l
    mlp: torch.Tensor  # (L, T, d) m_l
    final: torch.Tensor  # (T, d) final_norm(x_L): what the unembedding reads
    check: tuple[float, ...]  # L+1 relative differences from the model's output_hidden_states

    @property
    def n_layers(self) -> int:
        return self.attention.shape[0]


def decoder_of(model):
    """Gemma3ForCausalLM -> its Gemma3TextModel (the blocks without the output layer)."""
    return getattr(model, "model", model)


def embed(model, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(T,) ids -> (rows (T, d), scaled (T, d)): Gemma multiplies each row by sqrt(d), in the weights' dtype."""
    table = decoder_of(model).embed_tokens
    rows = table.weight[ids]  # (T, d)
    return rows, rows * table.embed_scale.to(rows.dtype)


def block_mask(T: int, window: int | None, dtype: torch.dtype) -> torch.Tensor:
    """(T, T) additive mask of one block: causal, and for a sliding block also `window` positions back."""
    return (causal_mask(T, dtype) if window is None else sliding_window_mask(T, window, dtype))


def attention_adds(block, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """(1, T, d) -> (1, T, d): what a block's attention adds to the residual stream."""
    attn = block.self_attn
    B, T, _ = x.shape
    h = block.input_layernorm(x)  # (1, T, d)
    q = attn.q_proj(h).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H, T, hd)
    k = attn.k_proj(h).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H_kv, T, hd)
    v = attn.v_proj(h).view(B, T, -1, attn.head_dim).transpose(1, 2)  # (1, H_kv, T, hd)
    q, k = attn.q_norm(q), attn.k_norm(k)  # Gemma 3 normalizes queries and keys per head
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)  # position enters here, and only here
    k = k.repeat_interleave(attn.num_key_value_groups, dim=1)  # (1, H, T, hd): heads share K and V
    v = v.repeat_interleave(attn.num_key_value_groups, dim=1)
    mask = block_mask(T, attn.sliding_window, q.dtype)  # (T, T)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=attn.scaling)  # (1, H, T, hd)
    out = attn.o_proj(out.transpose(1, 2).reshape(B, T, -1))  # (1, T, d)
    return block.post_attention_layernorm(out)


def mlp_adds(block, x: torch.Tensor) -> torch.Tensor:
    """(1, T, d) -> (1, T, d): what a block's MLP adds, given the stream after its attention."""
    return block.post_feedforward_layernorm(block.mlp(block.pre_feedforward_layernorm(x)))


def relative_difference(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    """Largest |ours - theirs| over the largest |theirs|: 0 for equal tensors, ~1e-6 for float32 rounding."""
    scale = float(theirs.abs().max())
    return float((ours - theirs).abs().max()) / scale if scale else float((ours - theirs).abs().max())


@torch.no_grad()
def residual_stream(model, ids) -> ResidualStream:
    """Recompute every block on `ids` (a sequence of token ids) and check it against the model's own pass."""
    decoder = decoder_of(model)
    config = decoder.config
    ids_t = torch.as_tensor(list(ids), dtype=torch.long)  # (T,)
    T = ids_t.shape[0]
    reference = decoder(input_ids=ids_t[None], output_hidden_states=True, use_cache=False).hidden_states
    rows, x = embed(model, ids_t)  # (T, d) each
    x = x[None]  # (1, T, d)
    positions = torch.arange(T)[None]  # (1, T)
    rope = {kind: decoder.rotary_emb(x, positions, kind) for kind in set(config.layer_types)}  # (1, T, hd) each
    residual, attention, mlp = [x[0]], [], []
    for block, kind in zip(decoder.layers, config.layer_types):
        a = attention_adds(block, x, *rope[kind])  # (1, T, d)
        m = mlp_adds(block, x + a)  # (1, T, d)
        x = x + a + m
        residual.append(x[0]), attention.append(a[0]), mlp.append(m[0])
    final = decoder.norm(x)[0]  # (T, d)
    ours = residual[:-1] + [final]  # what output_hidden_states holds: each block's input, then the final norm
    check = tuple(relative_difference(o, r[0]) for o, r in zip(ours, reference))
    return ResidualStream(
        ids=tuple(int(i) for i in ids_t), embed_scale=float(decoder.embed_tokens.embed_scale),
        embedding_rows=rows, residual=torch.stack(residual), attention=torch.stack(attention), mlp=torch.stack(mlp),
        final=final, check=check,
    )
