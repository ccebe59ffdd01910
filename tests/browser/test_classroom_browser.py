"""The classroom in Chromium: the instructor dashboard behind the secret, a student joining and coming back
after the browser and the server restarted. Screenshots in tests/browser/screenshots/: look at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from gptlab.classroom import store as P
from gptlab.exercises import bank
from tests.browser.driving import check_page, new_page, rerun_after, start_server, stop_server, wait_ready

pytestmark = pytest.mark.browser

SECRET = "a long instructor secret, 2025"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("classroom") / "progress.sqlite3"


@pytest.fixture(scope="module")
def store(db_path) -> P.ProgressStore:
    """The test's own view of the server's database (SQLite: two processes, one file)."""
    return P.ProgressStore(P.make_engine(f"sqlite:///{db_path}"))


def classroom_server(db_path: Path):
    return start_server(GPTLAB_PROGRESS_DB=str(db_path), GPTLAB_INSTRUCTOR_SECRET=SECRET, GPTLAB_DATABASE_URL="")


@pytest.fixture(scope="module")
def server(db_path):
    proc, url = classroom_server(db_path)
    yield url
    stop_server(proc)


def sidebar(pg):
    return pg.locator('[data-testid="stSidebar"]')


def main(pg):
    return pg.locator('[data-testid="stMain"]')


def field(scope, label: str):
    """A text or password input by its label (a help icon carries the label too)."""
    return scope.locator(f'input[aria-label="{label}"]')


def click_and_wait(locator, pg) -> None:
    rerun_after(pg, locator.click)  # the rerun starts a moment after the click


def attempt(exercise_id: str, status: str, score: float, answer: str) -> P.AttemptRecord:
    return P.AttemptRecord(exercise_id, exercise_id.split(".")[0], "1.1", answer, status, score, "")


def test_instructor_dashboard_locked_then_open_with_chart_tables_and_csv(server, page, store, tmp_path):
    page.goto(f"{server}/instructor?lang=en")
    wait_ready(page)
    assert main(page).get_by_text("type this server's instructor secret", exact=False).count() == 1
    check_page(page, "instructor-locked-en")

    box = field(main(page), "Instructor secret")
    box.fill("not the secret")
    click_and_wait(main(page).get_by_role("button", name="Unlock"), page)
    assert main(page).get_by_text("Wrong secret.", exact=False).count() == 1
    assert main(page).get_by_role("button", name="Lock the dashboard").count() == 0

    field(main(page), "Instructor secret").fill(SECRET)
    click_and_wait(main(page).get_by_role("button", name="Unlock"), page)
    assert main(page).get_by_role("button", name="Lock the dashboard").count() == 1
    assert field(page, "Instructor secret").count() == 0
    assert SECRET not in page.content()  # the secret never comes back to the browser

    field(main(page), "Code (3 to 20 letters, digits or hyphens)").fill("ia-2025")
    field(main(page), "Class name").fill("IA <b>noturno</b>")
    click_and_wait(main(page).get_by_role("button", name="Create class"), page)
    assert main(page).get_by_text("Class IA-2025 created", exact=False).count() == 1

    ana, bruno = store.join("IA-2025", "Ana"), store.join("IA-2025", "<img src=x onerror=alert(1)>")
    store.join("IA-2025", "Carla")
    store.record(ana.token, attempt("tokenization.gpt2_vocab", "correct", 1.0, "50257"))
    store.record(bruno.token, attempt("tokenization.gpt2_vocab", "wrong", 0.0, "=HYPERLINK(\"x\")"))
    store.record(bruno.token, attempt("attention.causal_cells", "partial", 0.5, "cells"))
    click_and_wait(main(page).get_by_role("button", name="Refresh"), page)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    assert main(page).get_by_text("Students: 3 · answers submitted: 3").count() == 1
    assert page.locator('[data-testid="stDataFrame"]').count() >= 3  # classes, students, exercises
    assert main(page).get_by_role("heading", name="Class IA-2025: IA <b>noturno</b>").count() == 1  # text, not HTML
    check_page(page, "instructor-dashboard-en")

    with page.expect_download() as download:
        main(page).get_by_role("button", name="Download the answers (CSV)").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "gptlab-IA-2025-attempts.csv"
    assert P.read_attempts_csv(saved.read_text(encoding="utf-8")) == store.attempts("IA-2025")

    click_and_wait(main(page).get_by_role("button", name="Lock the dashboard"), page)
    assert field(main(page), "Instructor secret").count() == 1
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_instructor_dashboard_in_projector_mode(server, page, store):
    store.create_class("PROJ-1", "Turma do projetor")  # the newest class: the one the dashboard opens on
    student = store.join("PROJ-1", "Ana")
    store.record(student.token, attempt("decoding.top_p_three", "correct", 1.0, "3"))
    page.goto(f"{server}/instructor?lang=pt-BR&projector=1")
    wait_ready(page)
    field(main(page), "Segredo de professor").fill(SECRET)
    click_and_wait(main(page).get_by_role("button", name="Destrancar"), page)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    check_page(page, "instructor-dashboard-projector-pt-BR")
    assert main(page).get_by_text("Taxa de acerto por exercício", exact=False).count() >= 1


def test_a_student_joins_and_comes_back_after_the_browser_and_the_server_restart(browser, db_path, store):
    store.create_class("TURMA-B", "Turma B")
    proc, url = classroom_server(db_path)
    try:
        pg = new_page(browser, locale="pt-BR")  # only this server is reachable (driving.NetworkGuard)
        context = pg.context
        pg.goto(f"{url}/?lang=pt-BR")
        wait_ready(pg)
        assert main(pg).get_by_text("Entre numa turma na barra lateral", exact=False).count() == 1
        sidebar(pg).get_by_text("Entrar numa turma ou voltar").click()
        field(sidebar(pg), "Código da turma").fill("turma-b")
        field(sidebar(pg), "Seu nome").fill("Nobody")  # taken below: the store's message, no traceback
        store.join("TURMA-B", "Nobody")
        click_and_wait(sidebar(pg).get_by_role("button", name="Entrar na turma"), pg)
        assert sidebar(pg).get_by_text("já está em uso na turma TURMA-B", exact=False).count() == 1
        name = "<script>alert(1)</script> Ana 🦜"
        field(sidebar(pg), "Seu nome").fill(name)
        click_and_wait(sidebar(pg).get_by_role("button", name="Entrar na turma"), pg)
        token = sidebar(pg).locator('[data-testid="stCode"] code').inner_text().strip()
        assert store.resume(token).name == name
        assert sidebar(pg).get_by_text(name, exact=False).count() >= 1  # shown as text
        check_page(pg, "student-joined-pt-BR")
        context.close()

        ids = [ex.id for ex in bank.for_lesson("tokenization")]
        store.record(token, attempt(ids[0], "correct", 1.0, "50257"))
        store.record(token, attempt(ids[1], "wrong", 0.0, "?"))
    finally:
        stop_server(proc)

    proc, url = classroom_server(db_path)  # a new server process on the same database
    try:
        pg = new_page(browser)  # a new browser
        context = pg.context
        pg.goto(f"{url}/?lang=en")
        wait_ready(pg)
        sidebar(pg).get_by_text("Join a class or come back").click()
        sidebar(pg).get_by_role("tab", name="Come back").click()
        field(sidebar(pg), "Return code").fill(token)
        click_and_wait(sidebar(pg).get_by_role("button", name="Pick up where I left off"), pg)
        assert sidebar(pg).get_by_text("Welcome back", exact=False).count() == 1
        assert main(pg).get_by_text(f"1 of {len(ids)} solved · 2 attempted", exact=False).count() == 1
        check_page(pg, "student-back-home-en")
        click_and_wait(sidebar(pg).get_by_role("button", name="Sign out"), pg)
        assert main(pg).get_by_text("Join a class in the sidebar", exact=False).count() == 1
        context.close()
    finally:
        stop_server(proc)
