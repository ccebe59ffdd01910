"""The journey lab in headless Chromium: projector mode, its link into the decoding lab on the same prompt, and
the code of its views with the lab as a notebook."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.browser.driving import SHOTS, check_page, download_notebook, wait_ready

pytestmark = pytest.mark.browser

FIRST_RUN_MS = 600_000  # a fresh server's first journey loads two models and builds the model worker


def drawn_charts(page) -> list[bool]:
    """Per chart on the page: Vega drew it (a canvas or an svg with some height); a spec Vega-Lite cannot
    compile leaves an empty box."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(
        e => e.querySelectorAll('canvas, svg').length > 0 && e.getBoundingClientRect().height > 50)""")


def test_journey_in_projector_mode(server, page):
    page.goto(f"{server}/journey?lang=pt-BR&projector=1")
    wait_ready(page, timeout=FIRST_RUN_MS)
    check_page(page, "journey-projector")
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 5
    assert all(drawn_charts(page)), drawn_charts(page)
    size = page.evaluate("() => getComputedStyle(document.querySelector('html')).fontSize")
    assert float(size.rstrip("px")) >= 20


def test_the_decoding_lab_opens_on_the_same_prompt(server, page):
    prompt = "Olá <b>mundo</b>, o próximo token é"
    page.goto(f"{server}/journey?lang=pt-BR&text={prompt.replace(' ', '%20')}")
    wait_ready(page, timeout=FIRST_RUN_MS)
    page.get_by_role("button", name=t("journey.next.open", "pt-BR")).click()
    page.wait_for_function("() => location.pathname.endsWith('/decoding')", timeout=60_000)
    wait_ready(page, timeout=FIRST_RUN_MS)
    assert "prompt=" in page.url
    assert page.locator("textarea").first.input_value() == prompt
    check_page(page, "journey-to-decoding")


def test_the_heatmap_window_in_projector_mode(server, page):
    """A long prompt opened on its second window (?lens_from=16): the window menu and the heatmap's columns
    16 to 31, large enough for a projector."""
    text = ("um dois três quatro cinco seis sete oito nove dez " * 8).strip().replace(" ", "%20")
    page.goto(f"{server}/journey?lang=pt-BR&projector=1&text={text}&lens_from=16")
    wait_ready(page, timeout=FIRST_RUN_MS)
    label = t("journey.lens.window", "pt-BR", n=16, total=64)
    assert page.get_by_text(label).count() == 1
    caption = t("journey.lens.window_caption", "pt-BR", a=16, b=31, total=64)
    assert page.get_by_text(caption).count() == 1
    assert all(drawn_charts(page)) and len(drawn_charts(page)) == 5, drawn_charts(page)
    page.get_by_text(label).scroll_into_view_if_needed()
    check_page(page, "journey-window-projector")


def test_the_code_beside_the_blocks_and_the_notebook(server, page):
    """The expander beside "through the blocks" opens on code that holds the prompt and the position followed;
    the notebook downloads in the page's language with every view's code."""
    lang = "en"
    prompt = 'She said "hi" and the capital of Germany is'
    page.goto(f"{server}/journey?lang={lang}&position=3&text={prompt.replace(' ', '%20')}")
    wait_ready(page, timeout=FIRST_RUN_MS)
    expanders = page.locator('[data-testid="stExpander"]').filter(has_text=t("takeaway.expander", lang))
    assert expanders.count() == 6
    blocks = expanders.nth(2)  # into numbers, positions, then the blocks
    blocks.scroll_into_view_if_needed()
    blocks.get_by_text(t("takeaway.expander", lang)).click()
    code = blocks.locator('[data-testid="stCode"]')
    code.wait_for(state="visible")
    text = code.inner_text()
    assert "position = 3" in text and "register_forward_hook" in text and f"text = {prompt!r}" in text
    blocks.evaluate("""e => { e.scrollIntoView({block: 'start'}); let p = e.parentElement;
        while (p && p.scrollHeight <= p.clientHeight) p = p.parentElement; if (p) p.scrollBy(0, -260); }""")
    page.wait_for_timeout(300)  # the scroll settles
    page.screenshot(path=str(SHOTS / f"journey-code-expander-{lang}.png"))  # the expander under the blocks' check
    name, notebook, sources = download_notebook(page, t("takeaway.notebook", lang))
    assert name == f"gpt-lab-journey-{lang}.ipynb"
    for widget in ("journey_numbers", "journey_blocks", "journey_lens", "journey_next_token"):
        assert any(t(f"takeaway.widget.{widget}", lang) in s for s in sources), widget
    assert sum(f"text = {prompt!r}" in s for s in sources) == 6
    assert notebook["metadata"]["gptlab"]["language"] == lang
