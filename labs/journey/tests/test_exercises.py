"""The journey lab's exercises: the code exercise's reference against the library's lens, its explanations of
common slips, the numeric answers, and the widget task graded on the real model."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

from gptlab.exercises import bank
from gptlab.exercises.checkers import grade
from gptlab.exercises.model import CORRECT, INCORRECT, INVALID
from gptlab.nn import logit_lens as LL
from labs.journey import exercises as E
from labs.journey import settings as S


def test_the_reference_is_the_labs_lens_with_gemmas_norm(make_tiny_model):
    """exercises.logit_lens on lists == gptlab.nn.logit_lens on a Gemma model's own final norm and unembedding."""
    model = make_tiny_model("gemma", vocab_size=40, hidden_size=8, num_hidden_layers=1, head_dim=4,
                            layer_types=["full_attention"],
                            rms_norm_eps=E.EPS)
    torch.manual_seed(3)
    with torch.no_grad():
        model.model.norm.weight.copy_(torch.randn(8))
    residual = torch.randn(8) * 5
    unembedding = model.lm_head.weight.detach()
    lens = LL.logit_lens(LL.final_norm(model, residual[None]).detach(), unembedding, None, k=40)
    ours = E.logit_lens(residual.tolist(), model.model.norm.weight.tolist(), unembedding.tolist())
    np.testing.assert_allclose(np.array(ours)[lens.top_ids[0]], lens.top_probs[0], rtol=1e-5, atol=1e-8)
    assert math.isclose(sum(ours), 1.0, rel_tol=1e-9)


def test_hidden_cases_include_huge_logits_and_a_zero_state():
    cases = E.hidden_lens_cases(random.Random(0))
    assert len(cases) >= 5
    assert any(all(x == 0 for x in c.args[0]) for c in cases)
    for case in cases:  # the reference never overflows
        probs = E.logit_lens(*case.args)
        assert math.isclose(sum(probs), 1.0, rel_tol=1e-9) and all(p >= 0 for p in probs)


@pytest.mark.parametrize("name", ["logits", "no_one", "no_norm"])
def test_each_slip_gets_its_own_explanation(name):
    args = ([0.5, 1.5, -1.0], [1.0, -0.5, 0.2], [[3.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 0.0, 2.0]])
    got = E._variants(*args)[name][0]
    expected = E.logit_lens(*args)[0]
    assert E.explain_lens(args, (0,), expected, got, "en") == E.t(f"journey.code.{name}", "en")
    assert E.explain_lens(args, (0,), expected, 0.123456, "en") is None
    assert E.explain_lens(args, (0, 1), expected, got, "en") is None


@pytest.mark.parametrize("exercise_id, right, wrong", [
    ("journey.embed_scale", "25.30", "640"),
    ("journey.residual_norm", "22.77", "0.9"),
])
def test_numeric_answers(exercise_id, right, wrong):
    ex = bank.by_id(exercise_id)
    assert grade(ex, right, "en").status == CORRECT
    attempt = grade(ex, wrong, "pt-BR")
    assert attempt.status == INCORRECT and attempt.feedback


def test_choice_exercises_have_one_right_answer():
    for exercise_id in ("journey.position_where", "journey.lens_limits"):
        ex = bank.by_id(exercise_id)
        assert [c.id for c in ex.choices if c.correct] == ["a"]


@pytest.fixture(scope="module")
def env(prepared_decoder):
    from gptlab.exercises.env import CoreEnv

    return CoreEnv()


@pytest.mark.real_models
@pytest.mark.parametrize("lang, prompt", [("en", "Help! Help! Help! Help"), ("pt-BR", "Socorro! Socorro! Socorro! Socorro")])
def test_the_widget_task_on_the_real_model(env, lang, prompt):
    """The hints' example prompts pass (their answer "!" is the top 1 from layer 10); a fact settled at 12 does not."""
    assert S.LENS_LAYER == 10
    ex = bank.by_id("journey.answer_by_layer")
    assert prompt in ex.hints(lang)[-1]  # the last hint names the prompt the test grades
    early = grade(ex, {S.TEXT_KEY: prompt}, lang, env=env)
    assert early.status == CORRECT, early.feedback
    assert "!" in " ".join(early.feedback)
    late = grade(ex, {S.TEXT_KEY: "United States of"}, lang, env=env)  # " America": top 1 from layer 12
    assert late.status == INCORRECT and "12" in " ".join(late.feedback)
    late = grade(ex, {S.TEXT_KEY: E.t("journey.default_text", "en")}, "pt-BR", env=env)  # " Berlin": layer 17
    assert late.status == INCORRECT and "17" in " ".join(late.feedback)
    assert grade(ex, {S.TEXT_KEY: "  "}, "en", env=env).status == INVALID
    assert grade(ex, {}, "en", env=env).status == INVALID
