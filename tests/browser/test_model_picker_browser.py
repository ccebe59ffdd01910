"""The model picker in a real browser: choosing GPT-2 in the sidebar puts the decoding lab on it.

The server reads a temporary Hugging Face cache holding a tiny random GPT-2 under the real id `gpt2`
(tests/hub_models.py): nothing is downloaded."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.browser.driving import check_page, rerun_after, start_server, stop_server, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gpt2_server(prepared_decoder, tiny_gpt2_hub_folder):
    proc, url = start_server(HF_HUB_CACHE=str(tiny_gpt2_hub_folder), GPTLAB_EXTRA_MODELS="")
    yield url
    stop_server(proc)


def test_choosing_gpt2_in_the_picker_runs_the_decoding_lab_on_it(gpt2_server, page):
    page.goto(f"{gpt2_server}/decoding?lang=en")
    wait_ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    picker = sidebar.locator(".st-key-app-model_pick")
    box = picker.get_by_role("combobox")
    assert box.input_value() == "Gemma 3 270M"
    box.click()
    rerun_after(page, lambda: page.get_by_role("option", name="GPT-2 small · gpt2").click())
    assert "model=gpt2" in page.url
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("The widgets run GPT-2 small · gpt2", exact=False).wait_for(timeout=60_000)
    text = main.inner_text()
    assert "50,257" in text  # GPT-2's vocabulary, read from its config, in the model line and the metric
    assert t("models.shape.positions.learned", "en") in text
    # the notebook's cells on GPT-2: twelve texts, shaded token by token
    rerun_after(page, lambda: main.locator(".st-key-decoding-notebook-go button").click(), timeout=120_000)
    boxes = main.locator(".gl-gen")
    assert boxes.count() >= 2 + 9 and main.locator(".gl-gen .gl-chip").count() > 0
    check_page(page, "model-picker-decoding-gpt2")
    # the link carries the pick: a fresh page opened with it is on GPT-2 too
    page.goto(page.url)
    wait_ready(page)
    picker = page.locator('[data-testid="stSidebar"]').locator(".st-key-app-model_pick")
    assert picker.get_by_role("combobox").input_value() == "GPT-2 small · gpt2"
