"""Context window: which tokens a window keeps, and P(answer) with and without the early fact."""

from __future__ import annotations

import pytest

from gptlab.i18n import LANGUAGES, value
from gptlab.nn.confidence import score_continuations
from labs.risks import context_window as W

BOS = 2


def test_a_window_keeps_bos_and_the_end():
    ids = [BOS] + list(range(10, 60))  # 51 tokens
    w = W.fit_window(ids, 16, BOS)
    assert len(w.ids) == 16 and w.ids[0] == BOS and w.ids[1:] == tuple(ids[-15:])
    assert w.dropped == 51 - 16 and len(w.kept) == 51 and sum(w.kept) == 16
    assert w.ids == tuple(i for i, k in zip(ids, w.kept) if k)
    assert w.kept[0] and not w.kept[1] and w.kept[-1]


def test_the_answer_takes_room_in_the_window():
    ids = [BOS] + list(range(10, 60))
    w = W.fit_window(ids, 16, BOS, answer_tokens=3)  # the model reads 2 answer tokens before predicting the 3rd
    assert len(w.ids) == 14 and w.ids[-1] == 59


def test_a_short_text_or_no_bos():
    ids = [BOS, 5, 6, 7]
    w = W.fit_window(ids, 16, BOS)
    assert w.ids == tuple(ids) and w.dropped == 0 and all(w.kept)
    w = W.fit_window(list(range(10, 40)), 16, None)  # no start token: only the end is kept
    assert w.ids == tuple(range(24, 40)) and not w.kept[0]
    with pytest.raises(ValueError):
        W.fit_window(ids, 2, BOS, answer_tokens=2)


def test_default_texts_put_the_fact_first_and_ask_last():
    for lang, text in ((lang, value("risks.ctx.default_text", lang)) for lang in LANGUAGES):
        assert W.DEFAULT_ANSWER in text.split("\n")[0]
        assert text.count(W.DEFAULT_ANSWER) == 1  # only the early sentence tells it
        assert len(text) <= W.MAX_TEXT_CHARS


PIECES = ("<bos>", "My", " name", " is", " Ana", " and", " I", " live", " in", " Re", "cife", ".", " Where", "?")


@pytest.mark.parametrize("kept, answer, place", [
    ((True,) + (False,) * 11 + (True,) * 2, "Recife", "dropped"),  # the window dropped the fact
    ((True,) + (False,) * 10 + (True,) * 3, "Recife", "dropped"),  # it cut through the word: the answer is gone
    ((True,) * 14, "recife", "kept"),  # case does not matter
    ((True,) + (False,) * 8 + (True,) * 5, "Recife", "kept"),  # the fact moved to the end stays in the window
    ((True,) + (False,) * 11 + (True,) * 2, "Lisbon", "absent"),
    ((True,) * 14, "   ", "absent"),
    ((True,) * 14, "live  in", "kept"),  # spacing does not matter
])
def test_where_the_text_states_the_answer(kept, answer, place):
    assert W.answer_place(PIECES, kept, answer) == place


@pytest.fixture(scope="module")
def tiny(make_tiny_model):
    return make_tiny_model("gemma", seed=1, num_hidden_layers=2, sliding_window=8, max_position_embeddings=256,
                           layer_types=["sliding_attention", "full_attention"])


def test_compare_scores_the_whole_text_and_the_window(tiny):
    ids = [BOS] + [(7 * i) % 90 + 5 for i in range(60)]
    answer = [3, 4]
    c = W.compare(tiny, ids, answer, size=20, bos_id=BOS)
    full, cut = score_continuations(tiny, [ids, c.window.ids], [answer, answer])
    assert c.full.token_logprobs == pytest.approx(full.token_logprobs, abs=1e-5)
    assert c.cut.token_logprobs == pytest.approx(cut.token_logprobs, abs=1e-5)
    assert len(c.window.ids) == 19 and c.full.prob != c.cut.prob
    same = W.compare(tiny, ids, answer, size=W.MAX_WINDOW, bos_id=BOS)
    assert same.window.dropped == 0 and same.full.token_logprobs == pytest.approx(same.cut.token_logprobs, abs=1e-5)


# --- the real decoder


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_real_model_forgets_the_fact_outside_the_window(lab_model, gemma_tokenizer, lang):
    ids = gemma_tokenizer(value("risks.ctx.default_text", lang))["input_ids"]
    answer = gemma_tokenizer(" " + W.DEFAULT_ANSWER, add_special_tokens=False)["input_ids"]
    assert 128 < len(ids) < W.MAX_WINDOW
    c = W.compare(lab_model, ids, answer, size=64, bos_id=gemma_tokenizer.bos_token_id)
    assert c.window.dropped == len(ids) - 64
    assert c.full.prob > 0.1  # having read the first sentence, the model answers with it
    assert c.cut.prob < c.full.prob / 10  # without it, the answer is a guess
    whole = W.compare(lab_model, ids, answer, size=len(ids) + 8, bos_id=gemma_tokenizer.bos_token_id)
    assert whole.window.dropped == 0
    assert whole.cut.prob == pytest.approx(whole.full.prob, rel=0.02)
