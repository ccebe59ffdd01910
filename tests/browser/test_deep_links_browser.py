"""Deep links in a real browser: a shared address restores a lab's settings; garbage gets a visible notice."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.browser.driving import SHOTS, wait_ready

pytestmark = pytest.mark.browser


def test_a_shared_decoding_link_restores_prompt_and_settings(server, page):
    page.goto(f"{server}/decoding?lang=en&prompt=Once%20upon%20a%20time&temperature=0.7&top_k=5")
    wait_ready(page)
    assert page.get_by_role("textbox").first.input_value() == "Once upon a time"
    assert "0.70" in page.locator('[data-testid="stSlider"]').first.inner_text()
    assert "temperature=0.7" in page.url and "top_k=5" in page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "deep-link-decoding.png"))


def test_garbage_in_a_link_is_clamped_with_a_notice(server, page):
    page.goto(f"{server}/attention?lang=pt-BR&layer=99&bertviz_view=%3Cscript%3E")
    toasts = page.locator('[data-testid="stToast"]')
    toasts.first.wait_for(timeout=60_000)  # a toast lasts a few seconds: read it as soon as it shows
    page.wait_for_function(  # one toast per bad value: wait for both rather than for a fixed time
        """() => { const t = [...document.querySelectorAll('[data-testid="stToast"]')].map(e => e.innerText).join(' ');
                   return t.includes('layer') && t.includes('bertviz_view'); }""", timeout=20_000)
    text = " ".join(toasts.all_inner_texts())
    page.screenshot(path=str(SHOTS / "deep-link-clamped.png"))
    assert "layer" in text and "bertviz_view" in text, text
    wait_ready(page)
    assert "layer=17" in page.url  # clamped to Gemma's last layer, and the link now says so
    assert not page.dialogs


# --- issue 22: links that land where they point; projector mode for charts ------------------------------------


def _in_view(pg, selector: str) -> bool:
    return pg.evaluate("""(sel) => { const e = document.querySelector(sel); if (!e) return false;
                                     const r = e.getBoundingClientRect();
                                     return r.top >= 0 && r.top < window.innerHeight * 0.6; }""", selector)


def _scrolled(pg) -> int:
    return pg.evaluate("""() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollTop))""")


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_shared_link_opens_at_the_widget_it_shares(server, browser, lang):
    from labs.decoding import settings as D
    from ui.params import widget_selector

    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=lang)
    pg = context.new_page()
    pg.goto(f"{server}/decoding?lang={lang}&at=next-token&temperature=0.7")
    wait_ready(pg)
    target = widget_selector(D.TEMPERATURE_KEY)
    pg.wait_for_function("""(sel) => { const e = document.querySelector(sel); if (!e) return false;
                                       const top = e.getBoundingClientRect().top;
                                       return top >= 0 && top < window.innerHeight * 0.6; }""", arg=target,
                         timeout=30_000)
    assert _scrolled(pg) > 500  # the page moved down to it: the widget is not near the top of the lesson
    assert "0.70" in pg.locator(target).inner_text()
    pg.screenshot(path=str(SHOTS / f"deep-link-at-widget-{lang}.png"))

    # a link with a section id that is not one: a notice, no scrolling, no script from the URL
    pg.goto(f"{server}/decoding?lang={lang}&at=%3Cscript%3Ealert(1)%3C/script%3E")
    pg.locator('[data-testid="stToast"]').first.wait_for(timeout=60_000)
    assert "at" in pg.locator('[data-testid="stToast"]').first.inner_text()
    context.close()


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_lesson_starts_with_a_link_to_its_exercises(server, browser, lang):
    from gptlab.exercises import bank

    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=lang)
    pg = context.new_page()
    pg.goto(f"{server}/decoding?lang={lang}&projector=1")
    wait_ready(pg)
    n = len(bank.for_lesson("decoding"))
    link = pg.locator('[data-testid="stMain"] a[href="#exercises"]').first
    assert link.inner_text().strip() == t("exercises.top_link", lang, n=n).split("](")[0].lstrip("[")
    assert link.evaluate("e => e.getBoundingClientRect().top") < 720  # on the first screen
    link.click()
    pg.wait_for_function("""() => { const e = document.getElementById('exercises'); if (!e) return false;
                                    const top = e.getBoundingClientRect().top;
                                    return top >= -5 && top < window.innerHeight * 0.5; }""", timeout=30_000)
    context.close()


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_projector_mode_charts_have_large_black_uncut_legends_at_1280x720(server, browser, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=lang)
    pg = context.new_page()
    pg.goto(f"{server}/decoding?lang={lang}&projector=1&temperature=0.8&top_p=0.9")
    wait_ready(pg)
    model, strategy = t("decoding.series.model", lang), t("decoding.series.strategy", lang)
    chart = pg.locator('[data-testid="stVegaLiteChart"]').filter(has_text=model).first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    texts = chart.evaluate("""e => [...e.querySelectorAll('text')].map(x => ({text: x.textContent,
                                    size: parseFloat(getComputedStyle(x).fontSize || x.getAttribute('font-size')),
                                    fill: x.getAttribute('fill')}))""")
    legend = {x["text"]: x for x in texts if x["text"] in (model, strategy)}
    assert set(legend) == {model, strategy}, [x["text"] for x in texts]  # whole, not "Model (T = 1, nothi…"
    assert not [x["text"] for x in texts if x["text"].endswith("…")], texts
    assert all(x["size"] >= 20 and x["fill"] in ("#000000", "#000", "black") for x in legend.values()), legend
    box = chart.bounding_box()
    assert box["width"] <= 1280
    chart.screenshot(path=str(SHOTS / f"decoding-chart-projector-1280-{lang}.png"))
    # what a student types is enlarged too
    prompt_size = pg.locator('[data-testid="stMain"] textarea').first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert prompt_size >= 20
    cut = pg.evaluate("""() => [...document.querySelectorAll('[data-testid="stSidebarNavLink"] span')]
                             .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
    assert cut == []  # no "Risks and goo..." in the sidebar either
    context.close()
