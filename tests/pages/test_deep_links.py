"""Deep links: every lab's settings live in the URL; a shared link restores them; garbage is clamped."""

from __future__ import annotations

import pytest

import course
from tests.apptest import run_app


def qp(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def toasts(at) -> list[str]:
    return [str(el.value) for el in at.get("toast")]


@pytest.mark.real_models
def test_tokenization_text_round_trips_through_the_url(prepared_decoder):
    at = run_app("en", course.lesson("tokenization").page, text="Olá, <b>mundo</b> 👋")
    assert at.session_state["tokenization.text"] == "Olá, <b>mundo</b> 👋"
    assert qp(at, "text") == "Olá, <b>mundo</b> 👋"
    at.text_area(key="tokenization.text").set_value("A new sentence").run()
    assert qp(at, "text") == "A new sentence"


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_changed_setting_puts_its_section_in_the_link(prepared_decoder, lang):
    from labs.tokenization import settings as S

    at = run_app(lang, course.lesson("tokenization").page)
    assert qp(at, "at") is None  # nothing changed yet: the link opens at the top
    at.text_area(key=S.TEXT_KEY).set_value("Uma frase nova").run()
    assert qp(at, "at") == S.URL_SECTIONS["text"] and qp(at, "text") == "Uma frase nova"


@pytest.mark.real_models
@pytest.mark.parametrize("at_value", ["<script>", "../../etc", "a" * 200, "Next Token"])
def test_a_section_in_a_link_that_is_no_section_id_gets_a_notice(prepared_decoder, at_value):
    at = run_app("en", course.lesson("tokenization").page, **{"at": at_value})
    assert any("at" in x for x in toasts(at)), toasts(at)
    assert not at.exception


@pytest.mark.real_models
def test_a_long_url_text_is_cut_with_a_message(prepared_decoder):
    at = run_app("pt-BR", course.lesson("tokenization").page, text="a" * 5_000)
    assert len(at.session_state["tokenization.text"]) == 1_000
    assert any("text" in x and "1.000" in x for x in toasts(at)), toasts(at)


@pytest.mark.real_models
def test_attention_layer_head_and_text_restore_and_clamp(prepared_decoder):
    at = run_app("en", course.lesson("attention").page, text="The cat sat.", layer="3", head="2", unmask="1",
                 bert_layer="99", bert_head="-4", bertviz_view="model")
    state = at.session_state
    assert (state["attention.text"], state["attention.layer"], state["attention.head"]) == ("The cat sat.", 3, 2)
    assert state["attention.unmask"] is True and state["attention.bertviz_view"] == "model"
    assert (state["attention.bert_layer"], state["attention.bert_head"]) == (5, 0)  # clamped to MiniLM's size
    assert any("bert_layer" in x for x in toasts(at)) and any("bert_head" in x for x in toasts(at))
    assert at.slider(key="attention.layer").value == 3 and at.slider(key="attention.head").value == 2


@pytest.mark.real_models
def test_attention_bounds_are_the_models_sizes(prepared_decoder):
    """The labs' URL bounds are read from the loaded models' configs, never typed."""
    from gptlab import models
    from gptlab.urlparams import NumberParam
    from labs.attention import settings as attention
    from labs.bert_vs_gpt import settings as bert_vs_gpt
    from labs.finetuning import settings as finetuning

    gemma, minilm = models.load_decoding_model().config, models.load_minilm_encoder().config
    bounds = {p.url_name: (p.low, p.high) for p in attention.url_params("en", gemma, minilm) if isinstance(p, NumberParam)}
    for name in ("layer", "map_layer"):
        assert bounds[name] == (0, gemma.num_hidden_layers - 1)
    for name in ("head", "map_head"):
        assert bounds[name] == (0, gemma.num_attention_heads - 1)
    assert bounds["bert_layer"] == (0, minilm.num_hidden_layers - 1)
    assert bounds["bert_head"] == (0, minilm.num_attention_heads - 1)
    by_name = {p.url_name: p for p in bert_vs_gpt.url_params("en", minilm, gemma)}
    assert (by_name["bert_layer"].default, by_name["bert_layer"].high) == (minilm.num_hidden_layers - 1,) * 2
    assert (by_name["gpt_layer"].default, by_name["gpt_layer"].high) == (gemma.num_hidden_layers - 1,) * 2
    assert {p.url_name: p.high for p in finetuning.url_params(gemma) if isinstance(p, NumberParam)}["layers"] == \
        gemma.num_hidden_layers
    # before the decoder is prepared no bound is guessed: none above (the page fits the value to the model
    # once loaded), and a setting whose default is the model's last layer waits in the URL
    unknown = {p.url_name: p.high for p in attention.url_params("en", None, minilm) if isinstance(p, NumberParam)}
    assert all(unknown[name] is None for name in ("layer", "head", "map_layer", "map_head"))
    assert "gpt_layer" not in {p.url_name for p in bert_vs_gpt.url_params("en", minilm, None)}
    assert {p.url_name: p.high for p in finetuning.url_params(None) if isinstance(p, NumberParam)}["layers"] is None


def test_attention_garbage_choice_is_ignored_with_a_message():
    at = run_app("en", course.lesson("attention").page, bertviz_view="<script>", unmask="maybe", layer="NaN")
    assert at.session_state["attention.bertviz_view"] == "head"
    assert at.session_state["attention.unmask"] is False
    assert at.session_state["attention.layer"] == 5
    assert len(toasts(at)) >= 3


@pytest.mark.real_models
def test_decoding_prompt_restores_from_the_url(prepared_decoder):
    at = run_app("pt-BR", course.lesson("decoding").page, prompt="Era uma vez", temperature="0.7")
    assert at.session_state["decoding.prompt"] == "Era uma vez"
    assert at.session_state["decoding.temperature"] == 0.7
    assert qp(at, "prompt") == "Era uma vez" and qp(at, "temperature") == "0.7"


def test_finetuning_settings_restore_and_clamp(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # no decoder: the settings still restore
    at = run_app("en", course.lesson("finetuning").page, block_size="32", lr="0.00002", steps="9999", layers="0",
                 val_share="0.25", source="typed", mode="nonsense")
    state = at.session_state
    assert state["finetune.block_size"] == 32 and state["finetune.lr"] == 2e-05
    assert state["finetune.steps"] == 500 and state["finetune.layers"] == 1  # clamped
    assert state["finetune.val_share"] == 0.25 and state["finetune.source"] == "typed"
    assert state["finetune.mode"] == "steps"  # unknown: the default, with a message
    assert any("mode" in x for x in toasts(at)) and any("steps" in x for x in toasts(at))
    assert qp(at, "block_size") == "32" and qp(at, "lr") == "2e-05"


@pytest.mark.real_models
def test_history_settings_restore_and_clamp(prepared_decoder):
    at = run_app("en", course.lesson("history").page, task="similarity", icl="capitals", shots="2")
    state = at.session_state
    assert state["history.gpt1.task"] == "similarity" and state["history.icl.preset.en"] == "capitals"
    assert state["history.icl.max_shots"] == 2
    table = next(df.value for df in at.dataframe if "Shots" in df.value.columns)
    assert list(table["Shots"]) == [0, 1, 2]
    at = run_app("en", course.lesson("history").page, task="poetry", shots="50")
    assert at.session_state["history.gpt1.task"] == "classification" and at.session_state["history.icl.max_shots"] == 8
    assert any("task" in x for x in toasts(at)) and any("shots" in x for x in toasts(at))


@pytest.mark.real_models
def test_bert_vs_gpt_settings_restore_and_clamp(prepared_decoder):
    at = run_app("en", course.lesson("bert-vs-gpt").page, text="Paris is lovely.", seed="7", rate="0.3", bert_layer="2",
                 gpt_layer="40", draws="123")
    state = at.session_state
    assert (state["bert_vs_gpt.text"], state["bert_vs_gpt.seed"], state["bert_vs_gpt.rate"]) == ("Paris is lovely.", 7, 0.3)
    assert state["bert_vs_gpt.bert_layer"] == 2 and state["bert_vs_gpt.gpt_layer"] == 17
    assert state["bert_vs_gpt.draws"] == 1000  # not one of the choices: the default
    assert any("gpt_layer" in x for x in toasts(at)) and any("draws" in x for x in toasts(at))
    assert not at.exception


@pytest.mark.real_models
def test_risks_settings_restore_and_clamp(prepared_decoder):
    at = run_app("en", course.lesson("risks").page, template="The {profession} thinks that", a=" they", b="she",
                 window="5000", invented="<b>Zork</b> was founded in")
    state = at.session_state
    assert state["risks.bias.template.en"] == "The {profession} thinks that" and state["risks.bias.a.en"] == " they"
    assert state["risks.hall.invented.en"] == "<b>Zork</b> was founded in"
    assert state["risks.ctx.window"] == 1024  # clamped to the lab's window
    assert any("window" in x for x in toasts(at))
    assert not at.exception
    at.slider(key="risks.ctx.window").set_value(64).run()
    assert qp(at, "window") == "64"


@pytest.mark.parametrize("page, key, string_key", [
    (course.lesson("tokenization").page, "tokenization.text", "tokenization.default_text"),
    (course.lesson("bert-vs-gpt").page, "bert_vs_gpt.text", "bert_vs_gpt.default_text"),
])
def test_an_untouched_default_text_follows_a_language_switch_and_typed_text_stays(page, key, string_key, tmp_path,
                                                                                 monkeypatch):
    from gptlab.i18n import t
    from ui.frame import LANGUAGE_STATE

    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # no decoder needed for the text box
    at = run_app("en", page)
    assert at.session_state[key] == t(string_key, "en")
    at.session_state[LANGUAGE_STATE] = "pt-BR"
    at.run()
    assert at.session_state[key] == t(string_key, "pt-BR") and "text" not in at.query_params
    box = at.text_input(key=key) if page == course.lesson("bert-vs-gpt").page else at.text_area(key=key)
    box.set_value("meu texto").run()
    at.session_state[LANGUAGE_STATE] = "en"
    at.run()
    assert at.session_state[key] == "meu texto"
    assert not at.exception
