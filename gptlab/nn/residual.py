"""The residual stream of a decoder: the model's own pass, and every block recomputed from its weights at one position.

    x_0     = embed(ids)                          GPT-2: wte[ids] + wpe[0..T-1]   Gemma 3: E[ids] * sqrt(d)
    a_l     = what block l's attention adds       GPT-2: attn(ln_1(x_l))          Gemma 3: post_norm(attn(input_norm(x_l)))
    m_l     = what block l's MLP adds             GPT-2: mlp(ln_2(x_l + a_l))     Gemma 3: post_norm(mlp(pre_norm(x_l + a_l)))
    x_{l+1} = x_l + a_l + m_l                     the residual stream after block l

`model_pass` runs the model once with `output_hidden_states=True` (`hidden_states[l]` is block l's input;
the last entry is final_norm(x_L), the final norm applied): the stream at every layer and position, as
the model computes it, which the logit lens reads.

`blocks_at` then recomputes every block from the weights at the position a student follows: x_0 from the
embedding table, and for each block its attention (queries at that position; keys and values of the
positions before it from the model's own input to that block, its own from the recomputed stream) and
its MLP, summed block after block. Each recomputed x_l is checked against the model's hidden_states[l]
at that position. Recomputing one position costs a fraction of a second pass over all of them.
Where position enters differs: GPT-2 adds a learned row per position to x_0; Gemma 3 adds nothing
and rotates queries and keys inside attention (RoPE). gptlab.nn.architecture holds each difference.
The model is used read-only: its modules are called, nothing is hooked or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gptlab.nn.architecture import family_of


@dataclass(frozen=True)
class ModelPass:
    """One forward pass of the model on a prompt, its input taken apart."""

    ids: tuple[int, ...]
    embed_scale: float  # Gemma: sqrt(d), as the model holds it; GPT-2: 1.0 (no scaling)
    embedding_rows: torch.Tensor  # (T, d) E[ids], before any scaling
    position_rows: torch.Tensor | None  # (T, d) GPT-2's learned position rows added to x_0; None for rotary models
    x0: torch.Tensor  # (T, d) the stream's start, computed here from the embedding table (and position table)
    hidden: torch.Tensor  # (L+1, T, d) the model's output_hidden_states: x_0 .. x_{L-1}, then final_norm(x_L)

    @property
    def n_layers(self) -> int:
        return self.hidden.shape[0] - 1


@dataclass(frozen=True)
class BlocksAt:
    """Every block recomputed from the weights at one position."""

    position: int
    residual: torch.Tensor  # (L+1, d) x_0 .. x_L at the position (x_L before the final norm)
    attention: torch.Tensor  # (L, d) a_l
    mlp: torch.Tensor  # (L, d) m_l
    final: torch.Tensor  # (d,) final_norm(x_L): what the unembedding reads
    check: tuple[float, ...]  # L+1 relative differences from the model's hidden_states at the position

    @property
    def n_layers(self) -> int:
        return self.attention.shape[0]


def relative_difference(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    """Largest |ours - theirs| over the largest |theirs|: 0 for equal tensors, ~1e-6 for float32 rounding."""
    scale = float(theirs.abs().max())
    return float((ours - theirs).abs().max()) / scale if scale else float((ours - theirs).abs().max())


@torch.no_grad()
def model_pass(model, ids) -> ModelPass:
    """The model's own pass on `ids` (a sequence of token ids), with every hidden state, and x_0 from the weights."""
    arch = family_of(model)
    ids_t = torch.as_tensor(list(ids), dtype=torch.long)  # (T,)
    hidden = arch.decoder(model)(input_ids=ids_t[None], output_hidden_states=True, use_cache=False).hidden_states
    embedded = arch.embed(model, ids_t)
    return ModelPass(
        ids=tuple(int(i) for i in ids_t), embed_scale=embedded.scale, embedding_rows=embedded.token_rows,
        position_rows=embedded.position_rows, x0=embedded.x0, hidden=torch.cat(hidden),  # (L+1, T, d)
    )


@torch.no_grad()
def blocks_at(model, x0: torch.Tensor, hidden: torch.Tensor, position: int) -> BlocksAt:
    """(T, d) x_0 from the weights, (L+1, T, d) the model's hidden states (a ModelPass's) -> every block
    recomputed at `position` from the model's weights, each x_l checked against the model's."""
    arch = family_of(model)
    p = int(position)
    x = x0[p]  # (d,) recomputed from the embedding table
    residual, attention, mlp = [x], [], []
    for layer in range(hidden.shape[0] - 1):
        context = hidden[layer, : p + 1].clone()  # (p+1, d) the model's input to this block up to p ...
        context[p] = x  # ... and the recomputed stream at p itself
        a = arch.attention_adds(model, layer, context[None], queries=slice(p, p + 1))[0, 0]  # (d,)
        m = arch.mlp_adds(model, layer, (x + a)[None, None])[0, 0]  # (d,)
        x = x + a + m
        residual.append(x), attention.append(a), mlp.append(m)
    final = arch.final_norm(model, x)  # (d,)
    ours = residual[:-1] + [final]  # what output_hidden_states holds: each block's input, then the final norm
    check = tuple(relative_difference(o, hidden[l, p]) for l, o in enumerate(ours))
    return BlocksAt(position=p, residual=torch.stack(residual), attention=torch.stack(attention),
                    mlp=torch.stack(mlp), final=final, check=check)
