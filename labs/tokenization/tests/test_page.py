"""AppTest of the tokenization lab's page, in both languages, with the bad inputs a student will try."""

from __future__ import annotations

import pytest

import course
from gptlab.i18n import fmt_int, t
from gptlab.nn import tokenization as tk
from tests.apptest import all_text, run_app


TOKENIZATION = course.lesson("tokenization").page


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_tokenization_page_renders_every_widget(lang):
    at = run_app(lang, TOKENIZATION)
    subheaders = [s.value for s in at.subheader]
    assert t("tokenization.label.gpt2", lang) in subheaders and t("tokenization.label.bert", lang) in subheaders
    for key in ("tokenization.bytes.header", "tokenization.special.header", "tokenization.inflation.header"):
        assert t(key, lang) in subheaders
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.dataframe) >= 4
    assert at.text_area(key="tokenization.text").value == t("tokenization.default_text", lang)
    counts = [m.value for m in at.markdown if "tokens ·" in m.value]
    assert len(counts) == len(subheaders) - 3  # one counts line per tokenizer column


BAD_INPUTS = {
    "whitespace": "   \n\t  ",
    "emoji": "😀👍🏽🇧🇷👨‍👩‍👧",
    "zero_width_and_controls": "a\u200bb\u200d\u0000\u0007\u001b[31m",
    "rtl": "مرحبا بالعالم שלום",
    "markup": "</script><script>alert(1)</script><img src=x onerror=alert(2)>",
    "huge": "palavra " * 12_500,  # 100,000 characters
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_tokenization_page_survives_bad_input(name):
    at = run_app("en", TOKENIZATION)
    at.text_area(key="tokenization.text").set_value(BAD_INPUTS[name]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]  # no widget fell into the error fallback
    text = all_text(at)
    if name == "huge":
        assert t("tokenization.truncated", "en", length="100,000", max="20,000") in text
        assert "Showing the first 300" in text
    if name == "markup":
        chips = "".join(h.proto.body for h in at.get("html"))
        assert "<script" not in chips and "<img" not in chips and "&lt;" in chips
    if name == "whitespace":
        assert t("tokenization.whitespace", "en") in text


def test_numbers_are_written_the_portuguese_way():
    at = run_app("pt-BR", TOKENIZATION)
    at.text_area(key="tokenization.text").set_value("palavra " * 12_500).run()
    assert t("tokenization.truncated", "pt-BR", length="100.000", max="20.000") in all_text(at)


def test_without_a_prepared_decoder_the_lab_works_with_two_tokenizers(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # nothing prepared here; auto-prepare is off
    at = run_app("en", TOKENIZATION)
    subheaders = [s.value for s in at.subheader]
    assert t("tokenization.label.gpt2", "en") in subheaders and t("tokenization.label.gemma", "en") not in subheaders
    assert t("tokenization.gemma_unavailable", "en") in [w.value for w in at.warning]
    home = run_app("en")  # the sidebar says why and offers the button
    assert any("not prepared yet" in str(m.value) for m in home.sidebar.markdown)
    assert any(b.label == t("models.prepare_button", "en") for b in home.sidebar.button)


def test_tokenization_page_asks_for_text_when_empty():
    at = run_app("pt-BR", TOKENIZATION)
    at.text_area(key="tokenization.text").set_value("").run()
    assert not at.exception
    assert t("tokenization.empty", "pt-BR") in [i.value for i in at.info]


def test_example_pills_fill_the_text_box():
    at = run_app("en", TOKENIZATION)
    at.button_group(key="tokenization.example").set_value("rtl").run()
    assert at.text_area(key="tokenization.text").value == tk.EXAMPLE_TEXTS["rtl"]
    assert not at.exception


def test_optional_hub_tokenizers_are_offered_only_when_cached(empty_hub_cache):
    at = run_app("en", TOKENIZATION)
    assert at.selectbox(key="tokenization.extra").options == ["none"]
    assert any("Unavailable offline" in c.value and "bert-base-uncased" in c.value for c in at.caption)


def test_a_cached_hub_tokenizer_joins_the_comparison(hub_cache_with_gpt2):
    at = run_app("en", TOKENIZATION)
    box = at.selectbox(key="tokenization.extra")
    assert "gpt2" in box.options
    box.set_value("gpt2").run()
    assert not at.exception
    assert "gpt2" in [s.value for s in at.subheader]


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_tokenization_page_on_all_three_real_tokenizers(prepared_decoder, lang):
    at = run_app(lang, TOKENIZATION)
    subheaders = [s.value for s in at.subheader]
    assert t("tokenization.label.gemma", lang) in subheaders
    assert t("tokenization.gemma_wait", lang) not in all_text(at)
    assert any(fmt_int(262_144, lang) in c.value for c in at.caption)
    at.text_area(key="tokenization.text").set_value(BAD_INPUTS["markup"]).run()
    assert not at.exception and not at.error


