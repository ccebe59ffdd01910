"""Page settings kept in the URL, so an instructor can share a link to an exact setting.

Values arriving through the URL are untrusted: a value that does not parse is ignored, one out of
range is brought to the nearest allowed value, and either way the user is told, in their language.

The link also says where to look: when a student changes a setting, the URL gets `at=<section id>`, the
lesson section that setting's widget follows, and a link opened with it scrolls to that widget.
"""

from __future__ import annotations

import json

import streamlit as st

from gptlab.i18n import fmt_int, t
from gptlab.urlparams import AT_PARAM, SECTION_ID, NumberParam, TextParam, UrlParam

_WRITTEN_KEY = "params.written"  # {widget key: its value as the URL last showed it}


def load_from_url(params: tuple[UrlParam, ...], page: str, lang: str) -> None:
    """Once per session, page and setting: copy URL values into the widgets' session keys, defaults elsewhere.

    A setting whose bounds come from a model not loaded yet is simply not in `params` until it is: its
    URL value waits in the URL and is read on the first run that knows the bounds.
    """
    loaded: set[str] = st.session_state.setdefault(f"{page}.url_loaded", set())
    if AT_PARAM not in loaded:
        loaded.add(AT_PARAM)
        _scroll_to(st.query_params.get(AT_PARAM), params, lang)
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


# Scrolls to the first element found among the selectors, again while the page above it is still growing
# (charts draw after the script ends), and stops as soon as the reader scrolls, types or clicks.
_SCROLL_SCRIPT = """<script>(() => {
  const selectors = %s;
  let rounds = 0, still = 0, reader = false;
  const stop = () => { reader = true; };
  for (const kind of ["wheel", "touchstart", "keydown", "mousedown"]) {
    window.addEventListener(kind, stop, {once: true, capture: true, passive: true});
  }
  const tick = () => {
    if (reader || rounds++ > 150) return;
    const target = selectors.map(s => document.querySelector(s)).find(Boolean);
    const app = document.querySelector('[data-testid="stApp"]');
    const running = !app || app.getAttribute("data-test-script-state") !== "notRunning";
    if (target) {
      target.style.scrollMarginTop = "4.5rem";
      const top = target.getBoundingClientRect().top;
      const margin = parseFloat(getComputedStyle(document.documentElement).fontSize) * 4.5;
      if (Math.abs(top - margin) > 4) { target.scrollIntoView({block: "start"}); still = 0; }
      else if (!running && ++still >= 6) return;
    }
    setTimeout(tick, 200);
  };
  tick();
})();</script>"""


def widget_selector(key: str) -> str:
    """The CSS selector of the element Streamlit draws for the widget with this key (its `st-key-` class)."""
    return ".st-key-" + "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "-" for ch in key.strip())


def _scroll_to(at: str | None, params: tuple[UrlParam, ...], lang: str) -> None:
    """A link opened with ?at=<section>: scroll to the first widget of that section's settings, else to its heading."""
    if at is None:
        return
    if not SECTION_ID.fullmatch(at):
        shown = "`" + str(at)[:40].replace("`", "'").replace("\n", " ") + "`"  # a toast renders Markdown
        st.toast(t("sidebar.bad_url_value", lang, name=AT_PARAM, value=shown))
        return
    selectors = [widget_selector(p.key) for p in params if p.section == at] + [f'[id="{at}"]']
    with st.sidebar:  # out of the reading flow; the script only scrolls
        st.html(_SCROLL_SCRIPT % json.dumps(selectors), unsafe_allow_javascript=True)


def keep_within(key: str, low: int, high: int) -> None:
    """Before a slider whose range is a model's size: a value restored before the size was known fits it now."""
    if key in st.session_state:
        st.session_state[key] = min(max(int(st.session_state[key]), low), high)


def write_to_url(params: tuple[UrlParam, ...]) -> None:
    """The URL shows every setting that differs from its default, so the link reproduces the page.

    A text too long for a link is left out of it (the link then opens with the default text). A setting
    changed since the last write puts its section in the link (?at=...), so the link opens at its widget.
    """
    written: dict = st.session_state.setdefault(_WRITTEN_KEY, {})
    changed_section = None
    for param in params:
        value = st.session_state.get(param.key, param.default)
        shown = None if value == param.default else param.shown(value)
        if param.key in written and written[param.key] != shown and param.section and changed_section is None:
            changed_section = param.section
        written[param.key] = shown
        if shown is None:
            if param.url_name in st.query_params:
                del st.query_params[param.url_name]
        else:
            st.query_params[param.url_name] = shown
    if changed_section is not None:
        st.query_params[AT_PARAM] = changed_section
