"""Reading what a student typed: numbers, short text, choice ids, grid cells, a task's state.

Every parser takes any string (a cap keeps huge input cheap) and returns a value or a problem
key, never raises: the checkers turn problem keys into sentences in the student's language.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from gptlab.i18n import decimal_symbol

MAX_ANSWER_CHARS = 200  # numbers, short texts, choice ids
MAX_CELLS_CHARS = 2_000
MAX_STATE_CHARS = 2_000_000  # a task's state as JSON (a corpus may be inside)


@dataclass(frozen=True)
class Reading:
    """A parsed answer: `value` when `problem` is None."""

    value: object = None
    problem: str | None = None  # "empty", "too_long", "not_a_number", "ambiguous", "bad_cells", "bad_json"


_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d"), "-")  # minus signs people paste
_GROUPED = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}(\1\d{3})*$")  # 1,234 or 1.234.567
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")  # one separator, 3 digits after, no leading 0
_TIMES_TEN = re.compile(r"^(.*?)\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*([+-]?\d+)$")  # 1.5 × 10^-3


def parse_number(text: str | None, lang: str = "en") -> Reading:
    """'0.001', '1e-3', '1E-3', '1,5' (decimal comma), '1.234,5', '38 597 376', '1.5 × 10^-3', 'nan'.

    The decimal separator follows the language, as the lessons write numbers: in English a single
    comma before exactly three digits groups thousands ("1,234") and a dot is decimal; in
    Portuguese a single dot before exactly three digits groups thousands ("50.257") and a comma is
    decimal. Otherwise either mark is read as decimal ("0.001", "1,5"). Grouped digits
    ("1.234.567", "1,234,567") are thousands. The checkers say how the number was read.
    """
    if text is None:
        return Reading(problem="empty")
    if len(text) > MAX_ANSWER_CHARS:
        return Reading(problem="too_long")
    s = unicodedata.normalize("NFKC", text).translate(_MINUS).strip().replace("_", "")
    s = re.sub(r"\s+", "", s)
    if not s:
        return Reading(problem="empty")
    match = _TIMES_TEN.match(s)
    if match:
        mantissa = parse_number(match[1] or "1", lang)
        if mantissa.problem:
            return mantissa
        try:
            return Reading(value=float(mantissa.value) * 10.0 ** int(match[2]))
        except OverflowError:
            return Reading(value=math.copysign(math.inf, float(mantissa.value)))
    mantissa, exponent = s, ""
    split = re.match(r"^(.*?)([eE][+-]?\d+)$", s)
    if split and split[1] and split[1][-1] in "0123456789.,":
        mantissa, exponent = split[1], split[2]
    if "," in mantissa and "." in mantissa:
        decimal = "," if mantissa.rfind(",") > mantissa.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = mantissa.rpartition(decimal)
        if not _GROUPED.match(whole) or _GROUPED.match(whole)[1] != thousands:
            return Reading(problem="not_a_number")
        mantissa = whole.replace(thousands, "") + "." + frac
    elif mantissa.count(",") > 1 or mantissa.count(".") > 1:
        if not _GROUPED.match(mantissa):
            return Reading(problem="not_a_number")
        mantissa = mantissa.replace(",", "").replace(".", "")
    elif "," in mantissa:
        if decimal_symbol(lang) != "," and _THOUSANDS.match(mantissa) and not exponent:
            mantissa = mantissa.replace(",", "")
        else:
            mantissa = mantissa.replace(",", ".")
    elif "." in mantissa and decimal_symbol(lang) == "," and _THOUSANDS.match(mantissa) and not exponent:
        mantissa = mantissa.replace(".", "")  # "50.257" as the Portuguese lessons write it
    candidate = mantissa + exponent
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)", candidate, re.IGNORECASE):
        return Reading(problem="not_a_number")
    try:
        return Reading(value=float(candidate))
    except (ValueError, OverflowError):
        return Reading(problem="not_a_number")


_QUOTES = "\"'`´“”‘’«»"


def normalise_text(text: str | None) -> str:
    """Unicode NFKC, case folded, runs of spaces made one, outer quotes and a final period dropped."""
    s = unicodedata.normalize("NFKC", (text or "")[:MAX_ANSWER_CHARS]).casefold()
    s = " ".join(s.split())
    s = s.strip(_QUOTES).strip()
    if s.endswith(".") and not s.endswith(".."):
        s = s[:-1].rstrip()
    return s


def parse_choice_ids(text: str | None, valid: Iterable[str]) -> Reading:
    """'b' or 'a, c' (the CLI's form of a choice answer) -> a frozenset of known ids."""
    if text is None or not text.strip():
        return Reading(problem="empty")
    if len(text) > MAX_ANSWER_CHARS:
        return Reading(problem="too_long")
    valid = set(valid)
    ids = [part for part in re.split(r"[\s,;]+", text.strip().lower()) if part]
    if not ids or any(i not in valid for i in ids):
        return Reading(problem="unknown_choice")
    return Reading(value=frozenset(ids))


_CELL = re.compile(r"\(?\s*(\d{1,3})\s*[,;/ ]\s*(\d{1,3})\s*\)?")


def parse_cells(text: str | None, size: int) -> Reading:
    """'(0,1) (0,2) (1,2)' or '0,1; 0,2' -> frozenset of (row, column) inside a size x size grid."""
    if text is None:
        return Reading(problem="empty")
    if len(text) > MAX_CELLS_CHARS:
        return Reading(problem="too_long")
    s = text.strip()
    if s.lower() in {"", "none", "nenhuma", "nenhum", "-", "[]", "{}"}:
        return Reading(value=frozenset())
    cells, rest = [], s
    for match in _CELL.finditer(s):
        cells.append((int(match[1]), int(match[2])))
    rest = _CELL.sub("", s)
    if re.sub(r"[\s,;\[\]{}()]", "", rest) or not cells:
        return Reading(problem="bad_cells")
    if any(i >= size or j >= size for i, j in cells):
        return Reading(problem="cell_outside")
    return Reading(value=frozenset(cells))


def format_cells(cells: Iterable[tuple[int, int]]) -> str:
    return " ".join(f"({i},{j})" for i, j in sorted(cells))


def parse_state(text: str | None) -> Reading:
    """A task's state as the CLI reads it: a JSON object (the widget passes the same dict)."""
    if text is None or not text.strip():
        return Reading(problem="empty")
    if len(text) > MAX_STATE_CHARS:
        return Reading(problem="too_long")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return Reading(problem="bad_json")
    if not isinstance(value, dict):
        return Reading(problem="bad_json")
    return Reading(value=value)
