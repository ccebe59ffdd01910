"""AppTest of the attention lab's page, in both languages, with the bad inputs a student will try."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import course
from gptlab.i18n import t
from tests.apptest import run_app


ATTENTION = course.lesson("attention").page


def test_attention_page_without_the_decoder_still_teaches_bert_and_gpt2(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", ATTENTION)
    assert not at.error, [e.value for e in at.error]
    assert t("attention.needs_decoder", "en") in [w.value for w in at.warning]
    assert t("attention.bert.header", "en") in [s.value for s in at.subheader]
    assert any("124,439,808" in m.value for m in at.markdown)


def _frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _chart_specs(at: AppTest) -> str:
    """Every Vega-Lite chart's spec and data (Arrow bytes; ASCII text inside them stays searchable)."""
    return "\n".join(c.proto.spec + "\n" + "".join(d.data.data.decode("latin-1") for d in c.proto.datasets)
                     for c in at.get("vega_lite_chart"))


def test_attention_page_in_portuguese_without_the_decoder(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("pt-BR", ATTENTION)
    assert not at.error, [e.value for e in at.error]
    shapes = _frame_with(at, t("attention.gpt2.col.shape", "pt-BR"))[t("attention.gpt2.col.shape", "pt-BR")].tolist()
    assert "11 × 7.087.872" in shapes and "50.257 × 768" in shapes  # not "11 x 7,087,872"
    specs = _chart_specs(at)  # BERT's heatmap: tooltip titles in Portuguese
    assert t("attention.query", "pt-BR") in specs and t("attention.key", "pt-BR") in specs and '"title": "query"' not in specs


def test_attention_page_says_which_model_cut_a_long_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # BERT only: it too cuts at 64 tokens
    at = run_app("pt-BR", ATTENTION)
    at.text_input(key="attention.text").set_value("a," * 900).run()  # [CLS] + 1,800 + [SEP]
    assert not at.exception and not at.error
    bert = [w.value for w in at.warning if w.value.startswith("BERT (all-MiniLM-L6-v2)")]
    assert bert == [t("attention.too_long_bert", "pt-BR", model="BERT (all-MiniLM-L6-v2)", count="1.802", max=64, kept=63)]


def test_attention_page_asks_for_a_sentence_in_its_own_words(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", ATTENTION)
    at.text_input(key="attention.text").set_value("").run()
    infos = [i.value for i in at.info]
    assert t("attention.empty", "en", model="Gemma 3 270M") in infos and t("tokenization.empty", "en") not in infos


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_attention_page_on_the_real_models(prepared_decoder, lang):
    at = run_app(lang, ATTENTION)
    assert not at.error, [e.value for e in at.error]
    check = next(m.value for m in at.markdown if "output_attentions" in m.value)
    diff = re.search(r"= (-?\d+[.,]\d+e[+-]\d+)\.", check).group(1)  # 1,2e-07 in Portuguese
    assert float(diff.replace(",", ".")) < 1e-5  # recomputed weights equal the model's own, shown to the student
    one = "1,000000" if lang == "pt-BR" else "1.000000"
    assert check == t("attention.check", lang, diff=diff, total=one)  # "every row sums to 1.000000", no "between"
    subheaders = [s.value for s in at.subheader]
    for key in ("attention.maps.header", "attention.bert.header", "attention.gpt2.header", "attention.bertviz.header"):
        assert t(key, lang) in subheaders
    assert t("attention.decoder.header", lang, model="Gemma 3 270M") in subheaders
    shares = [m.value for m in at.metric]
    assert len(shares) == 2 and shares[1] in ("0.0 %", "0,0 %") and shares[0] not in ("0.0 %", "0,0 %")
    # one step's heatmap at a time: the open tab's (step 1 first), another one's when its tab is chosen
    charts = len(at.get("vega_lite_chart"))
    assert charts == 1 + 1 + 1 + 2  # step 1, the chosen head, where one token looks, BERT beside Gemma
    column = t("attention.col.top_scores", lang)
    steps = {}
    for step in ("scores", "mask", "masked", "softmax"):
        at.session_state["attention.step_tab"] = t(f"attention.step.{step}", lang)
        at.run()
        assert len(at.get("vega_lite_chart")) == charts
        steps[step] = at.dataframe[0].value  # each step's text alternative fits what its matrix is
    mask = steps["mask"][t("attention.col.mask", lang)].tolist()
    assert mask[0] == t("attention.mask.row", lang, visible="0", hidden=f"1–{len(mask) - 1}")
    assert mask[-1] == t("attention.mask.row_all", lang, visible=f"0–{len(mask) - 1}")
    raw, masked = steps["scores"][column].tolist(), steps["masked"][column].tolist()
    assert all(cell.count("(") == 3 for cell in raw), raw  # no mask yet: every row lists 3, future included
    assert all(cell.count("(") == min(i + 1, 3) for i, cell in enumerate(masked)), masked  # never a −∞ entry
    assert any("(-" in cell for cell in raw + masked)  # negative scores are listed, not dropped
    assert t("attention.col.top", lang) in steps["softmax"].columns
    # every head of the layer: drawn once its expander is opened
    at.session_state["attention.grid_open"] = True
    at.run()
    from gptlab import models

    assert len(at.get("vega_lite_chart")) == charts + models.load_decoder_config().num_attention_heads
    specs = _chart_specs(at)
    assert t("attention.query", lang) in specs and t("attention.key", lang) in specs
    if lang == "pt-BR":
        assert "0,0000" in specs and "0.0000" not in specs  # tooltip numbers with a decimal comma


@pytest.mark.real_models
def test_attention_page_shows_gemmas_facts_even_without_a_sentence(prepared_decoder):
    at = run_app("en", ATTENTION)
    at.text_input(key="attention.text").set_value("").run()
    assert not at.exception and not at.error
    assert t("attention.empty", "en", model="Gemma 3 270M") in [i.value for i in at.info]
    assert t("attention.decoder.header", "en", model="Gemma 3 270M") in [s.value for s in at.subheader]
    facts = _frame_with(at, t("attention.gemma.col.property", "en"))
    assert "head_dim" in facts[t("attention.gemma.col.property", "en")].tolist()


@pytest.mark.real_models
def test_attention_unmask_toggle_shows_the_leak(prepared_decoder):
    at = run_app("en", ATTENTION)
    at.toggle(key="attention.unmask").set_value(True).run()
    assert not at.exception and not at.error
    assert any("would put on average" in w.value for w in at.warning)


@pytest.mark.real_models
def test_attention_layers_and_bad_input(prepared_decoder):
    at = run_app("en", ATTENTION)
    at.slider(key="attention.layer").set_value(17).run()  # a global layer
    assert any(t("attention.layer_kind.full", "en") in c.value for c in at.caption)
    at.slider(key="attention.layer").set_value(0).run()  # a local, sliding-window layer
    assert any("sliding window of 512" in c.value for c in at.caption)
    at.text_input(key="attention.text").set_value("palavra " * 100).run()
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Gemma 3 270M:") and "show only the first 64" in w for w in warnings), warnings
    assert any(w.startswith("BERT (all-MiniLM-L6-v2):") and "the first 63 and the closing [SEP]" in w for w in warnings)
    at.text_input(key="attention.text").set_value("</script><script>alert(1)</script> 😀 ação").run()
    assert not at.exception and not at.error
    at.text_input(key="attention.text").set_value("   ").run()
    assert t("attention.empty", "en", model="Gemma 3 270M") in [i.value for i in at.info]
    assert not at.exception and not at.error




@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_bertviz_is_an_st_iframe_named_in_the_pages_language(tmp_path, monkeypatch, lang):
    """st.iframe (components.v1.html is deprecated): the self-contained view as srcdoc, with an accessible name."""
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # BERT's view needs no decoder
    at = run_app(lang, ATTENTION)
    frames = at.get("iframe")
    assert len(frames) == 1
    proto = frames[0].proto
    assert proto.srcdoc.startswith("<!DOCTYPE html>") and not proto.src
    assert proto.alt == t("attention.bertviz.frame", lang, view=t("attention.bertviz.head_view", lang),
                          model="BERT (all-MiniLM-L6-v2)")


def test_no_code_uses_the_deprecated_components_html():
    root = Path(__file__).resolve().parents[3]
    sources = [root / "streamlit_app.py", *(p for folder in ("labs", "ui", "app_pages", "gptlab")
                                            for p in (root / folder).rglob("*.py"))]
    used = [str(p.relative_to(root)) for p in sources
            if p != Path(__file__).resolve() and re.search(r"components\.v1|components\.html", p.read_text(encoding="utf-8"))]
    assert used == []
