"""Driving the app through streamlit.testing's AppTest: the helpers every page test uses."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "router.py")
TIMEOUT = 60  # model pages load tokenizers; the default 3 s is too short on 2 cores


def run_app(lang: str | None = "en", page: str | None = None, **params: str) -> AppTest:
    """The app in `lang` with these URL parameters, switched to `page` (a course.py page path)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if lang is not None:
        at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader", "code"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts)
