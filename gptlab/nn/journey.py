"""A prompt's journey through a decoder (Gemma 3 or GPT-2), as the journey lab shows it: small arrays, ready to draw and to cache.

Four pieces, each run as a job on the model worker:

    trace(model, ids)                           the model's pass with output_hidden_states: the embedding rows,
                                                the stream at every layer and position, the normed states the lens reads
    blocks(model, trace, p)                     every block recomputed from the weights at position p: the norms
                                                of what attention and the MLP add, and the check against the model's
    position_lens(trace, unembedding, p)        the logit lens at every layer at position p, and p's answer
    grid_lens(trace, unembedding, first)        the logit lens at every layer in a window of positions, one product;
                                                its column at the prompt's last position ranks the model's answer

Layers are numbered as the lens reads them: 0 is the embedding (what enters block 0), l the residual
stream after l blocks, L (18 in Gemma 3 270M, 12 in GPT-2 small) the model's own output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from gptlab.nn import logit_lens as LL
from gptlab.nn.generation import fit_prompt
from gptlab.nn.residual import blocks_at, model_pass

MAX_TOKENS = 64  # the prompt's last tokens the lab follows (after <bos>): 19 x 64 lens rows of 262,144 logits
SHOWN_DIMS = 16  # an embedding row is drawn as a strip of its first dimensions
TOP_K = 10  # most likely tokens kept per lens row (5 in the heatmap's tooltip and the table, 10 in the last step)
GRID_POSITIONS = 16  # the heatmap's columns: a window of 16 positions, the last by default (each lens row
# reads all 262,144 unembedding rows: 19 x 16 rows take a fraction of what 19 x 64 take; 16 columns stay
# readable, in projector mode too); the student moves the window over the whole prompt. A window is one
# worker job (19 x 16 rows, one product with the unembedding: about 0.2 s on 2 cores, which a class's
# decoding steps on Gemma's worker wait behind)


@dataclass(frozen=True)
class Trace:
    """One prompt's pass through the model, reduced to what the lab draws and reads (float32 numpy arrays)."""

    ids: tuple[int, ...]
    embed_scale: float  # Gemma: sqrt(d) as the model holds it; GPT-2: 1.0
    embedding_head: np.ndarray  # (T, SHOWN_DIMS) the first dimensions of each embedding row, before scaling
    embedding_norms: np.ndarray  # (T,) each embedding row's norm, before scaling
    position_head: np.ndarray | None  # (T, SHOWN_DIMS) GPT-2: the first dimensions of the position rows added
    position_norms: np.ndarray | None  # (T,) GPT-2: each added position row's norm; None where positions rotate
    x0: np.ndarray  # (T, d) the stream's start, from the embedding table: scaled (Gemma) or plus a position row (GPT-2)
    hidden: np.ndarray  # (L+1, T, d) the model's output_hidden_states: x_0 .. x_{L-1}, then final_norm(x_L)
    normed: np.ndarray  # (L+1, T, d) final_norm(x_l): what the lens reads

    @property
    def n_layers(self) -> int:
        return self.hidden.shape[0] - 1

    @property
    def x0_norms(self) -> np.ndarray:
        """(T,) ||x_0||: what enters block 0 at each position."""
        return np.linalg.norm(self.x0, axis=-1)

    @property
    def n_tokens(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Blocks:
    """Every block at one position, recomputed from the weights (float32 numpy arrays)."""

    position: int
    residual_norms: np.ndarray  # (L+1,) ||x_l||: the stream entering block l; the last, after all blocks
    attention_norms: np.ndarray  # (L,) ||a_l||: what block l's attention adds
    mlp_norms: np.ndarray  # (L,) ||m_l||: what block l's MLP adds
    check: tuple[float, ...]  # (L+1,) relative difference from the model's own output_hidden_states there

    @property
    def n_layers(self) -> int:
        return self.attention_norms.shape[0]


@dataclass(frozen=True)
class PositionLens:
    """The lens at every layer at one position; `answer` is the model's next token there (its output's top 1)."""

    position: int
    answer: int
    lens: LL.Lens  # L+1 rows, layer 0 first; target: the answer


@dataclass(frozen=True)
class GridLens:
    """The lens at every layer and position of a window: the heatmap, and each position's PositionLens."""

    n_layers: int
    first: int  # the first position shown
    n_tokens: int  # positions shown: first .. first + n_tokens - 1
    lens: LL.Lens  # (L+1) * n_tokens rows, layer-major: row l * n_tokens + t; target: each row's own top 1, but ...
    answered: int | None = None  # ... down this position (the prompt's last), where it is the model's answer

    def top(self) -> tuple[np.ndarray, np.ndarray]:
        """(L+1, n_tokens) top-1 token ids and their probabilities."""
        shape = (self.n_layers + 1, self.n_tokens)
        return self.lens.top_ids[:, 0].reshape(shape), self.lens.top_probs[:, 0].reshape(shape)

    def holds(self, position: int) -> bool:
        """Whether at(position) is the PositionLens there: the column ranks the model's answer."""
        return position == self.answered

    def at(self, position: int) -> PositionLens:
        """The lens down the answered position's column of the window (the rows position_lens computes)."""
        if not self.holds(position):
            raise ValueError(f"the window ranks the answer at position {self.answered}, not {position}")
        lens = self.lens.rows(np.arange(self.n_layers + 1) * self.n_tokens + (position - self.first))  # layer 0 first
        return PositionLens(position, int(lens.top_ids[-1, 0]), lens)


def prompt_ids(tokenizer, text: str, max_tokens: int = MAX_TOKENS):
    """The ids the lab follows (a FittedPrompt): <bos> and the text's last tokens, at most max_tokens in all."""
    ids = tokenizer(text)["input_ids"]
    return fit_prompt(ids, 0, tokenizer.bos_token_id, context=max_tokens)


def _norms(x: torch.Tensor) -> np.ndarray:
    return x.float().norm(dim=-1).numpy()


@torch.no_grad()
def trace(model, ids: Sequence[int]) -> Trace:
    """One forward pass with output_hidden_states, the embedding rows, the states the lens reads (one job)."""
    stream = model_pass(model, ids)
    normed = torch.cat([LL.final_norm(model, stream.hidden[:-1]), stream.hidden[-1:]])  # (L+1, T, d)
    rows = stream.embedding_rows.float()
    positions = stream.position_rows.float() if stream.position_rows is not None else None
    return Trace(
        ids=stream.ids, embed_scale=stream.embed_scale, embedding_head=rows[:, :SHOWN_DIMS].numpy(),
        embedding_norms=_norms(rows),
        position_head=positions[:, :SHOWN_DIMS].numpy() if positions is not None else None,
        position_norms=_norms(positions) if positions is not None else None,
        x0=stream.x0.float().numpy(), hidden=stream.hidden.float().numpy(), normed=normed.float().numpy(),
    )


@torch.no_grad()
def blocks(model, tr: Trace, position: int) -> Blocks:
    """Every block recomputed from the weights at `position`, checked against the model's hidden states (one job)."""
    at = blocks_at(model, torch.from_numpy(tr.x0), torch.from_numpy(tr.hidden), position)
    return Blocks(position=at.position, residual_norms=_norms(at.residual), attention_norms=_norms(at.attention),
                  mlp_norms=_norms(at.mlp), check=at.check)


def position_lens(tr: Trace, unembedding: torch.Tensor, position: int, k: int = TOP_K) -> PositionLens:
    """The lens down one position's column (one job of L+1 rows, one pass over the vocabulary): the answer is
    the output layer's own top 1, and every layer's rank of it."""
    rows = torch.from_numpy(tr.normed[:, position])  # (L+1, d)
    lens = LL.logit_lens(rows, unembedding, None, k, target_of=torch.full((rows.shape[0],), rows.shape[0] - 1))
    return PositionLens(position, int(lens.top_ids[-1, 0]), lens)


def window_starts(n_tokens: int, positions: int = GRID_POSITIONS) -> list[int]:
    """The heatmap's windows over a prompt of n_tokens: every `positions` from 0, the last one ending at the
    last token (it may overlap the one before)."""
    last = max(0, n_tokens - positions)
    return sorted({*range(0, last, positions), last})


def grid_lens(tr: Trace, unembedding: torch.Tensor, k: int = TOP_K, positions: int = GRID_POSITIONS,
              first: int | None = None) -> GridLens:
    """The lens at every layer at `positions` positions from `first` (None: the last ones), in one pass over
    the vocabulary (one job). Each row's target is its own top 1, but down the prompt's last position, when
    the window holds it: there every layer ranks the model's answer, so that its PositionLens (the lab's
    default) is read from the window, not computed in a second pass."""
    L = tr.n_layers
    first = max(0, tr.n_tokens - positions) if first is None else min(max(0, first), max(0, tr.n_tokens - 1))
    T = min(positions, tr.n_tokens - first)
    rows = torch.from_numpy(np.ascontiguousarray(tr.normed[:, first : first + T]).reshape((L + 1) * T, -1))  # (N, d)
    target_of = torch.arange((L + 1) * T)  # (N,) each row its own
    last = tr.n_tokens - 1 - first  # the prompt's last position, as a column of the window
    if last < T:
        target_of[last::T] = L * T + last  # row l * T + last: the output layer's row there
    answered = first + last if last < T else None
    return GridLens(L, first, T, LL.logit_lens(rows, unembedding, None, k, target_of=target_of), answered)


def first_top_layer(lens: LL.Lens) -> int:
    """The first layer from which the answer stays the lens's top 1 up to the output (a PositionLens's lens)."""
    return first_top_layer_of_ranks(lens.target_rank)


def first_top_layer_of_ranks(ranks: Sequence[int]) -> int:
    """The same, from the answer's rank at each layer (1 = the top 1); the last layer's rank is 1."""
    layer = len(ranks) - 1  # the output's top 1 is the answer by definition
    while layer > 0 and ranks[layer - 1] == 1:
        layer -= 1
    return layer
