"""Page settings kept in the URL, so an instructor can share a link to an exact setting.

Values arriving through the URL are untrusted: a value that does not parse is ignored, one out of
range is brought to the nearest allowed value, and either way the user is told, in their language.
"""

from __future__ import annotations

import streamlit as st

from gptlab.i18n import fmt_int, t
from gptlab.urlparams import NumberParam, TextParam, UrlParam


def load_from_url(params: tuple[UrlParam, ...], page: str, lang: str) -> None:
    """Once per session, page and setting: copy URL values into the widgets' session keys, defaults elsewhere.

    A setting whose bounds come from a model not loaded yet is simply not in `params` until it is: its
    URL value waits in the URL and is read on the first run that knows the bounds.
    """
    loaded: set[str] = st.session_state.setdefault(f"{page}.url_loaded", set())
    for param in params:
        if param.url_name in loaded:
            # Streamlit forgets a widget's value while its page is not shown: back on the page, the
            # widget starts from the default again rather than from its own minimum.
            st.session_state.setdefault(param.key, param.default)
            if isinstance(param, TextParam) and st.session_state[param.key] in param.other_defaults:
                st.session_state[param.key] = param.default  # the language changed; the student typed nothing
            continue
        loaded.add(param.url_name)
        raw = st.query_params.get(param.url_name)
        value = param.default
        if raw is not None:
            parsed, problem = param.parse(raw)
            shown = "`" + str(raw)[:40].replace("`", "'").replace("\n", " ") + "`"  # a toast renders Markdown
            if problem == "invalid":
                st.toast(t("sidebar.bad_url_value", lang, name=param.url_name, value=shown))
            elif problem == "clamped" and param.high is None:
                st.toast(t("params.too_low", lang, name=param.url_name, value=shown, used=param.said(parsed, lang),
                           low=param.said(param.low, lang)))
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


def keep_within(key: str, low: int, high: int) -> None:
    """Before a slider whose range is a model's size: a value restored before the size was known fits it now."""
    if key in st.session_state:
        st.session_state[key] = min(max(int(st.session_state[key]), low), high)


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
