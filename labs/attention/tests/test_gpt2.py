"""The attention lab on a GPT-2 architecture: a tiny random GPT-2 saved in a temporary Hugging Face cache under the
real id `gpt2` (tests/hub_models.py), picked with ?model=gpt2. The same equality checks as on Gemma: the mask step
by step, recomputed from the model's own weights, equals its `output_attentions`. Nothing is downloaded."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import course
from gptlab.i18n import fmt_int, t
from gptlab.models import catalog as C
from gptlab.nn import attention as A
from tests.apptest import run_app
from tests.hub_models import TINY_GPT2_CONFIG

ATTENTION = course.lesson("attention").page
NAME = "GPT-2 small"  # the catalog's name for `gpt2`; the weights are the tiny random ones
N_LAYER, N_HEAD, N_EMBD = TINY_GPT2_CONFIG["n_layer"], TINY_GPT2_CONFIG["n_head"], TINY_GPT2_CONFIG["n_embd"]


@pytest.fixture
def gpt2_only(tiny_gpt2_hub_cache, tmp_path, monkeypatch):
    """The tiny GPT-2 under `gpt2`, and no prepared Gemma: every decoder view must come from GPT-2."""
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path / "no-gemma"))
    return tiny_gpt2_hub_cache


def _check_diff(at: AppTest) -> float:
    check = next(m.value for m in at.markdown if "output_attentions" in m.value)
    return float(re.search(r"= (-?\d+[.,]\d+e[+-]\d+)\.", check).group(1).replace(",", "."))


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_mask_step_by_step_on_gpt2_equals_its_own_attentions(gpt2_only, lang):
    at = run_app(lang, ATTENTION, model="gpt2")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("attention.needs_decoder", lang) not in [w.value for w in at.warning]  # Gemma is not needed
    assert _check_diff(at) < 1e-5
    # the sliders reach exactly GPT-2's layers and heads, read from its config
    assert at.slider(key="attention.layer").max == N_LAYER - 1 and at.slider(key="attention.head").max == N_HEAD - 1
    caption = next(c.value for c in at.caption if t("attention.layer_kind.causal", lang) in c.value)
    head_dim = N_EMBD // N_HEAD
    assert f"1/√{head_dim}" in caption and "query_pre_attn_scalar" not in caption
    assert t("attention.kv_shared", lang, head=0, kv=0, first=0, last=0).split(" 0")[0] not in caption  # own keys
    for layer in range(N_LAYER):
        for head in range(N_HEAD):
            at.slider(key="attention.layer").set_value(layer)
            at.slider(key="attention.head").set_value(head).run()
            assert not at.exception and _check_diff(at) < 1e-5
    subheaders = [s.value for s in at.subheader]
    assert t("attention.decoder.header", lang, model=NAME) in subheaders
    facts = next(d.value for d in at.dataframe if t("attention.gemma.col.property", lang) in d.value.columns)
    values = dict(zip(facts[t("attention.gemma.col.property", lang)], facts[t("attention.gemma.col.value", lang)]))
    assert values["num_attention_heads / num_key_value_heads"] == f"{N_HEAD} / {N_HEAD}"
    assert values["head_dim"] == str(head_dim) and values["num_hidden_layers"] == str(N_LAYER)
    assert values[t("attention.facts.positions", lang)] == t("attention.facts.positions.learned", lang)
    assert "sliding_window" not in values
    line = next(m.value for m in at.markdown if "GPT\\-2 small" in m.value and t("models.shape.positions.learned", lang) in m.value)
    for number in (N_LAYER, N_HEAD, head_dim, N_EMBD, 50_257, 1024):
        assert fmt_int(number, lang) in line


def test_the_page_shows_gpt2s_own_numbers(gpt2_only):
    """What the page shows is what the tiny GPT-2 itself gives, recomputed here apart from the page."""
    at = run_app("en", ATTENTION, model="gpt2")
    text = at.text_input(key="attention.text").value
    entry = C.find("gpt2")
    model, tokenizer = C.load_model(entry), C.load_tokenizer(entry)
    run = A.run_decoder(model, tokenizer, text)
    layer, head = at.slider(key="attention.layer").value, at.slider(key="attention.head").value
    steps = A.attention_steps(model, run, layer, head)
    np.testing.assert_allclose(steps.weights, steps.model_weights, atol=1e-6)
    codes = [c.value for c in at.code if "from transformers import" in c.value]  # the views' code: loads this GPT-2
    assert codes and all("MODEL = 'gpt2'" in c and "gemma-3-270m" not in c for c in codes)
    assert any("attn.c_attn.weight" in c for c in codes)
    assert len(run.tokens) == len(tokenizer(text)["input_ids"])  # GPT-2 adds no <bos>
    top = A.text_alternative(steps.weights, steps.tokens, "weights", "en")
    shown = [d.value for d in at.dataframe if t("attention.col.top", "en") in d.value.columns][0]
    assert shown[t("attention.col.top", "en")].tolist() == top[t("attention.col.top", "en")]


def test_bertviz_and_bert_beside_gpt2(gpt2_only):
    at = run_app("en", ATTENTION, model="gpt2")
    radio = at.radio(key="attention.bertviz_model")
    assert radio.options == ["BERT (all-MiniLM-L6-v2)", NAME]
    radio.set_value("decoder").run()
    assert not at.exception and not at.error
    frames = at.get("iframe")
    assert frames and NAME in str(frames[-1].proto)
    at.radio(key="attention.bertviz_view").set_value("model").run()
    assert not at.exception and not at.error
    shares = [m.value for m in at.metric]
    assert len(shares) == 2 and shares[1] == "0.0 %" and shares[0] != "0.0 %"  # GPT-2 never looks ahead; BERT does
    at.text_input(key="attention.text").set_value("palavra " * 100).run()
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(f"{NAME}:") and "show only the first 64" in w for w in warnings), warnings
