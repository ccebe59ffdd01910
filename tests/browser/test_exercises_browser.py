"""The exercise widget in a real browser: at the end of every lesson page, graded on a click, keys never sent."""

from __future__ import annotations

import re

import pytest

import course
from gptlab.exercises import bank
from gptlab.i18n import t
from tests.browser.driving import SHOTS, wait_ready

pytestmark = pytest.mark.browser

LESSON_PATHS = {lesson.id: lesson.url_path for lesson in course.LESSONS}


def plain(markdown: str) -> str:
    """The start of a Markdown text up to its first markup, which the page renders differently."""
    return re.split(r"[`*$_\[<]", markdown)[0].strip()[:40]


def exercises_shot(pg, name: str) -> None:
    """A screenshot of the exercise section only (the full pages are taken by test_browser.py)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    heading = pg.get_by_role("heading", name=t("exercises.header", "en"), exact=True)
    heading.scroll_into_view_if_needed()
    pg.screenshot(path=str(SHOTS / f"exercises-{name}.png"))


@pytest.mark.parametrize("lesson", list(LESSON_PATHS))
def test_every_lesson_page_ends_with_its_exercises(server, page, lesson):
    page.goto(f"{server}/{LESSON_PATHS[lesson]}?lang=en")
    wait_ready(page)
    assert page.get_by_role("heading", name=t("exercises.header", "en"), exact=True).count() == 1
    exercises = bank.for_lesson(lesson)
    assert page.locator('[data-testid="stForm"]').count() >= len(exercises)  # one form per exercise
    for ex in exercises:
        if len(plain(ex.text("prompt", "en"))) >= 12:
            assert page.get_by_text(plain(ex.text("prompt", "en")), exact=False).count() >= 1, ex.id
    exercises_shot(page, lesson)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_choice_is_graded_on_a_click_and_the_key_never_reaches_the_page(server, page):
    ex = bank.by_id("tokenization.why_a_tilde")
    page.goto(f"{server}/tokenization?lang=en")
    wait_ready(page)
    html = page.content()
    assert all(ex.text(f"choice.{c.id}.why", "en") not in html for c in ex.choices)  # no explanation (so no key) before a check
    right = next(c for c in ex.choices if c.correct)
    option = page.get_by_text(ex.text(f"choice.{right.id}", "en"), exact=True)
    form = page.locator('[data-testid="stForm"]', has=option)
    option.click()
    form.get_by_role("button", name=t("exercises.check", "en")).click()
    wait_ready(page)
    shown = plain(ex.text(f"choice.{right.id}.why", "en"))
    page.get_by_text(shown).first.wait_for(timeout=30_000)
    assert t("exercises.status.correct", "en") in page.content()
    page.get_by_text(shown).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "exercises-graded.png"))
    assert page.locator('[data-testid="stException"]').count() == 0
