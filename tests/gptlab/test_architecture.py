"""Each place GPT-2 and Gemma 3 differ, handled by their adapters: recomputed from the weights, equal to the model's own."""

import numpy as np
import pytest
import torch

from gptlab.models.catalog import Architecture
from gptlab.nn import architecture as AR
from gptlab.nn import attention as A
from gptlab.nn import journey as J
from gptlab.nn import logit_lens as LL
from gptlab.nn import residual as R

IDS = (2, 5, 7, 11, 13, 17, 19, 23, 29, 31)


class Tok:  # ids in, made-up token names out: enough for run_decoder
    def __call__(self, text, return_tensors=None):
        return {"input_ids": torch.tensor([[2] + [3 + (ord(c) % 60) for c in text]])}

    def convert_ids_to_tokens(self, ids):
        return [f"t{i}" for i in ids]


@pytest.fixture(scope="module", params=["gpt2", "gemma"])
def tiny(request, make_tiny_model):
    """A random 3-block GPT-2 (4 heads of 8) and a random Gemma 3 (4 query heads sharing 2 key heads)."""
    if request.param == "gpt2":
        return make_tiny_model("gpt2", vocab_size=64, n_layer=3, n_embd=32, n_head=4, n_positions=32,
                               attn_implementation="eager")
    return make_tiny_model("gemma", vocab_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                           head_dim=8, max_position_embeddings=64, layer_types=["sliding_attention", "full_attention"],
                           query_pre_attn_scalar=8)


def test_recomputed_attention_equals_output_attentions(tiny):
    run = A.run_decoder(tiny, Tok(), "abcdefghi")  # 10 tokens
    f = Architecture.of(tiny.config)
    for layer in range(f.n_layer):
        for head in range(f.n_head):
            steps = A.attention_steps(tiny, run, layer, head)
            np.testing.assert_allclose(steps.weights, steps.model_weights, atol=1e-5)
            np.testing.assert_allclose(steps.weights.sum(-1), 1.0, atol=1e-5)
            assert np.triu(steps.weights, 1).max() == 0.0
            assert A.future_attention_share(steps.unmasked_weights) > 0


def test_recomputed_hidden_states_equal_output_hidden_states(tiny):
    stream = R.model_pass(tiny, IDS)
    for position in range(len(IDS)):
        at = R.blocks_at(tiny, stream.x0, stream.hidden, position)
        assert len(at.check) == Architecture.of(tiny.config).n_layer + 1
        assert max(at.check) < 1e-5
        for layer in range(at.n_layers):
            torch.testing.assert_close(at.residual[layer + 1], at.residual[layer] + at.attention[layer] + at.mlp[layer])


def test_the_final_state_gives_the_models_own_logits(tiny):
    s = R.model_pass(tiny, IDS)
    logits = tiny(input_ids=torch.tensor([IDS])).logits[0]  # (T, V)
    unembedding = AR.family_of(tiny).unembedding(tiny)
    torch.testing.assert_close(s.hidden[-1] @ unembedding.T, logits, rtol=1e-4, atol=1e-4)
    at = R.blocks_at(tiny, s.x0, s.hidden, 2)
    torch.testing.assert_close(at.final @ unembedding.T, logits[2], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(LL.final_norm(tiny, at.residual[-1]), at.final)


def test_gpt2_adds_its_learned_position_rows_to_the_input(make_tiny_model):
    model = make_tiny_model("gpt2", attn_implementation="eager")
    s = R.model_pass(model, IDS)
    wte, wpe = model.transformer.wte.weight, model.transformer.wpe.weight
    T = len(IDS)
    assert s.position_rows.shape == (T, model.config.n_embd)
    torch.testing.assert_close(s.x0, wte[list(IDS)] + wpe[:T])
    torch.testing.assert_close(s.hidden[0], s.x0)  # the model's own block-0 input
    assert s.embed_scale == 1.0
    # the same ids one position later enter differently: the position is in x_0 itself
    later = R.model_pass(model, (IDS[0],) + IDS)
    assert not torch.allclose(later.x0[1:], s.x0, atol=1e-6)
    torch.testing.assert_close(later.embedding_rows[1:], s.embedding_rows)


def test_gemma_adds_nothing_for_position(make_tiny_model):
    model = make_tiny_model("gemma")
    s = R.model_pass(model, IDS)
    assert s.position_rows is None
    d = model.config.hidden_size
    torch.testing.assert_close(s.x0, s.embedding_rows * d ** 0.5, rtol=1e-6, atol=1e-6)


def test_gpt2_fused_conv1d_gives_one_query_key_and_value_per_head(make_tiny_model):
    model = make_tiny_model("gpt2", n_layer=1, n_embd=32, n_head=4, attn_implementation="eager")
    arch = AR.family_of(model)
    x = torch.randn(1, 5, 32)
    q, k, v = arch.attention_inputs(model, 0, x)
    assert q.shape == k.shape == v.shape == (1, 4, 5, 8)
    attn = model.transformer.h[0].attn
    assert attn.c_attn.weight.shape == (32, 96)  # (in, out): the transpose of nn.Linear's
    fused = attn.c_attn(model.transformer.h[0].ln_1(x))  # the module's own product
    torch.testing.assert_close(torch.cat([t.transpose(1, 2).reshape(1, 5, 32) for t in (q, k, v)], -1), fused,
                               rtol=1e-5, atol=1e-5)
    assert arch.kv_head(model, 3) == 3  # every head has its own key
    assert arch.scaling(model, 0) == pytest.approx(8 ** -0.5)


def test_gemma_query_heads_share_key_heads(make_tiny_model):
    model = make_tiny_model("gemma", num_attention_heads=4, num_key_value_heads=2, head_dim=8)
    arch = AR.family_of(model)
    assert [arch.kv_head(model, h) for h in range(4)] == [0, 0, 1, 1]
    q, k, v = arch.attention_inputs(model, 0, torch.randn(1, 5, model.config.hidden_size))
    assert q.shape == (1, 4, 5, 8) and k.shape == v.shape == (1, 2, 5, 8)


def test_each_family_says_how_it_is_built(make_tiny_model):
    gpt2, gemma = make_tiny_model("gpt2"), make_tiny_model("gemma", num_attention_heads=4, num_key_value_heads=1)
    assert (AR.family_of(gpt2).family, AR.family_of(gpt2).mlp, AR.family_of(gpt2).lora_fan_in_fan_out) == ("gpt2", "gelu", True)
    assert (AR.family_of(gemma).family, AR.family_of(gemma).mlp) == ("gemma3", "gated")
    assert AR.family_of(gemma).query_heads_per_kv_head(gemma) == 4
    assert AR.family_of(gpt2.config) is AR.family_of(gpt2)


def test_an_unknown_family_is_a_clear_error():
    from gptlab.models import _hf

    with pytest.raises(AR.UnsupportedArchitecture, match="GPT-2 and Gemma 3"):
        AR.family_of(_hf("BertConfig")())
    assert not AR.supported(_hf("BertConfig")())


def test_gpt2_journey_trace_keeps_the_position_rows(make_tiny_model):
    model = make_tiny_model("gpt2", attn_implementation="eager")
    tr = J.trace(model, IDS)
    assert tr.position_head.shape == (len(IDS), min(J.SHOWN_DIMS, model.config.n_embd))
    np.testing.assert_allclose(tr.position_norms, model.transformer.wpe.weight[: len(IDS)].norm(dim=-1).detach().numpy(),
                               rtol=1e-6)
    assert max(max(J.blocks(model, tr, p).check) for p in range(len(IDS))) < 1e-5
    pl = J.position_lens(tr, AR.family_of(model).unembedding(model), len(IDS) - 1, k=5)
    logits = model(input_ids=torch.tensor([IDS])).logits[0, -1]
    assert pl.answer == int(logits.argmax())


def test_training_blocks_use_each_familys_own_separators(gpt2_tokenizer):
    class GemmaTok:
        bos_token_id, eos_token_id = 2, 1

    assert AR.Gemma3().training_tokens(GemmaTok()) == (1, (2,))
    newline, prefix = AR.GPT2().training_tokens(gpt2_tokenizer)
    assert gpt2_tokenizer.decode([newline]) == "\n" and prefix == ()
    assert newline != gpt2_tokenizer.eos_token_id  # the collator would hide it from the loss (pad = eos)


def test_gpt2_token_names_spell_their_text(gpt2_tokenizer):
    ids = gpt2_tokenizer(" The cat ação 😀<|endoftext|>")["input_ids"]
    names = AR.GPT2().token_names(gpt2_tokenizer, ids)
    assert names[:3] == (" The", " cat", " a")
    assert "".join(names).startswith(" The cat ação ")
    assert names[-1] == "<|endoftext|>"
    assert "".join(names) == " The cat ação ⟨f0⟩⟨9f⟩⟨98⟩⟨80⟩<|endoftext|>"  # the emoji's bytes, split over tokens
