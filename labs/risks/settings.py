"""Risks lab: its session keys and URL parameters (?template=...&a=he&b=she&window=64)."""

from __future__ import annotations

from gptlab.i18n import t
from gptlab.urlparams import NumberParam, TextParam, UrlParam, with_sections
from labs.risks import bias_probe as B
from labs.risks import context_window as W

HALLUCINATION_TOKENS = 12  # enough for a date or a name and a little of what follows
MAX_PROMPT_CHARS = 500
MAX_ANSWER_CHARS = 40
DEFAULT_WINDOW = 128  # the default text is about 200-250 tokens: its first sentence falls out
WINDOW_KEY = "risks.ctx.window"


def text_key(name: str, lang: str) -> str:
    """The demos' texts are kept per language: switching back finds what the student typed."""
    return f"risks.{name}.{lang}"


URL_SECTIONS = {"template": "bias", "a": "bias", "b": "bias", "invented": "hallucination", "window": "context-window"}


def url_params(lang: str) -> tuple[UrlParam, ...]:
    return with_sections((
        TextParam("template", text_key("bias.template", lang), t("risks.bias.default_template", lang),
                  B.MAX_TEMPLATE_CHARS),
        TextParam("a", text_key("bias.a", lang), t("risks.bias.default_a", lang), B.MAX_CANDIDATE_CHARS),
        TextParam("b", text_key("bias.b", lang), t("risks.bias.default_b", lang), B.MAX_CANDIDATE_CHARS),
        TextParam("invented", text_key("hall.invented", lang), t("risks.hall.invented_default", lang),
                  MAX_PROMPT_CHARS),
        NumberParam("window", WINDOW_KEY, DEFAULT_WINDOW, W.MIN_WINDOW, W.MAX_WINDOW, integer=True),
    ), URL_SECTIONS)
