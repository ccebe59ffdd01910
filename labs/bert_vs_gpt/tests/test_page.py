"""AppTest for the BERT vs GPT page: MLM masking on real WordPiece tokens, encoder vs decoder attention and vectors."""

from __future__ import annotations

import re

import pytest

import course
from gptlab import models
from gptlab.i18n import fmt_int, t
from labs.bert_vs_gpt import masking as M
from tests.apptest import all_text, run_app

PAGE = course.lesson("bert-vs-gpt").page


def metric(at, key: str, lang: str, index: int = 0) -> str:
    return [m.value for m in at.metric if m.label == t(key, lang)][index]


def code_rows(at) -> tuple[list[int], list[int]]:
    body = next(c.value for c in at.code if c.value.startswith("input_ids"))
    ids_line, labels_line = body.splitlines()
    parse = lambda line: [int(x) for x in re.findall(r"-?\d+", line.split("=", 1)[1])]  # noqa: E731
    return parse(ids_line), parse(labels_line)


def chips(at) -> str:
    return next(m.value for m in at.markdown if 'class="gl-chips gl-flex"' in str(m.value))


def rerun(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def type_text(at, value: str):
    """Widgets must be looked up again after each run: an old handle changes nothing."""
    at.text_input(key="bert_vs_gpt.text").set_value(value)
    return rerun(at)


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_masking_on_the_default_sentence(lang, bert_tokenizer):
    at = run_app(lang, page=PAGE)
    assert not at.error, [e.value for e in at.error]
    text = t("bert_vs_gpt.default_text", lang)
    assert at.text_input(key="bert_vs_gpt.text").value == text
    ids, labels = code_rows(at)
    expected = bert_tokenizer(text)["input_ids"]
    assert len(ids) == len(labels) == len(expected)
    assert ids[0] == expected[0] == bert_tokenizer.cls_token_id and ids[-1] == bert_tokenizer.sep_token_id
    chosen = [i for i, label in enumerate(labels) if label != M.IGNORE_INDEX]
    assert all(labels[i] == expected[i] for i in chosen)  # labels are the original ids
    assert all(ids[i] == expected[i] for i in range(len(ids)) if i not in chosen)  # untouched elsewhere
    n = len(expected) - 2
    assert metric(at, "bert_vs_gpt.m.chosen", lang) == t("bert_vs_gpt.m.chosen_value", lang, k=fmt_int(len(chosen), lang),
                                                  n=fmt_int(n, lang))
    masked = sum(1 for i in chosen if ids[i] == bert_tokenizer.mask_token_id)
    assert metric(at, "bert_vs_gpt.m.mask", lang) == fmt_int(masked, lang)
    html = chips(at)
    assert len(re.findall(r'class="gl-chip[ "]', html)) == len(expected)  # one chip per real WordPiece token
    assert "[CLS]" in html and "[SEP]" in html
    assert any(t("bert_vs_gpt.draws.col.within", lang) in df.value.columns for df in at.dataframe)
    assert t("bert_vs_gpt.draws.header", lang) in all_text(at)


@pytest.mark.real_models
def test_seed_and_rate_change_the_draw(bert_tokenizer):
    lang = "en"
    at = run_app(lang, page=PAGE)
    first = code_rows(at)
    seen = {tuple(first[1])}
    for seed in (1, 2, 3):
        at.number_input(key="bert_vs_gpt.seed").set_value(seed)
        rerun(at)
        seen.add(tuple(code_rows(at)[1]))
    assert len(seen) >= 2  # different seeds choose different tokens
    at.slider(key="bert_vs_gpt.rate").set_value(1.0)
    rerun(at)
    ids, labels = code_rows(at)
    n = len(ids) - 2
    assert all(label != M.IGNORE_INDEX for label in labels[1:-1])  # every ordinary token chosen
    assert metric(at, "bert_vs_gpt.m.chosen", lang) == t("bert_vs_gpt.m.chosen_value", lang, k=fmt_int(n, lang), n=fmt_int(n, lang))
    at.slider(key="bert_vs_gpt.rate").set_value(0.0)
    rerun(at)
    assert all(label == M.IGNORE_INDEX for label in code_rows(at)[1])
    assert t("bert_vs_gpt.nothing_chosen", lang, n=fmt_int(n, lang), p="0.00", none="100.0") in [i.value for i in at.info]


@pytest.mark.real_models
def test_many_draws_table_is_computed_and_follows_the_draw_count():
    lang = "en"
    at = run_app(lang, page=PAGE)
    what = t("bert_vs_gpt.draws.col.what", lang)
    table = next(df.value for df in at.dataframe if what in df.value.columns)
    counts = list(table[t("bert_vs_gpt.draws.col.count", lang)])
    chosen, out_of = (int(x.replace(",", "")) for x in counts[0].split(" / "))
    n = len(code_rows(at)[0]) - 2
    assert out_of == 1000 * n  # 1,000 draws of the sentence's ordinary tokens
    assert abs(chosen / out_of - 0.15) < 4 * (0.15 * 0.85 / out_of) ** 0.5
    assert sum(int(c.split(" / ")[0].replace(",", "")) for c in counts[1:]) == chosen  # mask + random + keep
    at.select_slider(key="bert_vs_gpt.draws").set_value(100)
    rerun(at)
    table = next(df.value for df in at.dataframe if what in df.value.columns)
    assert table[t("bert_vs_gpt.draws.col.count", lang)].iloc[0].endswith(f"/ {fmt_int(100 * n, lang)}")


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_bad_inputs_give_a_message_not_a_traceback(lang):
    at = run_app(lang, page=PAGE)
    for empty in ("", "   "):
        type_text(at, empty)
        assert t("bert_vs_gpt.empty", lang) in [i.value for i in at.info]
        assert not any(c.value.startswith("input_ids") for c in at.code)
    type_text(at, "😀😀")
    assert t("bert_vs_gpt.only_special", lang, tokens="[CLS] [UNK] [SEP]") in [i.value for i in at.info]
    type_text(at, "<script>alert(1)</script>")
    html = chips(at)
    assert "<script>" not in html and "&lt;" in html
    type_text(at, "palavra " * 3_750)  # 30,000 characters
    warnings = "\n".join(w.value for w in at.warning)
    assert t("bert_vs_gpt.chars_cut", lang, count=fmt_int(30_000, lang), max=fmt_int(20_000, lang)) in warnings
    assert str(M.MAX_BERT_TOKENS) in warnings
    ids, labels = code_rows(at)
    assert len(ids) == len(labels) == M.MAX_BERT_TOKENS


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_attention_compared_and_vectors(lang, prepared_decoder):
    assert models.decoder_ready()
    at = run_app(lang, page=PAGE)
    assert not at.error, [e.value for e in at.error]
    bert_share = metric(at, "bert_vs_gpt.att.future_layer", lang, 0)
    gemma_share = metric(at, "bert_vs_gpt.att.future_layer", lang, 1)
    assert gemma_share == ("0,0 %" if lang == "pt-BR" else "0.0 %")  # the causal mask: nothing above the diagonal
    assert float(bert_share.split()[0].replace(",", ".")) > 5  # the encoder looks right too
    text = all_text(at)
    assert t("bert_vs_gpt.emb.changed", lang, low="x").split("x")[1] in text  # the encoder's vectors changed
    assert t("bert_vs_gpt.emb.unchanged", lang, low="x").split("x")[1] in text  # the decoder's did not
    at.slider(key="bert_vs_gpt.bert_layer").set_value(0)
    rerun(at)
    assert metric(at, "bert_vs_gpt.att.future_layer", lang, 0) != bert_share  # another layer, another share
    assert metric(at, "bert_vs_gpt.att.future_layer", lang, 1) == gemma_share
    at.text_input(key="bert_vs_gpt.pair_b").set_value(at.text_input(key="bert_vs_gpt.pair_a").value)
    rerun(at)
    assert [i.value for i in at.info].count(t("bert_vs_gpt.emb.same", lang)) == 2


@pytest.mark.real_models
def test_without_the_decoder_the_encoder_side_still_works(monkeypatch):
    monkeypatch.setattr(models, "decoder_ready", lambda: False)  # a fresh machine: Gemma not prepared yet
    at = run_app("en", page=PAGE)
    assert t("bert_vs_gpt.att.needs_decoder", "en") in [i.value for i in at.info]
    assert len([m for m in at.metric if m.label == t("bert_vs_gpt.att.future_layer", "en")]) == 1
    assert code_rows(at)[0]  # the masking widget does not need the decoder
