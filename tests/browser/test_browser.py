"""Start the real server, open every page in headless Chromium, look for exceptions, save screenshots.

Screenshots land in tests/browser/screenshots/ (git-ignored): look at them.
"""

from __future__ import annotations

import time

import pytest

import course
from gptlab.i18n import t
from gptlab.lessons import load_lesson
from tests.browser.driving import (
    check_page, is_base_path_probe, new_page, rerun_after, start_server, stop_server, wait_ready,
)

pytestmark = pytest.mark.browser


PAGES = [("home", ""), *((lesson.id, lesson.url_path) for lesson in course.LESSONS),
         (course.INSTRUCTOR.id, course.INSTRUCTOR.url_path)]
# Every lesson in the full view and the lab view, projector on and off; the home page (no lab view) with the
# projector on and off; the instructor's page once.
VIEWS = [(name, path, view, projector) for name, path in PAGES for view in ("full", "lab") for projector in (False, True)
         if name in {lesson.id for lesson in course.LESSONS} or (view == "full" and (name == "home" or not projector))]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
@pytest.mark.parametrize("name, path, view, projector", VIEWS)
def test_every_page_renders_without_exception(server, page, name, path, view, projector, lang):
    """Screenshots: tests/browser/screenshots/<page>-<lang>-<view>[-projector].png; look at them.
    Also: nothing on the page is fetched from another host (the `page` fixture aborts and reports any
    such request), the favicon is the app's own, and no request to the app fails (see is_base_path_probe)."""
    query = f"lang={lang}" + ("&view=lab" if view == "lab" else "") + ("&projector=1" if projector else "")
    page.goto(f"{server}/{path}?{query}")
    wait_ready(page)
    check_page(page, f"{name}-{lang}-{view}" + ("-projector" if projector else ""))
    assert page.locator("h1").count() >= 1
    if name == course.INSTRUCTOR.id:
        return
    les = load_lesson(name, lang)
    main = page.locator('[data-testid="stMain"]')
    figures = [p for s in les.sections for p in s.parts if p.kind == "figure"]
    drawn = main.locator('[data-testid="stImage"] img[src^="data:image/svg+xml"]')
    deeper = main.locator('[data-testid="stExpander"] summary', has_text=t("lesson.deeper", lang, title=""))
    if view == "full":
        assert drawn.count() == len(figures)
        for i in range(drawn.count()):  # each figure really drawn, at a readable size, with its alt text
            img = drawn.nth(i)
            assert img.evaluate("e => e.complete && e.naturalWidth > 0"), i
            assert img.evaluate("e => e.getBoundingClientRect().width") >= (700 if projector else 600)
            assert len(img.get_attribute("alt") or "") > 40
        assert deeper.count() == sum(1 for s in les.sections for p in s.parts if p.kind == "deeper")
    else:
        assert drawn.count() == 0 and deeper.count() == 0
        assert main.locator(".gl-signpost").count() >= 1
        assert main.get_by_text(t("lesson.lab_view_note", lang)).count() == 1
    if les.key_ideas:
        box = main.locator('[class*="st-key-lesson-key-ideas"]')
        assert box.count() == 1
        shown = " ".join(box.inner_text().split())
        for idea in les.key_ideas:  # as rendered: Markdown's emphasis and code marks are gone
            assert " ".join(idea.replace("*", "").replace("`", "").split())[:60] in shown, idea
    size = float(page.evaluate("() => getComputedStyle(document.querySelector('html')).fontSize").rstrip("px"))
    assert (size >= 20) == projector


def test_the_network_guard_catches_a_request_to_another_host(server, page):
    """The check above can fail: a request the page makes elsewhere is aborted and reported."""
    page.goto(f"{server}/?lang=en")
    wait_ready(page)
    page.evaluate("() => fetch('http://outside.invalid/font.svg').catch(() => null)")
    page.evaluate("() => { const i = new Image(); i.src = 'https://outside.invalid/icon.png'; }")
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.includes('icon.png'))",
                           timeout=10_000)
    assert sorted(page.guard.outside) == ["http://outside.invalid/font.svg", "https://outside.invalid/icon.png"]
    with pytest.raises(AssertionError, match="requests that left the app"):
        page.guard.check()
    page.guard.outside.clear()
    assert [probe for probe in ("/tokenization/_stcore/health", "/tokenization/_stcore/host-config", "/_stcore/health")
            if is_base_path_probe(server + probe)] == ["/tokenization/_stcore/health", "/tokenization/_stcore/host-config"]


def test_projector_mode(server, page):
    page.goto(f"{server}/tokenization?lang=pt-BR&projector=1")
    wait_ready(page)
    check_page(page, "tokenization-projector")
    size = page.evaluate("() => getComputedStyle(document.querySelector('html')).fontSize")
    assert float(size.rstrip("px")) >= 20


def test_language_switch_by_click_keeps_the_sidebar_and_the_url(server, page):
    page.goto(f"{server}/?lang=pt-BR")
    wait_ready(page)
    page.get_by_text("English", exact=True).click()
    page.wait_for_function("() => location.search.includes('lang=en')", timeout=20_000)
    wait_ready(page)
    assert page.get_by_text("Lessons", exact=True).count() >= 1
    assert page.get_by_text("Language", exact=False).count() >= 1  # sidebar still there
    # navigating keeps the language
    page.get_by_role("link", name="Tokenization").first.click()
    wait_ready(page)
    page.wait_for_function("() => location.pathname.endsWith('/tokenization')", timeout=20_000)
    assert "lang=en" in page.url
    check_page(page, "language-switch")


def test_markup_typed_by_the_user_renders_as_text(server, page):
    page.goto(f"{server}/tokenization?lang=en")
    wait_ready(page)
    box = page.locator("textarea").first
    box.fill("</script><script>alert(1)</script><img src=x onerror=alert(2)>")
    rerun_after(page, lambda: box.press("Control+Enter"))
    check_page(page, "tokenization-markup")
    assert page.locator(".gl-chips img").count() == 0
    assert page.locator(".gl-chip", has_text="script").count() >= 1


def test_a_deep_link_as_a_fresh_servers_first_request_gets_the_whole_app(prepared_decoder, page):
    """Regression: with a folder named pages/, Streamlit ran the page alone, without the router."""
    proc, url = start_server()
    try:
        page.goto(f"{url}/tokenization?lang=en&projector=1")
        wait_ready(page)
        assert page.get_by_text("Projector mode", exact=True).count() == 1  # the router's sidebar, in English
        assert page.locator('[data-testid="stSidebar"]').get_by_text("Tokenization", exact=True).count() >= 1
        check_page(page, "deep-link-first-request")
    finally:
        stop_server(proc)


@pytest.mark.parametrize("locale, heading", [("pt-BR", "Lições"), ("en-GB", "Lessons"), ("fr-FR", "Lições")])
def test_language_defaults_to_the_browsers_locale(server, browser, locale, heading):
    pg = new_page(browser, locale=locale)
    context = pg.context
    try:
        pg.goto(f"{server}/")
        wait_ready(pg)
        assert pg.get_by_role("heading", name=heading).count() >= 1
        expected = "en" if locale.startswith("en") else "pt-BR"
        pg.wait_for_function(f"() => location.search.includes('lang={expected}')", timeout=10_000)
        pg.guard.check()
    finally:
        context.close()


def test_first_start_on_a_fresh_machine_prepares_gemma_while_the_page_is_open(page, tmp_path):
    """The real first run: empty cache, automatic preparation, a student watching the page.

    Regressions: the preparation thread died on a lazy-import race with the page's thread, and
    Streamlit's forced gc after every fragment refresh starved it for minutes.
    """
    proc, url = start_server(GPTLAB_CACHE_DIR=str(tmp_path / "cache"), GPTLAB_AUTO_PREPARE="1")
    try:
        page.goto(f"{url}/tokenization?lang=en")
        wait_ready(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text("preparing", exact=False).count() >= 1
        assert page.get_by_text("Gemma's tokenizer is being prepared", exact=False).count() == 1
        check_page(page, "first-start-preparing")
        # Gemma's column arrives by itself (no click, no reload) once its tokenizer is written
        page.get_by_role("heading", name="Gemma 3 · SentencePiece").wait_for(timeout=600_000)
        sidebar.get_by_text("ready", exact=False).nth(2).wait_for(timeout=600_000)
        assert sidebar.get_by_text("failed", exact=False).count() == 0
        check_page(page, "first-start-done")
    finally:
        stop_server(proc)


def test_bertviz_renders_on_the_attention_page_with_the_network_off(server, browser):
    """Only the app's own server is reachable: every other request is aborted, as in a classroom."""
    pg = new_page(browser)
    context, dialogs = pg.context, pg.dialogs
    try:
        pg.goto(f"{server}/attention?lang=en")
        wait_ready(pg)
        box = pg.get_by_label(t("attention.input", "en"), exact=True)
        box.fill("</script><script>alert(1)</script> o gato")
        box.press("Enter")
        wait_ready(pg)
        frame = pg.frame_locator("iframe").last  # st.iframe, titled with its description
        frame.locator("svg text").first.wait_for(timeout=30_000)
        # Enter starts a rerun a moment later: until it ends, the frame may still hold the old sentence
        # (the view's iframe is replaced when the rerun draws it again: a read may meet the old one going away)
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.time() + 60
        texts: list[str] = []
        while "script" not in texts and time.time() < deadline:
            try:
                texts = frame.locator("svg text").all_text_contents()
            except PlaywrightError:
                texts = []
            pg.wait_for_timeout(500)
        # BERT's WordPiece splits the markup into pieces; each must show literally, as text
        assert "script" in texts and "<" in texts and "/" in texts, texts[:20]
        check_page(pg, "attention-bertviz-offline")
        assert not dialogs
    finally:
        context.close()


def test_decoding_streams_side_by_side_and_stops_when_asked(server, page):
    page.goto(f"{server}/decoding?lang=en&max_new=200")
    wait_ready(page)
    page.get_by_role("button", name="Generate", exact=True).click()
    # tokens appear while the generation runs (streamed, not all at the end)
    page.wait_for_function(
        """() => document.querySelectorAll('.gl-gen .gl-inline').length > 12
                 && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'running'""",
        timeout=60_000,
    )
    # our Stop, not the Stop of Streamlit's toolbar (that one halts the script without a rerun)
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Stop", exact=True).first.click()
    page.wait_for_selector("text=Stopped at step", timeout=60_000)
    wait_ready(page)
    check_page(page, "decoding-stopped")
    assert "Stopped at step" in page.inner_text("body")
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the repetition table of what was generated


def test_decoding_projector_mode_and_a_full_run(server, page):
    page.goto(f"{server}/decoding?lang=pt-BR&projector=1&max_new=16&temperature=0.8&top_p=0.9")
    wait_ready(page)
    page.get_by_role("button", name="Gerar", exact=True).click()
    # the run is over when its repetition table takes the place of the "press Generate" caption (the lesson's
    # own text mentions distinct-2 too, some of it in closed expanders: that text says nothing about the run)
    page.get_by_text(t("decoding.press_generate", "pt-BR")).wait_for(state="detached", timeout=120_000)
    wait_ready(page)
    page.get_by_role("button", name="Gerar a grade", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('.gl-gen .gl-inline').length > 16 * 12", timeout=120_000)
    wait_ready(page)
    check_page(page, "decoding-projector-pt-BR")
    assert "Parado" not in page.inner_text("body")


def set_number(pg, label: str, value: int) -> None:
    box = pg.get_by_label(label).first  # the first on the page (the tiny GPT-2 has its own below)
    box.fill(str(value))
    box.press("Enter")
    wait_ready(pg)


def test_finetuning_a_short_run_in_the_browser(server, page):
    page.goto(f"{server}/finetuning?lang=pt-BR")
    wait_ready(page)
    set_number(page, "Passos de otimização", 3)
    page.get_by_role("button", name="Treinar", exact=True).click()
    page.wait_for_selector("text=Treino concluído no passo 3", timeout=240_000)
    wait_ready(page)
    check_page(page, "finetuning-finished-pt-BR")
    runs = page.locator('[data-testid="stTable"]', has_text=t("finetuning.runs.kept", "pt-BR")).first
    assert runs.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # every column on a 1400 px screen, no scrolling
    body = page.inner_text("body")
    assert "Perplexidade de validação" in body
    # before and after, side by side: LoRA by default, the same base with the student's adapter
    assert t("finetuning.ba.tuned_lora", "pt-BR") in body


def test_finetuning_stop_mid_run_then_leave_mid_run_frees_the_queue(server, page, tmp_path):
    """The notebook's full fine-tuning (offered beside LoRA): stopped, then left mid-run."""
    page.goto(f"{server}/finetuning?lang=en&method=full")
    wait_ready(page)
    set_number(page, "Optimizer steps", 40)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("text=Step 2 of 40", timeout=180_000)
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Stop", exact=True).first.click()
    page.wait_for_selector("text=Training stopped at step", timeout=120_000)
    wait_ready(page)
    check_page(page, "finetuning-stopped")
    assert "After: your fine-tuned copy" in page.inner_text("body")  # the model stopped mid-run is usable
    # leave the page while a run is going: the server's only training slot must come back
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("text=Step 1 of 40", timeout=180_000)
    page.get_by_role("link", name="Home").first.click()
    wait_ready(page)
    page.goto(f"{server}/finetuning?lang=en&method=full")
    wait_ready(page)
    set_number(page, "Optimizer steps", 1)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("text=Training finished at step 1", timeout=180_000)  # not stuck in the queue


def test_finetuning_refuses_a_binary_upload(server, page, tmp_path):
    page.goto(f"{server}/finetuning?lang=en")
    wait_ready(page)
    page.get_by_text("A .txt or .csv file", exact=True).click()
    wait_ready(page)
    fake = tmp_path / "notes.txt"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    page.locator('input[type="file"]').set_input_files(str(fake))
    page.wait_for_selector("text=it looks binary", timeout=60_000)
    wait_ready(page)
    check_page(page, "finetuning-binary-upload")
