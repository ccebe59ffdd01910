"""AppTest for every page, in both languages, with the bad inputs a student will try."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import course
from gptlab.nn import tokenization as tk
from gptlab.i18n import fmt_int, t
from tests.apptest import all_text, run_app


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_home_lists_lessons_and_invites_to_join_a_class(lang):
    at = run_app(lang)
    text = all_text(at)
    assert at.title[0].value  # the overview's title
    assert t("home.lessons", lang) in [h.value for h in at.header]
    assert t("home.progress", lang) in [h.value for h in at.header]
    assert t("classroom.home.invite", lang) in text  # a visitor: progress saved only after joining
    tokenization_title = __import__("gptlab.lessons").lessons.load_lesson("tokenization", lang).title
    assert any(tokenization_title in s.value for s in at.subheader)
    assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang


def test_language_from_the_url_changes_every_string():
    # Clicking the switch is covered by the browser test: AppTest drops the sidebar of an
    # st.navigation app on a widget-triggered rerun, so a click cannot be checked here.
    pt, en = run_app("pt-BR"), run_app("en")
    assert t("home.lessons", "pt-BR") in [h.value for h in pt.header]
    assert t("home.lessons", "en") in [h.value for h in en.header]
    assert pt.markdown[0].value != en.markdown[0].value
    assert en.query_params["lang"] in ("en", ["en"])


@pytest.mark.parametrize("bad", ["xx", "<script>alert(1)</script>", "pt-BR" * 100])
def test_bad_language_in_the_url_falls_back_with_a_message(bad):
    at = run_app(bad)
    assert at.session_state["app.language"] in ("pt-BR", "en")
    assert any("lang=" in str(toast.value) for toast in at.toast)


def test_projector_mode_from_the_url_and_garbage_values():
    at = run_app("en", projector="1")
    assert at.session_state["app.projector_on"] is True
    at = run_app("en", projector="banana")
    assert at.session_state["app.projector_on"] is False
    assert any("projector=" in str(toast.value) for toast in at.toast)


def test_sidebar_shows_model_status():
    at = run_app("en")
    sidebar = "\n".join(str(m.value) for m in at.sidebar.markdown)
    assert "GPT-2" in sidebar and "MiniLM" in sidebar and "Gemma 3 270M" in sidebar


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
    assert t("attention.empty", "en") in infos and t("tokenization.empty", "en") not in infos


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_attention_page_on_the_real_models(prepared_decoder, lang):
    at = run_app(lang, ATTENTION)
    assert not at.error, [e.value for e in at.error]
    check = next(m.value for m in at.markdown if "output_attentions" in m.value)
    diff = re.search(r"= (-?\d+[.,]\d+e[+-]\d+)\.", check).group(1)  # 1,2e-07 in Portuguese
    assert float(diff.replace(",", ".")) < 1e-5  # recomputed weights equal the model's own, shown to the student
    subheaders = [s.value for s in at.subheader]
    for key in ("attention.maps.header", "attention.bert.header", "attention.gpt2.header", "attention.gemma.header", "attention.bertviz.header"):
        assert t(key, lang) in subheaders
    shares = [m.value for m in at.metric]
    assert len(shares) == 2 and shares[1] in ("0.0 %", "0,0 %") and shares[0] not in ("0.0 %", "0,0 %")
    # each step's text alternative fits what its matrix is
    mask = _frame_with(at, t("attention.col.mask", lang))[t("attention.col.mask", lang)].tolist()
    assert mask[0] == t("attention.mask.row", lang, visible="0", hidden=f"1–{len(mask) - 1}")
    assert mask[-1] == t("attention.mask.row_all", lang, visible=f"0–{len(mask) - 1}")
    column = t("attention.col.top_scores", lang)
    raw, masked = [d.value[column].tolist() for d in at.dataframe if column in d.value.columns]  # steps 1 and 3
    assert all(cell.count("(") == 3 for cell in raw), raw  # no mask yet: every row lists 3, future included
    assert all(cell.count("(") == min(i + 1, 3) for i, cell in enumerate(masked)), masked  # never a −∞ entry
    assert any("(-" in cell for cell in raw + masked)  # negative scores are listed, not dropped
    assert len(at.get("vega_lite_chart")) >= 4 + 4 + 1 + 2
    specs = _chart_specs(at)
    assert t("attention.query", lang) in specs and t("attention.key", lang) in specs
    if lang == "pt-BR":
        assert "0,0000" in specs and "0.0000" not in specs  # tooltip numbers with a decimal comma


@pytest.mark.real_models
def test_attention_page_shows_gemmas_facts_even_without_a_sentence(prepared_decoder):
    at = run_app("en", ATTENTION)
    at.text_input(key="attention.text").set_value("").run()
    assert not at.exception and not at.error
    assert t("attention.empty", "en") in [i.value for i in at.info]
    assert t("attention.gemma.header", "en") in [s.value for s in at.subheader]
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
    assert t("attention.empty", "en") in [i.value for i in at.info]
    assert not at.exception and not at.error


# --- decoding lab -----------------------------------------------------------------------------------
DECODING = course.lesson("decoding").page


def _generated(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if 'class="gl-gen"' in m.value]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_decoding_page_without_the_decoder_teaches_and_says_why(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # nothing prepared here
    at = run_app(lang, DECODING)
    assert t("decoding.needs_decoder", lang) in [w.value for w in at.warning]
    headers = [h.value for h in at.header]
    assert len(headers) >= 12  # every lesson section is there, widgets or not
    assert not at.error


def test_decoding_page_asks_for_a_prompt(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", DECODING)
    at.text_area(key="decoding.prompt").set_value("").run()
    assert t("decoding.empty", "en") in [i.value for i in at.info]
    at.text_area(key="decoding.prompt").set_value("  \n ").run()
    assert t("decoding.empty", "en") in [i.value for i in at.info]
    assert not at.exception


def test_decoding_url_values_out_of_range_are_clamped_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", DECODING, temperature="9", top_k="-5", top_p="abc", max_new="5000", seed="nan", draws="1e9")
    assert at.session_state["decoding.temperature"] == 2.0
    assert at.session_state["decoding.top_k"] == 0
    assert at.session_state["decoding.top_p"] == 1.0  # unreadable: the default
    assert at.session_state["decoding.max_new"] == 200
    assert at.session_state["decoding.seed"] == 42
    assert at.session_state["decoding.draws"] == 10_000
    toasts = [el.value for el in at.get("toast")]
    assert any("temperature" in x and "2" in x for x in toasts), toasts
    assert any("top_p" in x for x in toasts)


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_decoding_page_on_the_real_model(prepared_decoder, lang):
    at = run_app(lang, DECODING)
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("decoding.metric.kept", lang)] == fmt_int(262_144, lang)  # defaults cut nothing
    for key in ("decoding.steps.header", "decoding.draws.header", "decoding.sbs.header", "decoding.grid.header"):
        assert t(key, lang) in [s.value for s in at.subheader]
    assert len(at.get("vega_lite_chart")) == 2  # distribution, draws
    at.slider(key="decoding.max_new").set_value(12).run()
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    boxes = _generated(at)
    filled = [b for b in boxes if 'class="gl-tok"' in b]
    assert len(filled) >= 6  # greedy, T, top-k, top-p, combination, beam
    first = filled
    at.button(key="decoding.sbs.go").click().run()  # same prompt, settings and seed: same texts
    assert [b for b in _generated(at) if 'class="gl-tok"' in b] == first
    repetition = next(d.value for d in at.dataframe if "distinct-2" in d.value.columns)
    names = list(repetition[t("decoding.col.strategy", lang)])
    assert names[0] == t("decoding.name.greedy", lang) and names[-1] == t("decoding.name.beam", lang, beams=4)
    assert len(names) == 7 and any(n.startswith(t("decoding.name.yours", lang, name="")) for n in names)  # T 1: plain sampling
    result = at.session_state["decoding.sbs.result"]
    assert result["complete"] and all(1 <= len(r.tokens) <= 12 for r in result["state"].rows)


@pytest.mark.real_models
def test_decoding_settings_reshape_the_distribution(prepared_decoder):
    at = run_app("en", DECODING)
    kept = lambda: {m.label: m.value for m in at.metric}[t("decoding.metric.kept", "en")]  # noqa: E731
    at.slider(key="decoding.top_p").set_value(0.5).run()
    assert 1 < int(kept().replace(",", "")) < 1000
    at.slider(key="decoding.top_p").set_value(0.0).run()
    assert kept() == "1" and t("decoding.note.top_p_zero", "en") in [i.value for i in at.info]
    at.slider(key="decoding.top_p").set_value(1.0).run()
    at.number_input(key="decoding.top_k").set_value(300_000).run()
    assert kept() == "262,144"
    assert t("decoding.note.top_k_vocab", "en", k="300,000", vocab="262,144") in [i.value for i in at.info]
    at.number_input(key="decoding.top_k").set_value(5).run()
    assert kept() == "5"
    at.slider(key="decoding.temperature").set_value(0.0).run()
    assert kept() == "1" and t("decoding.note.greedy", "en") in [i.value for i in at.info]
    assert at.query_params["temperature"] in ("0", ["0"]) and at.query_params["top_k"] in ("5", ["5"])
    assert not at.exception


@pytest.mark.real_models
def test_decoding_step_by_step_pick_sample_undo(prepared_decoder):
    at = run_app("en", DECODING)
    at.button(key="decoding.steps.add").click().run()
    assert at.session_state["decoding.steps"] and len(at.session_state["decoding.steps"]) == 1
    at.button(key="decoding.steps.sample").click().run()
    steps = list(at.session_state["decoding.steps"])
    assert len(steps) == 2
    at.button(key="decoding.steps.undo").click().run()
    assert list(at.session_state["decoding.steps"]) == steps[:1]
    at.button(key="decoding.steps.sample").click().run()
    assert list(at.session_state["decoding.steps"]) == steps  # the sampler's pick is seeded
    at.button(key="decoding.steps.reset").click().run()
    assert list(at.session_state["decoding.steps"]) == []
    assert not at.exception and not at.error


@pytest.mark.real_models
def test_decoding_bad_prompts(prepared_decoder):
    at = run_app("en", DECODING)
    at.slider(key="decoding.max_new").set_value(4).run()
    at.text_area(key="decoding.prompt").set_value("palavra " * 2_000).run()  # far beyond the 1,024-token window
    warning = next(w.value for w in at.warning if "window" in w.value)
    assert "1,024" in warning
    at.text_area(key="decoding.prompt").set_value("</script><script>alert(1)</script> <b>x</b> 😀 ação").run()
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error
    html = "\n".join(_generated(at))
    assert "<script>" not in html and "&lt;/script&gt;" in html


# --- fine-tuning lab --------------------------------------------------------------------------------
FINETUNING = course.lesson("finetuning").page


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_finetuning_page_without_the_decoder_teaches_and_says_why(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app(lang, FINETUNING)
    assert t("finetuning.needs_decoder", lang) in [w.value for w in at.warning]
    assert len(at.header) >= 12 and not at.error


@pytest.mark.real_models
def test_finetuning_blocks_and_bad_corpora(prepared_decoder):
    at = run_app("en", FINETUNING)
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics[t("finetuning.m.blocks", "en")].replace(",", "")) > 10
    at.radio(key="finetune.source").set_value("typed").run()
    at.text_area(key="finetune.typed").set_value("Only a few words.").run()
    at.select_slider(key="finetune.block_size").set_value(256).run()
    assert any("zero blocks" in e.value for e in at.error)  # said, not silently zero
    at.select_slider(key="finetune.block_size").set_value(8).run()
    assert any("zero blocks" in e.value for e in at.error)  # 5 tokens: still less than one block of 8
    at.text_area(key="finetune.typed").set_value("A few more words, enough for one block.").run()  # 11 tokens: <bos> + 7 fit once
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics[t("finetuning.m.blocks", "en")]) == 1
    assert [e.value for e in at.error if "block of 8" in e.value] == []  # (the tiny GPT-2's blocks are 32)
    assert t("finetuning.no_validation", "en") in [w.value for w in at.warning]  # one block: none left for validation
    at.text_area(key="finetune.typed").set_value("   ").run()
    assert t("finetuning.corpus.empty", "en") in [i.value for i in at.info]
    at.text_area(key="finetune.typed").set_value("</script><script>alert(1)</script> <b>x</b> 😀 " * 5).run()
    html = "\n".join(m.value for m in at.markdown if "gl-blocks" in m.value)
    assert "<script>" not in html and "&lt;" in html
    assert not at.exception


@pytest.mark.real_models
def test_finetuning_a_short_run_then_before_and_after(prepared_decoder):
    import numpy as np

    from gptlab import models

    at = run_app("en", FINETUNING)
    at.number_input(key="finetune.lr").set_value(0.0).run()
    assert t("finetuning.bad.learning_rate", "en") in [e.value for e in at.error]
    assert at.button(key="finetune.train").disabled
    at.number_input(key="finetune.lr").set_value(1e-4).run()
    at.number_input(key="finetune.steps").set_value(2).run()
    at.number_input(key="finetune.eval_every").set_value(1).run()
    at.button(key="finetune.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("finetuning.done", "en", steps=2) in [s.value for s in at.success]
    labels = {m.label for m in at.metric}
    assert t("finetuning.m.val_ppl", "en") in labels and t("finetuning.m.train_loss", "en") in labels
    table = next(d.value for d in at.dataframe if t("finetuning.m.val_ppl", "en") in d.value.columns)
    assert list(table[t("finetuning.chart.step", "en")]) .count(2) == 2  # step 2: a training and a validation point
    boxes = [m.value for m in at.markdown if 'class="gl-gen"' in m.value]
    assert len(boxes) >= 2  # before and after, side by side
    # the shared models were not trained
    from ui import models as ui_models

    shared = ui_models.decoder_fp32()
    fresh = models.load_decoder(dtype="float32")
    for (name, a), b in zip(shared.state_dict().items(), fresh.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), name
    at.button(key="finetune.reset").click().run()
    assert t("finetuning.ba.no_model", "en") in [i.value for i in at.info]
