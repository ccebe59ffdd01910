"""The fine-tuning lab's code (gptlab.takeaway FinetuningSettings): valid Python for any corpus, and, run
against the real Gemma 3 270M in a fresh interpreter, the lab's blocks exactly and the lab's losses from
the same seed (LoRA, the lab's default, and full fine-tuning of the last blocks), a few steps each."""

from __future__ import annotations

import ast
import re

import pytest

from gptlab.nn.blocks import plan_blocks
from gptlab.nn.finetune import FinetuneSettings, RunReport, finetune, freeze
from gptlab.nn.lora import LoraSettings, reset_adapter, trainable_parameters, with_adapter
from gptlab.takeaway import code as C
from tests.gptlab.test_takeaway import HOSTILE, PATHS, assigned, run_python

SEED_LIKE = ("Abstract: a short text.", "Results: another one.") * 50


def evaluated_texts(code: str):
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["texts"]:
            return eval(compile(ast.Expression(node.value), "texts", "eval"), {})  # a list literal, maybe * n
    raise AssertionError("texts is not assigned")


@pytest.mark.parametrize("method", ["lora", "full"])
def test_any_corpus_becomes_valid_code(method):
    texts = tuple(HOSTILE)
    code = C.FinetuningSettings(texts, method, LoraSettings(), FinetuneSettings()).snippet().code(PATHS)
    assert evaluated_texts(code) == list(texts)
    assert ("get_peft_model" in code) == (method == "lora")
    assert ("trainable_layers = 6" in code) == (method == "full")


def test_a_repeated_corpus_is_written_once_times_n():
    assert C.texts_literal(SEED_LIKE) == "['Abstract: a short text.', 'Results: another one.'] * 50"
    code = C.FinetuningSettings(SEED_LIKE, "lora", LoraSettings(), FinetuneSettings()).snippet().body
    assert evaluated_texts(code) == list(SEED_LIKE)
    assert C.texts_literal(("a", "b", "a")) == "['a', 'b', 'a']"


def test_settings_fill_the_template():
    settings = FinetuneSettings(epochs=2.5, max_steps=0, learning_rate=3e-4, batch_size=4, grad_accumulation=3,
                                block_size=32, seed=9, validation_share=0.2, eval_every=7, trainable_layers=3)
    code = C.FinetuningSettings(("x",), "lora", LoraSettings(rank=16, alpha=32), settings).snippet().body
    assert (assigned(code, "block_size"), assigned(code, "seed"), assigned(code, "validation_share")) == (32, 9, 0.2)
    for piece in ("num_train_epochs=2.5", "learning_rate=0.0003", "per_device_train_batch_size=4",
                  "gradient_accumulation_steps=3", "eval_steps=7", "r=16, lora_alpha=32, lora_dropout=0.05"):
        assert piece in code
    assert "max_steps" not in code
    assert "max_steps=12" in C.FinetuningSettings(("x",), "full", LoraSettings(), FinetuneSettings()).snippet().body


def test_the_notebook_installs_what_the_run_imports():
    snippet = C.FinetuningSettings(("x",), "lora", LoraSettings(), FinetuneSettings()).snippet()
    assert set(snippet.packages) == {"accelerate", "datasets", "peft"}
    assert "peft" not in C.FinetuningSettings(("x",), "full", LoraSettings(), FinetuneSettings()).snippet().packages


# --- against the real model ------------------------------------------------------------------------------

CORPUS = ('Ana said "hello" to the baker.', "The baker sold bread \\ and cakes every morning.",
          "Results: we observed more coherent texts when adjusting temperature.") * 4
RUNS = {
    "lora": (C.FinetuningSettings(CORPUS, "lora", LoraSettings(rank=4, alpha=8), FinetuneSettings(
        max_steps=3, learning_rate=1e-3, batch_size=2, grad_accumulation=1, block_size=16, seed=7,
        validation_share=0.25, eval_every=2, trainable_layers=18))),
    "full": (C.FinetuningSettings(CORPUS, "full", LoraSettings(), FinetuneSettings(
        max_steps=2, learning_rate=5e-5, batch_size=1, grad_accumulation=2, block_size=32, seed=3,
        validation_share=0.2, eval_every=1, trainable_layers=2))),
}


def lab_run(settings: C.FinetuningSettings, tokenizer):
    """What the lab's page does for these settings: plan the blocks, make the model, finetune()."""
    from gptlab import models

    s = settings.train
    plan = plan_blocks([tokenizer(x, add_special_tokens=False)["input_ids"] for x in settings.texts], s.block_size,
                       s.validation_share, s.seed, separator=tokenizer.eos_token_id, prefix=(tokenizer.bos_token_id,))
    if settings.method == "lora":
        model = models.load_decoder(dtype="bfloat16")  # the page's lora_base()
        model.requires_grad_(False)
        model = with_adapter(model, LoraSettings())
        reset_adapter(model, settings.lora, seed=s.seed)
        trainable, total = trainable_parameters(model)
    else:
        model = models.load_finetuning_copy()
        trainable, total = freeze(model, s)
    report = finetune(model, tokenizer, plan, s, RunReport())
    return plan, (trainable, total), report


@pytest.fixture(scope="module")
def lab_runs(gemma_tokenizer):
    """The lab's run for each method, trained once for the module (the snippet and the notebook share it)."""
    done = {}

    def get(method):
        if method not in done:
            done[method] = lab_run(RUNS[method], gemma_tokenizer)
        return done[method]

    return get


def check_run(out: str, settings: C.FinetuningSettings, lab) -> None:
    """The printed sizes equal the lab's plan; the printed losses equal the lab's report, step by step."""
    plan, (trainable, total), report = lab

    sizes = re.search(r"^tokens (\d+), blocks (\d+), train (\d+), validation (\d+), remainder (\d+)$", out, re.M)
    assert tuple(map(int, sizes.groups())) == (len(plan.stream), plan.n_blocks, len(plan.train), len(plan.validation),
                                               len(plan.remainder))
    assert tuple(map(int, re.search(r"^trainable parameters (\d+) of (\d+)$", out, re.M).groups())) == (trainable, total)

    train = [(int(s), float(x)) for s, x in re.findall(r"^step (\d+): training loss ([0-9.]+)$", out, re.M)]
    val = [(int(s), float(x)) for s, x in re.findall(r"^step (\d+): validation loss ([0-9.]+), perplexity", out, re.M)]
    lab_train = [(p.step, p.train_loss) for p in report.points if p.train_loss is not None]
    lab_val = [(p.step, p.val_loss) for p in report.points if p.val_loss is not None]
    assert [s for s, _ in train] == [s for s, _ in lab_train] == list(range(1, settings.train.max_steps + 1))
    assert [s for s, _ in val] == [s for s, _ in lab_val] and val
    # Same seed, same CPU kernels: the same run. The tolerance is for the printed 4 decimals.
    for (_, got), (_, expected) in zip(train + val, lab_train + lab_val):
        assert got == pytest.approx(expected, abs=1e-3)
    assert train[-1][1] != pytest.approx(train[0][1], abs=1e-4)  # it trained


@pytest.mark.real_models
@pytest.mark.parametrize("method", ["lora", "full"])
def test_finetuning_snippet_gives_the_labs_blocks_and_losses(method, tmp_path, lab_runs):
    settings = RUNS[method]
    out = run_python(settings.snippet().code(C.Paths.local()), tmp_path, f"finetune-{method}")
    check_run(out, settings, lab_runs(method))


@pytest.mark.real_models
def test_finetuning_notebook_runs(tmp_path, lab_runs):
    from tests.gptlab.test_takeaway_notebooks import execute, notebook_for

    nb = notebook_for("finetuning", "pt-BR", [("finetuning", RUNS["lora"])], C.Paths.local())
    assert "peft==" in nb.cells[[c.cell_type for c in nb.cells].index("code")].source  # installed first
    check_run(execute(nb, tmp_path)[-1], RUNS["lora"], lab_runs("lora"))
