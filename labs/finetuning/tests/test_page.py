"""AppTest of the fine-tuning lab's page, in both languages, with the bad inputs a student will try."""

from __future__ import annotations

import pytest

import course
from gptlab.i18n import t
from tests.apptest import run_app


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
@pytest.mark.parametrize("method", ["full", "lora"])
def test_finetuning_a_short_run_then_before_and_after(prepared_decoder, method):
    import numpy as np

    from gptlab import models

    at = run_app("en", FINETUNING)
    assert at.radio(key="finetune.method").value == "lora"  # LoRA is the default
    at.radio(key="finetune.method").set_value(method).run()
    lr_key = "finetune.lr" if method == "full" else "finetune.lora_lr"
    at.number_input(key=lr_key).set_value(0.0).run()
    assert t("finetuning.bad.learning_rate", "en") in [e.value for e in at.error]
    assert at.button(key="finetune.train").disabled
    at.number_input(key=lr_key).set_value(1e-4 if method == "full" else 1e-3).run()
    at.number_input(key="finetune.steps").set_value(2).run()
    at.number_input(key="finetune.eval_every").set_value(1).run()
    at.button(key="finetune.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("finetuning.done", "en", steps=2) in [s.value for s in at.success]
    labels = {m.label for m in at.metric}
    assert t("finetuning.m.val_ppl", "en") in labels and t("finetuning.m.train_loss", "en") in labels
    table = next(d.value for d in at.dataframe if t("finetuning.chart.step", "en") in d.value.columns)
    assert list(table[t("finetuning.chart.step", "en")]) .count(2) == 2  # step 2: a training and a validation point
    runs = next(d.value for d in at.table if t("finetuning.runs.kept", "en") in d.value.columns)
    kept_mb = float(runs[t("finetuning.runs.kept", "en")].iloc[-1].replace(",", ""))
    if method == "lora":  # the session keeps an adapter of a few MB, not a gigabyte
        assert 0 < kept_mb < 20
        assert "finetune.model" not in at.session_state and "finetune.adapter" in at.session_state
    else:
        assert kept_mb > 900
    boxes = [m.value for m in at.markdown if 'class="gl-gen"' in m.value]
    assert len(boxes) >= 2  # before and after, side by side
    after = t("finetuning.ba.tuned_lora" if method == "lora" else "finetuning.ba.tuned", "en")
    assert any(after in m.value for m in at.markdown)
    # the shared models were not trained
    from ui import models as ui_models

    fresh = models.load_decoder(dtype="float32")
    for (name, a), b in zip(ui_models.decoder_fp32().state_dict().items(), fresh.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), name
    at.button(key="finetune.reset").click().run()
    assert t("finetuning.ba.no_model", "en") in [i.value for i in at.info]
