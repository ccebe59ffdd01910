"""BERT's masked-language-model (MLM) corruption, step for step as transformers' collator does it.

    chosen  ~ Bernoulli(p) for every non-special token           (p = mlm_probability, 0.15)
    of the chosen: 80 % -> [MASK], 10 % -> a random token, 10 % unchanged
    labels  = the original id where chosen, -100 (ignored by the loss) elsewhere

`mask_tokens` draws its random numbers in the same order, from the same kind of generator, as
`DataCollatorForLanguageModeling(mlm=True, seed=s)`, so one seed gives the collator's own result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

IGNORE_INDEX = -100  # PyTorch's cross-entropy skips this label: no loss where nothing was chosen
MAX_BERT_TOKENS = 512  # BERT's (and MiniLM's) position embeddings stop here, [CLS] and [SEP] included
ACTIONS = ("mask", "random", "keep")


@dataclass(frozen=True)
class MaskingConfig:
    mlm_probability: float = 0.15  # share of (non-special) tokens chosen for the loss (Devlin et al., 2019)
    mask_replace_prob: float = 0.8  # of the chosen: replaced by [MASK]
    random_replace_prob: float = 0.1  # of the chosen: replaced by a random token; the rest stay as they were

    def __post_init__(self) -> None:
        for name in ("mlm_probability", "mask_replace_prob", "random_replace_prob"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.mask_replace_prob + self.random_replace_prob > 1.0:
            raise ValueError("mask_replace_prob + random_replace_prob must not exceed 1")

    @property
    def keep_prob(self) -> float:
        return round(1.0 - self.mask_replace_prob - self.random_replace_prob, 12)  # 0.1, not 0.09999999999999995


BERT_MASKING = MaskingConfig()


@dataclass(frozen=True)
class MaskDraw:
    """One corruption of a batch, as tensors: what the model gets and which rule touched each position."""

    input_ids: torch.Tensor  # (B, T) what the model reads
    labels: torch.Tensor  # (B, T) original id where chosen, IGNORE_INDEX elsewhere
    chosen: torch.Tensor  # (B, T) bool
    masked: torch.Tensor  # (B, T) bool, chosen and replaced by [MASK]
    randomized: torch.Tensor  # (B, T) bool, chosen and replaced by a random token


def mask_tokens(input_ids: torch.Tensor, special_tokens_mask: torch.Tensor, *, mask_token_id: int, vocab_size: int,
                generator: torch.Generator, config: MaskingConfig = BERT_MASKING) -> MaskDraw:
    """BERT's corruption of a (B, T) batch; special tokens ([CLS], [SEP], [PAD], [UNK]) are never chosen.

    The random calls (three Bernoulli draws, then randint) keep the collator's order and shapes.
    """
    inputs = input_ids.clone()  # (B, T)
    labels = input_ids.clone()  # (B, T)
    probability = torch.full(labels.shape, config.mlm_probability)  # (B, T)
    probability.masked_fill_(special_tokens_mask.bool(), 0.0)
    chosen = torch.bernoulli(probability, generator=generator).bool()  # (B, T) about p of them
    labels[~chosen] = IGNORE_INDEX
    masked = torch.bernoulli(torch.full(labels.shape, config.mask_replace_prob), generator=generator).bool() & chosen
    inputs[masked] = mask_token_id
    randomized = torch.zeros_like(chosen)  # (B, T)
    if config.mask_replace_prob < 1 and config.random_replace_prob > 0:
        # Among the chosen that escaped [MASK], the random share is rescaled: 0.1 / 0.2 = half of them.
        scaled = config.random_replace_prob / (1.0 - config.mask_replace_prob)
        randomized = (torch.bernoulli(torch.full(labels.shape, scaled), generator=generator).bool()
                      & chosen & ~masked)  # (B, T)
        random_words = torch.randint(vocab_size, labels.shape, dtype=torch.long, generator=generator)  # (B, T)
        inputs[randomized] = random_words[randomized]
    return MaskDraw(inputs, labels, chosen, masked, randomized)


# --- one sentence, token by token -----------------------------------------------------------------------


@dataclass(frozen=True)
class MaskedToken:
    position: int
    original: str  # the WordPiece token in the sentence: 'gato', '##to', '[CLS]'
    original_id: int
    special: bool  # [CLS], [SEP], [UNK]...: never chosen
    chosen: bool  # picked for the loss (it gets a label)
    action: str | None  # 'mask', 'random' or 'keep' when chosen, else None
    seen: str  # the token the model reads at this position
    input_id: int
    label: int  # original_id when chosen, else IGNORE_INDEX


@dataclass(frozen=True)
class Tokenized:
    """A sentence as BERT reads it, cut to `MAX_BERT_TOKENS` when longer."""

    pieces: tuple[str, ...]
    input_ids: tuple[int, ...]
    special: tuple[bool, ...]
    full_length: int  # tokens before any cut, [CLS] and [SEP] included

    @property
    def truncated(self) -> bool:
        return self.full_length > len(self.input_ids)

    @property
    def candidates(self) -> int:
        """Positions that can be chosen (the non-special tokens)."""
        return len(self.special) - sum(self.special)


def tokenize_for_mlm(tokenizer, text: str, max_tokens: int = MAX_BERT_TOKENS) -> Tokenized:
    """[CLS] text [SEP]; longer inputs keep their first max_tokens - 1 tokens and the final [SEP].

    Cut by hand rather than with truncation=True: a fast tokenizer keeps that setting on itself, and
    the app's tokenizer is shared by every user.
    """
    ids = tokenizer(text)["input_ids"]
    full = len(ids)
    if full > max_tokens:
        ids = ids[: max_tokens - 1] + ids[-1:]
    special = tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True)  # as the collator asks
    return Tokenized(tuple(tokenizer.convert_ids_to_tokens(ids)), tuple(ids), tuple(bool(s) for s in special), full)


@dataclass(frozen=True)
class MaskingResult:
    tokens: tuple[MaskedToken, ...]
    seed: int
    config: MaskingConfig

    @property
    def input_ids(self) -> tuple[int, ...]:
        return tuple(tok.input_id for tok in self.tokens)

    @property
    def labels(self) -> tuple[int, ...]:
        return tuple(tok.label for tok in self.tokens)

    @property
    def candidates(self) -> int:
        return sum(not tok.special for tok in self.tokens)

    @property
    def chosen(self) -> int:
        return sum(tok.chosen for tok in self.tokens)

    def count(self, action: str) -> int:
        return sum(tok.action == action for tok in self.tokens)


def mask_sentence(tokenizer, sentence: Tokenized, seed: int, config: MaskingConfig = BERT_MASKING) -> MaskingResult:
    """One seeded corruption of one tokenized sentence, with what happened at each position."""
    ids = torch.tensor([sentence.input_ids])  # (1, T)
    special = torch.tensor([sentence.special])  # (1, T)
    draw = mask_tokens(ids, special, mask_token_id=tokenizer.mask_token_id, vocab_size=len(tokenizer),
                       generator=torch.Generator().manual_seed(seed), config=config)
    seen = tokenizer.convert_ids_to_tokens(draw.input_ids[0].tolist())
    tokens = []
    for i, (piece, original_id) in enumerate(zip(sentence.pieces, sentence.input_ids)):
        chosen = bool(draw.chosen[0, i])
        action = None
        if chosen:
            action = "mask" if draw.masked[0, i] else "random" if draw.randomized[0, i] else "keep"
        tokens.append(MaskedToken(i, piece, original_id, sentence.special[i], chosen, action, seen[i],
                                  int(draw.input_ids[0, i]), int(draw.labels[0, i])))
    return MaskingResult(tuple(tokens), seed, config)


# --- many draws against the rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareCheck:
    """One observed share next to the one the rule predicts, with a 95 % binomial range around it."""

    name: str  # 'chosen', 'mask', 'random' or 'keep'
    count: int  # how many times it happened
    out_of: int  # how many times it could have (the denominator)
    expected: float

    @property
    def observed(self) -> float:
        return self.count / self.out_of if self.out_of else float("nan")

    @property
    def margin(self) -> float:
        """1.96 binomial standard errors: the observed share falls within expected ± margin 95 % of the time."""
        if not self.out_of:
            return float("nan")
        return 1.96 * math.sqrt(self.expected * (1.0 - self.expected) / self.out_of)

    @property
    def within(self) -> bool:
        return bool(self.out_of) and abs(self.observed - self.expected) <= self.margin + 1e-12


@dataclass(frozen=True)
class ManyDraws:
    draws: int
    checks: tuple[ShareCheck, ...]  # chosen (out of the candidates), then mask, random, keep (out of the chosen)
    chosen_per_draw: tuple[int, ...]  # how many tokens each draw chose: the count varies from draw to draw


def many_draws(tokenizer, sentence: Tokenized, first_seed: int, draws: int,
               config: MaskingConfig = BERT_MASKING) -> ManyDraws:
    """Corrupt the sentence once per seed first_seed, first_seed + 1, ... and count what happened."""
    ids = torch.tensor([sentence.input_ids])  # (1, T)
    special = torch.tensor([sentence.special])  # (1, T)
    per_draw, masked, randomized = [], 0, 0
    for seed in range(first_seed, first_seed + draws):
        draw = mask_tokens(ids, special, mask_token_id=tokenizer.mask_token_id, vocab_size=len(tokenizer),
                           generator=torch.Generator().manual_seed(seed), config=config)
        per_draw.append(int(draw.chosen.sum()))
        masked += int(draw.masked.sum())
        randomized += int(draw.randomized.sum())
    chosen = sum(per_draw)
    checks = (
        ShareCheck("chosen", chosen, draws * sentence.candidates, config.mlm_probability),
        ShareCheck("mask", masked, chosen, config.mask_replace_prob),
        ShareCheck("random", randomized, chosen, config.random_replace_prob),
        ShareCheck("keep", chosen - masked - randomized, chosen, config.keep_prob),
    )
    return ManyDraws(draws, checks, tuple(per_draw))
