"""A lab as a Jupyter notebook: its key ideas in Markdown, then each widget's code with the student's settings.

The first code cell installs the exact torch and transformers the app runs (read from requirements.txt), and
whatever else a widget's code imports (peft, datasets...);
each setup part (the model, the tokenizers) is written once, before the first widget that needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gptlab.takeaway.code import Paths, Snippet, setup_code

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"
INSTALLED = ("torch", "transformers")  # what the notebook's code imports


def pinned(names: tuple[str, ...] = INSTALLED, requirements: Path = REQUIREMENTS) -> tuple[str, ...]:
    """'torch==2.13.0', ... : the app's own pins, so the notebook runs what the lab ran."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)", line)
        if found:
            pins[found.group(1).lower()] = f"{found.group(1)}=={found.group(2)}"
    return tuple(pins[name] for name in names)


@dataclass(frozen=True)
class NotebookText:
    """The notebook's prose, in the page's language (from the strings files)."""

    title: str
    summary: str
    key_ideas_heading: str
    key_ideas: tuple[str, ...]
    install_note: str
    setup_heading: str


def build_notebook(text: NotebookText, widgets: tuple[tuple[str, Snippet], ...], paths: Paths,
                   language: str) -> nbformat.NotebookNode:
    """(title, snippet) per widget -> a notebook that runs top to bottom without the app."""
    cells = [new_markdown_cell(f"# {text.title}\n\n{text.summary}".strip())]
    if text.key_ideas:
        cells.append(new_markdown_cell(f"## {text.key_ideas_heading}\n\n" + "\n".join(f"- {i}" for i in text.key_ideas)))
    cells.append(new_markdown_cell(text.install_note))
    extra = tuple(dict.fromkeys(p for _, snippet in widgets for p in snippet.packages if p not in INSTALLED))
    cells.append(new_code_cell("%pip install --quiet " + " ".join(pinned(INSTALLED + extra))))
    done: set[str] = set()
    for title, snippet in widgets:
        missing = [name for name in snippet.setup if name not in done]
        if missing:
            cells.append(new_markdown_cell(f"### {text.setup_heading}"))
            cells.extend(new_code_cell(setup_code(name, paths).rstrip()) for name in missing)
            done.update(missing)
        cells.append(new_markdown_cell(f"## {title}"))
        cells.append(new_code_cell(snippet.body.rstrip()))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["gptlab"] = {"language": language}
    nbformat.validate(notebook)
    return notebook


def notebook_bytes(notebook: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(notebook).encode("utf-8")
