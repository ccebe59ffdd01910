"""The lab as a notebook: built with nbformat, run top to bottom with nbclient on the real offline models
(one notebook per lab that has code), its printed numbers checked against the lab's own functions."""

from __future__ import annotations

import ast
import os

import nbformat
import pytest

from gptlab.i18n import t
from gptlab.lessons import load_lesson
from gptlab.nn import decoding as D
from gptlab.takeaway import code as C
from gptlab.takeaway.notebook import NotebookText, build_notebook, notebook_bytes, pinned
from tests.gptlab.test_takeaway import (ATTENTION, BIAS, IN_CONTEXT, MASKING, NEXT, PATHS, TEXT, WINDOW,
                                        check_attention, check_bert_masking, check_bias_probe, check_context_window,
                                        check_generation, check_in_context, check_next_token, check_tokenization)


def notebook_for(lesson_id: str, lang: str, widgets, paths=PATHS):
    les = load_lesson(lesson_id, lang)
    text = NotebookText(les.title, les.summary, t("lesson.key_ideas", lang), les.key_ideas,
                        t("takeaway.install_note", lang), t("takeaway.setup", lang))
    return build_notebook(text, tuple((t(f"takeaway.widget.{w}", lang), s.snippet()) for w, s in widgets), paths, lang)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_notebook_is_in_the_pages_language_with_the_install_cell_first(lang):
    nb = notebook_for("decoding", lang, [("next_token", NEXT), ("attention_map", ATTENTION)])
    nbformat.validate(nb)
    les = load_lesson("decoding", lang)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert les.title in markdown and all(idea in markdown for idea in les.key_ideas)
    assert t("takeaway.widget.next_token", lang) in markdown
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0] == "%pip install --quiet " + " ".join(pinned())
    assert code.count(C.setup_code("decoder", PATHS).rstrip()) == 1  # the model is loaded once
    for cell in code[1:]:
        ast.parse(cell)
    assert nbformat.reads(notebook_bytes(nb).decode("utf-8"), as_version=4) == nb


def test_pins_are_the_apps():
    requirements = (C.TEMPLATES.parents[2] / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert set(pinned()) <= set(requirements) and len(pinned()) == 2


def execute(nb, tmp_path) -> list[str]:
    """Run the notebook in a fresh kernel (this venv, offline); each code cell's printed text."""
    from nbclient import NotebookClient

    os.environ["HF_HUB_OFFLINE"] = "1"  # the kernel inherits the environment
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream") for cell in nb.cells
            if cell.cell_type == "code"]


GRID = C.GenerationSettings(
    "Era uma vez",
    tuple((f"T {T} · top-p {p}", D.Strategy(temperature=T, top_p=p)) for T in (0.3, 1.0) for p in (0.8, 0.95))
    + (("greedy", D.GREEDY),),
    max_new_tokens=3,
    seed=7,
)
GREEDY_NEXT = C.NextTokenSettings("1, 2, 3,", D.GREEDY, 5)


@pytest.mark.real_models
def test_tokenization_notebook_runs(tmp_path, gpt2_tokenizer, bert_tokenizer, gemma_tokenizer):
    nb = notebook_for("tokenization", "pt-BR", [("tokenization", C.TokenizationSettings(TEXT))], C.Paths.local())
    out = execute(nb, tmp_path)
    check_tokenization(out[-1], TEXT, {"GPT-2": gpt2_tokenizer, "BERT": bert_tokenizer, "Gemma 3": gemma_tokenizer})


@pytest.mark.real_models
def test_decoding_and_attention_notebooks_run(tmp_path, gemma_tokenizer):
    from gptlab import models

    model = models.load_decoder(dtype="float32", attn_implementation="eager")
    nb = notebook_for("decoding", "en", [("next_token", GREEDY_NEXT), ("grid", GRID)], C.Paths.local())
    out = execute(nb, tmp_path)
    check_next_token(out[-2], GREEDY_NEXT, model, gemma_tokenizer)
    check_generation(out[-1], GRID, model, gemma_tokenizer)
    nb = notebook_for("attention", "pt-BR", [("attention_map", ATTENTION)], C.Paths.local())
    check_attention(execute(nb, tmp_path)[-1], ATTENTION, model, gemma_tokenizer)
    nb = notebook_for("risks", "en", [("bias_probe", BIAS), ("context_window", WINDOW)], C.Paths.local())
    out = execute(nb, tmp_path)
    check_bias_probe(out[-2], BIAS, model, gemma_tokenizer)
    check_context_window(out[-1], WINDOW, model, gemma_tokenizer)
    nb = notebook_for("history", "pt-BR", [("in_context", IN_CONTEXT)], C.Paths.local())
    check_in_context(execute(nb, tmp_path)[-1], IN_CONTEXT, model, gemma_tokenizer)


@pytest.mark.real_models
def test_bert_vs_gpt_notebook_runs(tmp_path, bert_tokenizer):
    nb = notebook_for("bert-vs-gpt", "en", [("bert_masking", MASKING[1])], C.Paths.local())
    check_bert_masking(execute(nb, tmp_path)[-1], MASKING[1], bert_tokenizer)


@pytest.mark.real_models
def test_journey_notebook_runs(tmp_path, gemma_tokenizer, lab_model):
    """The journey lab's notebook in Portuguese: every view's cell, run top to bottom, prints the lab's numbers."""
    from gptlab import models
    from tests.gptlab.test_takeaway_journey import DEFAULT, check_all, journey_settings

    settings = journey_settings(DEFAULT, "gemma3", position=6, first=0)
    widgets = list(zip(("journey_numbers", "journey_positions", "journey_blocks", "journey_lens_grid", "journey_lens",
                        "journey_next_token"), settings))
    nb = notebook_for("journey", "pt-BR", widgets, C.Paths.local())
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert all(t(f"takeaway.widget.{w}", "pt-BR") in markdown for w, _ in widgets)
    assert all(idea in markdown for idea in load_lesson("journey", "pt-BR").key_ideas)
    out = execute(nb, tmp_path)
    model = models.load_decoder(dtype="float32", attn_implementation="eager")
    check_all(out[-6:], settings, model, lab_model.lm_head.weight.detach(), gemma_tokenizer)
