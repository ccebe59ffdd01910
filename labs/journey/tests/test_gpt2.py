"""The journey lab on a GPT-2 architecture: a tiny random GPT-2 saved in a temporary Hugging Face cache under the
real id `gpt2` (tests/hub_models.py), picked with ?model=gpt2. The same checks as on Gemma: the residual stream
recomputed from the weights equals the model's `output_hidden_states`, and the lens's output is the model's own
next-token distribution. Where GPT-2 differs, the page says so: its learned position table, added to the input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course
from gptlab.i18n import fmt_float, fmt_int, fmt_percent, t
from gptlab.models import catalog as C
from gptlab.nn import residual as R
from tests.apptest import all_text, run_app
from tests.hub_models import TINY_GPT2_CONFIG

JOURNEY = course.lesson("journey").page
NAME = "GPT-2 small"  # the catalog's name for `gpt2`; the weights are the tiny random ones
N_LAYER, N_EMBD, N_POSITIONS = TINY_GPT2_CONFIG["n_layer"], TINY_GPT2_CONFIG["n_embd"], TINY_GPT2_CONFIG["n_positions"]


@pytest.fixture
def gpt2_only(tiny_gpt2_hub_cache, tmp_path, monkeypatch):
    """The tiny GPT-2 under `gpt2`, and no prepared Gemma: every number must come from GPT-2."""
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path / "no-gemma"))
    return tiny_gpt2_hub_cache


def _frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_whole_journey_on_gpt2(gpt2_only, lang):
    at = run_app(lang, JOURNEY, model="gpt2")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("journey.needs_decoder", lang) not in [w.value for w in at.warning]
    text = all_text(at)
    assert t("journey.check.ok", lang, n=N_LAYER + 1, diff="X").split("X")[0] in text  # the live check passed
    # into numbers: the learned position table, its shape read from the config, added to the input
    prompt = at.text_area(key="journey.text").value
    entry = C.find("gpt2")
    tokenizer = C.load_tokenizer(entry)
    ids = tokenizer(prompt)["input_ids"]  # GPT-2 adds no <bos>
    assert t("journey.learned_positions", lang, model=NAME, rows=fmt_int(N_POSITIONS, lang), d=fmt_int(N_EMBD, lang),
             T=fmt_int(len(ids), lang)) in text
    assert "√" not in t("journey.learned_positions", lang, model=NAME, rows=1, d=1, T=1)
    assert len(at.get("vega_lite_chart")) == 6  # token strip, position strip, blocks, lens heatmap, answer lines, next token
    strip = _frame_with(at, t("journey.col.position_norm", lang))
    model = C.load_model(entry)
    wte, wpe = model.transformer.wte.weight, model.transformer.wpe.weight
    expected = [fmt_float(float(v), lang, 3) for v in wpe[: len(ids)].norm(dim=-1)]
    assert strip[t("journey.col.position_norm", lang)].tolist() == expected
    summed = [fmt_float(float(v), lang, 3) for v in (wte[ids] + wpe[: len(ids)]).norm(dim=-1)]
    assert strip[t("journey.col.sum_norm", lang)].tolist() == summed
    # where position enters: GPT-2's row, its table's shape from its config (no Gemma prepared: alone)
    shapes = next(tb.value for tb in at.table if t("journey.pos.col.positions", lang) in tb.value.columns)
    positions = shapes[t("journey.pos.col.positions", lang)]
    assert positions.index.tolist() == [NAME]
    assert positions[NAME] == f"({fmt_int(N_POSITIONS, lang)}, {fmt_int(N_EMBD, lang)})"
    # through the blocks: one row per GPT-2 block
    blocks = _frame_with(at, t("journey.blocks.share", lang))
    assert blocks[t("journey.block", lang)].tolist() == [str(b) for b in range(N_LAYER)]
    # out: the lens's last layer is the model's own next-token distribution
    with torch.no_grad():
        probs = torch.softmax(model(input_ids=torch.tensor([ids])).logits[0, -1], -1)
    top = torch.topk(probs, 10)
    table = _frame_with(at, "logit")
    assert table["id"].tolist() == [str(int(i)) for i in top.indices]
    assert table[t("journey.prob", lang)].tolist() == [fmt_percent(float(p), lang, 2) for p in top.values]


def test_the_recomputed_stream_the_page_checks_is_gpt2s_own(gpt2_only):
    """Apart from the page: the tiny GPT-2's stream, recomputed block by block, equals output_hidden_states."""
    entry = C.find("gpt2")
    model, tokenizer = C.load_model(entry), C.load_tokenizer(entry)
    ids = tokenizer(t("journey.default_text", "en"))["input_ids"]
    stream = R.model_pass(model, ids)
    for position in (0, len(ids) // 2, len(ids) - 1):
        check = R.blocks_at(model, stream.x0, stream.hidden, position).check
        assert max(check) < 1e-5 and len(check) == N_LAYER + 1
    np.testing.assert_allclose(stream.position_rows.numpy(), model.transformer.wpe.weight[: len(ids)].numpy())


def test_bad_input_on_gpt2(gpt2_only):
    at = run_app("en", JOURNEY, model="gpt2")
    at.text_area(key="journey.text").set_value("").run()
    assert t("journey.empty", "en", model=NAME) in [i.value for i in at.info]
    at.text_area(key="journey.text").set_value("<script>alert(1)</script> palavra " * 40).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(w.startswith(t("journey.cut_tokens", "en", dropped="X", max=64).split("X")[0][:20]) for w in
               [w.value for w in at.warning])


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_code_of_each_view_loads_the_picked_gpt2(gpt2_only, lang):
    """The expanders' code runs on GPT-2 by its Hub id: its learned position table, its blocks, its ln_f; and the
    notebook is offered."""
    from tests.gptlab.test_takeaway import assigned

    at = run_app(lang, JOURNEY, model="gpt2", position="1")
    codes = [c.value for c in at.code if "from transformers import" in c.value]
    assert len(codes) == 6 and [e.label for e in at.expander].count(t("takeaway.expander", lang)) == 6
    assert all(assigned(c, "MODEL") == "gpt2" and "gemma-3-270m" not in c for c in codes)
    assert all("model.model" not in c and "embed_scale" not in c for c in codes)
    numbers, positions, blocks, grid, lens, next_token = codes
    assert "model.transformer.wpe" in numbers and "model.transformer.h" in blocks and "model.transformer.ln_f" in lens
    assert assigned(blocks, "position") == assigned(next_token, "position") == 1
    assert assigned(numbers, "text") == at.text_area(key="journey.text").value
    assert [b.proto.label for b in at.get("download_button")] == [t("takeaway.notebook", lang)]
