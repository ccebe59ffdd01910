"""The residual stream of a decoder, block by block, recomputed from the model's own weights.

    x_0     = embed(ids)                          GPT-2: wte[ids] + wpe[0..T-1]   Gemma 3: E[ids] * sqrt(d)
    a_l     = what block l's attention adds       GPT-2: attn(ln_1(x_l))          Gemma 3: post_norm(attn(input_norm(x_l)))
    m_l     = what block l's MLP adds             GPT-2: mlp(ln_2(x_l + a_l))     Gemma 3: post_norm(mlp(pre_norm(x_l + a_l)))
    x_{l+1} = x_l + a_l + m_l                     the residual stream after block l

Each x_l is then checked against the model's own forward pass with `output_hidden_states=True`
(`hidden_states[l]` is block l's input; the last entry is final_norm(x_L), the final norm applied).
Where position enters differs: GPT-2 adds a learned row per position to x_0; Gemma 3 adds nothing
and rotates queries and keys inside attention (RoPE). gptlab.nn.architecture holds each difference.
The model is used read-only: its modules are called, nothing is hooked or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gptlab.nn.architecture import family_of


@dataclass(frozen=True)
class ResidualStream:
    """One forward pass taken apart: every block's input and what its two halves add."""

    ids: tuple[int, ...]
    embed_scale: float  # Gemma: sqrt(d), as the model holds it; GPT-2: 1.0 (no scaling)
    embedding_rows: torch.Tensor  # (T, d) E[ids], before any scaling
    position_rows: torch.Tensor | None  # (T, d) GPT-2's learned position rows added to x_0; None for rotary models
    residual: torch.Tensor  # (L+1, T, d) x_0 .. x_L (x_L before the final norm)
    attention: torch.Tensor  # (L, T, d) a_l
    mlp: torch.Tensor  # (L, T, d) m_l
    final: torch.Tensor  # (T, d) final_norm(x_L): what the unembedding reads
    check: tuple[float, ...]  # L+1 relative differences from the model's output_hidden_states

    @property
    def n_layers(self) -> int:
        return self.attention.shape[0]


def relative_difference(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    """Largest |ours - theirs| over the largest |theirs|: 0 for equal tensors, ~1e-6 for float32 rounding."""
    scale = float(theirs.abs().max())
    return float((ours - theirs).abs().max()) / scale if scale else float((ours - theirs).abs().max())


@torch.no_grad()
def residual_stream(model, ids) -> ResidualStream:
    """Recompute every block on `ids` (a sequence of token ids) and check it against the model's own pass."""
    arch = family_of(model)
    decoder = arch.decoder(model)
    ids_t = torch.as_tensor(list(ids), dtype=torch.long)  # (T,)
    reference = decoder(input_ids=ids_t[None], output_hidden_states=True, use_cache=False).hidden_states
    embedded = arch.embed(model, ids_t)
    x = embedded.x0[None]  # (1, T, d)
    residual, attention, mlp = [x[0]], [], []
    for layer in range(len(arch.blocks(model))):
        a = arch.attention_adds(model, layer, x)  # (1, T, d)
        m = arch.mlp_adds(model, layer, x + a)  # (1, T, d)
        x = x + a + m
        residual.append(x[0]), attention.append(a[0]), mlp.append(m[0])
    final = arch.final_norm(model, x)[0]  # (T, d)
    ours = residual[:-1] + [final]  # what output_hidden_states holds: each block's input, then the final norm
    check = tuple(relative_difference(o, r[0]) for o, r in zip(ours, reference, strict=True))
    return ResidualStream(
        ids=tuple(int(i) for i in ids_t), embed_scale=embedded.scale, embedding_rows=embedded.token_rows,
        position_rows=embedded.position_rows, residual=torch.stack(residual), attention=torch.stack(attention),
        mlp=torch.stack(mlp), final=final, check=check,
    )
