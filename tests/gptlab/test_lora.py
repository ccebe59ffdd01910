"""LoRA: a student's adapter is megabytes, and the worker applies it exactly as peft does."""

from __future__ import annotations

import copy
import threading

import pytest
import torch

from gptlab.models.engine import GemmaEngine, KVCache
from gptlab.models.worker import ModelWorker
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.nn.lora import LoraSettings, extract_adapter, reset_adapter, trainable_parameters, with_adapter
from tests.conftest import tiny_model

PROMPT = [2, 10, 20, 30, 40, 50, 60, 70, 80]


def _trained_like(peft_model, seed: int = 0) -> None:
    """Give the adapter non-zero weights, as training would (B starts at zero: no change at all)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn_like(p) * 0.2)


@pytest.fixture
def tuned():
    base = tiny_model("gemma")
    reference = copy.deepcopy(base)
    peft_model = with_adapter(base, LoraSettings(rank=4, alpha=8, dropout=0.0))
    _trained_like(peft_model)
    peft_model.eval()
    return reference, peft_model, extract_adapter(peft_model, LoraSettings(rank=4, alpha=8))


def test_only_the_adapter_trains_and_it_is_small():
    peft_model = with_adapter(tiny_model("gemma"), LoraSettings(rank=4, alpha=8))
    trainable, total = trainable_parameters(peft_model)
    assert 0 < trainable < total / 5
    adapter = extract_adapter(peft_model, LoraSettings(rank=4, alpha=8))
    assert adapter.parameters == trainable
    assert len(adapter.matrices) == 3 * 7  # every projection of the three blocks
    with torch.inference_mode():  # a fresh adapter (B = 0) changes nothing
        ref = tiny_model("gemma")(input_ids=torch.tensor([PROMPT])).logits
        assert torch.allclose(peft_model(input_ids=torch.tensor([PROMPT])).logits, ref, atol=1e-6)


def test_the_engine_applies_an_adapter_as_peft_does(tuned):
    base, peft_model, adapter = tuned
    engine = GemmaEngine(base)  # the shared base, untouched
    cache = KVCache(engine.shape)
    cache.add_row(), cache.add_row()
    hidden = engine.forward(cache, [0, 1], [PROMPT, PROMPT], [("student", adapter), None])
    with torch.inference_mode():
        with_lora = peft_model(input_ids=torch.tensor([PROMPT])).logits[0]
        with peft_model.disable_adapter():
            without = peft_model(input_ids=torch.tensor([PROMPT])).logits[0]
    n = len(PROMPT)
    assert torch.allclose(engine.logits(hidden[:n]), with_lora, atol=1e-4)  # the student's row
    assert torch.allclose(engine.logits(hidden[n:]), without, atol=1e-5)  # the base row beside it
    assert not torch.allclose(with_lora, without, atol=1e-2)  # the adapter does change the model


def test_worker_generates_before_and_after_on_the_same_base(tuned):
    base, peft_model, adapter = tuned
    worker = ModelWorker(GemmaEngine(base))
    try:
        strategies = [D.GREEDY, D.Strategy(temperature=0.8, top_p=0.9)]
        results = {}

        def one(name, adapter_or_none):
            state = None
            for state in worker.generate(PROMPT, strategies, max_new_tokens=8, seed=1, adapter=adapter_or_none):
                pass
            results[name] = state

        threads = [threading.Thread(target=one, args=("after", adapter)), threading.Thread(target=one, args=("before", None))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ref_after = G.run(peft_model, PROMPT, strategies, max_new_tokens=8, seed=1)
        with peft_model.disable_adapter():
            ref_before = G.run(peft_model, PROMPT, strategies, max_new_tokens=8, seed=1)
        tokens = lambda s: [[c.token_id for c in r.tokens] for r in s.rows]  # noqa: E731
        assert tokens(results["after"]) == tokens(ref_after)
        assert tokens(results["before"]) == tokens(ref_before)
        assert tokens(results["after"]) != tokens(results["before"])
    finally:
        worker.close()


def test_a_new_student_starts_from_a_fresh_adapter():
    settings = LoraSettings(rank=4, alpha=8)
    peft_model = with_adapter(tiny_model("gemma"), settings)
    _trained_like(peft_model)
    first = extract_adapter(peft_model, settings)
    reset_adapter(peft_model, settings)
    second = extract_adapter(peft_model, settings)
    assert all(torch.count_nonzero(b) == 0 for _, b in second.matrices.values())  # B = 0 again
    assert any(torch.count_nonzero(b) > 0 for _, b in first.matrices.values())  # the first one was kept apart


def test_a_seeded_adapter_is_drawn_as_get_peft_model_draws_it_after_the_seed():
    """reset_adapter(seed=...) gives the A matrices of torch.manual_seed(seed); get_peft_model(...) (what the
    fine-tuning lab's code runs), and leaves the process's random state where it was."""
    settings = LoraSettings(rank=4, alpha=8)
    shared = with_adapter(tiny_model("gemma"), settings)
    state = torch.random.get_rng_state()
    reset_adapter(shared, settings, seed=7)
    assert torch.equal(torch.random.get_rng_state(), state)
    base = tiny_model("gemma")  # (it seeds torch itself: made before the seed that draws the adapter)
    torch.manual_seed(7)
    fresh = with_adapter(base, settings)
    a = {n: p for n, p in shared.named_parameters() if "lora_A" in n}
    b = {n: p for n, p in fresh.named_parameters() if "lora_A" in n}
    assert a.keys() == b.keys() and all(torch.equal(a[n], b[n]) for n in a)
    reset_adapter(shared, settings, seed=8)
    assert not all(torch.equal(p, b[n]) for n, p in shared.named_parameters() if "lora_A" in n)


def test_gpt2_adapters_sit_on_its_conv1d_layers_and_act_as_lora_says():
    """GPT-2's c_attn, c_proj (attention's and the MLP's) and c_fc are Conv1D, weight (in, out): y = x W + b + s x A^T B^T."""
    settings = LoraSettings(rank=4, alpha=8, dropout=0.0)
    base = tiny_model("gpt2", attn_implementation="eager")
    reference = copy.deepcopy(base)
    peft_model = with_adapter(base, settings)
    _trained_like(peft_model)
    peft_model.eval()
    adapter = extract_adapter(peft_model, settings)
    layers = base.config.n_layer
    assert set(adapter.matrices) == {(layer, path) for layer in range(layers)
                                     for path in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")}
    assert adapter.parameters == trainable_parameters(peft_model)[0]
    a, b = adapter.matrices[(0, "attn.c_attn")]
    d = base.config.n_embd
    assert a.shape == (4, d) and b.shape == (3 * d, 4)
    x = torch.randn(1, 3, d)
    layer = peft_model.get_base_model().transformer.h[0].attn.c_attn
    with torch.no_grad():
        plain = reference.transformer.h[0].attn.c_attn(x)  # x W + b, W stored (in, out)
        torch.testing.assert_close(layer(x), plain + settings.scaling * (x @ a.T) @ b.T, rtol=1e-5, atol=1e-5)
        with peft_model.disable_adapter():
            ids = torch.tensor([PROMPT])
            torch.testing.assert_close(peft_model(input_ids=ids).logits, reference(input_ids=ids).logits)
        assert not torch.allclose(peft_model(input_ids=torch.tensor([PROMPT])).logits,
                                  reference(input_ids=torch.tensor([PROMPT])).logits, atol=1e-4)
