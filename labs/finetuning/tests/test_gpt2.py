"""The fine-tuning lab on a GPT-2 architecture: a tiny random GPT-2 saved in a temporary Hugging Face cache under the
real id `gpt2` (tests/hub_models.py), picked with ?model=gpt2. LoRA's adapters go on GPT-2's Conv1D layers (c_attn,
c_proj, c_fc), full fine-tuning trains one's own copy, and the shared model is never trained. Nothing is downloaded."""

from __future__ import annotations

import numpy as np
import pytest

import course
from gptlab.i18n import fmt_int, t
from gptlab.models import catalog as C
from tests.apptest import run_app
from tests.hub_models import TINY_GPT2_CONFIG

FINETUNING = course.lesson("finetuning").page
NAME = "GPT-2 small"  # the catalog's name for `gpt2`; the weights are the tiny random ones
PORTUGUESE = "pierreguillou/gpt2-small-portuguese"


@pytest.fixture
def gpt2_only(tiny_gpt2_hub_cache, tmp_path, monkeypatch):
    """The tiny GPT-2 under `gpt2` (and the Portuguese id), and no prepared Gemma."""
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path / "no-gemma"))
    return tiny_gpt2_hub_cache


def lora_parameters(rank: int) -> int:
    """A rank-r adapter (A: r x in, B: out x r) on each of a GPT-2 block's four Conv1D layers, every block."""
    d, inner, layers = TINY_GPT2_CONFIG["n_embd"], TINY_GPT2_CONFIG["n_inner"], TINY_GPT2_CONFIG["n_layer"]
    per_block = rank * ((d + 3 * d) + (d + d) + (d + inner) + (inner + d))  # c_attn, attn.c_proj, c_fc, mlp.c_proj
    return layers * per_block


def _train(at, method: str, steps: int = 2):
    at.radio(key="finetune.method").set_value(method).run()
    at.number_input(key="finetune.lr" if method == "full" else "finetune.lora_lr").set_value(
        1e-4 if method == "full" else 1e-3).run()
    at.number_input(key="finetune.steps").set_value(steps).run()
    at.number_input(key="finetune.eval_every").set_value(1).run()
    at.button(key="finetune.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("finetuning.done", "en", steps=steps) in [s.value for s in at.success]


def _unchanged(model, fresh) -> None:
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), name


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_blocks_on_gpt2_use_its_own_tokens_and_separators(gpt2_only, lang):
    at = run_app(lang, FINETUNING, model="gpt2")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("finetuning.needs_decoder", lang) not in [w.value for w in at.warning]
    assert t("finetuning.blocks_legend_newline", lang, model=NAME) in [c.value for c in at.caption]
    entry = C.find("gpt2")
    tokenizer = C.load_tokenizer(entry)
    texts = at.session_state["finetune.corpus"]
    stream = sum(len(tokenizer(x)["input_ids"]) + 1 for x in texts)  # each text ends with a line break
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("finetuning.m.tokens", lang)] == fmt_int(stream, lang)
    # the layers slider reaches GPT-2's own depth, read from its config
    at.radio(key="finetune.method").set_value("full").run()
    assert at.slider(key="finetune.layers").max == TINY_GPT2_CONFIG["n_layer"]
    line = next(m.value for m in at.markdown if "GPT\\-2 small" in m.value and t("models.shape.positions.learned", lang) in m.value)
    assert fmt_int(TINY_GPT2_CONFIG["n_embd"], lang) in line


def test_lora_on_gpt2s_conv1d_layers_then_before_and_after(gpt2_only):
    at = run_app("en", FINETUNING, model="gpt2")
    assert at.radio(key="finetune.method").value == "lora"
    targets = ", ".join(f"`{m}`" for m in ("c_attn", "c_proj", "c_fc"))
    assert t("finetuning.lora_targets", "en", model=NAME, targets=targets, layers=TINY_GPT2_CONFIG["n_layer"]) in [
        c.value for c in at.caption]
    _train(at, "lora")
    rank = at.select_slider(key="finetune.rank").value
    trainable = [c.value for c in at.caption if c.value.startswith("Parameters trained:")]
    assert trainable and trainable[0].startswith(f"Parameters trained: {lora_parameters(rank):,} of")
    assert "finetune.model" not in at.session_state and "finetune.adapter" in at.session_state
    adapter = at.session_state["finetune.adapter"]
    assert adapter.parameters == lora_parameters(rank)
    assert {path for _, path in adapter.matrices} == {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"}
    boxes = [m.value for m in at.markdown if 'class="gl-gen"' in m.value]
    assert len(boxes) >= 2  # before and after, side by side
    assert any(t("finetuning.ba.base", "en", model=NAME) in m.value for m in at.markdown)
    assert any(t("finetuning.ba.tuned_lora", "en") in m.value for m in at.markdown)
    at.toggle(key="finetune.ba.sampled").set_value(True).run()  # the comparison again, on the shared LoRA base
    assert not at.exception and not at.error, [e.value for e in at.error]
    from ui import models as ui_models

    entry = C.find("gpt2")
    _unchanged(ui_models.lm_model(entry), C.load_model(entry))  # the shared GPT-2 was never trained


def test_full_finetuning_of_ones_own_gpt2_copy_and_a_model_switch(gpt2_only):
    at = run_app("en", FINETUNING, model="gpt2")
    _train(at, "full")
    entry = C.find("gpt2")
    fresh = C.load_model(entry)
    runs = next(d.value for d in at.table if t("finetuning.runs.kept", "en") in d.value.columns)
    kept_mb = float(runs[t("finetuning.runs.kept", "en")].iloc[-1].replace(",", ""))
    assert kept_mb == pytest.approx(sum(p.numel() * 4 for p in fresh.parameters()) / 1e6, abs=0.1)  # a float32 copy
    tuned = at.session_state["finetune.model"]
    assert type(tuned).__name__ == "GPT2LMHeadModel"
    assert any(t("finetuning.ba.tuned", "en") in m.value for m in at.markdown)
    from ui import models as ui_models

    _unchanged(ui_models.lm_model(entry), fresh)
    at.selectbox(key="app.model_pick").set_value(PORTUGUESE).run()  # another model: its copy is not compared with it
    other = C.find(PORTUGUESE)
    assert t("finetuning.ba.other_model", "en", trained=NAME, model=other.name) in [i.value for i in at.info]
    assert not at.exception and not at.error
