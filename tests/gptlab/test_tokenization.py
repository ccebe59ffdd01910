"""Tokenization core on the real GPT-2 and BERT tokenizers (they load in well under a second),
plus a marked tier on Gemma's SentencePiece tokenizer from the prepared cache."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gptlab.charts import inflation_totals, token_inflation_chart
from gptlab.nn import tokenization as tk
from ui.chips import token_chips


def test_gpt2_known_ids(gpt2_tokenizer):
    assert tk.tokenize(gpt2_tokenizer, "Hello world").input_ids == (15496, 995)
    assert len(gpt2_tokenizer) == 50_257


def test_our_byte_alphabet_is_gpt2s():
    from transformers.convert_slow_tokenizer import bytes_to_unicode as reference

    assert tk.bytes_to_unicode() == reference()
    assert tk.bytes_to_unicode()[ord(" ")] == "Ġ" and tk.bytes_to_unicode()[ord("\n")] == "Ċ"
    assert len(set(tk.bytes_to_unicode().values())) == 256


def test_accented_letters_show_as_their_utf8_bytes(gpt2_tokenizer):
    view = tk.byte_level_view(gpt2_tokenizer, "ação")
    assert [t.piece for t in view] == ["a", "Ã§", "Ã£o"]
    assert view[1].raw == "ç".encode() and view[1].hex == "C3 A7" and view[1].text == "ç"
    assert tk.multibyte_characters("ação")[0] == ("ç", b"\xc3\xa7", "Ã§")


def test_an_emoji_split_across_tokens_is_marked_partial_and_comes_back_whole(gpt2_tokenizer):
    view = tk.byte_level_view(gpt2_tokenizer, "ok 😀")
    assert any(t.text is None for t in view)
    assert tk.bytes_back_to_text(view) == "ok 😀"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_gpt2_round_trip_is_exact_for_any_text(gpt2_tokenizer, text):
    result = tk.tokenize(gpt2_tokenizer, text)
    assert result.decoded == text
    assert tk.bytes_back_to_text(tk.byte_level_view(gpt2_tokenizer, text)) == text


def test_bert_uncased_loses_case_and_accents_and_adds_cls_sep(bert_tokenizer):
    result = tk.tokenize(bert_tokenizer, "Ação Rápida")
    assert result.tokens[0].piece == "[CLS]" and result.tokens[-1].piece == "[SEP]"
    assert result.tokens[0].added and result.tokens[-1].added
    assert result.n_added == 2 and result.n_content_tokens == result.n_tokens - 2
    assert result.decoded == "acao rapida"
    assert not result.round_trip_exact
    assert any(t.piece.startswith("##") for t in result.tokens)


def test_bert_marks_unknown_tokens(bert_tokenizer):
    result = tk.tokenize(bert_tokenizer, "bom dia 😀")
    assert result.unknown_count == 1
    unk = next(t for t in result.tokens if t.piece == "[UNK]")
    assert unk.special and not unk.added  # it stands for the emoji: it came from the text
    assert result.n_added == 2


def test_user_typed_special_text_is_not_counted_as_added(bert_tokenizer):
    result = tk.tokenize(bert_tokenizer, "[CLS] oi")
    # the tokenizer recognises the typed [CLS] as the special token, but it was not *added*
    assert [t.piece for t in result.tokens][:2] == ["[CLS]", "[CLS]"]
    assert result.tokens[1].special and not result.tokens[1].added
    assert result.n_added == 2


def test_special_tokens_tables(gpt2_tokenizer, bert_tokenizer):
    gpt2 = {s.role: s for s in tk.special_tokens(gpt2_tokenizer)}
    assert gpt2["eos"].token == "<|endoftext|>" and gpt2["eos"].token_id == 50256
    assert gpt2["pad"].token is None  # GPT-2 has no padding token
    bert = {s.role: (s.token, s.token_id) for s in tk.special_tokens(bert_tokenizer)}
    assert bert["cls"] == ("[CLS]", 101) and bert["sep"] == ("[SEP]", 102) and bert["mask"] == ("[MASK]", 103)
    assert bert["pad"] == ("[PAD]", 0) and bert["unk"] == ("[UNK]", 100)
    assert tk.tokens_added_around(bert_tokenizer) == (("[CLS]",), ("[SEP]",))
    assert tk.tokens_added_around(gpt2_tokenizer) == ((), ())


@pytest.mark.parametrize(
    "text, problem, truncated",
    [("", "empty", False), (None, "empty", False), ("  \n\t ", "whitespace", False), ("oi", None, False),
     ("a" * 100_000, None, True)],
)
def test_check_text(text, problem, truncated):
    check = tk.check_text(text)
    assert check.problem == problem and check.truncated == truncated
    assert len(check.text) <= tk.MAX_INPUT_CHARS


HARD_TEXTS = [*tk.EXAMPLE_TEXTS.values(), "\x00\x01\x1b[31m", "\ud7ff\ufeff", "a" * 20_000, " " * 50, "e\u0301\u0301"]


@pytest.mark.parametrize("text", HARD_TEXTS, ids=range(len(HARD_TEXTS)))
def test_hard_inputs_keep_their_invariants(gpt2_tokenizer, bert_tokenizer, text):
    gpt2 = tk.tokenize(gpt2_tokenizer, text)
    assert gpt2.decoded == text  # byte-level BPE loses nothing, whatever the characters
    assert gpt2.n_added == 0 and gpt2.n_content_tokens >= 1
    bert = tk.tokenize(bert_tokenizer, text)
    assert [t.piece for t in bert.tokens if t.added] == ["[CLS]", "[SEP]"]
    for result in (gpt2, bert):
        assert [t.position for t in result.tokens] == list(range(result.n_tokens))
        assert all(0 <= t.start <= t.end <= len(text) for t in result.tokens)


def test_visible_reveals_invisible_characters():
    assert tk.visible("a b\n") == "a␣b↵"
    assert tk.visible("x\u200by") == "x⟨U+200B⟩y"
    assert tk.visible("\x07") == "⟨U+0007⟩"
    assert tk.visible("ação") == "ação"
    assert tk.visible("\u0301") == "◌\u0301"  # a lone combining mark gets a dotted circle
    assert tk.visible("e\u0301") == "e\u0301"  # but stays on its letter


def test_chips_escape_markup_in_pieces_and_in_hover_titles():
    text = '"><script>alert(1)</script>'
    tokens = (
        tk.Token(0, 7, "<script>", 0, len(text), special=False, added=False),
        tk.Token(1, 8, '"onmouseover="alert(2)', 0, len(text), special=True, added=False),
    )
    html = token_chips(tokens, text, limit=10)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'onmouseover="' not in html and "&quot;onmouseover=&quot;" in html
    assert 'title="id 7 · &quot;&gt;&lt;script&gt;' in html  # the span, escaped inside the attribute
    assert html.count('<span class="gl-chip') == 2 and "gl-special" in html


def test_chips_escape_real_tokens_of_markup(gpt2_tokenizer):
    text = "</span><script>alert(1)</script>"
    result = tk.tokenize(gpt2_tokenizer, text)
    html = token_chips(result.tokens, text, limit=500)
    assert "<script>" not in html and "</span><script" not in html
    assert html.count('<span class="gl-chip') == result.n_tokens


def test_chips_respect_the_limit(gpt2_tokenizer):
    result = tk.tokenize(gpt2_tokenizer, "word " * 100)
    assert token_chips(result.tokens, "word " * 100, limit=10).count('<span class="gl-chip') == 10


def test_inflation_counts_and_chart(gpt2_tokenizer, bert_tokenizer):
    rows = tk.inflation_rows({"gpt2": gpt2_tokenizer, "bert": bert_tokenizer}, tk.PARALLEL_SENTENCES)
    assert len(rows) == 2 * 2 * len(tk.PARALLEL_SENTENCES)
    # GPT-2's English-heavy vocabulary spends more tokens on the Portuguese side
    assert tk.inflation_ratio(rows, "gpt2") > 1.2
    totals = inflation_totals(rows)
    assert set(totals.columns) == {"tokenizer", "language", "tokens"} and len(totals) == 4
    assert totals["tokens"].sum() == sum(r.n_tokens for r in rows)
    spec = token_inflation_chart(totals, x_title="x", y_title="y", colour_title="c", title="t").to_dict()
    assert spec["mark"]["type"] == "bar"


@pytest.mark.real_models
def test_gemma_sentencepiece_tokenizer(gemma_tokenizer):
    assert len(gemma_tokenizer) == 262_144
    result = tk.tokenize(gemma_tokenizer, "Olá, ação!")
    assert result.tokens[0].piece == "<bos>" and result.tokens[0].added and result.n_added == 1
    assert result.round_trip_exact
    assert any(t.piece.startswith("▁") for t in tk.tokenize(gemma_tokenizer, "uma frase").tokens)
    assert tk.tokens_added_around(gemma_tokenizer) == (("<bos>",), ())
    roles = {s.role: s.token for s in tk.special_tokens(gemma_tokenizer)}
    assert roles["bos"] == "<bos>" and roles["eos"] == "<eos>" and roles["pad"] == "<pad>"


@pytest.mark.real_models
def test_gemma_spends_fewer_tokens_on_portuguese_than_gpt2(gemma_tokenizer, gpt2_tokenizer):
    rows = tk.inflation_rows({"gemma": gemma_tokenizer, "gpt2": gpt2_tokenizer}, tk.PARALLEL_SENTENCES)
    assert tk.inflation_ratio(rows, "gemma") < tk.inflation_ratio(rows, "gpt2")


@pytest.mark.real_models
def test_our_fast_gemma_loader_equals_autotokenizer(gemma_tokenizer, prepared_decoder):
    from transformers import AutoTokenizer

    from gptlab import models

    reference = AutoTokenizer.from_pretrained(str(models.decoder_tokenizer_dir()))
    assert gemma_tokenizer.all_special_tokens == reference.all_special_tokens
    for text in [*tk.EXAMPLE_TEXTS.values(), "  dois  espaços\n\nlinhas", "<start_of_turn>user\noi<end_of_turn>"]:
        ours = gemma_tokenizer(text, return_offsets_mapping=True)
        theirs = reference(text, return_offsets_mapping=True)
        assert ours["input_ids"] == theirs["input_ids"] and ours["offset_mapping"] == theirs["offset_mapping"]
        assert gemma_tokenizer.decode(ours["input_ids"]) == reference.decode(theirs["input_ids"])


def test_one_shared_tokenizer_serves_many_threads(gpt2_tokenizer, bert_tokenizer):
    """st.cache_resource hands one tokenizer to every user: concurrent calls must not interfere.
    (The lab never changes truncation or padding, the settings whose mutation is not thread-safe.)"""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"frase número {i}: ação {'😀' * (i % 3)}" for i in range(64)]
    expected = [(tk.tokenize(gpt2_tokenizer, x).input_ids, tk.tokenize(bert_tokenizer, x).input_ids) for x in texts]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda x: (tk.tokenize(gpt2_tokenizer, x).input_ids,
                                       tk.tokenize(bert_tokenizer, x).input_ids), texts))
    assert got == expected
