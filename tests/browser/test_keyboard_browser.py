"""Every lab can be driven without a mouse (issue 21.2): a few real paths, with the keyboard only.

Each path starts from the top of a freshly loaded page and reaches its control with Tab alone (tab_to), so a
control the keyboard cannot reach fails here; then only keys act on it (arrows, Space, Enter, typing).
"""

from __future__ import annotations

import pytest

from gptlab.classroom import store as P
from gptlab.exercises import bank
from gptlab.i18n import t
from tests.browser.driving import check_page, new_page, rerun_after, start_server, stop_server, wait_ready

pytestmark = pytest.mark.browser

MAX_TABS = 400  # more than any page's count of focusable elements


def tab_to(pg, locator, *, limit: int = MAX_TABS) -> int:
    """Press Tab until the focus is inside `locator`'s element; the number of presses it took."""
    target = locator.element_handle()
    for presses in range(1, limit + 1):
        pg.keyboard.press("Tab")
        if pg.evaluate("el => el.contains(document.activeElement)", target):
            return presses
    raise AssertionError(f"Tab never reached {locator} in {limit} presses")


def value_now(slider) -> float:
    """The slider's value as its thumb shows it (Streamlit writes no aria-valuenow)."""
    return float(slider.locator('[data-testid="stSliderThumbValue"]').inner_text().replace(",", "."))


def test_decoding_slider_and_a_step_by_step_token_by_keyboard(server, page):
    page.goto(f"{server}/decoding?lang=en")
    wait_ready(page)
    slider = page.locator('[data-testid="stSlider"]', has=page.get_by_text(t("decoding.temperature", "en"), exact=True))
    before = value_now(slider)
    tab_to(page, slider.get_by_role("slider"))
    rerun_after(page, lambda: [page.keyboard.press("ArrowRight") for _ in range(2)])
    page.wait_for_function("() => location.search.includes('temperature=')", timeout=20_000)
    assert value_now(slider) == pytest.approx(before + 0.1)
    add = page.get_by_role("button", name=t("decoding.steps.add", "en"))
    undo = page.get_by_role("button", name=t("decoding.steps.undo", "en"))
    assert undo.is_disabled()
    tab_to(page, add)
    rerun_after(page, lambda: page.keyboard.press("Enter"))
    assert undo.is_enabled()  # one token chosen, by Enter on the focused button
    check_page(page, "keyboard-decoding")


def test_an_exercise_answered_and_checked_by_keyboard(server, page):
    ex = bank.by_id("tokenization.why_a_tilde")
    right = next(c for c in ex.choices if c.correct)
    page.goto(f"{server}/tokenization?lang=en")
    wait_ready(page)
    option = page.get_by_text(ex.text(f"choice.{right.id}", "en"), exact=True)
    form = page.locator('[data-testid="stForm"]', has=option)
    group = form.get_by_role("radiogroup")
    tab_to(page, group)
    radio = group.get_by_role("radio", name=ex.text(f"choice.{right.id}", "en"))
    for _ in range(len(ex.choices)):  # arrows move the choice within the group, as in any radio group
        if radio.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert radio.is_checked()
    tab_to(page, form.get_by_role("button", name=t("exercises.check", "en")))
    rerun_after(page, lambda: page.keyboard.press("Enter"))
    page.get_by_text(t("exercises.status.correct", "en"), exact=False).first.wait_for(timeout=30_000)
    check_page(page, "keyboard-exercise")


def test_a_student_joins_a_class_by_keyboard(browser, tmp_path):
    db_path = tmp_path / "progress.sqlite3"
    store = P.ProgressStore(P.make_engine(f"sqlite:///{db_path}"))
    store.create_class("TURMA-K", "Turma K")
    proc, url = start_server(GPTLAB_PROGRESS_DB=str(db_path), GPTLAB_INSTRUCTOR_SECRET="a long secret for the test",
                             GPTLAB_DATABASE_URL="")
    pg = new_page(browser)
    try:
        pg.goto(f"{url}/?lang=en")
        wait_ready(pg)
        sidebar = pg.locator('[data-testid="stSidebar"]')
        tab_to(pg, sidebar.locator("summary", has_text=t("classroom.sidebar.join_or_resume", "en")))
        pg.keyboard.press("Enter")  # opens the expander
        code = sidebar.locator(f'input[aria-label="{t("classroom.sidebar.class_code", "en")}"]')
        code.wait_for(state="visible", timeout=10_000)
        tab_to(pg, code)
        pg.keyboard.type("turma-k")
        # the name box of the class form: the one right after the class code (a personal profile has its own)
        tab_to(pg, code.locator(f'xpath=following::input[@aria-label="{t("classroom.sidebar.name", "en")}"][1]'))
        pg.keyboard.type("Bia")
        tab_to(pg, sidebar.get_by_role("button", name=t("classroom.sidebar.join", "en")))
        rerun_after(pg, lambda: pg.keyboard.press("Enter"))
        assert [s.name for s in store.student_summary("TURMA-K")] == ["Bia"]
        check_page(pg, "keyboard-join")
    finally:
        pg.context.close()
        stop_server(proc)
