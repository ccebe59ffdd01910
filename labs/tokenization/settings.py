"""Tokenization lab: its session keys, its URL parameter and the limits its exercises share."""

from __future__ import annotations

from gptlab.urlparams import TextParam, with_sections

CHIP_LIMIT = 300  # chips per tokenizer; the table and the counts always cover everything
SHORT_TEXT = 2_000  # the byte view and the sentence pair take short texts

TEXT_KEY = "tokenization.text"  # the text every tokenizer splits (the [UNK] task reads it)
BYTES_TEXT_KEY = "tokenization.bytes_text"  # the byte view's text (the partial-character task reads it)
EXAMPLE_KEY = "tokenization.example"
EXTRA_KEY = "tokenization.extra"


URL_SECTIONS = {"text": "what-is-a-token"}  # the section the lab widget follows: a shared link opens there


def url_params(lang: str) -> tuple[TextParam, ...]:
    """?text=...: a shared link opens on the same text."""
    return with_sections((TextParam.translated("text", TEXT_KEY, "tokenization.default_text", lang),), URL_SECTIONS)
