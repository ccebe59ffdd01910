"""Lab settings kept in the URL, so an instructor can share a link to an exact setting.

Each lab declares its settings (labs/<lab>/settings.py) with these; ui.params reads and writes them.
Values arriving through the URL are untrusted: a value that does not parse is ignored, one out of
range is brought to the nearest allowed value, and either way the user is told, in their language.
Pure Python: no Streamlit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from gptlab.i18n import LANGUAGES, fmt_int, fmt_number, t


@dataclass(frozen=True)
class NumberParam:
    url_name: str  # e.g. "temperature"
    key: str  # the session key of the widget that shows it
    default: float
    low: float
    high: float | None  # None: not known yet (a model's size before it is loaded); the widget clamps it then
    integer: bool = False
    decimals: int = 4  # a URL value is rounded to this many decimal places
    section: str | None = None  # the lesson section whose lab shows it (the `at` of a shared link; see with_sections)

    def parse(self, raw: str) -> tuple[float | int | None, str | None]:
        """(value, problem): problem is None, "invalid" (value None) or "clamped"."""
        try:
            value = float(raw)
        except (TypeError, ValueError):
            return None, "invalid"
        if math.isnan(value):
            return None, "invalid"
        high = math.inf if self.high is None else self.high
        problem = "clamped" if not (self.low <= value <= high) else None  # rounding is silent
        clamped = min(max(value, self.low), high)
        if math.isinf(clamped):
            return None, "invalid"
        if self.integer:
            return int(round(clamped)), problem
        return float(round(clamped, self.decimals)), problem

    def shown(self, value) -> str:
        """As the URL writes it (language-neutral)."""
        return str(int(value)) if self.integer else f"{float(value):g}"

    def said(self, value, lang: str) -> str:
        """As a message to the user writes it."""
        return fmt_int(int(value), lang) if self.integer else fmt_number(float(value), lang, 4)


URL_TEXT_CHARS = 1_000  # longer texts stay out of the URL: a link must stay short enough to share


@dataclass(frozen=True)
class TextParam:
    url_name: str  # e.g. "prompt"
    key: str
    default: str
    max_chars: int = URL_TEXT_CHARS
    other_defaults: tuple[str, ...] = ()  # the default in the other languages: untouched, it follows a switch
    section: str | None = None

    @classmethod
    def translated(cls, url_name: str, key: str, string_key: str, lang: str) -> "TextParam":
        """A text whose default is the UI string `string_key`, in whatever language the page is shown."""
        return cls(url_name, key, t(string_key, lang),
                   other_defaults=tuple(t(string_key, other) for other in LANGUAGES if other != lang))

    def parse(self, raw: str) -> tuple[str | None, str | None]:
        """Control characters other than newlines and tabs are dropped; a text over max_chars is cut."""
        text = "".join(ch for ch in str(raw) if ch in "\n\t" or unicodedata.category(ch) != "Cc")
        if len(text) > self.max_chars:
            return text[: self.max_chars], "cut"
        return text, None

    def shown(self, value) -> str | None:
        value = str(value)
        return value if len(value) <= self.max_chars else None

    def said(self, value, lang: str) -> str:
        return fmt_int(len(value), lang)


@dataclass(frozen=True)
class ChoiceParam:
    url_name: str
    key: str
    default: object
    choices: tuple  # the allowed values, as the widget holds them (str, int or bool)
    section: str | None = None

    def parse(self, raw: str) -> tuple[object | None, str | None]:
        for choice in self.choices:
            if self.shown(choice) == str(raw).strip().lower():
                return choice, None
        return None, "invalid"

    def shown(self, value) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value).lower()

    def said(self, value, lang: str) -> str:
        return str(value)


UrlParam = NumberParam | TextParam | ChoiceParam

AT_PARAM = "at"  # ?at=<section id>: a shared link opens at that section's lab widget
SECTION_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")  # a lesson section id, as lesson files write them


def with_sections(params: tuple[UrlParam, ...], sections: dict[str, str]) -> tuple[UrlParam, ...]:
    """`params`, each with the lesson section its widget follows ({url name: section id}): when a student
    changes a setting, the page's link carries that section (?at=next-token) and opens there."""
    return tuple(replace(p, section=sections.get(p.url_name, p.section)) for p in params)
