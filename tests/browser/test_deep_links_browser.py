"""Deep links in a real browser: a shared address restores a lab's settings; garbage gets a visible notice."""

from __future__ import annotations

import pytest

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
