"""Journey lab: its session keys, URL parameters (?text=...&position=3) and the constants its checkers share."""

from __future__ import annotations

from gptlab.nn.journey import MAX_TOKENS
from gptlab.urlparams import NumberParam, TextParam, UrlParam, with_sections

MAX_TEXT_CHARS = 2_000  # the text box's limit; the lab follows the text's last MAX_TOKENS tokens
LAST = -1  # the position setting's value for "the last token", whatever the text's length

TEXT_KEY = "journey.text"
POSITION_KEY = "journey.position"
WINDOW_KEY = "journey.lens_from"  # the heatmap's first position (LAST: the window that ends at the last token)
LENS_LAYER = 10  # the widget task: the answer must be the lens's top 1 from this layer on (of 18; the default
# prompt: 17). Searched over 391 prompts in both languages: facts and set phrases never before 12 (the lens at
# layer 11 almost never has the answer on top), a repeated "Help! Help! Help! Help" from 10 (15 of 32 words), 9 once


# the section each setting's widget follows (the text box stands just above "into numbers"): a shared link opens there
URL_SECTIONS = {"text": "into-numbers", "position": "through-the-blocks", "lens_from": "logit-lens"}


def url_params(lang: str) -> tuple[UrlParam, ...]:
    """The shareable settings: the prompt, the position followed through the blocks, the heatmap's window."""
    return with_sections((
        TextParam.translated("text", TEXT_KEY, "journey.default_text", lang),
        NumberParam("position", POSITION_KEY, LAST, LAST, MAX_TOKENS - 1, integer=True),
        NumberParam("lens_from", WINDOW_KEY, LAST, LAST, MAX_TOKENS - 1, integer=True),
    ), URL_SECTIONS)
