"""The attention heatmaps in headless Chromium: as wide as the column they are in, on a 1400 px screen and in
projector mode at 1280x720, in both languages, with cells about square and token labels whole and readable.

Screenshots: tests/browser/screenshots/heatmaps-<page>-<lang>-<size>.png; look at them.
"""

from __future__ import annotations

import pytest

from gptlab.charts import PROJECTOR_FONT
from gptlab.i18n import t
from labs.attention import settings as S
from tests.browser.driving import check_page, new_page, rerun_after, wait_ready

pytestmark = pytest.mark.browser

FIRST_RUN_MS = 600_000  # a fresh server's first attention page loads both models

# Every heatmap on the page: its accessible name, its width and its column's, a cell's size, its token labels.
HEATMAPS = """(kind) => [...document.querySelectorAll('[data-testid="stMain"] .stVegaLiteChart')].flatMap(chart => {
    const marks = chart.querySelector('svg.marks');
    const doc = marks && marks.closest('[role="graphics-document"]');
    const name = doc ? doc.getAttribute('aria-label') || '' : '';
    if (!name.startsWith(kind)) return [];
    const svg = marks.getBoundingClientRect();
    const column = chart.closest('[data-testid="stColumn"]') || chart.closest('[data-testid="stVerticalBlock"]');
    const cell = chart.querySelector('g.mark-rect.role-mark path').getBoundingClientRect();
    const labels = [...chart.querySelectorAll('g.role-axis-label text')];
    return [{name, width: svg.width, height: svg.height, column: column.getBoundingClientRect().width,
             cell: [cell.width, cell.height], fonts: labels.map(l => parseFloat(l.getAttribute('font-size'))),
             labels: labels.map(l => l.textContent)}];
})"""


def heatmaps(pg, lang: str) -> list[dict]:
    return pg.evaluate(HEATMAPS, t("charts.kind.heatmap", lang) + ": ")


def assert_fit(maps: list[dict], projector: bool) -> None:
    font = PROJECTOR_FONT if projector else 13
    for m in maps:
        assert m["width"] >= 0.97 * m["column"], m["name"]  # as wide as its column, not 420 px in 940
        ratio = m["cell"][0] / m["cell"][1]
        assert 0.5 <= ratio <= 2, (m["name"], m["cell"])  # cells about square
        assert m["cell"][1] >= font + 1, (m["name"], m["cell"])  # rows as tall as their labels
        assert m["fonts"] and min(m["fonts"]) >= font, m["name"]
        assert not [label for label in m["labels"] if label.endswith("…")], m["name"]  # no token label cut short


@pytest.mark.parametrize("projector", [False, True])
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_attention_heatmaps_use_the_width_of_their_column(server, browser, lang, projector):
    size = {"width": 1280, "height": 720} if projector else {"width": 1400, "height": 1000}
    pg = new_page(browser, viewport=size)
    try:
        pg.goto(f"{server}/attention?lang={lang}" + ("&projector=1" if projector else ""))
        wait_ready(pg, timeout=FIRST_RUN_MS)
        main = pg.locator('[data-testid="stMain"]')
        column = main.locator('[data-testid="stVerticalBlock"]').first.evaluate("e => e.getBoundingClientRect().width")
        first = heatmaps(pg, lang)
        # step 1 of the mask, the chosen head, BERT and Gemma side by side (one above the other when projected)
        assert len(first) == 4, [m["name"] for m in first]
        assert first[0]["width"] >= 0.97 * column and first[1]["width"] >= 0.97 * column
        assert_fit(first, projector)
        if projector:
            assert [m["column"] for m in first[2:]] == [first[0]["column"]] * 2
        else:
            assert all(0.4 * column < m["column"] < 0.55 * column for m in first[2:])  # two columns
        # every head of the layer, opened: two a row (one on a projector), each as wide as its column
        grid = main.get_by_text(t("attention.maps.grid", lang, layer=S.DEFAULT_LAYER), exact=True)
        rerun_after(pg, grid.click)
        every = heatmaps(pg, lang)
        heads = [m for m in every if m["name"] not in {f["name"] for f in first}]
        assert len(heads) == len(every) - len(first) >= 4
        assert_fit(heads, projector)
        share = 1 if projector else 0.5
        assert all(abs(m["column"] - share * column) < 0.06 * column for m in heads), [m["column"] for m in heads]
        check_page(pg, f"heatmaps-attention-{lang}-{'projector' if projector else '1400'}")
    finally:
        pg.context.close()
    pg.guard.check()


@pytest.mark.parametrize("projector", [False, True])
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_bert_beside_gpt_heatmaps_use_the_width_of_their_column(server, browser, lang, projector):
    size = {"width": 1280, "height": 720} if projector else {"width": 1400, "height": 1000}
    pg = new_page(browser, viewport=size)
    try:
        pg.goto(f"{server}/bert-vs-gpt?lang={lang}" + ("&projector=1" if projector else ""))
        wait_ready(pg, timeout=FIRST_RUN_MS)
        maps = heatmaps(pg, lang)
        assert len(maps) == 2
        assert_fit(maps, projector)
        check_page(pg, f"heatmaps-bert-vs-gpt-{lang}-{'projector' if projector else '1400'}")
    finally:
        pg.context.close()
    pg.guard.check()
