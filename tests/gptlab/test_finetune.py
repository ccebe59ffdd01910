"""Fine-tuning: perplexity = exp(loss), loss falls on a repeated corpus, every step reported, stop works."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from gptlab.nn.blocks import plan_blocks
from gptlab.nn.finetune import FinetuneSettings, LogPoint, RunReport, finetune, make_callback, mean_loss, perplexity


def test_perplexity_is_exp_of_the_mean_cross_entropy():
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(50)) == pytest.approx(50)
    assert LogPoint(3, 1.0, val_loss=2.0).val_perplexity == pytest.approx(math.exp(2.0))
    assert math.isfinite(perplexity(10_000))


@pytest.mark.parametrize("bad, key", [(dict(learning_rate=0.0), "learning_rate"), (dict(learning_rate=5.0), "learning_rate"),
                                      (dict(learning_rate=float("nan")), "learning_rate"),
                                      (dict(epochs=0.0, max_steps=0), "length"), (dict(max_steps=-1), "length"), (dict(batch_size=0), "sizes"),
                                      (dict(block_size=1), "sizes"), (dict(validation_share=1.0), "validation_share")])
def test_unusable_settings_are_named(bad, key):
    assert key in FinetuneSettings(**bad).problems()
    assert FinetuneSettings().problems() == ()


@pytest.fixture(scope="module")
def tiny(gpt2_tokenizer, make_tiny_model):
    model = make_tiny_model("gpt2")
    tokenizer = copy.deepcopy(gpt2_tokenizer)
    tokenizer.pad_token = tokenizer.eos_token
    texts = ["the cat sat on the mat.", "a dog ran in the park."] * 40
    plan = plan_blocks([tokenizer(t)["input_ids"] for t in texts], block_size=16, validation_share=0.1, seed=0)
    return model, tokenizer, plan


def test_a_few_steps_on_a_repeated_corpus_lower_the_loss_and_leave_the_original_untouched(tiny):
    shared, tokenizer, plan = tiny
    before = {k: v.clone() for k, v in shared.state_dict().items()}
    own = copy.deepcopy(shared)
    train_blocks = [plan.blocks[i] for i in plan.train]
    loss_before = mean_loss(own, train_blocks)
    updates: list[int] = []
    report = finetune(own, tokenizer, plan,
                      FinetuneSettings(max_steps=12, learning_rate=5e-3, batch_size=4, grad_accumulation=1,
                                       block_size=16, eval_every=4, train_embeddings=True, bf16=False),
                      RunReport(), on_update=lambda r: updates.append(r.step))
    assert mean_loss(own, train_blocks) < loss_before - 0.5
    assert report.finished and report.step == 12 and not report.stopped_by_user and report.diverged is None
    train_steps = [p.step for p in report.points if p.train_loss is not None]
    assert train_steps == list(range(1, 13))  # the callback reported every logged step
    evals = [p for p in report.points if p.val_loss is not None]
    assert [p.step for p in evals] == [4, 8, 12]
    assert evals[-1].val_perplexity == pytest.approx(math.exp(evals[-1].val_loss))
    assert all(torch.equal(before[k], v) for k, v in shared.state_dict().items())  # the shared model is untouched


def test_stop_leaves_a_usable_model_after_the_last_full_step(tiny):
    shared, tokenizer, plan = tiny
    own = copy.deepcopy(shared)
    report = RunReport()
    finetune(own, tokenizer, plan, FinetuneSettings(max_steps=50, learning_rate=1e-3, block_size=16, bf16=False),
             report, should_stop=lambda: report.step >= 3)
    assert report.stopped_by_user and report.step == 3 and report.finished
    assert math.isfinite(mean_loss(own, [plan.blocks[0]]))
    assert not own.training


def test_a_diverging_loss_stops_the_run_with_a_reason():
    from transformers import TrainerControl, TrainerState

    report = RunReport()
    callback = make_callback(report, lambda r: None, lambda: False)
    state, control = TrainerState(), TrainerControl()
    state.global_step = 1
    callback.on_log(None, state, control, logs={"loss": 2.0})
    assert not control.should_training_stop
    state.global_step = 2
    callback.on_log(None, state, control, logs={"loss": float("nan")})
    assert control.should_training_stop and report.diverged == "nan"
    report2, control2 = RunReport(), TrainerControl()
    callback2 = make_callback(report2, lambda r: None, lambda: False)
    callback2.on_log(None, state, control2, logs={"loss": 2.0})
    callback2.on_log(None, state, control2, logs={"loss": 40.0})
    assert control2.should_training_stop and report2.diverged == "exploded"
