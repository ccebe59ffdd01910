"""Prompt sensitivity: phrasings typed one per line, and P(right answer) after each."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from gptlab.nn.confidence import score_continuations
from labs.risks import prompt_sensitivity as S


def test_parse_phrasings():
    typed = "The capital of France is  \n\nQ: What is the capital of France?\\nA:\nThe capital of France is\n" + "x" * 201
    parsed = S.parse_phrasings(typed)
    assert parsed.items == ("The capital of France is", "Q: What is the capital of France?\nA:")
    assert parsed.too_long == 1 and not parsed.too_many
    many = S.parse_phrasings("\n".join(f"phrasing {i}" for i in range(S.MAX_PHRASINGS + 2)))
    assert len(many.items) == S.MAX_PHRASINGS and many.too_many
    assert S.parse_phrasings("").items == () and S.parse_phrasings(None).items == () and S.parse_phrasings(" \n ").items == ()


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_default_phrasings_are_several_and_one_spans_two_lines(lang):
    parsed = S.parse_phrasings(t("risks.sens.phrasings_default", lang))
    assert 3 <= len(parsed.items) <= S.MAX_PHRASINGS and not parsed.too_long
    assert any("\n" in p for p in parsed.items)


def test_answer_probabilities_score_every_phrasing(gpt2_tokenizer, make_tiny_model):
    model = make_tiny_model("gpt2")
    phrasings = ("The capital of France is", "Q: What is the capital of France?\nA:")
    scores = S.answer_probabilities(model, gpt2_tokenizer, phrasings, "  Paris ")
    answer = gpt2_tokenizer(" Paris")["input_ids"]
    expected = score_continuations(model, [gpt2_tokenizer(p)["input_ids"] for p in phrasings], [answer, answer])
    assert [s.phrasing for s in scores] == list(phrasings)
    for s, e in zip(scores, expected):
        assert s.answer.token_ids == tuple(answer)
        assert s.answer.prob == pytest.approx(e.prob, rel=1e-4)
    assert scores[0].answer.prob != scores[1].answer.prob


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_real_model_defaults_show_the_spread(prepared_decoder, gemma_tokenizer, lang):
    from gptlab import models

    model = models.load_decoding_model()
    phrasings = S.parse_phrasings(t("risks.sens.phrasings_default", lang)).items
    scores = S.answer_probabilities(model, gemma_tokenizer, phrasings, t("risks.sens.answer_default", lang))
    probs = [s.answer.prob for s in scores]
    assert all(0 < p < 1 for p in probs)
    assert max(probs) > 10 * min(probs)  # same question, very different odds: what the demo is for
