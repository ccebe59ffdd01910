"""Autoregressive generation: one token per step, several strategies in one batch.

P(w_1..w_T) = prod_t P(w_t | w_<t): the model reads the prompt once, then each step feeds back the
token just chosen and gets the distribution of the next one. Keys and values of earlier positions
are kept in a cache, so a step only computes the new position.

A decoding step on a laptop is limited by memory, not arithmetic: it must read every weight of the
model once (about 0.54 GB in bfloat16 for Gemma 3 270M). Rows of a batch share that read, so the
side-by-side view puts every strategy (and every beam of beam search) in one batch: one pass over
the weights per step serves them all. All rows start from the same prompt, so the prompt is read
once and its cache copied to every row; no padding is needed.

`generate` is a Python generator: it yields the state after each step, so a page can stream the
text as it appears and stop whenever the user asks (by simply not asking for the next step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import torch

from gptlab.nn.decoding import Strategy, choose_token, fast_topk


LAB_CONTEXT_TOKENS = 1024  # prompt + new tokens the lab lets through (Gemma 3 270M reads 32,768; a laptop
#                            answers a 1,024-token window in about a second, and the lessons need no more)
MAX_NEW_TOKENS = 200


@dataclass(frozen=True)
class FittedPrompt:
    ids: tuple[int, ...]
    dropped: int  # tokens taken out of the middle so that prompt + new tokens fit the window


def fit_prompt(ids: Sequence[int], max_new_tokens: int, bos_id: int | None,
               context: int = LAB_CONTEXT_TOKENS) -> FittedPrompt:
    """Keep the end of an over-long prompt (what the model continues) and its first <bos> token."""
    ids = tuple(int(i) for i in ids)
    budget = context - max_new_tokens
    if len(ids) <= budget:
        return FittedPrompt(ids, 0)
    head = ids[:1] if bos_id is not None and ids and ids[0] == bos_id else ()
    tail = ids[len(ids) - (budget - len(head)) :]
    return FittedPrompt(head + tail, len(ids) - len(head) - len(tail))


def pieces(tokenizer, ids: Sequence[int], before: Sequence[int] = ()) -> tuple[str, ...]:
    """The text each new token adds, given the tokens before it.

    Decoding token by token would break characters spread over several byte tokens (emoji, rare
    scripts): alone, each byte decodes to the replacement character. So the growing sequence is
    decoded and each token gets what it adds to the text; while a character is still incomplete
    (the text ends in U+FFFD) the token adds nothing yet, and the token that completes it adds the
    whole character.
    """
    context = [int(i) for i in before]
    emitted = tokenizer.decode(context).rstrip("\ufffd") if context else ""
    out: list[str] = []
    for token_id in ids:
        context.append(int(token_id))
        stable = tokenizer.decode(context).rstrip("\ufffd")
        out.append(stable[len(emitted) :] if len(stable) > len(emitted) else "")
        emitted = stable if len(stable) > len(emitted) else emitted
    return tuple(out)


@dataclass(frozen=True)
class Chosen:
    """A generated token and how likely it was when it was chosen."""

    token_id: int
    model_prob: float  # what the model gave it (T = 1, nothing cut)
    strategy_prob: float  # what it had in the distribution it was drawn from (after T, top-k, top-p)


@dataclass(frozen=True)
class RowResult:
    """What one strategy has produced so far."""

    tokens: tuple[Chosen, ...]  # stop tokens excluded
    finished: bool  # the strategy will add nothing more
    stopped_by_model: bool  # it ended on a stop token (end of text), not on the length limit


@dataclass(frozen=True)
class GenerationState:
    step: int  # steps done so far (1-based)
    max_new_tokens: int
    rows: tuple[RowResult, ...]  # one per strategy, in the order given

    @property
    def done(self) -> bool:
        return all(r.finished for r in self.rows)


REFINED_LOGITS = 256  # the most likely tokens whose logits are recomputed in float32


def model_logits(model, hidden: torch.Tensor) -> torch.Tensor:
    """(B, d) last hidden states -> (B, V) next-token logits in float32, as the model's LM head makes them.

    In bfloat16 a logit near 20 is rounded to a multiple of 0.125, so the top candidates often tie
    exactly ("top-k 5" would keep 6) and their probabilities move in steps of 13 %. The head's
    product is therefore redone in float32 for the most likely tokens: the same weights and hidden
    state, only without rounding the result. The far tail keeps its bfloat16 values.
    """
    model = causal_lm(model)
    logits = model.lm_head(hidden).float()  # (B, V)
    weight = model.lm_head.weight  # (V, d)
    if weight.dtype != torch.float32:
        top = logits.topk(min(REFINED_LOGITS, logits.shape[-1]), dim=-1).indices  # (B, m)
        exact = torch.einsum("bd,bmd->bm", hidden.float(), weight[top].float())  # (B, m)
        logits.scatter_(-1, top, exact)
    cap = getattr(model.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits


def causal_lm(model):
    """The transformers causal LM itself: a peft model (LoRA, gptlab.nn.lora) wraps it; its adapter
    layers sit inside the LM's own modules, so calling the LM's body still applies them."""
    get_base = getattr(model, "get_base_model", None)
    return get_base() if callable(get_base) else model


def stop_token_ids(model) -> tuple[int, ...]:
    """The tokens that end a text for this model, from its generation config (Gemma 3 270M: <eos>)."""
    eos = model.generation_config.eos_token_id
    if eos is None:
        return ()
    return tuple(int(i) for i in eos) if isinstance(eos, (list, tuple)) else (int(eos),)


def _cache(model):
    from gptlab.models import _hf

    DynamicCache = _hf("DynamicCache")
    return DynamicCache(config=model.config)


@torch.inference_mode()
def next_token_logits(model, ids: Sequence[int]) -> torch.Tensor:
    """(T,) token ids -> (V,) float32 logits of the token that would come next."""
    input_ids = torch.tensor([list(ids)], dtype=torch.long)  # (1, T)
    hidden = causal_lm(model).base_model(input_ids=input_ids, use_cache=False).last_hidden_state[:, -1]  # (1, d)
    return model_logits(model, hidden)[0]


@dataclass
class _Beams:
    """Beam search for one strategy, on `size` consecutive rows of the batch."""

    size: int
    length_penalty: float = 1.0

    def __post_init__(self) -> None:
        # All beams start as the same empty hypothesis: only the first may expand at step 1.
        self.scores = torch.full((self.size,), float("-inf"))
        self.scores[0] = 0.0
        self.histories: list[list[Chosen]] = [[] for _ in range(self.size)]
        self.finished: list[tuple[float, list[Chosen]]] = []  # (length-normalised score, tokens)
        self.done = False

    def _normalised(self, score: float, length: int) -> float:
        return score / (max(length, 1) ** self.length_penalty)

    def step(self, logits: torch.Tensor, log_norm: torch.Tensor, stop_ids: frozenset[int],
             max_len_reached: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(size, V) logits and (size,) their softmax denominators (logsumexp) -> (size,) source beam of
        each new beam, (size,) its new token.

        The new beams are the 2 x size best one-token extensions (score + log P(token)) over all beams
        (2x: some may end on a stop token). Each of them is among its own beam's 2 x size most likely
        tokens, so only those are scored: the same extensions as scoring all size x V of them, and the
        same numbers (score + (logit - log_norm), the sum the full table would hold), without two passes
        over the vocabulary and a top-k over size x V values.
        """
        width = min(2 * self.size, logits.shape[-1])
        top_logits, top_ids = fast_topk(logits, width)  # (size, 2 size) each beam's likeliest tokens
        logprobs = top_logits - log_norm[:, None]  # (size, 2 size)
        total = self.scores[:, None] + logprobs  # (size, 2 size) log P of those one-token extensions
        top_scores, top_flat = total.view(-1).topk(min(2 * self.size, total.numel()))  # the best over all beams
        candidates = []
        for score, flat in zip(top_scores.tolist(), top_flat.tolist()):
            beam, column = divmod(flat, width)
            candidates.append((score, beam, int(top_ids[beam, column]), float(logprobs[beam, column].exp())))
        return self.extend(candidates, stop_ids, max_len_reached)

    def extend(self, candidates: Sequence[tuple[float, int, int, float]], stop_ids: frozenset[int],
               max_len_reached: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """The new beams from the best one-token extensions, best first, each (score, beam, token, its
        probability): an extension ending on a stop token finishes a hypothesis if it ranks among the
        beams, the others become the beams. Returns (size,) source beam and (size,) new token of each."""
        sources, tokens, scores, histories = [], [], [], []
        for rank, (score, beam, token, p) in enumerate(candidates):
            chosen = Chosen(token, p, p)
            if token in stop_ids:
                if rank < self.size:  # a finished hypothesis only counts if it ranks among the beams
                    length = len(self.histories[beam]) + 1
                    self.finished.append((self._normalised(score, length), list(self.histories[beam])))
                continue
            sources.append(beam)
            tokens.append(token)
            scores.append(score)
            histories.append(self.histories[beam] + [chosen])
            if len(sources) == self.size:
                break
        self.scores = torch.tensor(scores)
        self.histories = histories
        self.finished.sort(key=lambda f: f[0], reverse=True)
        del self.finished[self.size :]
        length = len(histories[0])
        best_live = self._normalised(float(self.scores.max()), length)
        if max_len_reached or (len(self.finished) == self.size and self.finished[-1][0] >= best_live):
            self.done = True
        return torch.tensor(sources), torch.tensor(tokens)

    def best(self) -> tuple[list[Chosen], bool]:
        """The best hypothesis so far, and whether it ended on a stop token."""
        live = self._normalised(float(self.scores[0]), len(self.histories[0]))
        if self.finished and self.finished[0][0] >= live:
            return self.finished[0][1], True
        return self.histories[0], False


class GenerationRun:
    """The choices of one generation request, step after step, whoever computes the logits.

    Each strategy owns consecutive rows of the batch (one, or one per beam). `step(logits)` takes
    the (R, V) next-token logits of those rows, lets every strategy choose, and returns the state;
    then `next_ids` holds the token each row reads next and `reorder` which row each row continues
    (beams move between rows). gptlab.nn.generation.generate drives it with the transformers model, the
    model worker (gptlab.models.worker) with many requests at once in one batch; the choices are the same.
    """

    def __init__(self, strategies: Sequence[Strategy], *, max_new_tokens: int, seed: int,
                 stop_token_ids: Sequence[int] = (), pad_token_id: int = 0) -> None:
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        self.strategies = tuple(strategies)
        self.max_new_tokens = max_new_tokens
        self.stop_ids = frozenset(int(i) for i in stop_token_ids)
        self.pad_token_id = pad_token_id
        self.first_rows, row = [], 0
        for strategy in self.strategies:
            self.first_rows.append(row)
            row += strategy.num_beams
        self.n_rows = row
        # One generator per strategy: a strategy's text depends on the prompt, its settings and the
        # seed, not on which other strategies run beside it (up to rounding of batched arithmetic).
        self.generators = [torch.Generator().manual_seed(seed) for _ in self.strategies]
        self.beams = {i: _Beams(s.num_beams) for i, s in enumerate(self.strategies) if s.is_beam}
        self.tokens: list[list[Chosen]] = [[] for _ in self.strategies]
        self.finished = [False] * len(self.strategies)
        self.stopped = [False] * len(self.strategies)
        self.step_count = 0
        self.next_ids = torch.full((self.n_rows,), pad_token_id, dtype=torch.long)  # (R,)
        self.reorder: torch.Tensor | None = None  # (R,) source row of each row, when beams moved
        self.state: GenerationState | None = None

    def step(self, logits: torch.Tensor) -> GenerationState:
        """(R, V) float32 logits of this request's rows -> the state after one more token."""
        self.step_count += 1
        step = self.step_count
        log_norm = torch.logsumexp(logits, dim=-1)  # (R,) softmax denominators
        next_ids = torch.full((self.n_rows,), self.pad_token_id, dtype=torch.long)  # (R,)
        reorder = torch.arange(self.n_rows)  # (R,) which row each row continues (beams move)
        for i, strategy in enumerate(self.strategies):
            r = self.first_rows[i]
            if self.finished[i]:
                continue
            if strategy.is_beam:
                b = self.beams[i]
                sources, new_tokens = b.step(logits[r : r + b.size], log_norm[r : r + b.size], self.stop_ids,
                                             max_len_reached=step == self.max_new_tokens)
                reorder[r : r + b.size] = sources + r
                next_ids[r : r + b.size] = new_tokens
                best, ended = b.best()
                self.tokens[i], self.finished[i], self.stopped[i] = list(best), b.done, ended and b.done
                continue
            row_logits = logits[r]  # (V,)
            token, strategy_prob = choose_token(row_logits, strategy, self.generators[i])
            if token in self.stop_ids:
                self.finished[i] = self.stopped[i] = True
                continue
            model_prob = float((row_logits[token] - log_norm[r]).exp())
            self.tokens[i].append(Chosen(token, model_prob, strategy_prob))
            next_ids[r] = token
            if step == self.max_new_tokens:
                self.finished[i] = True
        self.next_ids = next_ids
        self.reorder = reorder if self.beams and not torch.equal(reorder, torch.arange(self.n_rows)) else None
        self.state = GenerationState(
            step=step,
            max_new_tokens=self.max_new_tokens,
            rows=tuple(RowResult(tuple(t), f, s) for t, f, s in zip(self.tokens, self.finished, self.stopped)),
        )
        return self.state

    @property
    def done(self) -> bool:
        return self.state is not None and self.state.done


@torch.inference_mode()
def generate(
    model,
    prompt_ids: Sequence[int],
    strategies: Sequence[Strategy],
    *,
    max_new_tokens: int,
    seed: int,
    stop_token_ids: Sequence[int] = (),
    pad_token_id: int = 0,
) -> Iterator[GenerationState]:
    """Generate with every strategy at once from one prompt; yields the state after each step.

    The readable loop over a transformers model: read the prompt once, copy its cache to every
    row, then one forward pass per step for all rows. The model worker runs the same choices
    (GenerationRun) on many requests at once.
    """
    if not prompt_ids:
        raise ValueError("the prompt has no tokens")
    run = GenerationRun(strategies, max_new_tokens=max_new_tokens, seed=seed, stop_token_ids=stop_token_ids,
                        pad_token_id=pad_token_id)
    model = causal_lm(model)
    cache = _cache(model)
    input_ids = torch.tensor([list(prompt_ids)], dtype=torch.long)  # (1, T)
    hidden = model.base_model(input_ids=input_ids, past_key_values=cache, use_cache=True).last_hidden_state[:, -1]  # (1, d)
    cache.batch_repeat_interleave(run.n_rows)  # every row starts from the same prompt
    logits = model_logits(model, hidden).expand(run.n_rows, -1)  # (R, V)
    while True:
        state = run.step(logits)
        yield state
        if state.done:
            return
        if run.reorder is not None:
            cache.reorder_cache(run.reorder)
        out = model.base_model(input_ids=run.next_ids[:, None], past_key_values=cache, use_cache=True)
        logits = model_logits(model, out.last_hidden_state[:, -1])  # (R, V)


def run(model, prompt_ids: Sequence[int], strategies: Sequence[Strategy], **kwargs) -> GenerationState:
    """generate() to the end; returns the final state."""
    state = None
    for state in generate(model, prompt_ids, strategies, **kwargs):
        pass
    assert state is not None
    return state
