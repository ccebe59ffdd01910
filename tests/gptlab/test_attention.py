"""Attention step by step: masks, RoPE, and equality with the model's own output_attentions."""

import numpy as np
import pytest
import torch

from gptlab.nn import attention as A


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
def tiny_gemma(make_tiny_model):
    """A random 2-layer Gemma 3 with a 4-token sliding window: both mask kinds on a 10-token text."""
    from gptlab import models

    model = make_tiny_model("gemma", vocab_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                            head_dim=8, max_position_embeddings=64, layer_types=["sliding_attention", "full_attention"],
                            query_pre_attn_scalar=8)

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
            steps = A.attention_steps(model, run, layer, head)
            np.testing.assert_allclose(steps.weights, steps.model_weights, atol=1e-5)
            np.testing.assert_allclose(steps.weights.sum(-1), 1.0, atol=1e-5)
            assert np.triu(steps.weights, 1).max() == 0.0
            assert A.future_attention_share(steps.unmasked_weights) > 0  # without the mask it leaks
    assert A.attention_steps(model, run, 0, 0).sliding_window == 4
    assert A.attention_steps(model, run, 1, 0).sliding_window is None
    assert A.attention_steps(model, run, 0, 0).weights[9, :6].max() == 0.0  # outside the window


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


@pytest.fixture(scope="module")
def bert_encoder():
    from gptlab import models

    return models.load_minilm_encoder()


def test_bert_attends_to_the_future(bert_tokenizer, bert_encoder):
    tokens, weights = A.encoder_attentions(bert_encoder, bert_tokenizer, "o gato subiu no telhado")
    assert tokens[0] == "[CLS]" and weights.shape[:2] == (6, 12)  # (L, H, T, T)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert A.future_attention_share(weights) > 0.1  # measured 0.18 on this sentence


def test_a_long_text_keeps_its_first_tokens_and_the_closing_sep_without_touching_the_shared_tokenizer(
    bert_tokenizer, bert_encoder
):
    """Regression: truncation=True, max_length=64 was stored on the shared fast tokenizer, so the
    tokenization lab, tokenizing at the same moment for another user, got its text cut at 64 tokens."""
    long_text = "o gato subiu no telhado " * 40  # 200 words
    full = len(bert_tokenizer(long_text)["input_ids"])  # as the tokenization lab calls it
    before = bert_tokenizer._tokenizer.truncation
    tokens, weights = A.encoder_attentions(bert_encoder, bert_tokenizer, long_text)
    assert bert_tokenizer._tokenizer.truncation == before  # None: nobody is cut by a setting left behind
    assert len(bert_tokenizer(long_text)["input_ids"]) == full > A.MAX_ATTENTION_TOKENS
    assert len(tokens) == A.MAX_ATTENTION_TOKENS and weights.shape[-2:] == (A.MAX_ATTENTION_TOKENS,) * 2
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and tokens[-2] != "[SEP]"
    assert list(tokens[:-1]) == bert_tokenizer.convert_ids_to_tokens(bert_tokenizer(long_text)["input_ids"][:63])
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)


def test_keep_first_and_last_cuts_every_input_the_same_way():
    enc = {
        "input_ids": torch.tensor([[101, 5, 6, 7, 8, 102]]),
        "token_type_ids": torch.tensor([[0, 0, 0, 0, 0, 1]]),
        "attention_mask": torch.tensor([[1, 1, 1, 1, 1, 1]]),
    }
    cut = A.keep_first_and_last(enc, 4)
    assert cut["input_ids"].tolist() == [[101, 5, 6, 102]]
    assert cut["token_type_ids"].tolist() == [[0, 0, 0, 1]] and cut["attention_mask"].tolist() == [[1, 1, 1, 1]]
    assert A.keep_first_and_last(enc, 6)["input_ids"].tolist() == enc["input_ids"].tolist()  # short enough: as is


TOKENS = ("<bos>", "O", "▁gato", "▁subiu")


def test_top_attended_on_weights_skips_the_masked_zeros():
    weights = np.array([[1.0, 0, 0, 0], [0.3, 0.7, 0, 0], [0.2, 0.5, 0.3, 0], [0.1, 0.2, 0.3, 0.4]])
    rows = A.top_attended(weights, TOKENS)
    assert rows[0].top == (("0 <bos>", 1.0),)  # a future token with weight 0 is not "looked at"
    assert [tok for tok, _ in rows[2].top] == ["1 O", "2 ▁gato", "0 <bos>"]
    assert [tok for tok, _ in rows[3].top] == ["3 ▁subiu", "2 ▁gato", "1 O"]


def test_top_attended_on_scores_keeps_negative_values_and_never_lists_minus_infinity():
    inf = float("-inf")
    scores = np.array([[-2.5, inf, inf, inf], [-1.0, -3.0, inf, inf], [0.5, -0.25, -4.0, inf], [-1, -2, -3, -4.0]])
    rows = A.top_attended(scores, TOKENS, kind="scores")
    assert rows[0].top == (("0 <bos>", -2.5),)  # only score of the row: negative, still listed
    assert rows[1].top == (("0 <bos>", -1.0), ("1 O", -3.0))
    assert rows[2].top == (("0 <bos>", 0.5), ("1 O", -0.25), ("2 ▁gato", -4.0))
    assert rows[3].top == (("0 <bos>", -1.0), ("1 O", -2.0), ("2 ▁gato", -3.0))  # k = 3, all negative
    with pytest.raises(ValueError):
        A.top_attended(scores, TOKENS, kind="mask")


def test_mask_text_alternative_says_what_each_row_sees_and_what_is_hidden():
    tokens = tuple(f"t{i}" for i in range(6))
    causal = A.causal_mask(6).numpy()
    rows = A.mask_visibility(causal, tokens)
    assert rows[0].visible == ((0, 0),) and rows[0].hidden == ((1, 5),)
    assert rows[5].visible == ((0, 5),) and rows[5].hidden == ()
    window = A.mask_visibility(A.sliding_window_mask(6, window=2).numpy(), tokens)
    assert window[4].visible == ((3, 4),) and window[4].hidden == ((0, 2), (5, 5))
    assert A.format_runs(window[4].hidden) == "0–2, 5"
    table = A.text_alternative(causal, tokens, "mask", "en")
    assert list(table) == ["token (row)", "what the mask lets it see"]
    assert table["what the mask lets it see"][0] == "sees positions 0; hidden: 1–5"
    assert table["what the mask lets it see"][2] == "sees positions 0–2; hidden: 3–5"
    assert table["what the mask lets it see"][5] == "sees positions 0–5; none hidden"
    pt = A.text_alternative(causal, tokens, "mask", "pt-BR")
    assert pt["o que a máscara deixa ver"][0] == "vê as posições 0; escondidas: 1–5"


def test_scores_text_alternative_is_in_the_users_language():
    inf = float("-inf")
    masked = np.array([[-2.5, inf, inf, inf], [-1.0, 0.125, inf, inf], [0, 0, 0, inf], [1, 2, 3, 4.0]])
    pt = A.text_alternative(masked, TOKENS, "scores", "pt-BR")
    cells = pt["maiores pontuações (negativas também contam)"]
    assert cells[0] == "0 <bos> (-2,500)" and cells[1] == "1 O (0,125), 0 <bos> (-1,000)"
    en = A.text_alternative(masked, TOKENS, "weights", "en")
    assert en["looks most at"][3] == "3 ▁subiu (4.000), 2 ▁gato (3.000), 1 O (2.000)"


def _layers(spec):
    return spec, spec["layer"]


def test_heatmap_size_is_fixed_when_given_and_follows_the_column_otherwise():
    from gptlab.charts import HEATMAP_FRAME, HEATMAP_MAX_HEIGHT, MIN_NUMBER_CELL, PROJECTOR_FONT, attention_heatmap

    labels = A.token_labels(tuple(f"t{i}" for i in range(20)))
    for large in (False, True):
        spec, layers = _layers(attention_heatmap(np.eye(20), labels, title="h", value_title="w", size=220, large=large))
        assert spec["width"] == spec["height"] == 220 and "params" not in spec
        assert [layer["mark"]["type"] for layer in layers] == ["rect"]  # 11-px cells: no room for numbers
    # no size: as wide as the column (Streamlit's width="stretch"), and Vega's height signal follows the width:
    # square cells up to about a screen, never rows thinner than their labels
    for large in (False, True):
        font = PROJECTOR_FONT if large else 13
        for n in (20, 64):
            many = A.token_labels(tuple(f"t{i}" for i in range(n)))
            spec, layers = _layers(attention_heatmap(np.eye(n), many, title="h", value_title="w", large=large))
            assert spec["width"] == "container"
            rows = n * (font + 4) + HEATMAP_FRAME
            assert spec["params"] == [{"name": "height", "expr": f"max(min(width, {HEATMAP_MAX_HEIGHT[large]}), {rows})"}]
            numbers = layers[-1]["mark"]
            assert numbers["type"] == "text"
            assert numbers["opacity"] == {"expr": f"(width / {n}) >= {MIN_NUMBER_CELL} && (height / {n}) >= {font + 2} ? 1 : 0"}
            x_axis = layers[0]["encoding"]["x"]["axis"]
            assert x_axis["labelAngle"]["expr"].endswith(f"? 0 : (width / {n}) >= {font * 1.3:.0f} ? -60 : -90")
        assert 64 * (font + 4) + HEATMAP_FRAME > HEATMAP_MAX_HEIGHT[large]  # 64 tokens: taller than a screen

def test_heatmap_cell_text_is_written_in_the_ink_that_contrasts_with_its_cell():
    """WCAG AA (4.5:1) in every cell, -inf cells included: the colour of each cell is known before Vega draws it."""
    from gptlab.charts import MASKED_FILL, attention_heatmap, cividis, contrast_ratio

    labels = A.token_labels(("a", "b"))
    scores = np.array([[-10.0, float("-inf")], [4.0, 20.0]])
    spec, layers = _layers(attention_heatmap(scores, labels, title="s", value_title="score"))
    text = next(layer for layer in layers if layer["mark"]["type"] == "text")
    assert text["encoding"]["color"] == {"field": "ink", "scale": None, "type": "nominal"}
    assert spec["resolve"] == {"scale": {"color": "independent"}}  # shared with the cells' scale, Vega drew nothing
    cells = next(layer for layer in layers if layer["mark"]["type"] == "rect" and "color" in layer["encoding"])
    assert cells["encoding"]["color"]["scale"]["domain"] == [-10.0, 20.0]
    data = next(iter(spec["datasets"].values()))
    fills = [cividis((v + 10) / 30) for v in (-10.0, 4.0, 20.0)]
    assert [row["ink"] for row in data] == ["#ffffff", "#000000", "#ffffff", "#000000"]
    for row, fill in zip([data[0], data[2], data[3]], fills):
        assert contrast_ratio(row["ink"], fill) >= 4.5
    assert contrast_ratio(data[1]["ink"], MASKED_FILL) >= 4.5


def test_heatmap_tooltip_speaks_the_users_language():
    from gptlab.charts import attention_heatmap

    labels = A.token_labels(("a", "b"))
    chart = attention_heatmap(
        np.array([[1.0, float("-inf")], [0.25, -1.5]]), labels, title="t", value_title="pontuação",
        query_title="consulta (linha)", key_title="chave (coluna)", language="pt-BR",
    )
    spec, layers = _layers(chart)
    titles = [tip.get("title") for tip in layers[0]["encoding"]["tooltip"]]
    assert titles == ["consulta (linha)", "chave (coluna)", "pontuação"]
    data = next(iter(spec["datasets"].values()))
    assert [row["shown"] for row in data] == ["1,0000", "−∞", "0,2500", "-1,5000"]
    assert [row["short"] for row in data] == ["1,00", "−∞", "0,25", "-1,50"]


def test_gpt2_parameter_breakdown_adds_up_and_is_written_per_language():
    groups = A.gpt2_small_parameter_breakdown()
    assert sum(g.count for g in groups) == 124_439_808
    assert groups[0].shape == (50257, 768)
    assert groups[-1].shape == (11, 7_087_872) and groups[-1].count == 11 * 7_087_872
    assert A.format_shape(groups[-1].shape, "pt-BR") == "11 × 7.087.872"
    assert A.format_shape(groups[-1].shape, "en") == "11 × 7,087,872"


@pytest.mark.real_models
def test_gemma_step_by_step_equals_its_own_attentions(prepared_decoder, gemma_tokenizer):
    from gptlab import models

    model = models.load_decoder(dtype="float32")
    run = A.run_decoder(model, gemma_tokenizer, "O gato subiu no telhado porque estava com medo do cachorro.")
    for layer in range(model.config.num_hidden_layers):
        for head in range(model.config.num_attention_heads):
            steps = A.attention_steps(model, run, layer, head)
            np.testing.assert_allclose(steps.weights, steps.model_weights, atol=1e-5)
            assert A.future_attention_share(steps.weights) == 0.0
    assert len(A.run_decoder(model, gemma_tokenizer, "palavra " * 200).tokens) == A.MAX_ATTENTION_TOKENS
