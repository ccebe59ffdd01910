"""HTML snippets built from user text: everything the user typed is escaped here."""

from __future__ import annotations

from html import escape

from gptlab.nn.tokenization import Token, visible


def token_chips(tokens: tuple[Token, ...], text: str, colours: tuple[str, ...], limit: int) -> str:
    """Coloured chips, one per token; hover shows the id and the span of the input it covers.

    Colour only separates neighbours; borders and gaps carry the same information.
    """
    chips = []
    for tok in tokens[:limit]:
        colour = colours[tok.position % len(colours)]
        span = text[tok.start : tok.end] if tok.end > tok.start else ""
        title = f"id {tok.token_id}" + (f" · {visible(span)!s}" if span else "")
        cls = "gl-chip gl-special" if tok.special else "gl-chip"
        chips.append(
            f'<span class="{cls}" style="background:{colour}" title="{escape(title, quote=True)}">'
            f"{escape(visible(tok.piece))}</span>"
        )
    return f'<div class="gl-chips" dir="ltr">{"".join(chips)}</div>'
