import re
from pathlib import Path

import pytest

from gptlab import models
from gptlab.i18n import LANGUAGES, STRINGS, normalize_language, placeholders, t
from gptlab.nn.tokenization import EXAMPLE_TEXTS, SPECIAL_ROLES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_exists_in_both_languages_with_the_same_placeholders(key):
    pt, en = STRINGS[key]
    assert pt.strip() and en.strip(), f"{key} is empty in one language"
    assert placeholders(pt) == placeholders(en), f"{key}: placeholders differ"


def test_every_literal_key_used_in_the_code_exists():
    used = set()
    for path in [*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "streamlit_app.py"]:
        used |= set(re.findall(r"\bt\(\s*[\"']([a-z0-9_.-]+)[\"']", path.read_text(encoding="utf-8")))
    assert used, "the scan found no t(...) calls: the pattern is broken"
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, f"keys used but not defined: {missing}"


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
    from gptlab.i18n import fmt_float, fmt_int

    assert fmt_int(100_000, "pt-BR") == "100.000" and fmt_int(100_000, "en") == "100,000"
    assert fmt_float(1234.5, "pt-BR") == "1.234,50" and fmt_float(1234.5, "en") == "1,234.50"


def test_t_formats_and_picks_the_language():
    assert t("tokenization.unknown", "en", count=2).startswith("2 unknown")
    assert t("tokenization.unknown", "pt-BR", count=2).startswith("2 token")
    assert set(LANGUAGES) == {"pt-BR", "en"}
