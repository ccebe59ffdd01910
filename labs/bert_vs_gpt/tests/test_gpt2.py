"""BERT vs GPT with GPT-2 picked (a tiny random GPT-2 under the real id `gpt2`, tests/hub_models.py; no Gemma
prepared): the decoder beside BERT is GPT-2, causal, and its vectors of a shared prefix do not change."""

from __future__ import annotations

import pytest

import course
from gptlab.i18n import t
from labs.bert_vs_gpt.tests.test_page import metric
from tests.apptest import all_text, run_app
from tests.hub_models import TINY_GPT2_CONFIG

PAGE = course.lesson("bert-vs-gpt").page


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_bert_beside_gpt2(tiny_gpt2_hub_cache, tmp_path, monkeypatch, lang):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path / "no-gemma"))  # every decoder view must come from GPT-2
    at = run_app(lang, page=PAGE, model="gpt2")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metric(at, "bert_vs_gpt.att.future_layer", lang, 1) == ("0,0 %" if lang == "pt-BR" else "0.0 %")
    gpt_layer = at.slider(key="bert_vs_gpt.gpt_layer")
    assert gpt_layer.max == TINY_GPT2_CONFIG["n_layer"] - 1  # GPT-2's own depth, read from its config
    text = all_text(at)
    assert "GPT-2 small" in text
    assert t("bert_vs_gpt.emb.unchanged", lang, low="x").split("x")[1] in text  # a causal decoder's prefix stays
