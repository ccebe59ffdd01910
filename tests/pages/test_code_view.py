""""The code for this view" on the lab pages: the expander holds the page's current settings as code,
and the page offers the lab as a notebook (AppTest, both languages)."""

from __future__ import annotations

import ast

import pytest

import course
from gptlab.i18n import t
from tests.apptest import run_app
from tests.gptlab.test_takeaway import assigned


def shown_code(at) -> list[str]:
    return [c.value for c in at.code if "from transformers import" in c.value]


def download_labels(at) -> list[str]:
    return [el.proto.label for el in at.get("download_button")]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_tokenization_page_shows_its_code_and_offers_the_notebook(lang):
    text = 'Diz "oi" \\ """ 🙂\nfim'
    at = run_app(lang, course.lesson("tokenization").page, text=text)
    code, byte_level, special, inflation = shown_code(at)  # the text, GPT-2's bytes, special tokens, inflation
    ast.parse(code)
    assert assigned(code, "text") == text
    assert assigned(byte_level, "text") == at.session_state["tokenization.bytes_text"]
    assert "roles = " in special
    from gptlab.nn.tokenization import PARALLEL_SENTENCES

    assert assigned(inflation, "pairs") == [list(p) for p in PARALLEL_SENTENCES]
    assert t("takeaway.expander", lang) in [e.label for e in at.expander]
    assert download_labels(at) == [t("takeaway.notebook", lang)]


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_decoding_page_code_follows_the_sliders(prepared_decoder, lang):
    prompt = "It's a \"test\"\nwith '''quotes'''"
    at = run_app(lang, course.lesson("decoding").page, prompt=prompt, temperature="0.35", top_k="7", top_p="0.8",
                 seed="11", max_new="6")
    codes = shown_code(at)
    assert len(codes) == 5  # next token, step by step, many draws, side by side, grid
    next_token, steps, draws, side_by_side, grid = codes
    for code in (steps, draws):
        assert assigned(code, "prompt") == prompt and assigned(code, "seed") == 11
        assert (assigned(code, "temperature"), assigned(code, "top_k"), assigned(code, "top_p")) == (0.35, 7, 0.8)
    assert assigned(steps, "chosen") == [] and assigned(draws, "n") == at.session_state["decoding.draws"]
    assert assigned(next_token, "prompt") == prompt
    assert (assigned(next_token, "temperature"), assigned(next_token, "top_k"), assigned(next_token, "top_p")) == (0.35, 7, 0.8)
    for code in (side_by_side, grid):
        assert (assigned(code, "prompt"), assigned(code, "seed"), assigned(code, "max_new_tokens")) == (prompt, 11, 6)
    assert "temperature=0.35, top_k=7, top_p=0.8" in side_by_side  # the student's own row
    assert download_labels(at) == [t("takeaway.notebook", lang)]
    assert not at.error


@pytest.mark.real_models
def test_attention_page_code_follows_layer_and_head(prepared_decoder):
    at = run_app("en", course.lesson("attention").page, text="The cat sat", layer="1", head="0", map_layer="3",
                 map_head="2")
    steps, attention_map, beside, bertviz = shown_code(at)
    assert assigned(steps, "text") == "The cat sat" and "layer, head = 1, 0" in steps
    assert assigned(attention_map, "text") == "The cat sat" and "layer, head = 3, 2" in attention_map
    assert assigned(beside, "text") == "The cat sat" and "bert_layer, bert_head = " in beside
    assert assigned(bertviz, "text") == "The cat sat" and "bert_model(" in bertviz  # BERT's head view first
    at.radio(key="attention.bertviz_model").set_value("decoder").run()
    at.radio(key="attention.bertviz_view").set_value("model").run()
    bertviz = shown_code(at)[-1]
    assert "page = model_view(attention, tokens" in bertviz and "bert_model" not in bertviz
    assert download_labels(at) == [t("takeaway.notebook", "en")]


def test_bert_vs_gpt_page_code_follows_seed_and_rate():
    at = run_app("pt-BR", course.lesson("bert-vs-gpt").page, text='um "teste"', seed="5", rate="0.4")
    codes = [c.value for c in at.code if "DataCollatorForLanguageModeling" in c.value]
    assert len(codes) == 1
    assert (assigned(codes[0], "text"), assigned(codes[0], "seed"), assigned(codes[0], "mlm_probability")) == (
        'um "teste"', 5, 0.4)
    assert download_labels(at) == [t("takeaway.notebook", "pt-BR")]


@pytest.mark.real_models
def test_risks_page_code_holds_the_template_and_professions(prepared_decoder):
    at = run_app("en", course.lesson("risks").page)
    codes = [c.value for c in at.code if "continuation_logprob" in c.value]
    assert len(codes) == 1
    template = assigned(codes[0], "template")
    assert "{profession}" in template and assigned(codes[0], "professions")
    [window] = [c.value for c in at.code if "answer_logprob" in c.value]
    assert assigned(window, "answer") and assigned(window, "window") == at.session_state["risks.ctx.window"]
    assert download_labels(at) == [t("takeaway.notebook", "en")]


@pytest.mark.real_models
def test_history_page_code_holds_the_few_shot_task(prepared_decoder):
    at = run_app("pt-BR", course.lesson("history").page, shots="2")  # few shots: a light page under load
    [code] = [c.value for c in at.code if "build_prompt" in c.value]
    assert assigned(code, "examples") and assigned(code, "query") and assigned(code, "answer")
    assert assigned(code, "max_shots") == 2
    assert download_labels(at) == [t("takeaway.notebook", "pt-BR")]


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_finetuning_page_code_follows_the_run_settings(prepared_decoder, lang):
    from gptlab.takeaway.code import texts_literal
    from labs.finetuning import corpus as corpus_lib

    at = run_app(lang, course.lesson("finetuning").page, block_size="32", seed="5", lora_lr="0.002", rank="4")
    [lora] = [c.value for c in at.code if "Trainer(" in c.value]
    ast.parse(lora)
    assert (assigned(lora, "block_size"), assigned(lora, "seed")) == (32, 5)
    assert "r=4, lora_alpha=8" in lora and "learning_rate=0.002" in lora and "max_steps=12" in lora
    seed = corpus_lib.seed_sentences(lang)
    assert f"texts = {texts_literal(seed * corpus_lib.SEED_REPEATS)}" in lora  # the seed corpus, written once x 50
    assert download_labels(at) == [t("takeaway.notebook", lang)]

    at.radio(key="finetune.method").set_value("full").run()
    at.radio(key="finetune.source").set_value("typed").run()
    text = 'Um "corpus" \\ com """ aspas\nsegunda linha ' * 3
    at.text_area(key="finetune.typed").set_value(text).run()
    [full] = [c.value for c in at.code if "Trainer(" in c.value]
    assert "get_peft_model" not in full and f"trainable_layers = {at.session_state['finetune.layers']}" in full
    assert "learning_rate=5e-05" in full
    assert f"texts = {texts_literal(corpus_lib.texts_from_editor(text).texts)}" in full
    assert not at.error


@pytest.mark.real_models
def test_bert_vs_gpt_page_code_of_the_attention_and_the_vectors(prepared_decoder):
    at = run_app("en", course.lesson("bert-vs-gpt").page, text="The cat sat")
    at.slider(key="bert_vs_gpt.bert_layer").set_value(4).run()
    at.text_input(key="bert_vs_gpt.pair_a").set_value('She said "hi"').run()
    [side] = [c.value for c in at.code if "bert_layer = " in c.value]
    assert assigned(side, "text") == "The cat sat" and assigned(side, "bert_layer") == 4
    assert assigned(side, "gpt_layer") == at.session_state["bert_vs_gpt.gpt_layer"]
    [vectors] = [c.value for c in at.code if "cosine_similarity" in c.value]
    assert assigned(vectors, "first") == 'She said "hi"'
    assert assigned(vectors, "second") == at.session_state["bert_vs_gpt.pair_b"]
    assert not at.error


@pytest.mark.real_models
def test_history_page_code_of_gpt1s_inputs(prepared_decoder):
    at = run_app("en", course.lesson("history").page, task="multiple_choice", shots="1")
    at.text_area(key="history.gpt1.choices.en").set_value(' In "water" \\ here\n\n  In trees ').run()
    [code] = [c.value for c in at.code if "def sequence(" in c.value]
    assert assigned(code, "task") == "multiple_choice" and assigned(code, "choices") == ['In "water" \\ here', "In trees"]
    assert assigned(code, "text") == at.session_state["history.gpt1.text.multiple_choice.en"].strip()


@pytest.mark.real_models
def test_risks_page_code_of_hallucination_and_sensitivity(prepared_decoder):
    at = run_app("pt-BR", course.lesson("risks").page)
    [hallucination] = [c.value for c in at.code if "output_logits=True" in c.value]
    prompts = assigned(hallucination, "prompts")
    assert set(prompts) == {"invented", "control"} and all(prompts.values())
    assert assigned(hallucination, "expected") == t("risks.hall.expected_default", "pt-BR")
    [sensitivity] = [c.value for c in at.code if "phrasings = " in c.value]
    assert len(assigned(sensitivity, "phrasings")) >= 2
    assert assigned(sensitivity, "answer") == t("risks.sens.answer_default", "pt-BR")
    assert not at.error


@pytest.mark.real_models
def test_decoding_step_by_step_code_holds_the_tokens_added(prepared_decoder):
    at = run_app("en", course.lesson("decoding").page, prompt="Once upon a time", temperature="0.8", seed="3")
    at.button(key="decoding.steps.sample").click().run()
    at.button(key="decoding.steps.sample").click().run()
    [steps] = [c.value for c in at.code if "chosen = " in c.value]
    chosen = at.session_state["decoding.steps"]
    assert len(chosen) == 2 and assigned(steps, "chosen") == list(chosen) and assigned(steps, "seed") == 3


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_journey_page_code_follows_the_prompt_position_and_window(prepared_decoder, monkeypatch, lang):
    monkeypatch.setattr("tests.apptest.TIMEOUT", 600)  # the first journey loads two models and the model worker
    text = 'Ela disse "oi" \\ """ e\nfoi ' * 6 + "The capital of France is Paris, and the capital of Germany is"
    at = run_app(lang, course.lesson("journey").page, text=text, position="5", lens_from="16")
    assert not at.exception and not at.error, [e.value for e in at.error]
    codes = shown_code(at)
    assert len(codes) == 6  # into numbers, positions, the blocks, the lens grid, the lens at the position, the next token
    numbers, positions, blocks, grid, lens, next_token = codes
    for code in codes:
        ast.parse(code)
        assert assigned(code, "text") == text and assigned(code, "max_tokens") == 64
    assert "embed_scale" in numbers and "rotary_emb" in positions and "register_forward_hook" in blocks
    assert assigned(blocks, "position") == assigned(lens, "position") == assigned(next_token, "position") == 5
    assert "first, shown = 16, 16" in grid and "model.lm_head(state)" in grid
    labels = [e.label for e in at.expander]
    assert labels.count(t("takeaway.expander", lang)) == 6
    assert download_labels(at) == [t("takeaway.notebook", lang)]
