"""The one token-chip component: every lab draws tokens with `chip` and lines them up with `chips`.

Everything the user typed or a model wrote is escaped here. Colour only separates neighbours or
marks a kind; borders, gaps, symbols and the text alternative beside each view carry the same
information. The look is in ui/style.css (.gl-chip and its modifiers).
"""

from __future__ import annotations

from html import escape
from typing import Iterable

from gptlab.nn.tokenization import Token, visible

N_COLOURS = 6  # --gl-chip-0 .. --gl-chip-5 in ui/style.css (the projector swaps them for high-contrast ones)


def palette(n: int) -> str:
    """The n-th background of the chip palette, as CSS (it follows projector mode by itself)."""
    return f"var(--gl-chip-{n % N_COLOURS})"


def chip(text: str = "", *, html: str | None = None, kinds: str = "", title: str = "", background: str = "",
         colour: str = "") -> str:
    """One token. `text` is escaped; `html` (already safe, e.g. other chips' parts) replaces it.

    kinds: space-separated modifiers from ui/style.css: "special", "inline" (in running text), "chosen",
    "in0"/"in1"/"out" (inside or outside a window).
    """
    classes = " ".join(["gl-chip", *(f"gl-{kind}" for kind in kinds.split())])
    style = ";".join(f"{name}:{value}" for name, value in (("background", background), ("color", colour)) if value)
    attributes = f' class="{classes}"' + (f' style="{style}"' if style else "")
    attributes += f' title="{escape(title, quote=True)}"' if title else ""
    return f"<span{attributes}>{escape(text) if html is None else html}</span>"


def chips(items: Iterable[str], *, flex: bool = False, label: str = "") -> str:
    """A left-to-right row of chips (whatever the page's direction); `label` names it for screen readers."""
    classes = "gl-chips gl-flex" if flex else "gl-chips"
    aria = f' role="group" aria-label="{escape(label, quote=True)}"' if label else ""
    return f'<div class="{classes}" dir="ltr"{aria}>{"".join(items)}</div>'


def token_chips(tokens: tuple[Token, ...], text: str, limit: int) -> str:
    """Coloured chips, one per token; hover shows the id and the span of the input it covers."""
    items = []
    for tok in tokens[:limit]:
        span = text[tok.start : tok.end] if tok.end > tok.start else ""
        title = f"id {tok.token_id}" + (f" · {visible(span)!s}" if span else "")
        items.append(chip(visible(tok.piece), kinds="special" if tok.special else "", title=title,
                          background=palette(tok.position)))
    return chips(items)


def inline_html(piece: str) -> str:
    """A token's text inside running text: escaped, a line break shown as ↵ before it breaks."""
    return escape(piece).replace("\n", "↵<br>")
