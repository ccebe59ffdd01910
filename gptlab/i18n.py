"""One way to translate: UI strings in per-language TOML files, numbers and dates through Babel.

Where the strings are (lesson prose lives in lessons/<lang>/, not here):

    gptlab/strings/<lang>.toml          the shared ones: frame, models, lessons, exercises, classroom
    labs/<lab>/strings/<lang>.toml      each lab's own, under its table [<lab>]

A key is its table and its name, `decoding.note.greedy`; a value is a str.format template whose
placeholders match across languages, or (for content such as a default word list) a list. A language
is its files: `gptlab/strings/<lang>.toml` declares it with its [language] table (name, Babel locale,
the browser language tags it answers to, date pattern), so a third language means adding files only.
"""

from __future__ import annotations

import decimal
import math
import re
import string
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

ROOT = Path(__file__).resolve().parent.parent
SHARED_STRINGS = Path(__file__).resolve().parent / "strings"
LAB_STRINGS = "labs/*/strings"  # relative to ROOT
DEFAULT_LANGUAGE = "pt-BR"  # the course's own language: the one a visitor without a known preference gets


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def string_files(language: str) -> list[Path]:
    """Every strings file of one language: the shared one first, then each lab's."""
    return [SHARED_STRINGS / f"{language}.toml", *sorted(ROOT.glob(f"{LAB_STRINGS}/{language}.toml"))]


@lru_cache(maxsize=None)
def _read(path: Path) -> dict[str, Any]:
    """One strings file, key -> value (read once)."""
    with path.open("rb") as handle:
        return _flatten(tomllib.load(handle))


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, Any]:
    """key -> value for one language; a key defined in two files is a bug."""
    merged: dict[str, Any] = {}
    for path in string_files(language):
        found = _read(path)
        clash = sorted(found.keys() & merged.keys())
        if clash:
            raise KeyError(f"{path.relative_to(ROOT)} redefines {clash}")
        merged.update(found)
    return merged


def _languages() -> tuple[str, ...]:
    found = sorted(path.stem for path in SHARED_STRINGS.glob("*.toml"))
    return (DEFAULT_LANGUAGE, *(language for language in found if language != DEFAULT_LANGUAGE))


def _declared(language: str, name: str) -> Any:
    """A value of a language's [language] table, from its shared file alone: a page reads every language's name
    and browser tags, and every string of its visitor's language only."""
    return _read(SHARED_STRINGS / f"{language}.toml")[f"language.{name}"]


LANGUAGES: tuple[str, ...] = _languages()
LANGUAGE_NAMES = {language: _declared(language, "name") for language in LANGUAGES}

STRINGS: dict[str, dict[str, Any]]  # key -> {language: value}: every key of every language (tests check it)


def __getattr__(name: str) -> Any:
    """STRINGS, built when first asked for (the tests, the exercise bank): it reads every language's files."""
    if name != "STRINGS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    strings: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        for key, found in catalog(language).items():
            strings.setdefault(key, {})[language] = found
    globals()["STRINGS"] = strings
    return strings


_FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


def value(key: str, language: str) -> Any:
    """The raw value of `key` (a str or a list); a missing key is a bug, so it raises."""
    return catalog(language)[key]


def t(key: str, language: str, **values: object) -> str:
    """The string for `key` in `language`, its placeholders filled; a missing key is a bug, so it raises."""
    template = catalog(language)[key]
    return template.format(**values) if values else template


_LOCALE = re.compile(r"^(?P<language>[a-z]{2,3})(?:-[a-z0-9]{2,8})*$")


def normalize_language(raw: str | None) -> str | None:
    """'pt', 'pt-br', 'pt_BR', 'en-US' -> a supported language, or None when unsupported."""
    if not raw or len(raw) > 35:
        return None
    match = _LOCALE.match(raw.strip().replace("_", "-").lower())
    if match is None:
        return None
    for language in LANGUAGES:
        if match["language"] in _declared(language, "matches"):
            return language
    return None


# --- numbers and dates, the locale's way (Babel) -------------------------------------------------------


def locale(language: str) -> str:
    """The Babel locale of a language, e.g. 'pt_BR'."""
    return value("language.babel_locale", language)


@lru_cache(maxsize=None)
def babel_locale(language: str) -> Locale:
    """The language's Babel Locale, parsed once and its number data read once.

    Babel, handed a locale's name ('pt_BR'), parses it anew on every call and fetches its data through a
    lock shared by every thread; a Locale object keeps its data, and formatting with it takes no lock
    (about a third less time a number; a class's pages format hundreds a run).
    """
    parsed = Locale.parse(locale(language))
    parsed.number_symbols  # read now, in one thread, rather than by the first pages at once
    return parsed


@lru_cache(maxsize=None)
def _number_symbols(language: str) -> dict[str, str]:
    """Python's ',' '.' '-' in a formatted number -> the language's group, decimal and minus signs."""
    code = babel_locale(language)
    return {",": get_group_symbol(code), ".": get_decimal_symbol(code), "-": get_minus_sign_symbol(code)}


@lru_cache(maxsize=None)
def _swap(language: str) -> dict[int, str]:
    return str.maketrans(_number_symbols(language))


def decimal_symbol(language: str) -> str:
    return _number_symbols(language)["."]


# Numbers are written the way Babel writes them with the patterns below ("#,##0", "#,##0.00"), but by Python's own
# formatting with the language's symbols swapped in: a page of a class formats hundreds (a heatmap's cells, the
# queue's notice, the tables), and Babel's general machinery was 7 % of the attention page's Python. The tests
# compare both ways over thousands of numbers, ties, signs and extremes (tests/gptlab/test_i18n.py).


def fmt_int(n: int, language: str) -> str:
    """1234567 -> '1.234.567' (pt-BR) or '1,234,567' (en)."""
    return format(int(n), ",").translate(_swap(language))


def fmt_float(x: float, language: str, digits: int = 2) -> str:
    """3.14159 -> '3,14' (pt-BR) or '3.14' (en): `digits` decimals, grouped thousands."""
    return fmt_floats((x,), language, digits)[0]


def babel_float(x: float, language: str, digits: int = 2) -> str:
    """fmt_float as Babel writes it (the reference, and the way for what is not a finite number)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(x, format=pattern, locale=babel_locale(language), decimal_quantization=True)


def fmt_floats(values, language: str, digits: int = 2) -> list[str]:
    """fmt_float of many numbers: what Babel writes with the pattern "#,##0.00" (`digits` zeros).

    Babel reads a number through its shortest decimal form (str: a numpy float32's own, '3.915', not its
    float64 widening 3.91499996...) and rounds half to even; so does this, with Python's own Decimal
    formatting, and then writes the language's symbols. Not finite: Babel's.
    """
    swap = _swap(language)
    quantum = decimal.Decimal(1).scaleb(-digits)
    spec = f",.{digits}f"
    out = []
    for value in values:
        number = float(value)
        if not math.isfinite(number):
            out.append(babel_float(number, language, digits))
            continue
        try:
            exact = decimal.Decimal(str(value))
        except decimal.InvalidOperation:  # not written as a number (a bool, a 0-d array): its float
            exact = decimal.Decimal(str(number))
        out.append(format(exact.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN), spec).translate(swap))
    return out


def fmt_number(x: float, language: str, digits: int) -> str:
    """Up to `digits` decimals, trailing zeros dropped: 0.5 -> '0,5', 2.0 -> '2'."""
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(x, format=pattern, locale=babel_locale(language))


def fmt_percent(p: float, language: str, digits: int | None = None) -> str:
    """A share as a percentage: `digits` decimals ('45,30 %'), or by default two significant digits
    however small ('45,3 %', '0,0018 %')."""
    percent = 100 * p
    if digits is not None:
        return f"{fmt_float(percent, language, digits)} %"
    if percent <= 0:
        return "0 %"
    if percent < 1e-4:
        return f"< {fmt_float(1e-4, language, 4)} %"
    digits = max(1, min(4, 1 - math.floor(math.log10(percent))))
    return f"{fmt_float(percent, language, digits)} %"


def fmt_scientific(x: float, language: str) -> str:
    """1.2e-07 in English, 1,2e-07 in Portuguese: one decimal, the exponent as Python writes it."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{fmt_float(float(mantissa), language, 1)}e{exponent}"


def fmt_datetime(moment, language: str) -> str:
    """A moment to the minute, in the language's pattern ('01/03/2025 12:00', '2025-03-01 12:00')."""
    return format_datetime(moment, value("language.datetime", language), tzinfo=moment.tzinfo,
                           locale=babel_locale(language))
