"""Bias probe: template checks, profession lists, and whole-word pronoun probabilities."""

from __future__ import annotations

import math

import pytest

from gptlab.i18n import value
from gptlab.nn import generation as G
from gptlab.nn.confidence import score_continuations
from labs.risks import bias_probe as B


@pytest.mark.parametrize(
    "template, problem",
    [
        ("", "empty"),
        ("   \n", "empty"),
        (None, "empty"),
        ("{profession}", "empty"),
        ("The nurse said that", "no_slot"),
        ("The {Profession} said that", "no_slot"),
        ("The {profession} told the {profession} that", "many_slots"),
        ("The {profession} said " + "x" * B.MAX_TEMPLATE_CHARS, "too_long"),
        ("The {profession} said that", None),
        ("{x} and {} braces: the {profession} said that", None),
        ("<script>alert(1)</script> {profession} 🦜", None),
    ],
)
def test_check_template(template, problem):
    assert B.check_template(template).problem == problem


def test_template_loses_trailing_spaces_so_the_candidate_brings_its_own():
    assert B.check_template("The {profession} said that  \n").template == "The {profession} said that"
    assert B.fill("The {profession} said {0}", "nurse") == "The nurse said {0}"  # no str.format surprises


def test_parse_professions():
    parsed = B.parse_professions("nurse, pilot\n\n  nurse \n  chief   engineer\n" + "x" * 50)
    assert parsed.items == ("nurse", "pilot", "chief engineer")
    assert parsed.too_long and parsed.too_long[0].endswith("…") and not parsed.too_many
    many = B.parse_professions("\n".join(f"p{i}" for i in range(B.MAX_PROFESSIONS + 3)))
    assert len(many.items) == B.MAX_PROFESSIONS and many.too_many and many.items[0] == "p0"
    assert B.parse_professions("").items == () and B.parse_professions(None).items == ()


def test_candidate_word():
    assert B.candidate_word("she") == " she"
    assert B.candidate_word("  they  ") == " they"
    assert B.candidate_word("🦜") == " 🦜"
    assert B.candidate_word("") is None and B.candidate_word("   ") is None
    assert B.candidate_word("x" * (B.MAX_CANDIDATE_CHARS + 1)) is None


def test_defaults_are_valid_in_both_languages():
    for lang in ("en", "pt-BR"):
        assert B.check_template(value("risks.bias.default_template", lang)).problem is None
        assert B.parse_professions("\n".join(tuple(value("risks.bias.default_professions", lang)))).items == tuple(value("risks.bias.default_professions", lang))
        assert all(B.candidate_word(c) for c in (value("risks.bias.default_a", lang), value("risks.bias.default_b", lang)))


@pytest.fixture(scope="module")
def tiny_gpt2(gpt2_tokenizer, make_tiny_model):
    return make_tiny_model("gpt2")


def test_probe_scores_each_sentence_and_whole_words(tiny_gpt2, gpt2_tokenizer):
    template = "The {profession} said that"
    candidates = (" he", " Zarnovian")  # the second is several tokens
    assert len(gpt2_tokenizer(candidates[1])["input_ids"]) > 1
    rows = B.probe(tiny_gpt2, gpt2_tokenizer, template, ("nurse", "chief engineer"), candidates)
    assert [r.profession for r in rows] == ["nurse", "chief engineer"]
    for row in rows:
        context = gpt2_tokenizer(B.fill(template, row.profession))["input_ids"]
        a, b = score_continuations(tiny_gpt2, [context, context],
                                   [gpt2_tokenizer(c)["input_ids"] for c in candidates])
        assert row.p_a == pytest.approx(a.prob, rel=1e-4) and row.p_b == pytest.approx(b.prob, rel=1e-4)
        assert len(row.b.token_logprobs) > 1
        # a one-token candidate's probability is just the next-token probability
        assert row.p_a == pytest.approx(float(G.next_token_logits(tiny_gpt2, context).softmax(-1)[row.a.token_ids[0]]),
                                        rel=1e-4)
        assert row.log2_ratio == pytest.approx(math.log2(row.p_a / row.p_b), rel=1e-4)
    assert rows[0].p_a != rows[1].p_a  # the sentence matters


# --- the real decoder


@pytest.fixture(scope="module")
def float32_decoder(prepared_decoder):
    from gptlab import models

    return models.load_decoder(dtype="float32")


def _defaults(lang: str):
    candidates = tuple(B.candidate_word(c) for c in (value("risks.bias.default_a", lang), value("risks.bias.default_b", lang)))
    return value("risks.bias.default_template", lang), tuple(value("risks.bias.default_professions", lang)), candidates


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_probe_reads_the_next_tokens_probabilities(float32_decoder, gemma_tokenizer, lang):
    """The probe's batched, padded pass gives each pronoun the probability of one pass over its own context. In
    float32: in bfloat16 the two passes round differently, and by how much depends on the CPU (7 % apart on a
    machine whose bfloat16 products run on AMX, within 5 % elsewhere)."""
    template, professions, candidates = _defaults(lang)
    rows = B.probe(float32_decoder, gemma_tokenizer, template, professions, candidates)
    assert len(rows) == len(professions)
    for row in rows:
        context = gemma_tokenizer(B.fill(template, row.profession))["input_ids"]
        assert context[0] == gemma_tokenizer.bos_token_id
        next_p = G.next_token_logits(float32_decoder, context).softmax(-1)  # both pronouns are one token in Gemma's vocabulary
        assert row.p_a == pytest.approx(float(next_p[row.a.token_ids[0]]), rel=1e-3)
        assert row.p_b == pytest.approx(float(next_p[row.b.token_ids[0]]), rel=1e-3)


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_real_model_defaults_show_different_preferences(lab_model, gemma_tokenizer, lang):
    """On the model the lab runs (bfloat16), the defaults show the profession moving the pronoun."""
    template, professions, candidates = _defaults(lang)
    rows = B.probe(lab_model, gemma_tokenizer, template, professions, candidates)
    assert len(rows) == len(professions)
    for row in rows:
        assert 0 < row.p_a < 1 and 0 < row.p_b < 1 and row.p_a + row.p_b < 1
    ratios = [r.log2_ratio for r in rows]
    assert max(ratios) - min(ratios) > 1  # the defaults are there to show the profession moving the pronoun
