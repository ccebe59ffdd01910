"""The app frame every page inherits: language, projector mode, URL state, error containment."""

from __future__ import annotations

import contextlib
from typing import Iterator

import streamlit as st

from core.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, normalize_language, t

# The settings live in plain session keys; the widgets ("app.lang", "app.projector") write into
# them. Widget state is dropped when a widget is not rendered in a run; these keys never are.
LANGUAGE_STATE = "app.language"
PROJECTOR_STATE = "app.projector_on"
LANG_KEY = "app.lang"
PROJECTOR_KEY = "app.projector"
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


def language() -> str:
    """The user's language; valid after `sidebar_controls()` ran in the router."""
    return st.session_state.get(LANGUAGE_STATE, DEFAULT_LANGUAGE)


def projector_mode() -> bool:
    return bool(st.session_state.get(PROJECTOR_STATE, False))


def _copy_widget(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def sidebar_controls() -> str:
    """Language switch and projector toggle, kept in the URL (?lang=en&projector=1)."""
    if LANGUAGE_STATE not in st.session_state:
        st.session_state[LANGUAGE_STATE] = _initial_language()
    if PROJECTOR_STATE not in st.session_state:
        st.session_state[PROJECTOR_STATE] = _initial_projector()
    st.session_state[LANG_KEY] = st.session_state[LANGUAGE_STATE]
    st.session_state[PROJECTOR_KEY] = st.session_state[PROJECTOR_STATE]
    with st.sidebar:
        st.radio(
            f"{t('sidebar.language', 'pt-BR')} / {t('sidebar.language', 'en')}",
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
    st.query_params["lang"] = lang
    if projector_mode():
        st.query_params["projector"] = "1"
    elif "projector" in st.query_params:
        del st.query_params["projector"]
    for name, value in st.session_state.pop(_URL_WARNINGS_KEY, []):
        st.toast(t("sidebar.bad_url_value", lang, name=name, value=str(value)[:40]))
    _inject_style(projector_mode())
    return lang


# Okabe-Ito based palette: distinguishable with the common colour-vision deficiencies.
CHIP_COLOURS = ("#D6E9F8", "#FCE6C0", "#C9EDE1", "#F4D9E8", "#FFF6BF", "#E2E2E2")
PROJECTOR_CHIP_COLOURS = ("#FFFFFF", "#FFE08A", "#A9E3FF", "#FFFFFF", "#FFE08A", "#A9E3FF")

_BASE_CSS = """
<style>
.gl-chips { line-height: 2.1; direction: ltr; text-align: left; }
.gl-chip { display: inline-block; padding: 0 .35em; margin: .1em .12em; border-radius: .3em;
  border: 1px solid #6b6b6b; color: #111; font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: .92em; white-space: pre; unicode-bidi: isolate; }
.gl-chip.gl-special { border-style: dashed; border-width: 2px; font-weight: 600; }
.gl-note { color: #555; font-size: .85em; }
</style>
"""

_PROJECTOR_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px !important; }
[data-testid="stAppViewContainer"], [data-testid="stHeader"] { background: #000 !important; }
[data-testid="stAppViewContainer"] * { color: #fff; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem !important; line-height: 1.6; }
h1 { font-size: 2.6rem !important; } h2 { font-size: 2.1rem !important; } h3 { font-size: 1.7rem !important; }
.gl-chip { color: #000 !important; border: 2px solid #fff; font-size: 1.15em; }
.gl-note { color: #ddd !important; }
a { color: #7fd3ff !important; }
</style>
"""


def _inject_style(projector: bool) -> None:
    # Our own constant CSS, never user text. A style-only st.html goes to the event container,
    # which does not reach the page in this Streamlit version; st.markdown does.
    with st.sidebar:
        st.markdown(_BASE_CSS + (_PROJECTOR_CSS if projector else ""), unsafe_allow_html=True)


def chip_colours() -> tuple[str, ...]:
    return PROJECTOR_CHIP_COLOURS if projector_mode() else CHIP_COLOURS


@contextlib.contextmanager
def contained(lang: str) -> Iterator[None]:
    """One widget failing shows a message in the user's language, never a traceback."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the page must survive any widget's failure
        st.error(t("errors.unexpected", lang, error=type(exc).__name__))
