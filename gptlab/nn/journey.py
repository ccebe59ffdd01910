"""A prompt's journey through a decoder (Gemma 3 or GPT-2), as the journey lab shows it: small arrays, ready to draw and to cache.

Three pieces, each run as a job on the model worker:

    trace(model, ids)                           the residual stream: norms of what each block adds, the check
                                                against output_hidden_states, the normed states the lens reads
    position_lens(trace, unembedding, p)        the logit lens at every layer at position p, and p's answer
    grid_lens(trace, unembedding, run)          the logit lens at every layer at the last positions, in blocks

Layers are numbered as the lens reads them: 0 is the embedding (what enters block 0), l the residual
stream after l blocks, L (18 in Gemma 3 270M, 12 in GPT-2 small) the model's own output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from gptlab.nn import logit_lens as LL
from gptlab.nn.generation import fit_prompt
from gptlab.nn.residual import residual_stream

MAX_TOKENS = 64  # the prompt's last tokens the lab follows (after <bos>): 19 x 64 lens rows of 262,144 logits
SHOWN_DIMS = 16  # an embedding row is drawn as a strip of its first dimensions
TOP_K = 10  # most likely tokens kept per lens row at the chosen position (5 in the table, 10 in the last step)
GRID_TOP_K = 5  # ... and per cell of the grid (the heatmap's tooltip)
GRID_POSITIONS = 16  # the heatmap's columns: the prompt's last 16 positions (each lens row reads all 262,144
# unembedding rows: 19 x 64 rows take seconds on 2 cores, 19 x 16 a fraction; 16 columns also stay readable)
GRID_ROWS_PER_JOB = 128  # lens rows per worker job: a job never holds the worker for long


@dataclass(frozen=True)
class Trace:
    """The residual stream of one prompt, reduced to what the lab draws (float32 numpy arrays)."""

    ids: tuple[int, ...]
    embed_scale: float  # Gemma: sqrt(d) as the model holds it; GPT-2: 1.0
    embedding_head: np.ndarray  # (T, SHOWN_DIMS) the first dimensions of each embedding row, before scaling
    embedding_norms: np.ndarray  # (T,) each embedding row's norm, before scaling
    position_head: np.ndarray | None  # (T, SHOWN_DIMS) GPT-2: the first dimensions of the position rows added
    position_norms: np.ndarray | None  # (T,) GPT-2: each added position row's norm; None where positions rotate
    residual_norms: np.ndarray  # (L+1, T) ||x_l||: the stream entering block l; the last, after all blocks
    attention_norms: np.ndarray  # (L, T) ||a_l||: what block l's attention adds
    mlp_norms: np.ndarray  # (L, T) ||m_l||: what block l's MLP adds
    check: tuple[float, ...]  # (L+1,) relative difference from the model's own output_hidden_states
    normed: np.ndarray  # (L+1, T, d) final_norm(x_l): what the lens reads

    @property
    def n_layers(self) -> int:
        return self.attention_norms.shape[0]

    @property
    def n_tokens(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class PositionLens:
    """The lens at every layer at one position; `answer` is the model's next token there (its output's top 1)."""

    position: int
    answer: int
    lens: LL.Lens  # L+1 rows, layer 0 first; target: the answer


@dataclass(frozen=True)
class GridLens:
    """The lens at every layer and position: the heatmap."""

    n_layers: int
    first: int  # the first position shown
    n_tokens: int  # positions shown: first .. first + n_tokens - 1
    lens: LL.Lens  # (L+1) * n_tokens rows, layer-major: row l * n_tokens + t; target: each row's own top 1

    def top(self) -> tuple[np.ndarray, np.ndarray]:
        """(L+1, n_tokens) top-1 token ids and their probabilities."""
        shape = (self.n_layers + 1, self.n_tokens)
        return self.lens.top_ids[:, 0].reshape(shape), self.lens.top_probs[:, 0].reshape(shape)


def prompt_ids(tokenizer, text: str, max_tokens: int = MAX_TOKENS):
    """The ids the lab follows (a FittedPrompt): <bos> and the text's last tokens, at most max_tokens in all."""
    ids = tokenizer(text)["input_ids"]
    return fit_prompt(ids, 0, tokenizer.bos_token_id, context=max_tokens)


def _norms(x: torch.Tensor) -> np.ndarray:
    return x.float().norm(dim=-1).numpy()


@torch.no_grad()
def trace(model, ids: Sequence[int]) -> Trace:
    """One forward pass with output_hidden_states and every block recomputed from the weights (one job)."""
    stream = residual_stream(model, ids)
    norm = LL.final_norm
    normed = torch.cat([norm(model, stream.residual[:-1]), stream.final[None]])  # (L+1, T, d)
    rows = stream.embedding_rows.float()
    positions = stream.position_rows.float() if stream.position_rows is not None else None
    return Trace(
        ids=stream.ids, embed_scale=stream.embed_scale, embedding_head=rows[:, :SHOWN_DIMS].numpy(),
        embedding_norms=_norms(rows),
        position_head=positions[:, :SHOWN_DIMS].numpy() if positions is not None else None,
        position_norms=_norms(positions) if positions is not None else None, residual_norms=_norms(stream.residual), attention_norms=_norms(stream.attention),
        mlp_norms=_norms(stream.mlp), check=stream.check, normed=normed.float().numpy(),
    )


def position_lens(tr: Trace, unembedding: torch.Tensor, position: int, k: int = TOP_K) -> PositionLens:
    """The lens down one position's column (one job of L+1 rows): the output layer first, for the answer."""
    rows = torch.from_numpy(tr.normed[:, position])  # (L+1, d)
    output = LL.logit_lens(rows[-1:], unembedding, None, k)  # the model's own next-token distribution
    answer = int(output.top_ids[0, 0])
    inner = LL.logit_lens(rows[:-1], unembedding, torch.full((tr.n_layers,), answer), k)
    return PositionLens(position, answer, LL.concat([inner, output]))


def grid_lens(tr: Trace, unembedding: torch.Tensor, run: Callable[[Callable[[], Any]], Any] = lambda fn: fn(),
              k: int = GRID_TOP_K, positions: int = GRID_POSITIONS) -> GridLens:
    """The lens at every layer at the last `positions` positions. `run` runs each block of rows (the app: one
    worker job each)."""
    L = tr.n_layers
    first = max(0, tr.n_tokens - positions)
    T = tr.n_tokens - first
    rows = torch.from_numpy(np.ascontiguousarray(tr.normed[:, first:]).reshape((L + 1) * T, -1))  # (N, d) layer-major
    parts = [run(lambda s=s: LL.logit_lens(rows[s : s + GRID_ROWS_PER_JOB], unembedding, None, k))
             for s in range(0, rows.shape[0], GRID_ROWS_PER_JOB)]
    return GridLens(L, first, T, LL.concat(parts))


def first_top_layer(lens: LL.Lens) -> int:
    """The first layer from which the answer stays the lens's top 1 up to the output (a PositionLens's lens)."""
    return first_top_layer_of_ranks(lens.target_rank)


def first_top_layer_of_ranks(ranks: Sequence[int]) -> int:
    """The same, from the answer's rank at each layer (1 = the top 1); the last layer's rank is 1."""
    layer = len(ranks) - 1  # the output's top 1 is the answer by definition
    while layer > 0 and ranks[layer - 1] == 1:
        layer -= 1
    return layer
