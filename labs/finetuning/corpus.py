"""The fine-tuning corpus: the course notebook's default, text typed or pasted, uploaded files.

Uploads are untrusted: only UTF-8 text is accepted (a NUL byte or undecodable bytes mean a binary
file), and size limits keep a training run within what a laptop can do in a lesson.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from gptlab.i18n import value

MAX_UPLOAD_BYTES = 2_000_000
MAX_CORPUS_CHARS = 200_000

# The course notebook's corpus (section 6): five sentences, repeated 50 times; the sentences are content in
# each language (labs/finetuning/strings/<lang>.toml, finetuning.seed_corpus).
SEED_REPEATS = 50


def seed_sentences(language: str) -> tuple[str, ...]:
    return tuple(value("finetuning.seed_corpus", language))


def seed_corpus_text(language: str) -> str:
    """The notebook's corpus as the editor shows it: one text per line."""
    return "\n".join(seed_sentences(language) * SEED_REPEATS)


@dataclass(frozen=True)
class CorpusCheck:
    texts: tuple[str, ...]  # one training text per non-empty line (or CSV row)
    problem: str | None  # None, "empty", "too_big", "binary", "no_text_column"
    chars: int
    truncated: bool  # cut to MAX_CORPUS_CHARS


def texts_from_editor(text: str | None) -> CorpusCheck:
    text = text or ""
    truncated = len(text) > MAX_CORPUS_CHARS
    text = text[:MAX_CORPUS_CHARS]
    texts = tuple(line.strip() for line in text.splitlines() if line.strip())
    return CorpusCheck(texts, None if texts else "empty", len(text), truncated)


def texts_from_upload(name: str, data: bytes) -> CorpusCheck:
    """A .txt (one text per line) or .csv (its "text" column, else its first column)."""
    if len(data) > MAX_UPLOAD_BYTES:
        return CorpusCheck((), "too_big", len(data), False)
    if b"\x00" in data:
        return CorpusCheck((), "binary", 0, False)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CorpusCheck((), "binary", 0, False)
    if not name.lower().endswith(".csv"):
        return texts_from_editor(text)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return CorpusCheck((), "empty", 0, False)
    header = [h.strip().lower() for h in rows[0]]
    column, body = (header.index("text"), rows[1:]) if "text" in header else (0, rows)
    cells = [row[column] for row in body if len(row) > column]
    if not cells and rows:
        return CorpusCheck((), "no_text_column", len(text), False)
    return texts_from_editor("\n".join(c.replace("\n", " ") for c in cells))
