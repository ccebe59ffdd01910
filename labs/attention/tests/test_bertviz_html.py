"""Self-contained bertviz views: no external URL, libraries inlined, unique ids, tokens escaped.

The browser test renders both views in headless Chromium with every network request aborted and
saves tests/browser/screenshots/bertviz-head.png and bertviz-model.png: look at them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import torch

from labs.attention import bertviz_html as B

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "browser" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

EVIL = "</script><script>alert(1)</script>"
# 5 tokens: markup, an emoji, accents, and text that looks like entities and a URL
TOKENS = ["Olá", EVIL, "😀", "ação", "&lt;b&gt; & https://x.y"]


def attention(n_layers: int = 3, n_heads: int = 2, n_tokens: int = len(TOKENS)) -> tuple[torch.Tensor, ...]:
    """What output_attentions=True returns: n_layers x (1, H, T, T), rows summing to 1."""
    g = torch.Generator().manual_seed(0)
    return tuple(torch.softmax(torch.randn(1, n_heads, n_tokens, n_tokens, generator=g), dim=-1) for _ in range(n_layers))


def params_of(html: str) -> dict:
    """The params literal bertviz's script runs with, decoded as JavaScript would."""
    start = html.index("const params = ") + len("const params = ")
    return json.JSONDecoder().raw_decode(html, start)[0]


@pytest.fixture(scope="module")
def views() -> dict[str, str]:
    att = attention()
    return {
        "head": B.head_view_html(att, TOKENS, view_id="head-a"),
        "model": B.model_view_html(att, TOKENS, view_id="model-a"),
    }


@pytest.mark.parametrize("kind", ["head", "model"])
def test_no_external_url(views, kind):
    html = views[kind]
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    for needle in ("http://", "https://", "//cdn", "cdnjs", "require.config"):
        assert needle not in html, needle
    # and no tag outside the scripts points anywhere (the libraries' code may say `src=`)
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)
    assert not re.search(r"""\b(src|href|action)\s*=""", markup, re.IGNORECASE)


@pytest.mark.parametrize("kind", ["head", "model"])
def test_libraries_are_inlined_before_the_view(views, kind):
    html = views[kind]
    positions = []
    for name in B.VENDOR_FILES:
        text = (B.VENDOR_DIR / name).read_text(encoding="utf-8")
        assert len(text) > 10_000, name
        inlined = text.replace("://", ":\\/\\/")  # the only change: no URL text (see _script_safe)
        assert inlined in html, name
        positions.append(html.index(inlined))
    assert "d3 v5.7.0 Copyright 2018 Mike Bostock" in html and "jQuery v3.7.1" in html and 'version="2.3.7"' in html
    # d3 and jQuery before require.js, then the AMD names, then bertviz's require([...])
    shim = html.index(B._AMD_SHIM)
    assert positions == sorted(positions) and positions[-1] < shim < html.index("requirejs(['jquery', 'd3']")


def test_two_views_have_different_dom_ids():
    att = attention()
    one = B.head_view_html(att, TOKENS, view_id="first")
    two = B.head_view_html(att, TOKENS, view_id="second")
    ids = lambda html: set(re.findall(r"""\bid=["']([^"']+)["']""", html))  # noqa: E731
    assert ids(one) == {"bertviz-first", "bertviz-first-layer", "bertviz-first-vis"}
    assert ids(one).isdisjoint(ids(two))
    assert params_of(one)["root_div_id"] == "bertviz-first"
    assert params_of(two)["root_div_id"] == "bertviz-second"
    # same input, same page: no random uuid left, so Streamlit does not reload an unchanged iframe
    assert B.head_view_html(att, TOKENS, view_id="first") == one
    assert not re.search(r"bertviz-[0-9a-f]{32}", one)


def test_view_id_with_odd_characters_becomes_a_valid_css_id():
    att = attention(1, 1, 2)
    html = B.model_view_html(att, ["a", "b"], view_id="gemma: layer #3")
    root = params_of(html)["root_div_id"]
    assert re.fullmatch(r"bertviz-[A-Za-z0-9_-]+", root)
    assert root != params_of(B.model_view_html(att, ["a", "b"], view_id="gemma--layer-3"))["root_div_id"]
    with pytest.raises(ValueError):
        B.head_view_html(att, ["a", "b"], view_id="")


@pytest.mark.parametrize("kind", ["head", "model"])
def test_tokens_are_escaped_and_round_trip(views, kind):
    html = views[kind]
    assert EVIL not in html
    assert "<script>alert" not in html
    # every "</script" closes one of our own blocks: 3 libraries, the AMD names, the view
    assert html.lower().count("</script") == html.count("<script>\n") == 5
    assert "\\u003c\\/script\\u003e\\u003cscript\\u003ealert(1)" in html
    # decoded, the tokens are exactly what the user typed: nothing double-escaped
    data = params_of(html)["attention"][0]
    assert data["left_text"] == data["right_text"] == TOKENS


def test_line_separators_are_escaped():
    html = B.head_view_html(attention(1, 1, 2), ["a\u2028b", "c\u2029d"], view_id="ls")
    assert "\u2028" not in html and "\u2029" not in html
    assert params_of(html)["attention"][0]["left_text"] == ["a\u2028b", "c\u2029d"]


def test_sentence_pair_and_options_pass_through():
    html = B.head_view_html(attention(), TOKENS, sentence_b_start=2, layer=1, heads=[0], view_id="pair")
    p = params_of(html)
    assert [d["name"] for d in p["attention"]][:3] == ["All", "Sentence A -> Sentence A", "Sentence B -> Sentence B"]
    assert p["layer"] == 1 and p["heads"] == [0]
    assert 'id="bertviz-pair-filter"' in html and "`#${config.rootDivId}-filter`" in html


def test_weights_are_rounded_and_nan_free():
    att = attention(1, 1, 3)
    att[0][0, 0, 0, 0] = float("nan")
    weights = params_of(B.model_view_html(att, ["a", "b", "c"], view_id="r"))["attention"][0]["attn"]
    flat = [x for head in weights[0] for row in head for x in row]
    assert flat[0] == 0.0 and all(round(x, 4) == x for x in flat)


def test_view_height():
    assert B.view_height("head", 5, 3, 2) < B.view_height("head", 20, 3, 2) <= B.MAX_HEIGHT
    assert B.view_height("head", 5, 3, 2) >= 5 * 22.5 + 30
    assert B.MIN_HEIGHT <= B.view_height("model", 5, 3, 2) <= B.MAX_HEIGHT
    assert B.view_height("model", 24, 18, 4) == B.MAX_HEIGHT  # Gemma-sized: scrolls inside the iframe
    assert B.view_height("model", 1, 1, 12) == B.MIN_HEIGHT
    with pytest.raises(ValueError):
        B.view_height("neuron", 5, 3, 2)


# --- in a real browser, offline ----------------------------------------------------------------
@pytest.fixture(scope="module")
def offline_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must install Debian's chromium ({CHROMIUM}) for the browser tests")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def render_offline(browser, html: str, shot: str, click_first_thumbnail: bool = False) -> list[str]:
    """Show `html` with every request aborted; return the SVG <text> contents, save a screenshot."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def abort(route):
        requests.append(route.request.url)
        route.abort()

    context.route("**/*", abort)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.set_content(html)
        page.wait_for_selector("svg line", state="attached", timeout=15_000)
        if click_first_thumbnail:  # the model view shows token labels in the panel a click opens
            box = page.locator("rect.attn_background").first.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_selector("svg text.token", timeout=5_000)
        texts = page.eval_on_selector_all("svg text", "els => els.map(e => e.textContent)")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    finally:
        context.close()
    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert errors == [], errors
    assert requests == [], f"the page tried the network: {requests}"
    return texts


@pytest.mark.browser
def test_head_view_renders_offline(offline_browser):
    html = B.head_view_html(attention(), TOKENS, view_id="browser-head")
    texts = render_offline(offline_browser, html, "bertviz-head.png")
    assert texts.count(EVIL) == 2  # left and right columns, shown literally
    for token in TOKENS:
        assert token in texts, token


@pytest.mark.browser
def test_model_view_renders_offline(offline_browser):
    html = B.model_view_html(attention(), TOKENS, view_id="browser-model")
    texts = render_offline(offline_browser, html, "bertviz-model.png", click_first_thumbnail=True)
    assert "Layers" in texts and "Heads" in texts and "Layer 0, Head 0" in texts
    assert texts.count(EVIL) == 2
    for token in TOKENS:
        assert token in texts, token


def test_every_select_in_a_view_has_an_accessible_name():
    """axe-core select-name: bertviz's "Layer:" and "Attention:" words stand outside any <label>."""
    att = attention()
    head = B.head_view_html(att, TOKENS, view_id="named", sentence_b_start=2)
    model = B.model_view_html(att, TOKENS, view_id="named", sentence_b_start=2)
    selects = re.findall(r"<select id=\"bertviz-[^>]*>", head + model)  # the views' own (the inlined libraries hold others)
    assert len(selects) == 3 and all(re.search(r'aria-label="[^"]+"', s) for s in selects), selects
    assert '<select id="bertviz-named-layer" aria-label="Layer">' in head
