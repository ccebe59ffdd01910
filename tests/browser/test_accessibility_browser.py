"""axe-core (the rules engine behind most accessibility test suites) on every page of the real app.

Every page, both languages, normal and projector mode, in headless Chromium after the page settled: no
serious or critical violation may remain outside ALLOWED. axe-core comes bundled in the pinned
axe-playwright-python package and is injected from disk: nothing is fetched (the NetworkGuard checks it).
Run alone: `nice -n 19 python -m pytest -q tests/browser/test_accessibility_browser.py` (README, "Accessibility").
"""

from __future__ import annotations

import pytest

import course
from gptlab.i18n import t
from tests.browser.driving import check_page, rerun_after, wait_ready

pytestmark = pytest.mark.browser

axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

PAGES = [("home", ""), *((lesson.id, lesson.url_path) for lesson in course.LESSONS),
         (course.INSTRUCTOR.id, course.INSTRUCTOR.url_path)]
FAILING_IMPACTS = ("serious", "critical")

# Violations that come from Streamlit's own markup and that the app cannot fix: rule id -> (a piece of the
# offending element's HTML, why it cannot be fixed here). Nothing else may go in this list. It is empty:
# every serious violation measured (issue 21) was the app's and is fixed; keep it that way.
ALLOWED: dict[str, tuple[str, str]] = {}


def serious_violations(pg) -> list[str]:
    """axe-core's serious and critical violations on the page's document and in each of its frames
    (st.iframe: the bertviz views), one line per element, minus ALLOWED."""
    axe = axe_sync.Axe()
    found = []
    for frame in pg.frames:
        if frame is not pg.main_frame and not frame.url.startswith(("about:", "data:")) and frame.url:
            continue  # frames of the app's own pages only (srcdoc frames are about:srcdoc)
        frame.evaluate(axe.axe_script)
        result = frame.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] not in FAILING_IMPACTS:
                continue
            for node in violation["nodes"]:
                allowed = ALLOWED.get(violation["id"])
                if allowed and allowed[0] in node["html"]:
                    continue
                found.append(f"{violation['id']} ({violation['impact']}): {node['target']} {node['html'][:160]}"
                             f" — {node.get('failureSummary', '')[:240]}")
    return found


def chart_names(pg) -> list[str]:
    """The accessible name of every Vega chart on the page: the aria-label of the element that holds its SVG
    (role graphics-document, from the chart's description)."""
    return pg.evaluate("""() => [...document.querySelectorAll('svg.marks')].map(svg => {
        const doc = svg.closest('[role="graphics-document"]');
        return doc ? doc.getAttribute('aria-label') || '' : '';
    })""")


@pytest.mark.parametrize("projector", ["0", "1"])
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
@pytest.mark.parametrize("name, path", PAGES)
def test_no_serious_accessibility_violation(server, page, name, path, lang, projector):
    page.goto(f"{server}/{path}?lang={lang}&projector={projector}")
    wait_ready(page)
    check_page(page, f"a11y-{name}-{lang}-{projector}")
    assert serious_violations(page) == []
    # every chart is named in the page's language: "Bar chart: <title>. <what it shows>"
    kinds = tuple(t(f"charts.kind.{kind}", lang) + ": " for kind in ("bars", "heatmap", "lines", "points"))
    names = chart_names(page)
    drawn = page.evaluate("() => [...document.querySelectorAll('.vega-embed')].map(e => !!e.querySelector('svg.marks'))")
    assert all(drawn), drawn  # a spec Vega cannot compile leaves an empty frame and no error on the page
    assert all(n.startswith(kinds) for n in names), names
    if name in ("tokenization", "attention", "history"):  # pages that draw charts without a model run or a class
        assert names


def test_the_axe_check_finds_a_violation_when_there_is_one(server, page):
    """The check above can fail: an unnamed image and a scrolling box no keyboard reaches are reported."""
    page.goto(f"{server}/?lang=en")
    wait_ready(page)
    page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const img = document.createElement('img'); img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        main.prepend(img);
        const box = document.createElement('div');
        box.style.cssText = 'height: 40px; width: 200px; overflow: auto';
        box.innerHTML = '<p style="height: 400px">long</p>';
        main.prepend(box);
    }""")
    found = serious_violations(page)
    assert any(v.startswith("image-alt (critical)") for v in found), found
    assert any(v.startswith("scrollable-region-focusable (serious)") for v in found), found


_CELL_INK = """() => {
    const pairs = [];
    for (const svg of document.querySelectorAll('svg.marks')) {
        const cells = [...svg.querySelectorAll('g.mark-rect.role-mark path')]
            .map(p => ({box: p.getBoundingClientRect(), fill: p.getAttribute('fill')}));
        for (const text of svg.querySelectorAll('g.mark-text.role-mark text')) {
            const b = text.getBoundingClientRect(), x = b.x + b.width / 2, y = b.y + b.height / 2;
            if (!b.width) continue;  // in a tab not shown: every box there is empty, at one point
            const under = cells.filter(c => c.box.left <= x && x <= c.box.right && c.box.top <= y && y <= c.box.bottom);
            if (under.length) pairs.push([text.textContent, text.getAttribute('fill'), under[under.length - 1].fill]);
        }
    }
    return pairs;
}"""


def hex_colour(colour: str) -> str:
    """#rrggbb from the '#rrggbb' or 'rgb(r, g, b)' that Vega writes into a fill attribute."""
    if colour.startswith("rgb"):
        return "#" + "".join(f"{int(float(c)):02x}" for c in colour[colour.index("(") + 1 : -1].split(","))
    return colour.lower()


@pytest.mark.parametrize("projector", ["0", "1"])
def test_every_number_in_a_heatmap_cell_meets_wcag_aa_against_its_cell(server, page, projector):
    """The colours Vega really drew: each number's ink against the fill of the cell under it, 4.5:1 at least."""
    from gptlab.charts import contrast_ratio

    page.goto(f"{server}/attention?lang=en&projector={projector}")
    wait_ready(page)
    box = page.get_by_label(t("attention.input", "en"), exact=True)
    box.fill("O gato")  # a few tokens: cells wide enough for their numbers
    rerun_after(page, lambda: box.press("Enter"))
    check_page(page, f"a11y-heatmap-numbers-{projector}")
    pairs = page.evaluate(_CELL_INK)
    assert len(pairs) >= 16, pairs
    low = [(text, ink, fill, round(contrast_ratio(hex_colour(ink), hex_colour(fill)), 2)) for text, ink, fill in pairs
           if contrast_ratio(hex_colour(ink), hex_colour(fill)) < 4.5]
    assert low == []
    assert {hex_colour(ink) for _, ink, _ in pairs} == {"#000000", "#ffffff"}  # both inks are used
