"""The app frame every page inherits: language, projector mode, URL state, error containment."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator

import streamlit as st

from gptlab.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, normalize_language, t

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
    st.query_params["lang"] = lang
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


# Okabe-Ito based palette: distinguishable with the common colour-vision deficiencies.
CHIP_COLOURS = ("#D6E9F8", "#FCE6C0", "#C9EDE1", "#F4D9E8", "#FFF6BF", "#E2E2E2")
PROJECTOR_CHIP_COLOURS = ("#FFFFFF", "#FFD966", "#9FD8FF", "#FFFFFF", "#FFD966", "#9FD8FF")

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

# High contrast the robust way: pure black on pure white, larger and heavier type. Streamlit's
# widgets (inputs, data grids, charts) are drawn for a light theme; a forced dark theme breaks them.
_PROJECTOR_CSS = """
<style>
html { font-size: 22px !important; }
[data-testid="stAppViewContainer"], [data-testid="stSidebar"], [data-testid="stHeader"] { background: #fff !important; }
[data-testid="stAppViewContainer"] p, [data-testid="stAppViewContainer"] li,
[data-testid="stAppViewContainer"] td, [data-testid="stAppViewContainer"] th,
[data-testid="stAppViewContainer"] label, [data-testid="stAppViewContainer"] h1,
[data-testid="stAppViewContainer"] h2, [data-testid="stAppViewContainer"] h3,
[data-testid="stSidebar"] p, [data-testid="stSidebar"] span, [data-testid="stSidebar"] li {
  color: #000 !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.2rem !important; line-height: 1.6; }
[data-testid="stMarkdownContainer"] strong { font-weight: 800; }
[data-testid^="stCaption"], [data-testid^="stCaption"] p { color: #111 !important; font-size: 1rem !important; }
h1 { font-size: 2.5rem !important; } h2 { font-size: 2rem !important; } h3 { font-size: 1.6rem !important; }
[data-testid="stMarkdownContainer"] code { color: #000 !important; background: #e8e8e8 !important; font-weight: 600; }
table, th, td { border-color: #000 !important; }
a { color: #0040a0 !important; text-decoration: underline; }
.gl-chip { border: 2px solid #000; font-size: 1.2em; color: #000 !important; }
.gl-chip.gl-special { border-width: 3px; }
.gl-note { color: #111 !important; }
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
        logging.getLogger("gptlab").exception("a widget failed")  # the traceback goes to the server log
        st.error(t("errors.unexpected", lang, error=type(exc).__name__))
