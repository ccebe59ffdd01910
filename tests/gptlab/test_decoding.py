"""Decoding: our temperature, top-k and top-p equal transformers' processors; generation is exact and reproducible."""

from __future__ import annotations

import math

import pytest
import torch

from gptlab.nn import decoding as D
from gptlab.nn import generation as G


def _hf_warp(logits: torch.Tensor, s: D.Strategy) -> torch.Tensor:
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    procs = LogitsProcessorList()
    if s.temperature != 1.0:
        procs.append(TemperatureLogitsWarper(s.temperature))
    if s.top_k:
        procs.append(TopKLogitsWarper(top_k=s.top_k))
    if s.top_p < 1.0:
        procs.append(TopPLogitsWarper(top_p=s.top_p))
    return procs(torch.zeros(logits.shape[0], 1, dtype=torch.long), logits.clone())


SETTINGS = [
    D.Strategy(temperature=0.7),
    D.Strategy(temperature=1.3, top_k=50),
    D.Strategy(top_k=1),
    D.Strategy(top_p=0.9),
    D.Strategy(top_p=0.5),
    D.Strategy(top_p=0.0),
    D.Strategy(temperature=0.8, top_k=40, top_p=0.95),
    D.Strategy(temperature=2.0, top_p=0.99),
    D.Strategy(temperature=0.3, top_k=3000, top_p=0.8),
]


@pytest.mark.parametrize("strategy", SETTINGS, ids=str)
@pytest.mark.parametrize("vocab", [100, 262_144])
def test_warp_equals_transformers_logits_processors(strategy, vocab):
    torch.manual_seed(vocab)
    logits = torch.randn(4, vocab) * 3  # (B, V)
    ours = D.warp(logits, strategy)
    theirs = _hf_warp(logits, strategy)
    disagree = torch.isinf(ours) != torch.isinf(theirs)
    # Summing 200,000 probabilities in another order can move the top-p boundary by one token whose
    # mass-before is p up to rounding; anything else is a real difference.
    for row, token in disagree.nonzero().tolist():
        assert strategy.top_p < 1.0
        scaled = (D.keep_top_k(logits[row] / max(strategy.temperature, 1e-9), strategy.top_k)).double()
        probs = scaled.softmax(-1)
        mass_before = probs[probs > probs[token]].sum().item()
        assert abs(mass_before - strategy.top_p) < 1e-4
    assert disagree.sum() <= 4
    finite = torch.isfinite(ours) & torch.isfinite(theirs)
    assert torch.allclose(ours[finite], theirs[finite])


def test_top_p_widens_its_window_when_the_nucleus_is_large():
    logits = torch.zeros(1, 10_000)  # uniform, 1e-4 each: p = 0.50305 needs 5,031 tokens, many windows
    kept = torch.isfinite(D.keep_top_p(logits, 0.50305)).sum()
    assert kept == 5_031


def test_top_p_zero_and_tiny_keep_exactly_the_most_likely_token():
    logits = torch.tensor([[1.0, 3.0, 2.0]])
    for p in (0.0, 1e-9):
        assert torch.isfinite(D.keep_top_p(logits, p)).tolist() == [[False, True, False]]


def test_top_k_larger_than_the_vocabulary_keeps_everything():
    logits = torch.randn(2, 10)
    assert torch.equal(D.keep_top_k(logits, 11), logits)
    assert torch.equal(D.keep_top_k(logits, 0), logits)


def test_temperature_zero_is_greedy():
    logits = torch.tensor([[0.1, 2.0, 1.9]])
    probs = D.probabilities(logits, D.GREEDY)
    assert probs.tolist() == [[0.0, 1.0, 0.0]]
    assert D.choose(logits, D.GREEDY).tolist() == [1]
    assert D.GREEDY.is_greedy and not D.GREEDY.samples


def test_temperature_sharpens_and_flattens():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    cold = D.probabilities(logits, D.Strategy(temperature=0.5))[0]
    hot = D.probabilities(logits, D.Strategy(temperature=2.0))[0]
    assert cold[0] > 0.5 > hot[0]
    assert D.entropy_bits(cold) < D.entropy_bits(D.probabilities(logits)[0]) < D.entropy_bits(hot)
    # p_i^(1/T) renormalised: with T = 0.5, 0.5^2 / (0.25 + 0.09 + 0.0225 + 0.0025)
    assert cold[0].item() == pytest.approx(0.25 / 0.365, rel=1e-5)


def test_entropy_in_bits():
    assert D.entropy_bits(torch.full((8,), 1 / 8)).item() == pytest.approx(3.0)
    assert D.entropy_bits(torch.tensor([1.0, 0.0])).item() == 0.0


@pytest.mark.parametrize("bad", [dict(temperature=-0.1), dict(temperature=float("nan")), dict(temperature=99.0),
                                 dict(top_k=-1), dict(top_p=1.5), dict(top_p=-0.1), dict(num_beams=0),
                                 dict(num_beams=99)])
def test_strategy_rejects_out_of_range_values(bad):
    with pytest.raises(ValueError):
        D.Strategy(**bad)


def test_sampling_follows_the_distribution_and_never_draws_a_cut_token():
    probs = torch.tensor([0.5, 0.3, 0.2, 0.0])
    counts = D.draw_many(probs, 20_000, seed=1)
    assert counts[3] == 0
    assert counts.sum() == 20_000
    freq = counts.float() / 20_000
    assert torch.allclose(freq[:3], probs[:3], atol=0.015)
    assert torch.equal(counts, D.draw_many(probs, 20_000, seed=1))  # same seed, same draws


def test_next_token_view_marks_what_top_p_cuts():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    view = D.next_token_view(logits, D.Strategy(top_p=0.9), shown=4)
    assert [c.kept for c in view.candidates] == [True, True, True, False]
    assert view.kept_count == 3
    assert [round(c.cumulative, 4) for c in view.candidates] == [0.5, 0.8, 0.95, 1.0]
    assert view.candidates[0].strategy_prob == pytest.approx(0.5 / 0.95)
    assert view.model_entropy_bits == pytest.approx(-sum(p * math.log2(p) for p in (0.5, 0.3, 0.15, 0.05)), rel=1e-5)


# --- generation on a tiny random model (fast, exact comparisons with transformers' generate)


@pytest.fixture(scope="module")
def tiny(make_tiny_model):
    return make_tiny_model("gemma")


PROMPT = [2, 10, 20, 30, 40, 50, 60]


def _hf_generate(model, **kwargs):
    out = model.generate(torch.tensor([PROMPT]), max_new_tokens=12, min_new_tokens=12, eos_token_id=None,
                         pad_token_id=0, **kwargs)
    return out[0, len(PROMPT):].tolist()


def test_greedy_equals_transformers_generate(tiny):
    state = G.run(tiny, PROMPT, [D.GREEDY], max_new_tokens=12, seed=0)
    assert [c.token_id for c in state.rows[0].tokens] == _hf_generate(tiny, do_sample=False)


def test_beam_search_equals_transformers_generate(tiny):
    state = G.run(tiny, PROMPT, [D.Strategy(num_beams=3)], max_new_tokens=12, seed=0)
    assert [c.token_id for c in state.rows[0].tokens] == _hf_generate(tiny, do_sample=False, num_beams=3)


def test_batched_strategies_equal_each_strategy_alone(tiny):
    strategies = [D.GREEDY, D.Strategy(temperature=1.2), D.Strategy(top_k=5), D.Strategy(top_p=0.8),
                  D.Strategy(temperature=0.7, top_k=20, top_p=0.9), D.Strategy(num_beams=3)]
    together = G.run(tiny, PROMPT, strategies, max_new_tokens=10, seed=7)
    for strategy, row in zip(strategies, together.rows):
        alone = G.run(tiny, PROMPT, [strategy], max_new_tokens=10, seed=7)
        assert [c.token_id for c in row.tokens] == [c.token_id for c in alone.rows[0].tokens], strategy


def test_same_seed_same_text_other_seed_other_text(tiny):
    s = [D.Strategy(temperature=1.5)]
    a = G.run(tiny, PROMPT, s, max_new_tokens=12, seed=1).rows[0].tokens
    b = G.run(tiny, PROMPT, s, max_new_tokens=12, seed=1).rows[0].tokens
    c = G.run(tiny, PROMPT, s, max_new_tokens=12, seed=2).rows[0].tokens
    assert a == b
    assert [t.token_id for t in a] != [t.token_id for t in c]


def test_recorded_probabilities_are_the_models_and_the_strategys(tiny):
    strategy = D.Strategy(temperature=0.8, top_k=10)
    state = G.run(tiny, PROMPT, [strategy], max_new_tokens=5, seed=3)
    ids = list(PROMPT)
    for chosen in state.rows[0].tokens:
        logits = G.next_token_logits(tiny, ids)
        assert chosen.model_prob == pytest.approx(float(torch.softmax(logits, -1)[chosen.token_id]), rel=1e-4)
        assert chosen.strategy_prob == pytest.approx(float(D.probabilities(logits[None], strategy)[0, chosen.token_id]),
                                                     rel=1e-4)
        ids.append(chosen.token_id)


def test_a_stop_token_ends_a_row_but_not_the_others(tiny):
    greedy = G.run(tiny, PROMPT, [D.GREEDY], max_new_tokens=6, seed=0).rows[0].tokens
    stop = greedy[2].token_id  # greedy will produce this at step 3
    other = D.Strategy(temperature=1.0)
    alone = G.run(tiny, PROMPT, [other], max_new_tokens=6, seed=0).rows[0].tokens
    assert stop not in [c.token_id for c in alone]  # so the sampled row never meets the stop token
    state = G.run(tiny, PROMPT, [D.GREEDY, other], max_new_tokens=6, seed=0, stop_token_ids=[stop])
    assert state.rows[0].stopped_by_model and state.rows[0].finished
    assert [c.token_id for c in state.rows[0].tokens] == [c.token_id for c in greedy[:2]]
    assert not state.rows[1].stopped_by_model  # it went on to the end
    assert [c.token_id for c in state.rows[1].tokens] == [c.token_id for c in alone]


@pytest.mark.parametrize("beams", [2, 3, 4])
@pytest.mark.parametrize("eos", [None, 5, 17, 60])
def test_beam_search_with_stop_tokens_equals_transformers(tiny, beams, eos):
    out = tiny.generate(torch.tensor([PROMPT]), max_new_tokens=10, num_beams=beams, do_sample=False,
                        eos_token_id=eos, pad_token_id=0)
    expected = [i for i in out[0, len(PROMPT):].tolist() if i != eos]
    while expected and expected[-1] == 0 and eos is not None:  # padding after an early end
        expected.pop()
    state = G.run(tiny, PROMPT, [D.Strategy(num_beams=beams)], max_new_tokens=10, seed=0,
                  stop_token_ids=[] if eos is None else [eos])
    assert [c.token_id for c in state.rows[0].tokens] == expected


def test_sample_draws_by_inverse_transform_and_never_a_cut_token():
    probs = torch.tensor([[0.2, 0.0, 0.5, 0.3]]).expand(20_000, -1)  # (n, V): one draw per row
    draws = D.sample(probs, torch.Generator().manual_seed(0))
    counts = torch.bincount(draws, minlength=4).float() / 20_000
    assert counts[1] == 0
    assert torch.allclose(counts, torch.tensor([0.2, 0.0, 0.5, 0.3]), atol=0.015)
    edge = torch.tensor([[0.0, 0.0, 1.0]])
    assert all(int(D.sample(edge, torch.Generator().manual_seed(s))) == 2 for s in range(20))


def test_cumulative_line_is_what_top_p_cuts():
    torch.manual_seed(3)
    logits = torch.randn(500) * 2
    for strategy in (D.Strategy(temperature=0.5, top_p=0.6), D.Strategy(top_k=3, top_p=0.8),
                     D.Strategy(temperature=1.5, top_k=20, top_p=0.7)):
        view = D.next_token_view(logits, strategy, shown=30)
        before = 0.0
        for c in view.candidates:
            within_k = strategy.top_k == 0 or c.cumulative - before > 0
            assert c.kept == (within_k and before < strategy.top_p), strategy
            before = c.cumulative


def test_generation_streams_one_state_per_step_and_can_be_stopped(tiny):
    states = G.generate(tiny, PROMPT, [D.GREEDY, D.Strategy(top_p=0.9)], max_new_tokens=50, seed=0)
    first = next(states)
    second = next(states)
    states.close()  # the user pressed stop: nothing more is computed
    assert (first.step, second.step) == (1, 2)
    assert [len(r.tokens) for r in second.rows] == [2, 2]


def test_empty_prompt_is_refused(tiny):
    with pytest.raises(ValueError):
        G.run(tiny, [], [D.GREEDY], max_new_tokens=3, seed=0)


# --- repetition figures


def test_repetition_figures_of_a_loop_and_of_fresh_text():
    from labs.decoding.repetition import distinct_n, repetition_stats

    loop = [1, 2, 3] * 4  # "a b c a b c a b c a b c"
    stats = repetition_stats(loop, n=3)
    assert stats.distinct_1 == pytest.approx(3 / 12)
    assert stats.distinct_2 == pytest.approx(3 / 11)
    assert (stats.repeated, stats.total) == (7, 10)
    assert stats.most_repeated[0] == ((1, 2, 3), 4)
    fresh = repetition_stats(list(range(10)))
    assert (fresh.distinct_1, fresh.distinct_2, fresh.repeated, fresh.most_repeated) == (1.0, 1.0, 0, ())
    assert distinct_n([5], 2) is None


# --- the real decoder, as the lab holds it


@pytest.mark.real_models
def test_lab_logits_are_float32_exact_where_it_matters(lab_model, gemma_tokenizer):
    ids = gemma_tokenizer("A capital do Brasil é")["input_ids"]
    logits = G.next_token_logits(lab_model, ids)  # (V,)
    with torch.inference_mode():
        hidden = lab_model.model(input_ids=torch.tensor([ids])).last_hidden_state[0, -1]  # (d,)
        exact = hidden.float() @ lab_model.lm_head.weight.float().T  # (V,)
    top = torch.topk(exact, 50).indices
    assert torch.allclose(logits[top], exact[top], atol=1e-4)
    assert torch.isfinite(D.keep_top_k(logits, 5)).sum() == 5  # no bfloat16 ties among the leaders
    assert next(lab_model.parameters()).dtype == torch.bfloat16


@pytest.mark.real_models
def test_lab_generation_is_reproducible_and_readable(lab_model, gemma_tokenizer):
    ids = gemma_tokenizer("O Brasil é um país")["input_ids"]
    strategies = [D.GREEDY, D.Strategy(temperature=0.8, top_p=0.9), D.Strategy(num_beams=3)]
    a = G.run(lab_model, ids, strategies, max_new_tokens=8, seed=5)
    b = G.run(lab_model, ids, strategies, max_new_tokens=8, seed=5)
    assert a == b
    for row in a.rows:
        assert 1 <= len(row.tokens) <= 8
        text = "".join(G.pieces(gemma_tokenizer, [c.token_id for c in row.tokens], before=ids[-8:]))
        assert text == gemma_tokenizer.decode([c.token_id for c in row.tokens])
        assert all(0 < c.model_prob <= 1 for c in row.tokens)
    assert all(c.strategy_prob == 1.0 for c in a.rows[0].tokens)  # greedy: the only token left


def test_fit_prompt_keeps_bos_and_the_end():
    ids = [2] + list(range(10, 2000))
    fitted = G.fit_prompt(ids, max_new_tokens=24, bos_id=2, context=1024)
    assert len(fitted.ids) == 1000 and fitted.ids[0] == 2 and fitted.ids[-1] == 1999
    assert fitted.dropped == len(ids) - 1000
    short = G.fit_prompt([2, 5, 6], max_new_tokens=24, bos_id=2)
    assert short.ids == (2, 5, 6) and short.dropped == 0


def test_generation_runs_on_gpt2_too(gpt2_tokenizer, make_tiny_model):
    model = make_tiny_model("gpt2")
    ids = gpt2_tokenizer("Hello there")["input_ids"]
    state = G.run(model, ids, [D.GREEDY, D.Strategy(num_beams=2)], max_new_tokens=5, seed=0)
    hf = model.generate(torch.tensor([ids]), max_new_tokens=5, min_new_tokens=5, do_sample=False, eos_token_id=None,
                        pad_token_id=0)
    assert [c.token_id for c in state.rows[0].tokens] == hf[0, len(ids):].tolist()


@pytest.mark.real_models
def test_pieces_follow_characters_spread_over_byte_tokens(gemma_tokenizer):
    text = "Olá 🦜🪿 𓀀 ꙮ ação"
    ids = gemma_tokenizer(text, add_special_tokens=False)["input_ids"]
    assert len(ids) > len(text.split())  # some characters really are several byte tokens here
    parts = G.pieces(gemma_tokenizer, ids)
    assert "".join(parts) == text
    assert not any("\ufffd" in p for p in parts)
    prompt = gemma_tokenizer("Diga:")["input_ids"]
    assert "".join(G.pieces(gemma_tokenizer, ids, before=prompt)) == gemma_tokenizer.decode(prompt + ids)[
        len(gemma_tokenizer.decode(prompt)):]


@pytest.mark.real_models
def test_gemmas_stop_tokens_come_from_its_generation_config(lab_model, gemma_tokenizer):
    assert G.stop_token_ids(lab_model) == (gemma_tokenizer.eos_token_id,)  # the base model ends a text with <eos>


def _full_table_beam_step(beams, logprobs, stop_ids, max_len_reached):
    """The former _Beams.step (the reference): every beam x V extension scored, a top-k over all of them."""
    vocab = logprobs.shape[-1]
    total = beams.scores[:, None] + logprobs  # (size, V)
    top_scores, top_flat = total.view(-1).topk(2 * beams.size)
    candidates = [(score, flat // vocab, flat % vocab, float(logprobs[flat // vocab, flat % vocab].exp()))
                  for score, flat in zip(top_scores.tolist(), top_flat.tolist())]
    return beams.extend(candidates, stop_ids, max_len_reached)


@pytest.mark.parametrize("seed", range(6))
def test_beams_score_only_each_beams_likeliest_tokens_and_choose_as_the_full_table(seed):
    """_Beams.step scores each beam's 2 x beams likeliest tokens; the full table of beams x V extensions
    (what transformers scores) gives the same new beams, scores, texts and finished hypotheses, stop
    tokens included, on a vocabulary long enough for fast_topk's chunked path."""
    from gptlab.nn.generation import _Beams

    g = torch.Generator().manual_seed(seed)
    size, vocab = 4, 128 * 40
    fast, full = _Beams(size), _Beams(size)
    for step in range(8):
        logits = torch.randn(size, vocab, generator=g) * 3  # (beams, V)
        stop_ids = frozenset(torch.topk(logits[0], 3).indices[1:].tolist()) if step % 3 == 1 else frozenset()
        log_norm = torch.logsumexp(logits, dim=-1)  # (beams,)
        got = fast.step(logits, log_norm, stop_ids, max_len_reached=False)
        want = _full_table_beam_step(full, logits - log_norm[:, None], stop_ids, max_len_reached=False)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
        assert fast.scores.tolist() == full.scores.tolist()
        assert fast.histories == full.histories and fast.finished == full.finished
    assert fast.finished  # some hypotheses ended on a stop token
@pytest.mark.parametrize("strategy", [D.GREEDY, D.Strategy(temperature=0.7, top_k=50, top_p=0.9), D.Strategy(top_p=0.5),
                                      D.Strategy(num_beams=4)])
def test_the_labs_kept_view_is_next_token_view_for_every_number_of_candidates(monkeypatch, strategy):
    """The decoding lab keeps one view per prompt and settings, for its chart and its step-by-step choices:
    each is exactly what next_token_view gives for that many candidates."""
    from labs.decoding import widgets as ui_dec

    logits = torch.randn(5000, generator=torch.Generator().manual_seed(3)) * 4
    monkeypatch.setattr(ui_dec, "next_logits", lambda ids, model: logits.numpy())
    ids = (2, 11, 12, 13, abs(hash(repr(strategy))) % 10_000)  # its own cache entry
    for shown in (1, 10, 15, 40):
        assert ui_dec.token_view(ids, strategy, shown, "test") == D.next_token_view(logits, strategy, shown=shown)


def test_a_tokens_shade_bin_has_its_upper_bound_in_the_next_bin():
    from labs.decoding import widgets as ui_dec

    bounds = ui_dec.PROBABILITY_BINS  # upper bounds, exclusive: p = 0.05 is already in the second bin
    assert [ui_dec.bin_of(p) for p in (0.0, 0.049, 0.05, 0.2, 0.5, 0.79, 0.8, 1.0)] == [0, 0, 1, 2, 3, 3, 4, 4]
    assert len(ui_dec.BIN_COLOURS) == len(bounds) + 1 == len(ui_dec.BIN_TEXT)
