"""Journey lab: its session keys, URL parameters (?text=...&position=3) and the constants its checkers share."""

from __future__ import annotations

from gptlab.nn.journey import MAX_TOKENS
from gptlab.urlparams import NumberParam, TextParam, UrlParam, with_sections

MAX_TEXT_CHARS = 2_000  # the text box's limit; the lab follows the text's last MAX_TOKENS tokens
LAST = -1  # the position setting's value for "the last token", whatever the text's length

TEXT_KEY = "journey.text"
POSITION_KEY = "journey.position"
LENS_LAYER = 12  # the widget task: the answer must be the lens's top 1 from this layer on (of 18; the default prompt: 17)


# the section each setting's widget follows (the text box stands just above "into numbers"): a shared link opens there
URL_SECTIONS = {"text": "into-numbers", "position": "through-the-blocks"}


def url_params(lang: str) -> tuple[UrlParam, ...]:
    """The shareable settings: the prompt and the position followed through the blocks."""
    return with_sections((
        TextParam.translated("text", TEXT_KEY, "journey.default_text", lang),
        NumberParam("position", POSITION_KEY, LAST, LAST, MAX_TOKENS - 1, integer=True),
    ), URL_SECTIONS)
