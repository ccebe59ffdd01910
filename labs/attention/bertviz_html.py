"""bertviz's head view and model view as self-contained HTML pages that render with no network.

bertviz 1.4.1 (`html_action="return"`) emits HTML whose script loads require.js, d3 and jQuery
from cdnjs, so offline the view is blank (bertviz issue #63). Here the three libraries come from
ui/static/vendor/ and are inlined; d3 and jQuery are handed to require.js as named AMD modules,
and bertviz's `require.config(paths=<cdnjs>)` is dropped, so `require(['jquery', 'd3'], ...)`
resolves without building a single URL.

Pure Python (no streamlit): the page shows the result with
`st.iframe(html, height=view_height(...), alt=...)` (a srcdoc frame whose scripts run; it scrolls when taller).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any, Literal, Sequence

VENDOR_DIR = Path(__file__).resolve().parents[2] / "ui" / "static" / "vendor"
# Inline order matters: d3 and jQuery run before require.js defines `define`, so they register
# plain globals instead of anonymous AMD modules (which require.js would reject as "mismatched").
VENDOR_FILES = ("d3.min.js", "jquery.min.js", "require.min.js")

MIN_HEIGHT = 150
MAX_HEIGHT = 900  # taller views scroll inside the iframe rather than pushing the page down

# What bertviz 1.4.1 emits and this module rewrites. Each patch must match, so a bertviz upgrade
# that changes its output fails loudly here instead of silently going back to the CDN.
# bertviz's remote require.js tag, matched by shape: no network address is spelled in this code.
_REQUIRE_TAG = re.compile(r'<script src="[^"<>]*/require(?:\.min)?\.js"></script>')
_SCRIPT_OPEN = '<script type="text/javascript">'
_REQUIRE_CONFIG = re.compile(r"require\.config\(\{\s*paths:\s*\{[^}]*\}\s*\}\);")
_ROOT_ID = re.compile(r"bertviz-[0-9a-f]{32}")  # bertviz's uuid4-based root div id
_PARAMS = "const params = "

# bertviz selects its controls as `#root #vis`: ids that repeat in every view. Prefixing them
# with the root id keeps every id in the page unique, even with two views in one document.
_MARKUP_IDS = {'id="layer"': "layer", 'id="filter"': "filter", "id='vis'": "vis"}
# bertviz writes "Layer: <select>" with the word outside any <label>: a screen reader announces an unnamed list
# (axe-core select-name, critical). The name repeats bertviz's visible word (its UI is English in any page).
_CONTROL_NAMES = {"layer": "Layer", "filter": "Attention"}
_JS_PATCHES: dict[str, tuple[tuple[str, str], ...]] = {
    "head": (
        ("`#${config.rootDivId} #layer`", "`#${config.rootDivId}-layer`"),
        ("`#${config.rootDivId} #filter`", "`#${config.rootDivId}-filter`"),
        ("`#${config.rootDivId} #vis`", "`#${config.rootDivId}-vis`"),
        ('.attr("id", isLeft ? "left" : "right")', '.attr("id", config.rootDivId + (isLeft ? "-left" : "-right"))'),
        ('const id = isLeft ? "right" : "left";', 'const id = config.rootDivId + (isLeft ? "-right" : "-left");'),
        ('.attr("id", "attention")', '.attr("id", config.rootDivId + "-attention")'),
        ('select("#attention")', 'select("#" + config.rootDivId + "-attention")'),
    ),
    "model": (
        ("`#${config.rootDivId} #filter`", "`#${config.rootDivId}-filter`"),
        ("`#${config.rootDivId} #vis`", "`#${config.rootDivId}-vis`"),
        (".attr(\"id\", 'attn_background_' + ", ".attr(\"id\", config.rootDivId + '-attn_background_' + "),
    ),
}

# Tokens are user text inside a <script>: `<`, `>`, `&` could open `</script>` or `<!--`, and
# U+2028/U+2029 end a line in older JS. `/` is escaped too so no URL text (`https://`) survives.
# None of these characters is JSON syntax, so translating the whole dump only touches strings.
_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "/": "\\/", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>{title}</title>
<style>body {{ margin: 8px; background: #fff; color: #000; }}</style>
{libraries}
</head>
<body>
{markup}
<script>
{view_js}
</script>
</body>
</html>
"""

# d3 and jQuery set window.d3 / window.jQuery (require.js was not loaded yet); named defines hand
# them to require.js under the names bertviz asks for, so it never tries to fetch them.
_AMD_SHIM = """define("d3", [], function () { return window.d3; });
define("jquery", [], function () { return window.jQuery; });"""


def _script_safe(js: str) -> str:
    """JavaScript that can sit inside <script>...</script> and holds no URL text.

    `\\/` means `/` in every JS string, template and regex, and is harmless in comments, so the
    rewrite changes nothing at run time (d3's SVG namespace "http://www.w3.org/2000/svg" is a
    name, never fetched, but must keep its value).
    """
    js = js.replace("://", ":\\/\\/")
    if re.search(r"</script|<!--", js, re.IGNORECASE):
        raise ValueError("script text would end its <script> block early")
    return js


@functools.lru_cache(maxsize=None)
def _vendor_js(name: str) -> str:
    """One vendored library, ready to inline (read once per process)."""
    return _script_safe((VENDOR_DIR / name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _libraries_html() -> str:
    scripts = [_vendor_js(name) for name in VENDOR_FILES] + [_AMD_SHIM]
    return "\n".join(f"<script>\n{js}\n</script>" for js in scripts)


def _json_for_script(value: Any) -> str:
    """JSON literal safe to embed in a <script> block (see _JSON_ESCAPES)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)


def _dom_id(view_id: str) -> str:
    """`bertviz-<view_id>`, a valid CSS id; unusual characters are replaced and a hash keeps it unique."""
    if not view_id:
        raise ValueError("view_id must be a non-empty string")
    if re.fullmatch(r"[A-Za-z0-9_-]+", view_id):
        return f"bertviz-{view_id}"
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", view_id).strip("-")
    return f"bertviz-{slug}-{hashlib.sha1(view_id.encode('utf-8')).hexdigest()[:8]}"


def _prepare(attention: Sequence[Any]) -> tuple:
    """Per-layer (1, H, T, T) float64 tensors rounded to 4 decimals, NaN as 0.

    Rounding in float64 keeps the JSON short (0.1235, not 0.12349999696016312): a 4-digit
    opacity difference is invisible and the page is several times smaller.
    """
    import torch

    layers = []
    for a in attention:
        t = torch.as_tensor(a).detach().to("cpu", torch.float64)
        layers.append(torch.round(torch.nan_to_num(t, nan=0.0), decimals=4))
    return tuple(layers)


def _self_contained(kind: Literal["head", "model"], bertviz_html: str, dom_id: str) -> str:
    """Rewrite bertviz's returned HTML into a standalone page: inlined libraries, safe JSON, unique ids."""
    rest, found_tags = _REQUIRE_TAG.subn("", bertviz_html, count=1)
    if not found_tags:
        raise RuntimeError("unexpected bertviz output: require.js <script src> not found")
    # The markup comes first and holds no user text, so the first <script> opening is bertviz's;
    # its closing tag is the last one (raw tokens inside its JSON may contain "</script>" too).
    markup, found, script = rest.partition(_SCRIPT_OPEN)
    if not found or "</script>" not in script:
        raise RuntimeError("unexpected bertviz output: view <script> not found")
    js = script.rsplit("</script>", 1)[0]

    root = _ROOT_ID.search(markup)
    if root is None:
        raise RuntimeError("unexpected bertviz output: root div id not found")
    markup = markup.replace(root.group(0), dom_id)
    for attr, name in _MARKUP_IDS.items():
        label = f' aria-label="{_CONTROL_NAMES[name]}"' if name in _CONTROL_NAMES else ""
        markup = markup.replace(attr, f'id="{dom_id}-{name}"{label}')

    js, n = _REQUIRE_CONFIG.subn("", js, count=1)
    if n != 1:
        raise RuntimeError("unexpected bertviz output: require.config(paths) not found")

    # bertviz writes json.dumps(params) twice (the literal, and again in the comment after it), raw:
    # parse the literal back and replace that whole line with an escaped dump.
    start = js.find(_PARAMS)
    if start < 0:
        raise RuntimeError("unexpected bertviz output: params literal not found")
    params, _ = json.JSONDecoder().raw_decode(js, start + len(_PARAMS))
    params["root_div_id"] = dom_id
    end = js.find("\n", start)  # json.dumps output holds no raw newline, so this ends the comment too
    js = js[:start] + _PARAMS + _json_for_script(params) + ";" + js[end:]

    for old, new in _JS_PATCHES[kind]:
        if old not in js:
            raise RuntimeError(f"unexpected bertviz output: {old!r} not found")
        js = js.replace(old, new)

    return _PAGE.format(
        title=f"bertviz {kind} view",
        libraries=_libraries_html(),
        markup=markup.strip(),
        view_js=_script_safe(js.strip()),
    )


def head_view_html(
    attention: Sequence[Any],
    tokens: Sequence[str],
    *,
    sentence_b_start: int | None = None,
    layer: int | None = None,
    heads: Sequence[int] | None = None,
    view_id: str,
) -> str:
    """bertviz's head view as a self-contained HTML page (no external URL).

    attention: one (1, H, T, T) tensor per layer (`output_attentions=True`); tokens: T strings,
    shown exactly as given. view_id names the DOM ids, so two views never collide.
    """
    from bertviz import head_view

    result = head_view(
        _prepare(attention),
        list(tokens),
        sentence_b_start=sentence_b_start,
        prettify_tokens=False,  # the caller's tokens are already what the user should see
        layer=layer,
        heads=list(heads) if heads is not None else None,
        html_action="return",
    )
    return _self_contained("head", result.data, _dom_id(view_id))


def model_view_html(
    attention: Sequence[Any],
    tokens: Sequence[str],
    *,
    view_id: str,
    sentence_b_start: int | None = None,
    include_layers: Sequence[int] | None = None,
    include_heads: Sequence[int] | None = None,
    display_mode: Literal["light", "dark"] = "light",
) -> str:
    """bertviz's model view (every layer x head) as a self-contained HTML page (no external URL).

    Same inputs as head_view_html; the token labels appear in the detail panel a click on a
    thumbnail opens. display_mode defaults to light to match the white page.
    """
    from bertviz import model_view

    result = model_view(
        _prepare(attention),
        list(tokens),
        sentence_b_start=sentence_b_start,
        prettify_tokens=False,
        display_mode=display_mode,
        include_layers=list(include_layers) if include_layers is not None else None,
        include_heads=list(include_heads) if include_heads is not None else None,
        html_action="return",
    )
    return _self_contained("model", result.data, _dom_id(view_id))


def view_height(kind: Literal["head", "model"], n_tokens: int, n_layers: int, n_heads: int) -> int:
    """Iframe height in pixels for a view, from bertviz's own layout constants, within [150, 900].

    head: one 22.5 px row per token below a 30 px strip of head colours, under the layer picker.
    model: n_layers rows of thumbnails 7 * 12 / n_heads px per token, or the detail panel if taller.
    """
    n_tokens, n_layers, n_heads = max(1, n_tokens), max(1, n_layers), max(1, n_heads)
    chrome = 16 + 40  # body margins, the controls row and the svg's baseline gap
    if kind == "head":
        content = n_tokens * 22.5 + 30
    elif kind == "model":
        axis = 15 + 5 + 13 + 5  # bertviz's axisSize: heading, padding, label, padding
        thumbnail = n_tokens * 7 * (12 / n_heads) + 2 * 5
        detail = n_tokens * 18 + 2 * 15 + 25
        content = max(n_layers * thumbnail + axis, detail)
    else:
        raise ValueError(f"kind must be 'head' or 'model', not {kind!r}")
    return int(min(MAX_HEIGHT, max(MIN_HEIGHT, math.ceil(content + chrome))))
