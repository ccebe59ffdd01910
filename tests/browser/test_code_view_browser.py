"""The code for this view and the notebook download in a real browser: the expander opens on code that
holds the page's prompt, and the downloaded file is a notebook in the page's language."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.browser.driving import SHOTS, check_page, download_notebook, wait_ready

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_decoding_code_expander_and_notebook_download(server, page, lang):
    prompt = 'Say "hi" \\ 🙂'
    page.goto(f"{server}/decoding?lang={lang}&temperature=0.7&top_k=50&prompt=" + prompt.replace(" ", "%20"))
    wait_ready(page)
    page.get_by_text(t("takeaway.expander", lang)).first.click()
    code = page.locator('[data-testid="stExpander"] [data-testid="stCode"]').first
    code.wait_for(state="visible")
    assert "temperature = 0.7" in code.inner_text() and "top_k = 50" in code.inner_text()
    code.scroll_into_view_if_needed()
    code.screenshot(path=str(SHOTS / f"decoding-code-expander-{lang}.png"))  # the code itself, readable
    check_page(page, f"decoding-code-{lang}")
    name, notebook, sources = download_notebook(page, t("takeaway.notebook", lang))
    assert name == f"gpt-lab-decoding-{lang}.ipynb"
    assert sources[0].startswith("# ") and any(t("takeaway.widget.next_token", lang) in s for s in sources)
    assert any(f"prompt = {prompt!r}" in s for s in sources)
    assert notebook["metadata"]["gptlab"]["language"] == lang


def test_finetuning_code_expander_and_notebook_download(server, page):
    lang = "pt-BR"
    page.goto(f"{server}/finetuning?lang={lang}&block_size=32&rank=4")
    wait_ready(page)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text=t("takeaway.expander", lang)).first
    expander.scroll_into_view_if_needed()
    expander.get_by_text(t("takeaway.expander", lang)).click()
    code = expander.locator('[data-testid="stCode"]')
    code.wait_for(state="visible")
    text = code.inner_text()
    assert "block_size = 32" in text and "get_peft_model" in text and "r=4, lora_alpha=8" in text
    code.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"finetuning-code-expander-{lang}.png"))  # the expander beside the settings
    name, notebook, sources = download_notebook(page, t("takeaway.notebook", lang))
    assert name == f"gpt-lab-finetuning-{lang}.ipynb"
    assert any("peft==" in s for s in sources) and any("trainer.train()" in s for s in sources)
    assert any(t("takeaway.widget.finetuning", lang) in s for s in sources)
