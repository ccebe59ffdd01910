"""The journey lab in headless Chromium: projector mode, and its link into the decoding lab on the same prompt."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.browser.driving import check_page, wait_ready

pytestmark = pytest.mark.browser

FIRST_RUN_MS = 600_000  # a fresh server's first journey loads two models and builds the model worker


def test_journey_in_projector_mode(server, page):
    page.goto(f"{server}/journey?lang=pt-BR&projector=1")
    wait_ready(page, timeout=FIRST_RUN_MS)
    check_page(page, "journey-projector")
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 5
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
