"""AppTest of what every page shares: the home page, the language, projector mode, the sidebar.

Each lab's page has its own tests in labs/<lab>/tests/test_page.py; every page of course.py is rendered in
both languages by tests/pages/test_exercises_page.py (the exercises end every lesson page)."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.apptest import all_text, run_app


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_home_lists_lessons_and_invites_to_join_a_class(lang):
    at = run_app(lang)
    text = all_text(at)
    assert at.title[0].value  # the overview's title
    assert t("home.lessons", lang) in [h.value for h in at.header]
    assert t("home.progress", lang) in [h.value for h in at.header]
    assert t("classroom.home.invite", lang) in text  # a visitor: progress saved only after joining
    tokenization_title = __import__("gptlab.lessons").lessons.load_lesson("tokenization", lang).title
    assert any(tokenization_title in s.value for s in at.subheader)
    assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang


def test_language_from_the_url_changes_every_string():
    # Clicking the switch is covered by the browser test: AppTest drops the sidebar of an
    # st.navigation app on a widget-triggered rerun, so a click cannot be checked here.
    pt, en = run_app("pt-BR"), run_app("en")
    assert t("home.lessons", "pt-BR") in [h.value for h in pt.header]
    assert t("home.lessons", "en") in [h.value for h in en.header]
    assert pt.markdown[0].value != en.markdown[0].value
    assert en.query_params["lang"] in ("en", ["en"])


@pytest.mark.parametrize("bad", ["xx", "<script>alert(1)</script>", "pt-BR" * 100])
def test_bad_language_in_the_url_falls_back_with_a_message(bad):
    at = run_app(bad)
    assert at.session_state["app.language"] in ("pt-BR", "en")
    assert any("lang=" in str(toast.value) for toast in at.toast)


def test_projector_mode_from_the_url_and_garbage_values():
    at = run_app("en", projector="1")
    assert at.session_state["app.projector_on"] is True
    at = run_app("en", projector="banana")
    assert at.session_state["app.projector_on"] is False
    assert any("projector=" in str(toast.value) for toast in at.toast)


def test_sidebar_shows_model_status():
    at = run_app("en")
    sidebar = "\n".join(str(m.value) for m in at.sidebar.markdown)
    assert "GPT-2" in sidebar and "MiniLM" in sidebar and "Gemma 3 270M" in sidebar


# What the server imports (streamlit_app.py), then the home page's first run; which heavy packages it left loaded.
FIRST_RUN = """
import json, os, sys
sys.path.insert(0, os.getcwd())
import streamlit_app  # noqa: F401  (the server's own imports, before any page runs)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(os.path.join(os.getcwd(), "router.py"), default_timeout=60)
at.query_params["lang"] = sys.argv[1]
at.run()
assert not at.exception, [e.value for e in at.exception]
assert at.title[0].value, "the home page did not render"
print(json.dumps(sorted(name for name in sys.argv[2:] if name in sys.modules)))
"""
# None of these is needed to show the home page: SQLAlchemy only when progress is written or read, huggingface_hub
# only to load a Hub model (the picker reads the cache itself), the rest for the labs (loaded by the warm-up).
NOT_ON_THE_FIRST_PAGE = ("sqlalchemy", "huggingface_hub", "torch", "transformers", "pandas", "altair")


def test_the_home_pages_first_run_imports_nothing_heavy(tmp_path):
    """In a fresh process, as a server's first visitor meets it (warm-up off: it loads the labs' code after that)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    (tmp_path / "hub").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GPTLAB_", "HF_", "HUGGINGFACE_"))}
    env.update(GPTLAB_WARM_UP="0", GPTLAB_PROGRESS_DB=str(tmp_path / "progress.sqlite3"),
               GPTLAB_PROGRESS_OUTBOX=str(tmp_path / "outbox.sqlite3"), HF_HUB_CACHE=str(tmp_path / "hub"),
               HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-c", FIRST_RUN, "en", *NOT_ON_THE_FIRST_PAGE], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
