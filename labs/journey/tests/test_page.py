"""AppTest of the journey lab's page, in both languages, with the bad inputs a student will try."""

from __future__ import annotations

import json

import pytest

import course
from gptlab.i18n import t
from tests.apptest import all_text, run_app

JOURNEY = course.lesson("journey").page
SHORT = "The capital of France is Paris, and the capital of Germany is"


@pytest.fixture(autouse=True)
def patient_app(monkeypatch):
    """The page's first run loads two models and builds the model worker: minutes on a busy 2-core machine."""
    monkeypatch.setattr("tests.apptest.TIMEOUT", 600)


def _chart_specs(at) -> str:
    return "\n".join(c.proto.spec + "\n" + "".join(d.data.data.decode("latin-1") for d in c.proto.datasets)
                     for c in at.get("vega_lite_chart"))


def _frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_without_the_decoder_the_page_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", JOURNEY)
    assert not at.error, [e.value for e in at.error]
    assert t("journey.needs_decoder", "en") in [w.value for w in at.warning]


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_whole_journey_in_both_languages(prepared_decoder, lang):
    at = run_app(lang, JOURNEY)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["journey.text"] == t("journey.default_text", lang)
    text = all_text(at)
    n = 19  # Gemma 3 270M: 18 blocks, 19 points of output_hidden_states
    assert t("journey.check.ok", lang, n=n, diff="X").split("X")[0] in text  # the live check passed
    assert len(at.get("vega_lite_chart")) == 5  # strip, blocks, lens heatmap, answer lines, next token
    specs = _chart_specs(at)
    for key in ("journey.lens.title", "journey.blocks.attention"):  # in the spec as JSON writes it
        assert json.dumps(t(key, lang))[1:-1] in specs or t(key, lang) in specs, key
    # every chart has its table beside it
    for key in ("journey.strip.table", "journey.blocks.table", "journey.lens.table", "journey.next.table"):
        assert any(e.label.startswith(t(key, lang)) for e in at.expander), key
    answer = "Berlin" if lang == "en" else None
    if answer:
        assert "**␣Berlin**" in text  # the answer, its leading space visible
    shapes = next(tb.value for tb in at.table if t("journey.pos.col.positions", lang) in tb.value.columns)
    positions = shapes[t("journey.pos.col.positions", lang)]
    assert positions["Gemma 3 270M"] == t("journey.pos.none", lang)  # the model we run first, then GPT-2 small
    assert positions["GPT-2 small"] == ("(1,024, 768)" if lang == "en" else "(1.024, 768)")


@pytest.mark.real_models
@pytest.mark.parametrize("bad, key", [("", "journey.empty"), ("   \n ", "journey.whitespace")])
def test_empty_input_gets_a_message(prepared_decoder, bad, key):
    at = run_app("pt-BR", JOURNEY)
    at.text_area(key="journey.text").set_value(bad).run()
    assert not at.exception and not at.error
    assert t(key, "pt-BR", model="Gemma 3 270M") in [i.value for i in at.info]
    assert not at.get("vega_lite_chart")


@pytest.mark.real_models
def test_hostile_text_is_shown_literally(prepared_decoder):
    hostile = "<script>alert(1)</script> **bold** 👋🏽 مرحبا بالعالم $x$ `code`"
    at = run_app("en", JOURNEY)
    at.text_area(key="journey.text").set_value(hostile).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert "<script>" not in html and "&lt;" in html  # the token chips escape it (one chip per token)
    assert len(at.get("vega_lite_chart")) == 5


@pytest.mark.real_models
def test_a_huge_text_is_cut_with_a_message(prepared_decoder):
    at = run_app("en", JOURNEY, text="word " * 20_000)  # 100,000 characters, through the URL
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.session_state["journey.text"]) <= 2_000
    warnings = " ".join(w.value for w in at.warning)
    assert "tokens of your text were left out" in warnings


@pytest.mark.real_models
def test_the_position_and_text_live_in_the_url(prepared_decoder):
    at = run_app("en", JOURNEY, text="One two three four", position="2")
    assert at.session_state["journey.position"] == 2
    assert at.query_params["position"] in ("2", ["2"])
    at = run_app("en", JOURNEY, text="One two", position="999")  # out of range: clamped, said
    assert not at.exception and not at.error
    assert any("position" in str(x.value) for x in at.get("toast"))
    assert at.session_state["journey.position"] == -1  # then back to the last token for this short text
