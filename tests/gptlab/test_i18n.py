"""One way to translate: every string in every language, every key the code asks for, Babel's numbers."""

import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

import course
from gptlab import models
from gptlab.i18n import (
    DEFAULT_LANGUAGE, LANGUAGES, STRINGS, catalog, fmt_datetime, fmt_float, fmt_int, fmt_number, fmt_percent,
    fmt_scientific, normalize_language, placeholders, string_files, t,
)
from gptlab.nn.tokenization import EXAMPLE_TEXTS, SPECIAL_ROLES

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "streamlit_app.py", ROOT / "router.py", ROOT / "course.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"),
        *ROOT.glob("gptlab/**/*.py"), *(p for p in ROOT.glob("labs/**/*.py") if "tests" not in p.parts)]


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_exists_in_every_language_with_the_same_placeholders(key):
    values = STRINGS[key]
    assert set(values) == set(LANGUAGES), f"{key} is missing in {set(LANGUAGES) - set(values)}"
    first = values[DEFAULT_LANGUAGE]
    for language, value in values.items():
        assert type(value) is type(first), f"{key}: a {type(value).__name__} in {language}"
        if isinstance(value, str):
            assert value.strip(), f"{key} is empty in {language}"
            if ".exercise." not in key:  # exercise texts are Markdown shown as written ($W_{QKV}$), not templates
                assert placeholders(value) == placeholders(first), f"{key}: placeholders differ in {language}"
        else:
            assert value, f"{key} is an empty list in {language}"


def _used_keys() -> tuple[set[str], set[str]]:
    """Literal keys, and the fixed starts of f-string keys, that the code passes to t() or value()."""
    literal, prefixes = set(), set()
    for path in CODE:
        source = path.read_text(encoding="utf-8")
        literal |= set(re.findall(r"(?<![\w.])(?:t|value)\(\s*[\"']([a-z0-9_.-]+)[\"']", source))
        prefixes |= set(re.findall(r"(?<![\w.])(?:t|value)\(\s*f[\"']([a-z0-9_.-]+)\{", source))
    return literal, prefixes


def test_every_key_the_code_asks_for_exists_everywhere():
    """The one missing-key test: the router, the pages, the labs, the shared package and the UI glue."""
    literal, prefixes = _used_keys()
    assert len(literal) > 500 and prefixes, "the scan found too few t(...) calls: the pattern is broken"
    missing = sorted(k for k in literal if k not in STRINGS)
    assert not missing, f"keys used but not defined: {missing}"
    dangling = sorted(p for p in prefixes if not any(k.startswith(p) for k in STRINGS))
    assert not dangling, f"key families used but never defined: {dangling}"


def test_each_lab_defines_only_its_own_strings_and_every_lab_has_them():
    for lesson in course.LESSONS:
        for language in LANGUAGES:
            assert ROOT / "labs" / lesson.package / "strings" / f"{language}.toml" in string_files(language)
    for language in LANGUAGES:
        for path in string_files(language)[1:]:
            lab = path.parent.parent.name
            import tomllib

            tables = set(tomllib.loads(path.read_text(encoding="utf-8")))
            assert tables == {lab}, f"{path.relative_to(ROOT)} defines {tables - {lab}} outside [{lab}]"


def test_the_languages_are_the_files_and_every_language_has_every_key():
    assert LANGUAGES[0] == DEFAULT_LANGUAGE and set(LANGUAGES) == {"pt-BR", "en"}
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    for language in LANGUAGES:
        assert keys[language] == keys[DEFAULT_LANGUAGE], language
        assert (ROOT / "lessons" / language).is_dir()


def test_dynamic_key_families_are_complete():
    for role in SPECIAL_ROLES:
        assert f"tokenization.role.{role}" in STRINGS
    for name in EXAMPLE_TEXTS:
        assert f"tokenization.example.{name}" in STRINGS
    for step in models.PREPARATION_STEPS:
        assert f"models.step.{step.key}" in STRINGS
    for spec in models.OFFLINE_DEFAULTS:
        assert f"models.role.{spec.role}" in STRINGS
        assert f"models.desc.{spec.key}" in STRINGS and f"models.licence.{spec.key}" in STRINGS


@pytest.mark.parametrize(
    "raw, expected",
    [("pt-BR", "pt-BR"), ("pt", "pt-BR"), ("pt_br", "pt-BR"), ("PT-PT", "pt-BR"), ("en-US", "en"), ("en", "en"),
     ("fr", None), ("", None), (None, None), ("<script>", None)],
)
def test_normalize_language(raw, expected):
    assert normalize_language(raw) == expected


def test_numbers_follow_the_language():
    assert fmt_int(100_000, "pt-BR") == "100.000" and fmt_int(100_000, "en") == "100,000"
    assert fmt_float(1234.5, "pt-BR") == "1.234,50" and fmt_float(1234.5, "en") == "1,234.50"
    assert fmt_percent(0.453, "pt-BR") == "45,3 %" and fmt_percent(0.453, "en") == "45.3 %"
    assert fmt_percent(0.0000183, "en") == "0.0018 %" and fmt_percent(0.25, "pt-BR", 1) == "25,0 %"
    assert fmt_number(0.5, "pt-BR", 4) == "0,5" and fmt_number(2.0, "en", 4) == "2"
    assert fmt_scientific(1.234e-7, "pt-BR") == "1,2e-07" and fmt_scientific(1.234e-7, "en") == "1.2e-07"
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert fmt_datetime(moment, "pt-BR") == "01/03/2025 12:00" and fmt_datetime(moment, "en") == "2025-03-01 12:00"


def test_no_hand_written_decimal_comma_is_left():
    """Numbers go through gptlab.i18n (Babel): no code swaps '.' for ',' or asks whether the language is pt-BR."""
    found = []
    for path in CODE:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"replace\(\s*[\"']\.[\"']\s*,\s*[\"'],[\"']|[=!]= *[\"']pt-BR[\"']", line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, found


def test_t_formats_and_picks_the_language():
    assert t("tokenization.unknown", "en", count=2).startswith("2 unknown")
    assert t("tokenization.unknown", "pt-BR", count=2).startswith("2 token")


@pytest.mark.parametrize("language", ["pt-BR", "en"])
@pytest.mark.parametrize("digits", [0, 1, 2, 4])
def test_fmt_floats_writes_what_fmt_float_writes(language, digits):
    """The heatmaps' fast path: the same strings as Babel, ties, signs, zeros and big numbers included."""
    import random

    from gptlab.i18n import fmt_float, fmt_floats

    rng = random.Random(7)
    values = [-0.0, 0.0, -0.001, 0.125, 0.135, 0.145, 0.5, 1.5, 2.5, -2.5, 0.00005, -0.005, 1234567.891, -1234.5,
              2.5e-7, 1e21, 1e-300, 123456789012.345, float("inf"), float("-inf")]
    values += [rng.uniform(-1, 1) for _ in range(3000)] + [round(rng.uniform(-10, 10), 3) for _ in range(1000)]
    values += [rng.random() * 10 ** rng.randint(-12, 15) for _ in range(1000)]
    # numpy's numbers as the pages hand them over (a float32 is read as its own shortest form: 3.915, not 3.91499996)
    values += [np.float32(3.915), np.float32(-0.125)] + [np.float32(round(rng.uniform(-10, 10), 3)) for _ in range(1000)]
    values += [np.float64(rng.uniform(-1, 1)) for _ in range(200)] + [np.int64(-1234567), 7]
    from gptlab.i18n import babel_float

    babel = [babel_float(v, language, digits) for v in values]
    assert fmt_floats(values, language, digits) == babel
    assert [fmt_float(v, language, digits) for v in values] == babel


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_fmt_int_writes_what_babel_writes(language):
    import random

    from babel.numbers import format_decimal

    from gptlab.i18n import babel_locale

    rng = random.Random(11)
    values = [0, -0, 1, -1, 999, 1000, -1000, 1234567, -1234567, 10**21, -(10**21), 2**63]
    values += [rng.randint(-10**12, 10**12) for _ in range(3000)] + [rng.randint(-2000, 2000) for _ in range(1000)]
    assert [fmt_int(v, language) for v in values] == [
        format_decimal(v, format="#,##0", locale=babel_locale(language)) for v in values]


def test_a_page_reads_the_strings_of_its_visitors_language_only():
    """Every language's name and browser tags come from its shared file; the rest of a language's files are read
    when a page asks for one of its strings, and STRINGS (every language) when something asks for it."""
    import subprocess
    import sys

    code = ("from gptlab import i18n\n"
            "assert i18n.normalize_language('en-US') == 'en' and i18n.LANGUAGE_NAMES['pt-BR']\n"
            "i18n.t('home.lessons', 'en')\n"
            "print(i18n.catalog.cache_info().currsize, 'STRINGS' in vars(i18n))\n"
            "from gptlab.i18n import STRINGS\n"
            "print(i18n.catalog.cache_info().currsize, STRINGS is i18n.STRINGS, sorted(STRINGS['home.lessons']))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["1 False", f"{len(LANGUAGES)} True {sorted(LANGUAGES)}"]


def test_numbers_are_formatted_with_one_parsed_locale_per_language():
    """A Locale object, parsed once, keeps its data: Babel handed a name ('pt_BR') parses it and fetches the data
    through a lock every thread shares, on every number."""
    from babel import Locale

    from gptlab import i18n

    for language in i18n.LANGUAGES:
        parsed = i18n.babel_locale(language)
        assert isinstance(parsed, Locale) and str(parsed) == i18n.locale(language)
        assert i18n.babel_locale(language) is parsed
    assert i18n.fmt_float(-1234.5, "pt-BR") == "-1.234,50" and i18n.fmt_floats([-1234.5], "en") == ["-1,234.50"]
    assert i18n.decimal_symbol("pt-BR") == "," and i18n.decimal_symbol("en") == "."
