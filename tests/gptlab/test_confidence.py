"""The model's own confidence: teacher-forced sequence probabilities and greedy text with its probabilities."""

from __future__ import annotations

import math

import pytest
import torch

from gptlab.nn import confidence as C
from gptlab.nn import generation as G


@pytest.fixture(scope="module")
def tiny(make_tiny_model):
    return make_tiny_model("gemma")


def _reference(model, context, continuation) -> list[float]:
    """Each continuation token's log-probability from the model's own full forward pass, in float64."""
    with torch.inference_mode():
        logits = model(torch.tensor([list(context) + list(continuation)])).logits[0].double()  # (T, V)
    logprobs = logits.log_softmax(-1)
    return [float(logprobs[len(context) - 1 + i, t]) for i, t in enumerate(continuation)]


PAIRS = [
    ([2, 10, 20, 30, 40, 50, 60, 70, 11], [5]),  # longer than the sliding window
    ([2, 7], [8, 9, 10, 11]),
    ([2, 33, 44, 55], [66, 66]),
]


def test_teacher_forcing_equals_the_models_own_logits(tiny):
    scores = C.score_continuations(tiny, [c for c, _ in PAIRS], [k for _, k in PAIRS])
    for (context, continuation), score in zip(PAIRS, scores):
        assert score.token_ids == tuple(continuation)
        assert score.token_logprobs == pytest.approx(_reference(tiny, context, continuation), abs=1e-5)
        assert score.prob == pytest.approx(math.exp(sum(_reference(tiny, context, continuation))), rel=1e-4)


def test_padding_in_a_batch_changes_nothing(tiny):
    together = C.score_continuations(tiny, [c for c, _ in PAIRS], [k for _, k in PAIRS])
    alone = [C.score_continuations(tiny, [c], [k])[0] for c, k in PAIRS]
    for a, b in zip(together, alone):
        assert a.token_logprobs == pytest.approx(b.token_logprobs, abs=1e-5)
        assert [i for i, _ in a.top_next] == [i for i, _ in b.top_next]


def test_a_sequence_probability_is_the_product_of_next_token_probabilities(tiny):
    context, continuation = [2, 7, 19], [23, 5, 61]
    product, ids = 1.0, list(context)
    for token in continuation:
        product *= float(G.next_token_logits(tiny, ids).softmax(-1)[token])
        ids.append(token)
    assert C.score_continuations(tiny, [context], [continuation])[0].prob == pytest.approx(product, rel=1e-4)


def test_top_next_is_the_distribution_right_after_the_context(tiny):
    context = [2, 40, 41]
    score = C.score_continuations(tiny, [context], [[3, 4]], top_next=4)[0]
    probs = G.next_token_logits(tiny, context).softmax(-1)
    p, ids = probs.topk(4)
    assert [i for i, _ in score.top_next] == ids.tolist()
    assert [q for _, q in score.top_next] == pytest.approx(p.tolist(), abs=1e-6)
    assert [q for _, q in score.top_next] == sorted((q for _, q in score.top_next), reverse=True)


def test_bfloat16_model_scores_in_float32(make_tiny_model):
    model = make_tiny_model("gemma", dtype=torch.bfloat16)
    context, continuation = [2, 10, 20, 30], [40, 50]
    score = C.score_continuations(model, [context], [continuation])[0]
    with torch.inference_mode():
        hidden = model.base_model(input_ids=torch.tensor([context + continuation[:-1]])).last_hidden_state[0]  # (T, d)
        exact = (hidden.float() @ model.lm_head.weight.float().T).log_softmax(-1)  # (T, V)
    expected = [float(exact[len(context) - 1 + i, t]) for i, t in enumerate(continuation)]
    assert score.token_logprobs == pytest.approx(expected, abs=1e-4)


def test_greedy_continuation_rescored_by_teacher_forcing_gives_the_same_probabilities(tiny):
    prompt = [2, 10, 20, 30]
    chosen = C.greedy_continuation(tiny, prompt, max_new_tokens=8)
    assert len(chosen) == 8
    ids = [c.token_id for c in chosen]
    for i, c in enumerate(chosen):  # each was the most likely token at its step
        assert int(G.next_token_logits(tiny, prompt + ids[:i]).argmax()) == c.token_id
    rescored = C.score_continuations(tiny, [prompt], [ids])[0]
    assert [math.exp(lp) for lp in rescored.token_logprobs] == pytest.approx([c.model_prob for c in chosen], rel=1e-4)


def test_summary_and_bad_calls(tiny):
    s = C.summarize([0.9, 0.2, 0.4])
    assert (s.mean, s.minimum, s.first) == (pytest.approx(0.5), 0.2, 0.9)
    with pytest.raises(ValueError):
        C.summarize([])
    with pytest.raises(ValueError):
        C.score_continuations(tiny, [[2, 3]], [[4], [5]])
    with pytest.raises(ValueError):
        C.score_continuations(tiny, [[2, 3]], [[]])


# --- the real decoder, as the app holds it (bfloat16)


@pytest.mark.real_models
def test_real_model_multi_token_word_is_scored_token_by_token(lab_model, gemma_tokenizer):
    context = gemma_tokenizer("A capital da Zarvânia é a cidade de")["input_ids"]
    word = gemma_tokenizer(" Zarvânia", add_special_tokens=False)["input_ids"]
    assert len(word) > 1  # an invented name is several tokens
    score = C.score_continuations(lab_model, [context], [word])[0]
    product, ids = 1.0, list(context)
    for token in word:
        product *= float(G.next_token_logits(lab_model, ids).softmax(-1)[token])
        ids.append(token)
    assert score.prob == pytest.approx(product, rel=0.05)  # batched vs one-by-one bfloat16 arithmetic
    assert score.prob < math.exp(score.token_logprobs[0])


@pytest.mark.real_models
def test_real_model_greedy_text_about_an_invented_country(lab_model, gemma_tokenizer):
    prompt = gemma_tokenizer("The Republic of Zarvania declared its independence in")["input_ids"]
    chosen = C.greedy_continuation(lab_model, prompt, max_new_tokens=12)
    assert 1 <= len(chosen) <= 12
    assert all(0 < c.model_prob <= 1 and c.strategy_prob == 1.0 for c in chosen)
    text = gemma_tokenizer.decode([c.token_id for c in chosen])
    assert text.strip()
    rescored = C.score_continuations(lab_model, [prompt], [[c.token_id for c in chosen]])[0]
    assert [math.exp(lp) for lp in rescored.token_logprobs] == pytest.approx([c.model_prob for c in chosen], abs=0.05)
    assert rescored.top_next[0][0] == chosen[0].token_id  # greedy took the favourite
