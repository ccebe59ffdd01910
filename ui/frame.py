"""The app frame every page inherits: language, projector mode, URL state, error containment."""

from __future__ import annotations

import contextlib
import functools
import logging
from pathlib import Path
from typing import Iterator

import streamlit as st

from gptlab.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, normalize_language, t

# The settings live in plain session keys; the widgets ("app.lang", "app.projector") write into
# them. Widget state is dropped when a widget is not rendered in a run; these keys never are.
LANGUAGE_STATE = "app.language"
PROJECTOR_STATE = "app.projector_on"
LANG_KEY = "app.lang"
PROJECTOR_KEY = "app.projector"
# The lab view (?view=lab): each lesson's key ideas and widgets, without the prose, for projecting.
LAB_VIEW_STATE = "app.lab_view_on"
LAB_VIEW_KEY = "app.lab_view"
VIEW_PARAM, LAB_VIEW, FULL_VIEW = "view", "lab", "full"
_URL_WARNINGS_KEY = "app.url_warnings"


def _initial_language() -> str:
    from_url = st.query_params.get("lang")
    if from_url is not None:
        lang = normalize_language(from_url)
        if lang is not None:
            return lang
        st.session_state.setdefault(_URL_WARNINGS_KEY, []).append(("lang", from_url))
    try:
        browser = st.context.locale  # e.g. "pt-BR", from the browser's navigator.language
    except Exception:  # no browser (AppTest, bare mode)
        browser = None
    return normalize_language(browser) or DEFAULT_LANGUAGE


def _initial_projector() -> bool:
    raw = st.query_params.get("projector")
    if raw is None:
        return False
    if raw in {"1", "true", "on"}:
        return True
    if raw not in {"0", "false", "off"}:
        st.session_state.setdefault(_URL_WARNINGS_KEY, []).append(("projector", raw))
    return False


def _initial_lab_view() -> bool:
    raw = st.query_params.get(VIEW_PARAM)
    if raw is not None and raw not in (LAB_VIEW, FULL_VIEW):
        st.session_state.setdefault(_URL_WARNINGS_KEY, []).append((VIEW_PARAM, raw))
    return raw == LAB_VIEW


def language() -> str:
    """The user's language; valid after `sidebar_controls()` ran in the router."""
    return st.session_state.get(LANGUAGE_STATE, DEFAULT_LANGUAGE)


def projector_mode() -> bool:
    return bool(st.session_state.get(PROJECTOR_STATE, False))


def lab_view() -> bool:
    """Lessons show their key ideas and widgets only (ui/lesson.py leaves the prose out)."""
    return bool(st.session_state.get(LAB_VIEW_STATE, False))


def _copy_widget(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def sidebar_controls() -> str:
    """Language switch, projector and lab-view toggles, kept in the URL (?lang=en&projector=1&view=lab)."""
    if LANGUAGE_STATE not in st.session_state:
        st.session_state[LANGUAGE_STATE] = _initial_language()
    if PROJECTOR_STATE not in st.session_state:
        st.session_state[PROJECTOR_STATE] = _initial_projector()
    if LAB_VIEW_STATE not in st.session_state:
        st.session_state[LAB_VIEW_STATE] = _initial_lab_view()
    st.session_state[LANG_KEY] = st.session_state[LANGUAGE_STATE]
    st.session_state[PROJECTOR_KEY] = st.session_state[PROJECTOR_STATE]
    st.session_state[LAB_VIEW_KEY] = st.session_state[LAB_VIEW_STATE]
    with st.sidebar:
        st.radio(
            " / ".join(dict.fromkeys(t("sidebar.language", language) for language in LANGUAGES)),
            LANGUAGES,
            format_func=LANGUAGE_NAMES.__getitem__,
            key=LANG_KEY,
            horizontal=True,
            on_change=_copy_widget,
            args=(LANG_KEY, LANGUAGE_STATE),
        )
        lang = language()
        st.toggle(
            t("sidebar.projector", lang),
            key=PROJECTOR_KEY,
            help=t("sidebar.projector_help", lang),
            on_change=_copy_widget,
            args=(PROJECTOR_KEY, PROJECTOR_STATE),
        )
        st.toggle(
            t("sidebar.lab_view", lang),
            key=LAB_VIEW_KEY,
            help=t("sidebar.lab_view_help", lang),
            on_change=_copy_widget,
            args=(LAB_VIEW_KEY, LAB_VIEW_STATE),
        )
    st.query_params["lang"] = lang
    if lab_view():
        st.query_params[VIEW_PARAM] = LAB_VIEW
    elif VIEW_PARAM in st.query_params:
        del st.query_params[VIEW_PARAM]
    if projector_mode():
        st.query_params["projector"] = "1"
    elif "projector" in st.query_params:
        del st.query_params["projector"]
    for name, value in st.session_state.pop(_URL_WARNINGS_KEY, []):
        # URL text is attacker-controlled and a toast renders Markdown: show it as inline code.
        shown = "`" + str(value)[:40].replace("`", "'").replace("\n", " ") + "`"
        st.toast(t("sidebar.bad_url_value", lang, name=name, value=shown))
    _inject_style(projector_mode())
    return lang


STYLESHEET = Path(__file__).resolve().with_name("style.css")
PROJECTOR_MARK = "/* --- projector mode --- */"


@functools.lru_cache(maxsize=1)
def _stylesheet() -> tuple[str, str]:
    """ui/style.css as (always, projector mode only)."""
    base, _, projector = STYLESHEET.read_text(encoding="utf-8").partition(PROJECTOR_MARK)
    return base, projector


def _inject_style(projector: bool) -> None:
    # Our own constant CSS, never user text. A style-only st.html goes to the event container,
    # which does not reach the page in this Streamlit version; st.markdown does.
    base, projector_css = _stylesheet()
    with st.sidebar:
        st.markdown(f"<style>{base}{projector_css if projector else ''}</style>", unsafe_allow_html=True)


MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>$~")


def markdown_escape(text: str) -> str:
    """User or model text inside Markdown (radio labels, messages): every special character literal."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)


@contextlib.contextmanager
def contained(lang: str) -> Iterator[None]:
    """One widget failing shows a message in the user's language, never a traceback."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the page must survive any widget's failure
        logging.getLogger("gptlab").exception("a widget failed")  # the traceback goes to the server log
        st.error(t("errors.unexpected", lang, error=type(exc).__name__))
