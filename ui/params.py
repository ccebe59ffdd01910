"""Page settings kept in the URL, so an instructor can share a link to an exact setting.

Values arriving through the URL are untrusted: a value that does not parse is ignored, one out of
range is brought to the nearest allowed value, and either way the user is told, in their language.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import streamlit as st

from core.i18n import LANGUAGES, fmt_float, fmt_int, t


@dataclass(frozen=True)
class NumberParam:
    url_name: str  # e.g. "temperature"
    key: str  # the session key of the widget that shows it
    default: float
    low: float
    high: float
    integer: bool = False
    decimals: int = 4  # a URL value is rounded to this many decimal places

    def parse(self, raw: str) -> tuple[float | int | None, str | None]:
        """(value, problem): problem is None, "invalid" (value None) or "clamped"."""
        try:
            value = float(raw)
        except (TypeError, ValueError):
            return None, "invalid"
        if math.isnan(value):
            return None, "invalid"
        problem = "clamped" if not (self.low <= value <= self.high) else None  # rounding is silent
        clamped = min(max(value, self.low), self.high)
        if self.integer:
            return int(round(clamped)), problem
        return float(round(clamped, self.decimals)), problem

    def shown(self, value) -> str:
        """As the URL writes it (language-neutral)."""
        return str(int(value)) if self.integer else f"{float(value):g}"

    def said(self, value, lang: str) -> str:
        """As a message to the user writes it."""
        return fmt_int(int(value), lang) if self.integer else fmt_float(float(value), lang, 4).rstrip("0").rstrip(",.")


URL_TEXT_CHARS = 1_000  # longer texts stay out of the URL: a link must stay short enough to share


@dataclass(frozen=True)
class TextParam:
    url_name: str  # e.g. "prompt"
    key: str
    default: str
    max_chars: int = URL_TEXT_CHARS
    other_defaults: tuple[str, ...] = ()  # the default in the other languages: untouched, it follows a switch

    @classmethod
    def translated(cls, url_name: str, key: str, string_key: str, lang: str) -> "TextParam":
        """A text whose default is the UI string `string_key`, in whatever language the page is shown."""
        return cls(url_name, key, t(string_key, lang),
                   other_defaults=tuple(t(string_key, other) for other in LANGUAGES if other != lang))

    def parse(self, raw: str) -> tuple[str | None, str | None]:
        """Control characters other than newlines and tabs are dropped; a text over max_chars is cut."""
        text = "".join(ch for ch in str(raw) if ch in "\n\t" or unicodedata.category(ch) != "Cc")
        if len(text) > self.max_chars:
            return text[: self.max_chars], "cut"
        return text, None

    def shown(self, value) -> str | None:
        value = str(value)
        return value if len(value) <= self.max_chars else None

    def said(self, value, lang: str) -> str:
        return fmt_int(len(value), lang)


@dataclass(frozen=True)
class ChoiceParam:
    url_name: str
    key: str
    default: object
    choices: tuple  # the allowed values, as the widget holds them (str, int or bool)

    def parse(self, raw: str) -> tuple[object | None, str | None]:
        for choice in self.choices:
            if self.shown(choice) == str(raw).strip().lower():
                return choice, None
        return None, "invalid"

    def shown(self, value) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value).lower()

    def said(self, value, lang: str) -> str:
        return str(value)


UrlParam = NumberParam | TextParam | ChoiceParam


def load_from_url(params: tuple[UrlParam, ...], page: str, lang: str) -> None:
    """Once per session and page: copy URL values into the widgets' session keys, defaults elsewhere."""
    flag = f"{page}.url_loaded"
    if st.session_state.get(flag):
        # Streamlit forgets a widget's value while its page is not shown: back on the page, the
        # widget starts from the default again rather than from its own minimum.
        for param in params:
            st.session_state.setdefault(param.key, param.default)
            if isinstance(param, TextParam) and st.session_state[param.key] in param.other_defaults:
                st.session_state[param.key] = param.default  # the language changed; the student typed nothing
        return
    st.session_state[flag] = True
    for param in params:
        raw = st.query_params.get(param.url_name)
        value = param.default
        if raw is not None:
            parsed, problem = param.parse(raw)
            shown = "`" + str(raw)[:40].replace("`", "'").replace("\n", " ") + "`"  # a toast renders Markdown
            if problem == "invalid":
                st.toast(t("sidebar.bad_url_value", lang, name=param.url_name, value=shown))
            elif problem == "clamped":
                st.toast(t("params.clamped", lang, name=param.url_name, value=shown, used=param.said(parsed, lang),
                           low=param.said(param.low, lang), high=param.said(param.high, lang)))
            elif problem == "cut":
                st.toast(t("params.cut", lang, name=param.url_name, max=fmt_int(param.max_chars, lang)))
            if parsed is not None:
                value = parsed
        if isinstance(param, NumberParam):
            value = int(value) if param.integer else float(value)
        st.session_state[param.key] = value


def write_to_url(params: tuple[UrlParam, ...]) -> None:
    """The URL shows every setting that differs from its default, so the link reproduces the page.

    A text too long for a link is left out of it (the link then opens with the default text).
    """
    for param in params:
        value = st.session_state.get(param.key, param.default)
        shown = None if value == param.default else param.shown(value)
        if shown is None:
            if param.url_name in st.query_params:
                del st.query_params[param.url_name]
        else:
            st.query_params[param.url_name] = shown
