"""The attention, journey and fine-tuning labs in a real browser on a GPT-2 picked through the URL (?model=gpt2).

The server reads a temporary Hugging Face cache holding a tiny random GPT-2 under the real id `gpt2`
(tests/hub_models.py): nothing is downloaded, and no request leaves for another host (the `page` fixture)."""

from __future__ import annotations

import re

import pytest

from gptlab.i18n import t
from tests.browser.driving import check_page, rerun_after, start_server, stop_server, wait_ready
from tests.hub_models import TINY_GPT2_CONFIG

pytestmark = pytest.mark.browser

FIRST_RUN_MS = 300_000  # a fresh server loads the tokenizers, BERT and the GPT-2 on its first page


@pytest.fixture(scope="module")
def gpt2_server(prepared_decoder, tiny_gpt2_hub_folder):
    proc, url = start_server(HF_HUB_CACHE=str(tiny_gpt2_hub_folder), GPTLAB_EXTRA_MODELS="")
    yield url
    stop_server(proc)


def test_the_attention_lab_on_gpt2(gpt2_server, page):
    page.goto(f"{gpt2_server}/attention?lang=en&model=gpt2")
    wait_ready(page, timeout=FIRST_RUN_MS)
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    check = re.search(r"output_attentions = (\d\.\d+e[+-]\d+)", text)
    assert check and float(check.group(1)) < 1e-5, text[:2000]  # recomputed weights = GPT-2's own, in the page
    assert t("attention.layer_kind.causal", "en") in text
    assert t("attention.decoder.header", "en", model="GPT-2 small") in text
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    first = charts.count()
    assert first >= 4  # the open step of the mask, the chosen head, BERT beside the decoder (the head grid waits)
    last_layer = TINY_GPT2_CONFIG["n_layer"] - 1  # the default map layer, kept within the tiny model's depth
    rerun_after(page, main.get_by_text(t("attention.maps.grid", "en", layer=last_layer), exact=True).click)
    assert charts.count() == first + TINY_GPT2_CONFIG["n_head"]  # every head of GPT-2's layer, opened
    check_page(page, "attention-gpt2")


def test_the_journey_lab_on_gpt2(gpt2_server, page):
    page.goto(f"{gpt2_server}/journey?lang=pt-BR&model=gpt2")
    wait_ready(page, timeout=FIRST_RUN_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "wpe" in text  # the learned position table, said where the tokens enter
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 6  # the position rows have their own strip
    check_page(page, "journey-gpt2")


def test_the_finetuning_lab_on_gpt2(gpt2_server, page):
    page.goto(f"{gpt2_server}/finetuning?lang=en&model=gpt2")
    wait_ready(page, timeout=FIRST_RUN_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "c_attn, c_proj, c_fc" in text  # LoRA's targets on GPT-2's Conv1D layers, said on the page
    assert t("finetuning.blocks_legend_newline", "en", model="GPT-2 small")[:60] in text
    check_page(page, "finetuning-gpt2")
