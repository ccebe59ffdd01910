"""The model picker and the decoding lab on a GPT-2 architecture: a tiny random GPT-2 saved in a temporary
Hugging Face cache under the real ids `gpt2` and `pierreguillou/gpt2-small-portuguese` (tests/hub_models.py).
Nothing is downloaded."""

from __future__ import annotations

import pytest
import torch
from streamlit.testing.v1 import AppTest

import course
from gptlab.i18n import fmt_int, t
from gptlab.models import catalog as C
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from tests.apptest import run_app
from tests.hub_models import TINY_GPT2_CONFIG

DECODING = course.lesson("decoding").page
PICKER = "app.model_pick"


def _generated(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if 'class="gl-gen"' in m.value and 'class="gl-chip gl-inline"' in m.value]


def _query(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_picker_lists_cached_models_and_the_missing_one_with_its_reason(tiny_gpt2_hub_cache, lang):
    at = run_app(lang)
    picker = at.selectbox(key=PICKER)
    assert picker.value == C.GEMMA_KEY
    assert picker.options[0] == "Gemma 3 270M"
    assert "GPT-2 small · gpt2" in picker.options and "GPT-2 small (pt) · pierreguillou/gpt2-small-portuguese" in picker.options
    assert not any("distilgpt2" in o for o in picker.options)
    captions = "\n".join(c.value for c in at.caption)
    assert "distilgpt2" in captions and t("models.picker.reason.not_cached", lang) in captions
    assert "model" not in at.query_params


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_link_naming_a_model_this_machine_lacks_opens_on_gemma_with_a_notice(tiny_gpt2_hub_cache, lang):
    at = run_app(lang, model="distilgpt2")
    assert at.selectbox(key=PICKER).value == C.GEMMA_KEY
    assert t("models.picker.link_missing", lang, name="`distilgpt2`",
             reason=t("models.picker.reason.not_cached", lang)) in [w.value for w in at.warning]
    at = run_app(lang, model="<b>evil</b>")
    assert t("models.picker.link_unknown", lang, name="`<b>evil</b>`") in [w.value for w in at.warning]
    assert at.selectbox(key=PICKER).value == C.GEMMA_KEY and not at.exception
    at = run_app(lang, model=" ")  # an empty setting is the default, with nothing to warn about
    assert at.selectbox(key=PICKER).value == C.GEMMA_KEY and not at.warning and not at.exception


def test_the_pick_travels_in_the_url_and_a_link_restores_it(tiny_gpt2_hub_cache):
    at = run_app("en", DECODING)
    at.selectbox(key=PICKER).set_value("gpt2").run()
    assert _query(at, "model") == "gpt2"
    at.selectbox(key=PICKER).set_value(C.GEMMA_KEY).run()
    assert "model" not in at.query_params
    at = run_app("en", DECODING, model="pierreguillou/gpt2-small-portuguese")
    assert at.selectbox(key=PICKER).value == "pierreguillou/gpt2-small-portuguese"
    assert _query(at, "model") == "pierreguillou/gpt2-small-portuguese" and not at.warning


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_decoding_lab_runs_every_widget_on_gpt2(tiny_gpt2_hub_cache, lang):
    at = run_app(lang, DECODING, model="gpt2")
    assert not at.exception and not at.error, [e.value for e in at.error]
    n_embd, n_head = TINY_GPT2_CONFIG["n_embd"], TINY_GPT2_CONFIG["n_head"]
    line = next(c.value for c in at.caption if "GPT\\-2 small · gpt2" in c.value)  # Markdown-escaped name
    for number in (TINY_GPT2_CONFIG["n_layer"], n_head, n_embd // n_head, n_embd, 50_257, 1024):
        assert fmt_int(number, lang) in line
    assert t("models.shape.positions.learned", lang) in line and "LayerNorm" in line
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("decoding.metric.kept", lang)] == fmt_int(50_257, lang)  # GPT-2's vocabulary, nothing cut
    captions = "\n".join(c.value for c in at.caption)
    assert "Gemma" not in t("decoding.prompt_tokens", lang, n=1, model="GPT-2")
    assert t("decoding.prompt_tokens", lang, n=fmt_int(len(at.session_state["decoding.steps.prompt"][1]), lang),
             model="GPT\\-2 small · gpt2") in captions
    assert fmt_int(50_257 - 15, lang) in captions  # the tokens outside the chart: this model's vocabulary
    codes = [c.value for c in at.code]
    assert any("MODEL = 'gpt2'" in c for c in codes) and not any("gemma" in c.lower() for c in codes)  # the code shown

    at.slider(key="decoding.top_p").set_value(0.9).run()
    at.number_input(key="decoding.top_k").set_value(40).run()
    kept = int({m.label: m.value for m in at.metric}[t("decoding.metric.kept", lang)].replace(",", "").replace(".", ""))
    assert 1 <= kept <= 40
    at.button(key="decoding.steps.add").click().run()
    at.button(key="decoding.steps.sample").click().run()
    steps = list(at.session_state["decoding.steps"])
    assert len(steps) == 2 and all(0 <= i < 50_257 for i in steps)
    assert len(at.get("vega_lite_chart")) == 2  # distribution, many draws
    at.slider(key="decoding.max_new").set_value(6).run()
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    result = at.session_state["decoding.sbs.result"]
    assert result["complete"] and result["request"].model == "gpt2" and len(result["state"].rows) == 7
    assert len(_generated(at)) >= 7
    at.button(key="decoding.grid.go").click().run()
    grid = at.session_state["decoding.grid.result"]
    assert grid["complete"] and len(grid["state"].rows) == 9 and grid["request"].model == "gpt2"
    assert not at.exception and not at.error


def test_decoding_lab_on_gpt2_equals_transformers(tiny_gpt2_hub_cache):
    """What the page shows for GPT-2 is transformers' own: greedy and 4 beams as generate(), the
    distribution as the model's logits through transformers' processors."""
    at = run_app("en", DECODING, model="gpt2", max_new="8", temperature="0.7", top_k="50", top_p="0.9")
    at.button(key="decoding.sbs.go").click().run()
    result = at.session_state["decoding.sbs.result"]
    request = result["request"]
    entry = C.find("gpt2")
    model = C.load_model(entry)
    prompt = torch.tensor([list(request.prompt_ids)])
    rows = dict(zip(request.names, result["state"].rows))
    for name, beams in ((t("decoding.name.greedy", "en"), 1), (t("decoding.name.beam", "en", beams=4), 4)):
        out = model.generate(prompt, max_new_tokens=8, do_sample=False, num_beams=beams,
                             eos_token_id=model.generation_config.eos_token_id, pad_token_id=0)
        expected = [i for i in out[0, prompt.shape[1]:].tolist() if i != model.generation_config.eos_token_id]
        assert [c.token_id for c in rows[name].tokens] == expected, name
    # the distribution widget: the model's logits, warped as transformers warps them
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    logits = model(prompt).logits[0, -1][None].float()
    theirs = LogitsProcessorList([TemperatureLogitsWarper(0.7), TopKLogitsWarper(50), TopPLogitsWarper(0.9)])(
        prompt, logits.clone())
    kept = int(torch.isfinite(theirs).sum())
    assert {m.label: m.value for m in at.metric}[t("decoding.metric.kept", "en")] == fmt_int(kept, "en")
    ours = D.probabilities(G.next_token_logits(model, request.prompt_ids)[None], D.Strategy(0.7, 50, 0.9))
    assert torch.allclose(ours, theirs.softmax(-1), atol=1e-6)


def test_the_notebooks_cells_run_on_the_picked_model_with_the_notebooks_settings(tiny_gpt2_hub_cache):
    from labs.decoding import settings as S

    at = run_app("pt-BR", DECODING, model="pierreguillou/gpt2-small-portuguese")
    at.text_area(key="decoding.prompt").set_value("").run()  # the cells use the notebook's prompts, not the page's
    at.button(key="decoding.notebook.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    model = C.load_model(C.find("pierreguillou/gpt2-small-portuguese"))
    tokenizer = C.load_tokenizer(C.find("pierreguillou/gpt2-small-portuguese"))
    continuation = at.session_state[S.NOTEBOOK_CONTINUATION_KEY]
    request = continuation["request"]
    ids = tokenizer(S.NOTEBOOK_CONTINUATION_PROMPT, return_tensors="pt")["input_ids"]
    assert request.prompt_ids == tuple(ids[0].tolist()) and request.seed == 42
    assert request.max_new_tokens == S.NOTEBOOK_CONTINUATION_MAX_LENGTH - ids.shape[1]  # max_length counts the prompt
    assert request.strategies == (D.GREEDY, D.Strategy(temperature=0.8, top_k=50, top_p=0.9))
    # the greedy row is the notebook's own call: generate(prompt, max_length=60, do_sample=False)
    out = model.generate(ids, max_length=S.NOTEBOOK_CONTINUATION_MAX_LENGTH, do_sample=False,
                         pad_token_id=tokenizer.eos_token_id)
    expected = [i for i in out[0, ids.shape[1]:].tolist() if i != tokenizer.eos_token_id]
    assert [c.token_id for c in continuation["state"].rows[0].tokens] == expected
    grid = at.session_state[S.NOTEBOOK_GRID_KEY]
    assert grid["complete"] and len(grid["state"].rows) == 9
    assert [(s.temperature, s.top_k, s.top_p) for s in grid["request"].strategies] == [
        (T, 50, p) for T in (0.3, 0.7, 1.0) for p in (0.8, 0.9, 0.95)]
    grid_ids = tokenizer(S.NOTEBOOK_GRID_PROMPT)["input_ids"]
    assert grid["request"].max_new_tokens == S.NOTEBOOK_GRID_MAX_LENGTH - len(grid_ids)
    shown = "\n".join(m.value for m in at.markdown)
    assert "`temperature=0.3, top_p=0.8`" in shown and t("decoding.notebook.cell10", "pt-BR") in shown


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_lessons_pipeline_figure_counts_the_picked_models_blocks(tiny_gpt2_hub_cache, monkeypatch, lang):
    from ui import lesson, models as ui_models

    monkeypatch.setattr(ui_models, "picked_model", lambda: C.find("gpt2"))
    svg = lesson.figure_svg("pipeline stage=decoding", lang)
    blocks = t("figure.pipeline.blocks_of", lang, n=TINY_GPT2_CONFIG["n_layer"], model="GPT-2 small · gpt2")
    assert blocks.split(",")[0].split("(")[0].strip() in svg and "GPT-2 small · gpt2" in svg and "Gemma" not in svg


def test_a_broken_cached_model_says_so_and_the_lab_falls_back_to_gemma(tiny_gpt2_hub_cache, monkeypatch):
    repo = tiny_gpt2_hub_cache / "models--acme--broken"
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    (snapshot / "config.json").write_text('{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"}')
    (snapshot / "model.safetensors").write_bytes(b"not a safetensors file")
    monkeypatch.setenv(C.EXTRA_MODELS_ENV, "acme/broken")
    at = run_app("en", DECODING, model="acme/broken")
    assert at.selectbox(key=PICKER).value == "acme/broken"  # offered: its files are there
    warnings = [w.value for w in at.warning]
    said = t("models.picker.load_failed", "en", name="acme/broken", error="ERROR").split("ERROR")
    assert any(w.startswith(said[0]) and w.endswith(said[1]) for w in warnings), warnings
    assert not at.exception
    at.run()
    assert at.selectbox(key=PICKER).value == C.GEMMA_KEY and "acme/broken" not in at.selectbox(key=PICKER).options
