"""Corpus input: typed text, the notebook's corpus, uploads (text, CSV, binary, too big)."""

from __future__ import annotations

from labs.finetuning.corpus import MAX_CORPUS_CHARS, MAX_UPLOAD_BYTES, SEED_REPEATS, seed_corpus_text, texts_from_editor, texts_from_upload


def test_seed_corpus_is_the_notebooks_five_sentences_repeated():
    for lang in ("pt-BR", "en"):
        check = texts_from_editor(seed_corpus_text(lang))
        assert len(check.texts) == 5 * SEED_REPEATS and len(set(check.texts)) == 5 and check.problem is None


def test_editor_ignores_blank_lines_and_reports_empty_and_huge():
    assert texts_from_editor(" a \n\n b ").texts == ("a", "b")
    assert texts_from_editor("  \n ").problem == "empty"
    assert texts_from_editor(None).problem == "empty"
    huge = texts_from_editor("x" * (MAX_CORPUS_CHARS + 10))
    assert huge.truncated and huge.chars == MAX_CORPUS_CHARS


def test_uploads():
    assert texts_from_upload("a.txt", "olá\nmundo 😀\n".encode()).texts == ("olá", "mundo 😀")
    assert texts_from_upload("a.txt", "\ufeffcom BOM".encode("utf-8")).texts == ("com BOM",)
    assert texts_from_upload("a.csv", b'id,text\n1,"first, with comma"\n2,second\n').texts == ("first, with comma", "second")
    assert texts_from_upload("a.csv", b"just one column\nanother\n").texts == ("just one column", "another")
    assert texts_from_upload("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00").problem == "binary"
    assert texts_from_upload("a.txt", b"\xff\xfe\xfa").problem == "binary"
    assert texts_from_upload("a.txt", b"x" * (MAX_UPLOAD_BYTES + 1)).problem == "too_big"
    assert texts_from_upload("a.txt", b"").problem == "empty"
    assert texts_from_upload("a.csv", b"").problem == "empty"
