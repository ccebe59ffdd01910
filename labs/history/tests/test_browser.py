"""The history lab's timeline table in headless Chromium: every cell shown whole at 1400 px, in both languages."""

from __future__ import annotations

import pytest

from gptlab.i18n import t
from tests.browser.driving import check_page, wait_ready

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_timeline_table_shows_every_cell_whole(server, page, lang):
    page.goto(f"{server}/history?lang={lang}")
    wait_ready(page, timeout=600_000)
    table = page.locator('[data-testid="stTable"]', has_text=t("history.timeline.weights", lang)).first
    table.scroll_into_view_if_needed()
    check_page(page, f"history-timeline-{lang}")
    # no sideways scrolling, and no cell cut short (its text wider than its box, shown only on hover)
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    cut = table.evaluate("""e => [...e.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1)
                                                                  .map(c => c.textContent)""")
    assert cut == []
    texts = table.inner_text()
    assert "DeepSeek-V3" in texts and "37" in texts  # the longest cell ("671 in total, 37 active per token...")
