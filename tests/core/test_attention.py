"""Attention step by step: masks, RoPE, and equality with the model's own output_attentions."""

import numpy as np
import pytest
import torch

from core import attention as A


def test_causal_mask_hides_exactly_the_future():
    m = A.causal_mask(5)
    assert m.shape == (5, 5)
    assert torch.isinf(m[0, 1]) and m[1, 0] == 0 and m[3, 3] == 0
    assert torch.equal(torch.isinf(m), torch.triu(torch.ones(5, 5, dtype=torch.bool), 1))


def test_sliding_window_mask_also_hides_the_far_past():
    m = A.sliding_window_mask(6, window=2)
    visible = ~torch.isinf(m)
    assert visible[5].tolist() == [False, False, False, False, True, True]  # itself and one back
    assert not visible[2, 3]  # never the future


def test_rope_rotates_each_pair_and_keeps_its_length():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 3, 8)  # (B, H, T, d)
    angle = torch.randn(1, 3, 4)
    cos, sin = torch.cat([angle.cos()] * 2, -1), torch.cat([angle.sin()] * 2, -1)  # (B, T, d)
    y = A.apply_rope(x, cos, sin)
    pair_norm = lambda t: t[..., :4] ** 2 + t[..., 4:] ** 2  # noqa: E731 - each rotary pair (i, i+d/2)
    torch.testing.assert_close(pair_norm(y), pair_norm(x))
    assert not torch.allclose(y, x)


@pytest.fixture(scope="module")
def tiny_gemma():
    """A random 2-layer Gemma 3 with a 4-token sliding window: both mask kinds on a 10-token text."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from core import models

    config = Gemma3TextConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=8, max_position_embeddings=64, sliding_window=4,
        layer_types=["sliding_attention", "full_attention"], query_pre_attn_scalar=8,
    )
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = Gemma3ForCausalLM(config).eval()

    class Tok:  # ids in, made-up token names out: enough for run_decoder
        def __call__(self, text, return_tensors=None):
            return {"input_ids": torch.tensor([[2] + [3 + (ord(c) % 60) for c in text]])}

        def convert_ids_to_tokens(self, ids):
            return [f"t{i}" for i in ids]

    return model, Tok(), models


def test_step_by_step_equals_output_attentions_on_a_tiny_model(tiny_gemma):
    model, tok, _ = tiny_gemma
    run = A.run_decoder(model, tok, "abcdefghi")  # 10 tokens > window 4
    assert len(run.tokens) == 10
    for layer in range(2):
        for head in range(4):
            steps = A.gemma_attention_steps(model, run, layer, head)
            np.testing.assert_allclose(steps.weights, steps.model_weights, atol=1e-5)
            np.testing.assert_allclose(steps.weights.sum(-1), 1.0, atol=1e-5)
            assert np.triu(steps.weights, 1).max() == 0.0
            assert A.future_attention_share(steps.unmasked_weights) > 0  # without the mask it leaks
    assert A.gemma_attention_steps(model, run, 0, 0).sliding_window == 4
    assert A.gemma_attention_steps(model, run, 1, 0).sliding_window is None
    assert A.gemma_attention_steps(model, run, 0, 0).weights[9, :6].max() == 0.0  # outside the window


def test_long_text_keeps_the_first_tokens(tiny_gemma):
    model, tok, _ = tiny_gemma
    assert len(A.run_decoder(model, tok, "x" * 200, max_tokens=12).tokens) == 12


def test_future_share():
    T = 4
    assert A.future_attention_share(np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]) == 0.0
    uniform = np.full((T, T), 1 / T)
    assert A.future_attention_share(uniform) == pytest.approx((T - 1) / (2 * T))


def test_gpt2_small_parameter_count():
    assert A.gpt2_small_parameter_count() == 124_439_808


def test_bert_attends_to_the_future(bert_tokenizer):
    from core import models

    tokens, weights = A.encoder_attentions(models.load_minilm_encoder(), bert_tokenizer, "o gato subiu no telhado")
    assert tokens[0] == "[CLS]" and weights.shape[:2] == (6, 12)  # (L, H, T, T)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert A.future_attention_share(weights) > 0.1  # measured 0.18 on this sentence


@pytest.mark.real_models
def test_gemma_step_by_step_equals_its_own_attentions(prepared_decoder, gemma_tokenizer):
    from core import models

    model = models.load_decoder(dtype="float32")
    run = A.run_decoder(model, gemma_tokenizer, "O gato subiu no telhado porque estava com medo do cachorro.")
    for layer in range(model.config.num_hidden_layers):
        for head in range(model.config.num_attention_heads):
            steps = A.gemma_attention_steps(model, run, layer, head)
            np.testing.assert_allclose(steps.weights, steps.model_weights, atol=1e-5)
            assert A.future_attention_share(steps.weights) == 0.0
    assert len(A.run_decoder(model, gemma_tokenizer, "palavra " * 200).tokens) == A.MAX_ATTENTION_TOKENS
