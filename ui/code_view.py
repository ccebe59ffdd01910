"""Take it home: "The code for this view" beside a widget, and the lab as a notebook (gptlab.takeaway).

A page makes one `Shelf` per run; each widget that computes from a model puts its settings on it
(the expander shows the code), and at the end the shelf offers every collected snippet as a notebook.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import streamlit as st

from gptlab.i18n import t
from gptlab.lessons import Lesson
from gptlab.takeaway.code import Paths, Snippet
from gptlab.takeaway.notebook import NotebookText, build_notebook, notebook_bytes


@functools.lru_cache(maxsize=256)
def notebook_file(text: NotebookText, widgets: tuple[tuple[str, Snippet], ...], paths: Paths, lang: str) -> bytes:
    """The lab's notebook as a file, kept for the next runs: a page builds it on every run (for its download
    button), and nbformat validates every cell it makes (4 % of the decoding lab's Python for a new prompt, py-spy)."""
    return notebook_bytes(build_notebook(text, widgets, paths, lang))


@st.cache_resource(show_spinner=False)
def local_paths() -> Paths:
    return Paths.local()


class Shelf:
    """This run's widgets and their code, in the order the page showed them (one object per page run)."""

    def __init__(self, lesson_id: str, lang: str, model=None) -> None:
        """`model`: the catalog entry (gptlab.models.catalog) the lab runs on; a Hub model's snippets load it by id."""
        self.lesson_id = lesson_id
        self.lang = lang
        self.widgets: list[tuple[str, Snippet]] = []
        self.model = model

    def paths(self) -> Paths:
        paths = local_paths()
        if self.model is not None and not self.model.is_gemma:
            return replace(paths, hub_model=self.model.hub_id)
        return paths

    def show(self, widget: str, settings) -> None:
        """The expander with the code of `widget` (a takeaway.widget.<widget> string) for these settings."""
        snippet = settings.snippet()
        self.widgets.append((t(f"takeaway.widget.{widget}", self.lang), snippet))
        with st.expander(t("takeaway.expander", self.lang), icon=":material/code:"):
            st.caption(t("takeaway.caption", self.lang))
            st.code(snippet.code(self.paths()), language="python")

    def download_button(self, les: Lesson) -> None:
        """The lab as a notebook: its key ideas, then every widget's code as the page shows it now."""
        if not self.widgets:
            return
        text = NotebookText(title=les.title, summary=les.summary, key_ideas_heading=t("lesson.key_ideas", self.lang),
                            key_ideas=tuple(les.key_ideas), install_note=t("takeaway.install_note", self.lang),
                            setup_heading=t("takeaway.setup", self.lang))
        # Built when the student clicks (Streamlit calls it then), not on every run: each new prompt made a new
        # notebook, and building and validating it was 4 % of a decoding page run.
        build = functools.partial(notebook_file, text, tuple(self.widgets), self.paths(), self.lang)
        st.download_button(t("takeaway.notebook", self.lang), build,
                           file_name=f"gpt-lab-{self.lesson_id}-{self.lang}.ipynb", mime="application/x-ipynb+json",
                           icon=":material/download:", help=t("takeaway.notebook_help", self.lang),
                           key=f"{self.lesson_id}.takeaway.notebook", on_click="ignore")
