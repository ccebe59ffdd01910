"""Contextual vectors: a causal decoder's shared beginning is unchanged by a different ending; an encoder's is not."""

import numpy as np
import pytest
import torch

from gptlab.nn import attention as A
from labs.bert_vs_gpt import contextual as C


def test_shared_prefix_length():
    assert C.shared_prefix_length((1, 2, 3, 4), (1, 2, 9)) == 2
    assert C.shared_prefix_length((1, 2), (1, 2, 3)) == 2
    assert C.shared_prefix_length((5,), (6,)) == 0
    assert C.shared_prefix_length((), (1,)) == 0


def test_cosine():
    assert C.cosine(np.array([1.0, 0.0]), np.array([2.0, 0.0])) == pytest.approx(1.0)
    assert C.cosine(np.array([1.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(0.0)
    assert C.cosine(np.array([1.0, 1.0]), np.array([-1.0, -1.0])) == pytest.approx(-1.0)


def test_compare_shared_prefix_is_position_by_position():
    a = C.Vectors(("a", "b", "c"), (1, 2, 3), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    b = C.Vectors(("a", "b", "d"), (1, 2, 4), np.array([[1.0, 0.0], [1.0, 1.0], [5.0, 5.0]]))
    cmp = C.compare_shared_prefix(a, b)
    assert cmp.tokens == ("a", "b") and not cmp.identical
    assert cmp.cosines == pytest.approx((1.0, 2**-0.5))
    assert cmp.lowest == pytest.approx(2**-0.5)
    assert C.compare_shared_prefix(a, a).identical


class CharTokenizer:
    """Characters to ids for tiny random models: [CLS]=1 ... [SEP]=2, like a BERT tokenizer."""

    def __call__(self, text, return_tensors=None):
        ids = torch.tensor([[1] + [3 + (ord(ch) % 60) for ch in text] + [2]])  # (1, T)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    def convert_ids_to_tokens(self, ids):
        return [f"t{i}" for i in ids]


def test_tiny_encoder_changes_the_shared_beginning(make_tiny_model):
    model = make_tiny_model("bert", initializer_range=0.5)  # large weights: a visible mix
    tok = CharTokenizer()
    cmp = C.compare_shared_prefix(C.encoder_vectors(model, tok, "abcdx"), C.encoder_vectors(model, tok, "abcdy"))
    assert len(cmp.tokens) == 5  # [CLS] a b c d
    assert cmp.lowest < 0.9999  # the last character reaches the first positions


def test_tiny_decoder_keeps_the_shared_beginning(make_tiny_model):
    model = make_tiny_model("gemma", vocab_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                            head_dim=8, max_position_embeddings=64, layer_types=["sliding_attention", "full_attention"],
                            query_pre_attn_scalar=8)
    tok = CharTokenizer()
    a = C.decoder_vectors(A.run_decoder(model, tok, "abcdx"))
    b = C.decoder_vectors(A.run_decoder(model, tok, "abcdyz"))
    cmp = C.compare_shared_prefix(a, b)
    assert len(cmp.tokens) == 5
    assert cmp.lowest > 0.99999
    np.testing.assert_allclose(a.vectors[:5], b.vectors[:5], atol=1e-5)
    assert C.cosine(a.vectors[5], b.vectors[5]) < 0.9999  # the first different token differs


@pytest.mark.real_models
def test_real_models_encoder_vs_decoder(prepared_decoder, bert_tokenizer):
    from gptlab import models

    first, second = "She went to the bank to withdraw some money.", "She went to the bank of the river to fish."
    encoder = models.load_minilm_encoder()
    bert = C.compare_shared_prefix(C.encoder_vectors(encoder, bert_tokenizer, first),
                                   C.encoder_vectors(encoder, bert_tokenizer, second))
    assert bert.tokens[0] == "[CLS]" and "bank" in bert.tokens
    assert bert.lowest < 0.99
    decoder, tokenizer = models.load_decoder(dtype="float32"), models.load_decoder_tokenizer()
    gemma = C.compare_shared_prefix(C.decoder_vectors(A.run_decoder(decoder, tokenizer, first)),
                                    C.decoder_vectors(A.run_decoder(decoder, tokenizer, second)))
    assert gemma.tokens[0] == "<bos>" and len(gemma.tokens) >= 5
    assert gemma.lowest > 0.9999
