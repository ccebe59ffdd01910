"""BERT's MLM masking: the 15 % / 80-10-10 rule, special tokens, seeds, and equality with transformers' collator."""

import math

import pytest
import torch

from labs.bert_vs_gpt import masking as M

MASK_ID, VOCAB = 4, 1000


def draw(ids, special, seed, config=M.BERT_MASKING):
    return M.mask_tokens(ids, special, mask_token_id=MASK_ID, vocab_size=VOCAB,
                         generator=torch.Generator().manual_seed(seed), config=config)


def batch(B=4, T=12):
    """Ids 10.. with a [CLS]-like first and [SEP]-like last position marked special."""
    ids = torch.arange(10, 10 + B * T).reshape(B, T) % VOCAB  # (B, T)
    special = torch.zeros(B, T, dtype=torch.bool)
    special[:, 0] = special[:, -1] = True
    return ids, special


def within(count: int, n: int, p: float, sigmas: float = 4.0) -> bool:
    """Binomial tolerance: |count - n p| <= sigmas * sqrt(n p (1 - p))."""
    return abs(count - n * p) <= sigmas * math.sqrt(n * p * (1 - p))


# --- the rule on plain tensors ------------------------------------------------------------------------


def test_labels_inputs_and_actions_are_consistent():
    ids, special = batch(8, 40)
    d = draw(ids, special, seed=3, config=M.MaskingConfig(mlm_probability=0.5))
    assert d.chosen.any()
    # labels: the original id where chosen, -100 elsewhere
    assert torch.equal(d.labels[d.chosen], ids[d.chosen])
    assert (d.labels[~d.chosen] == M.IGNORE_INDEX).all()
    # inputs: unchanged where not chosen, [MASK] where masked, the original where kept
    assert torch.equal(d.input_ids[~d.chosen], ids[~d.chosen])
    assert (d.input_ids[d.masked] == MASK_ID).all()
    kept = d.chosen & ~d.masked & ~d.randomized
    assert torch.equal(d.input_ids[kept], ids[kept])
    assert ((d.input_ids[d.randomized] >= 0) & (d.input_ids[d.randomized] < VOCAB)).all()
    # the three actions split the chosen positions
    assert not (d.masked & d.randomized).any()
    assert torch.equal(d.masked | d.randomized | kept, d.chosen)


@pytest.mark.parametrize("p", [0.15, 0.5, 1.0])
def test_special_tokens_are_never_chosen(p):
    ids, special = batch(16, 20)
    for seed in range(50):
        d = draw(ids, special, seed, M.MaskingConfig(mlm_probability=p))
        assert not d.chosen[special].any()
        assert torch.equal(d.input_ids[special], ids[special])
        assert (d.labels[special] == M.IGNORE_INDEX).all()


def test_probability_zero_chooses_nothing_and_one_chooses_every_ordinary_token():
    ids, special = batch(4, 30)
    assert not draw(ids, special, 0, M.MaskingConfig(mlm_probability=0.0)).chosen.any()
    assert torch.equal(draw(ids, special, 0, M.MaskingConfig(mlm_probability=1.0)).chosen, ~special)


def test_same_seed_same_draw_other_seed_other_draw():
    ids, special = batch(4, 50)
    a, b, c = draw(ids, special, 7), draw(ids, special, 7), draw(ids, special, 8)
    assert torch.equal(a.input_ids, b.input_ids) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.chosen, c.chosen)
    assert torch.equal(ids, batch(4, 50)[0])  # the input tensor is not modified in place


def test_shares_follow_the_rule_within_binomial_tolerance():
    ids, special = batch(400, 52)  # 400 x 50 ordinary tokens
    chosen = masked = randomized = 0
    for seed in range(10):
        d = draw(ids, special, seed)
        chosen += int(d.chosen.sum())
        masked += int(d.masked.sum())
        randomized += int(d.randomized.sum())
    candidates = 10 * 400 * 50
    assert within(chosen, candidates, 0.15)
    assert within(masked, chosen, 0.8)
    assert within(randomized, chosen, 0.1)
    assert within(chosen - masked - randomized, chosen, 0.1)


def test_the_number_chosen_varies_from_draw_to_draw():
    ids, special = batch(1, 22)  # one sentence of 20 ordinary tokens
    counts = {int(draw(ids, special, seed).chosen.sum()) for seed in range(200)}
    assert len(counts) >= 4  # Bernoulli per token, not "exactly 15 %"
    assert 0 in counts or min(counts) <= 1


def test_config_is_validated():
    with pytest.raises(ValueError):
        M.MaskingConfig(mlm_probability=1.5)
    with pytest.raises(ValueError):
        M.MaskingConfig(mask_replace_prob=0.8, random_replace_prob=0.3)
    assert M.BERT_MASKING.keep_prob == 0.1


def test_share_check_margin_is_the_binomial_95_percent_range():
    c = M.ShareCheck("chosen", 150, 1000, 0.15)
    assert c.observed == 0.15 and c.within
    assert c.margin == pytest.approx(1.96 * math.sqrt(0.15 * 0.85 / 1000))
    assert not M.ShareCheck("chosen", 200, 1000, 0.15).within  # 5 points off, margin ~2.2
    empty = M.ShareCheck("mask", 0, 0, 0.8)
    assert math.isnan(empty.observed) and not empty.within


# --- on MiniLM's real WordPiece tokenizer ------------------------------------------------------------------


@pytest.mark.real_models
def test_tokenize_for_mlm_gives_real_wordpiece_tokens(bert_tokenizer):
    s = M.tokenize_for_mlm(bert_tokenizer, "O gato subiu no telhado")
    assert s.pieces[0] == "[CLS]" and s.pieces[-1] == "[SEP]"
    assert any(p.startswith("##") for p in s.pieces)  # Portuguese splits in an English vocabulary
    assert s.special[0] and s.special[-1] and not any(s.special[1:-1])
    assert s.candidates == len(s.pieces) - 2 and not s.truncated


@pytest.mark.real_models
@pytest.mark.parametrize("text", ["", "   ", "😀😀", "\u200b"])
def test_texts_without_words_leave_nothing_to_choose(bert_tokenizer, text):
    s = M.tokenize_for_mlm(bert_tokenizer, text)
    assert s.candidates == 0  # [CLS] [SEP], maybe [UNK]: all special
    r = M.mask_sentence(bert_tokenizer, s, seed=0, config=M.MaskingConfig(mlm_probability=1.0))
    assert r.chosen == 0 and all(label == M.IGNORE_INDEX for label in r.labels)


@pytest.mark.real_models
def test_markup_is_ordinary_text_and_emoji_become_unknown(bert_tokenizer):
    s = M.tokenize_for_mlm(bert_tokenizer, "<script>alert(1)</script> 😀")
    assert "script" in s.pieces and "<" in s.pieces
    unk = s.pieces.index("[UNK]")
    assert s.special[unk]  # never chosen, as in the collator
    r = M.mask_sentence(bert_tokenizer, s, seed=1, config=M.MaskingConfig(mlm_probability=1.0))
    assert not r.tokens[unk].chosen and r.chosen == s.candidates


@pytest.mark.real_models
def test_huge_text_is_cut_to_512_tokens_keeping_the_final_sep(bert_tokenizer):
    s = M.tokenize_for_mlm(bert_tokenizer, "palavra " * 30_000)
    assert len(s.input_ids) == M.MAX_BERT_TOKENS and s.truncated and s.full_length > M.MAX_BERT_TOKENS
    assert s.pieces[0] == "[CLS]" and s.pieces[-1] == "[SEP]"
    r = M.mask_sentence(bert_tokenizer, s, seed=0)
    assert len(r.input_ids) == len(r.labels) == M.MAX_BERT_TOKENS


@pytest.mark.real_models
def test_mask_sentence_reports_each_token(bert_tokenizer):
    s = M.tokenize_for_mlm(bert_tokenizer, "the quick brown fox jumps over the lazy dog " * 4)
    r = M.mask_sentence(bert_tokenizer, s, seed=11, config=M.MaskingConfig(mlm_probability=0.5))
    assert r.chosen == sum(r.count(a) for a in M.ACTIONS) > 0
    for tok in r.tokens:
        assert tok.original == bert_tokenizer.convert_ids_to_tokens(tok.original_id)
        assert tok.seen == bert_tokenizer.convert_ids_to_tokens(tok.input_id)
        if tok.action == "mask":
            assert tok.seen == "[MASK]" and tok.label == tok.original_id
        elif tok.action == "keep":
            assert tok.input_id == tok.original_id == tok.label
        elif tok.action is None:
            assert tok.input_id == tok.original_id and tok.label == M.IGNORE_INDEX


def collator_batch(tokenizer, ids, seed, **kwargs):
    from transformers import DataCollatorForLanguageModeling

    collator = DataCollatorForLanguageModeling(tokenizer, mlm=True, seed=seed, **kwargs)
    return collator([{"input_ids": list(ids)}])


@pytest.mark.real_models
@pytest.mark.parametrize("config", [M.BERT_MASKING, M.MaskingConfig(0.4, 0.6, 0.3), M.MaskingConfig(0.3, 1.0, 0.0),
                                    M.MaskingConfig(0.3, 0.5, 0.0)])
def test_same_seed_gives_exactly_the_collators_result(bert_tokenizer, config):
    s = M.tokenize_for_mlm(bert_tokenizer, "O gato subiu no telhado porque estava com medo do cachorro.")
    for seed in range(60):
        ours = M.mask_sentence(bert_tokenizer, s, seed, config)
        theirs = collator_batch(bert_tokenizer, s.input_ids, seed, mlm_probability=config.mlm_probability,
                                mask_replace_prob=config.mask_replace_prob,
                                random_replace_prob=config.random_replace_prob)
        assert theirs["input_ids"][0].tolist() == list(ours.input_ids)
        assert theirs["labels"][0].tolist() == list(ours.labels)


@pytest.mark.real_models
def test_many_draws_match_the_rule_and_the_collator_in_distribution(bert_tokenizer):
    s = M.tokenize_for_mlm(bert_tokenizer, "The cat climbed onto the roof because it was afraid of the dog.")
    report = M.many_draws(bert_tokenizer, s, first_seed=0, draws=2000)
    assert len(report.chosen_per_draw) == 2000
    chosen, mask, rand, keep = report.checks
    assert chosen.out_of == 2000 * s.candidates and mask.out_of == chosen.count
    assert mask.count + rand.count + keep.count == chosen.count
    for c in report.checks:
        assert within(c.count, c.out_of, c.expected), c
    from transformers import DataCollatorForLanguageModeling

    # The collator on one batch of 2,000 copies, another seed: the same shares, within tolerance.
    collator = DataCollatorForLanguageModeling(bert_tokenizer, mlm=True, mlm_probability=0.15, seed=999)
    big = collator([{"input_ids": list(s.input_ids)} for _ in range(2000)])
    picked = big["labels"] != M.IGNORE_INDEX  # (2000, T)
    n_picked = int(picked.sum())
    n_mask = int((big["input_ids"][picked] == bert_tokenizer.mask_token_id).sum())
    # Two binomial samples of the same share differ by at most ~4 sigma of their difference.
    tolerance = 4 * math.sqrt(2 * 0.15 * 0.85 / chosen.out_of)
    assert abs(n_picked / chosen.out_of - chosen.observed) <= tolerance
    tolerance = 4 * math.sqrt(0.8 * 0.2 * (1 / n_picked + 1 / chosen.count))
    assert abs(n_mask / n_picked - mask.observed) <= tolerance
