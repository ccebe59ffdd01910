"""Figures drawn from data: one step of a GPT, as a plain SVG (the lesson format's `:::figure pipeline`).

    text -> tokens -> ids -> embeddings -> N decoder blocks (attention + MLP on the residual stream)
         -> logits -> softmax -> decoding -> the next token, appended to the text

Pure: no Streamlit, no model. The caller passes the number of decoder blocks when it knows it (read from
the model's config) and None otherwise ("N"). Labels come from the strings (figure.pipeline.*), the example
sentence and its Gemma 3 tokens and ids too (tests check them against the real tokenizer). The rules every
figure follows (plain SVG, no script, title and desc, text of at least 14 px at a width of 800,
Okabe-Ito colours, never colour alone) are docs/lesson-format.md's; tests/gptlab/test_figures.py checks them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from gptlab.i18n import t, value

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 800  # the viewBox width every figure is drawn for (14 px text at this width)
PIPELINE = "pipeline"
# Which boxes each lesson's stage highlights (`:::figure pipeline stage=...`).
PIPELINE_STAGES: dict[str, tuple[str, ...]] = {
    "tokenization": ("text", "tokens", "ids", "embeddings"),
    "attention": ("attention",),
    "decoding": ("decoding",),
}

FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"  # installed fonts only: nothing is fetched
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
BLACK, GREY, FADED_FILL, FADED_STROKE = "#000000", "#555555", "#f2f2f2", "#9a9a9a"
# Okabe & Ito hues as strokes, with a light tint of each as the fill behind black text.
COLOURS = {
    "input": ("#000000", "#ffffff"),
    "tokenizer": ("#E69F00", "#fbecd0"),
    "attention": ("#0072B2", "#dcebf6"),
    "mlp": ("#009E73", "#d6efe7"),
    "output": ("#CC79A7", "#f6e4ee"),
    "next": ("#D55E00", "#f9e1d1"),
}


class FigureError(ValueError):
    """A figure asked for with options it does not have (a lesson file's mistake)."""


@dataclass(frozen=True)
class _Box:
    key: str  # the stage element it draws: "text", "tokens", ... (PIPELINE_STAGES' values)
    colour: str  # a COLOURS key
    x: float
    y: float
    w: float
    h: float


def text_width(text: str, size: float, mono: bool = False, bold: bool = False) -> float:
    """A generous estimate of a line's width in px (DejaVu Sans: about 0.55 em a character, more in bold)."""
    return len(text) * size * (0.61 if mono else 0.6 if bold else 0.56)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to `width` px at `size` px."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _text(x: float, y: float, s: str, size: float = 16, *, bold: bool = False, anchor: str = "start",
          mono: bool = False, italic: bool = False, fill: str = BLACK) -> str:
    attrs = f'x="{x:g}" y="{y:g}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}"'
    if bold:
        attrs += ' font-weight="bold"'
    if italic:
        attrs += ' font-style="italic"'
    if mono:
        attrs += f" font-family={quoteattr(MONO)}"
    return f"<text {attrs}>{escape(s)}</text>"


def _arrow(points: list[tuple[float, float]], marker: str, *, width: float = 2.5, dashed: bool = False,
           colour: str = BLACK) -> str:
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:g},{y:g}" for i, (x, y) in enumerate(points))
    dash = ' stroke-dasharray="7 5"' if dashed else ""
    return (f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{width:g}"{dash} '
            f'stroke-linejoin="round" marker-end="url(#{marker})"/>')


class _Drawing:
    def __init__(self, lang: str, highlight: tuple[str, ...], prefix: str) -> None:
        self.lang, self.highlight, self.prefix = lang, highlight, prefix
        self.parts: list[str] = []

    def s(self, name: str, **values: object) -> str:
        return t(f"figure.pipeline.{name}", self.lang, **values)

    def arrow(self, points: list[tuple[float, float]], *, stream: bool = False, **style) -> None:
        self.parts.append(_arrow(points, f"{self.prefix}-{'stream' if stream else 'arrow'}", **style))

    def colours(self, box: _Box) -> tuple[str, str, float]:
        stroke, fill = COLOURS[box.colour]
        if not self.highlight:
            return stroke, fill, 2.5
        if box.key in self.highlight:
            return stroke, fill, 4
        return FADED_STROKE, FADED_FILL, 2

    def box(self, box: _Box, title: str, lines: list[str] = (), *, title_size: float = 17) -> float:
        """Draw the box, its title and its lines; returns the y below the text."""
        stroke, fill, width = self.colours(box)
        self.parts.append(f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.w:g}" height="{box.h:g}" rx="8" '
                          f'fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"/>')
        y = box.y + 25
        for line in wrap(title, box.w - 20, title_size, bold=True):
            self.parts.append(_text(box.x + 10, y, line, title_size, bold=True))
            y += title_size + 4
        for line in lines:
            for piece in wrap(line, box.w - 20, 14):
                self.parts.append(_text(box.x + 10, y, piece, 14))
                y += 18
        return y

    def chips(self, x: float, y: float, width: float, pieces: list[str], size: float = 15) -> float:
        """Token-like chips, wrapped to `width`; returns the y below the last row."""
        cx, row = x, 0
        for piece in pieces:
            w = text_width(piece, size, mono=True) + 10
            if cx > x and cx + w > x + width:
                cx, row = x, row + 1
            top = y + row * (size + 13)
            self.parts.append(f'<rect x="{cx:g}" y="{top:g}" width="{w:g}" height="{size + 8:g}" rx="4" '
                              f'fill="#ffffff" stroke="{GREY}" stroke-width="1.5"/>')
            self.parts.append(_text(cx + w / 2, top + size + 1, piece, size, anchor="middle", mono=True))
            cx += w + 6
        return y + (row + 1) * (size + 13)

    def tag(self, box: _Box) -> None:
        """The dashed outline and the label that say, without colour, which part this lesson opens."""
        self.parts.append(f'<rect x="{box.x - 7:g}" y="{box.y - 7:g}" width="{box.w + 14:g}" height="{box.h + 14:g}" '
                          f'rx="12" fill="none" stroke="{BLACK}" stroke-width="2.5" stroke-dasharray="9 5"/>')
        label = self.s("this_lesson")
        w = text_width(label, 15, bold=True) + 16
        x = box.x + box.w + 7 - w
        self.parts.append(f'<rect x="{x:g}" y="{box.y - 19:g}" width="{w:g}" height="24" rx="5" fill="{BLACK}"/>')
        self.parts.append(_text(x + w / 2, box.y - 2, label, 15, bold=True, anchor="middle", fill="#ffffff"))


# The layout, in px of the 800-wide viewBox: three rows read left to right, wrapping like lines of text.
LEFT, RIGHT, GAP, HEIGHT = 44, 784, 30, 680
ROW1_TOP, ROW1_H, ROW1_WIDTHS = 62, 128, (130, 190, 180, 150)
ROW2_TOP, ROW2_H = 240, 214
ROW3_TOP, ROW3_H, ROW3_WIDTHS = 502, 122, (160, 150, 175, 165)


def pipeline_svg(lang: str, n_layers: int | None = None, stage: str | None = None, model: str | None = None) -> str:
    """One step of a GPT as an SVG document in `lang`. `stage` ("tokenization", "attention", "decoding")
    highlights the part a lesson opens; `n_layers` is the number of decoder blocks of `model` (read from its
    config), None when unknown ("N")."""
    if stage is not None and stage not in PIPELINE_STAGES:
        raise FigureError(f"pipeline has no stage {stage!r} (stages: {', '.join(PIPELINE_STAGES)})")
    if n_layers is not None and (isinstance(n_layers, bool) or not isinstance(n_layers, int) or n_layers < 1):
        raise FigureError(f"a model has at least one decoder block, not {n_layers!r}")
    prefix = f"pipeline-{stage or 'all'}"
    d = _Drawing(lang, PIPELINE_STAGES.get(stage, ()), prefix)
    blocks_label = _blocks_label(d, n_layers, model)
    boxes = {**_input_row(d, lang), **_blocks_row(d, blocks_label), **_output_row(d, lang)}
    text, emb, logits, next_box = boxes["text"], boxes["embeddings"], boxes["logits"], boxes["next"]
    stream_y = ROW2_TOP + ROW2_H - 42
    # row 1 -> row 2 and row 2 -> row 3, along the gaps between the rows
    mid1 = (ROW1_TOP + ROW1_H + ROW2_TOP - 12) / 2
    d.arrow([(emb.x + emb.w / 2, ROW1_TOP + ROW1_H), (emb.x + emb.w / 2, mid1), (LEFT - 6, mid1),
             (LEFT - 6, stream_y), (LEFT + 14, stream_y)])
    mid2 = (ROW2_TOP + ROW2_H + ROW3_TOP) / 2
    d.arrow([(RIGHT - 30, stream_y + 5), (RIGHT - 30, mid2), (LEFT + logits.w / 2, mid2),
             (LEFT + logits.w / 2, ROW3_TOP - 5)])
    d.parts.append(_text(RIGHT - 40, mid2 - 8, d.s("last_position"), 14, italic=True, anchor="end"))
    # the loop: the chosen token joins the text and the whole step runs again
    loop_y = ROW3_TOP + ROW3_H + 22
    d.arrow([(next_box.x + next_box.w / 2, ROW3_TOP + ROW3_H), (next_box.x + next_box.w / 2, loop_y),
             (18, loop_y), (18, text.y + text.h / 2), (LEFT - 5, text.y + text.h / 2)], dashed=True)
    d.parts.append(_text(RIGHT - 10, loop_y + 22, d.s("loop"), 15, italic=True, anchor="end"))
    if d.highlight:  # one outline around the highlighted boxes
        group = [boxes[key] for key in d.highlight]
        x0, y0 = min(b.x for b in group), min(b.y for b in group)
        x1, y1 = max(b.x + b.w for b in group), max(b.y + b.h for b in group)
        d.tag(_Box("group", "input", x0, y0, x1 - x0, y1 - y0))
    title = d.s("title")
    description = f"{d.s('desc', blocks=blocks_label)} {d.s(f'desc.{stage}') if stage else ''}".strip()
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="{prefix}-t {prefix}-d" font-family={quoteattr(FONT)}>',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(description)}</desc>',
        f"<defs>{_marker(f'{prefix}-arrow', 7)}{_marker(f'{prefix}-stream', 3)}</defs>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(WIDTH / 2, 32, title, 20, bold=True, anchor="middle"),
        *d.parts,
        "</svg>",
    ])


def _marker(marker_id: str, size: float) -> str:
    return (f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size:g}" '
            f'markerHeight="{size:g}" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{BLACK}"/></marker>')


def _row(keys: tuple[str, ...], colours: tuple[str, ...], widths: tuple[int, ...], top: float, h: float) -> list[_Box]:
    xs = [LEFT + sum(widths[:i]) + GAP * i for i in range(len(widths))]
    return [_Box(key, colour, x, top, w, h) for key, colour, x, w in zip(keys, colours, xs, widths)]


def _chain(d: _Drawing, boxes: list[_Box]) -> None:
    for a, b in zip(boxes, boxes[1:]):
        d.arrow([(a.x + a.w + 3, a.y + a.h / 2), (b.x - 5, b.y + b.h / 2)])


def _input_row(d: _Drawing, lang: str) -> dict[str, _Box]:
    """Row 1: the text becomes tokens, the tokens ids, the ids vectors."""
    row = _row(("text", "tokens", "ids", "embeddings"), ("input", "tokenizer", "tokenizer", "tokenizer"),
               ROW1_WIDTHS, ROW1_TOP, ROW1_H)
    text, tokens, ids, emb = row
    below = d.box(text, d.s("text"))
    for i, line in enumerate(wrap(f"“{value('figure.pipeline.example.text', lang)}”", text.w - 20, 16)):
        d.parts.append(_text(text.x + 10, below + 6 + 21 * i, line, 16, italic=True))
    below = d.box(tokens, d.s("tokens"))
    d.chips(tokens.x + 10, below - 8, tokens.w - 20, list(value("figure.pipeline.example.tokens", lang)))
    below = d.box(ids, d.s("ids"))
    example_ids = [str(i) for i in value("figure.pipeline.example.ids", lang)]
    d.chips(ids.x + 10, below - 8, ids.w - 20, example_ids)
    d.box(emb, d.s("embeddings"), [d.s("embeddings.what")])
    _vectors(d, emb, len(example_ids))
    _chain(d, row)
    return {b.key: b for b in row}


def _blocks_row(d: _Drawing, label: str) -> dict[str, _Box]:
    """Row 2: the decoder blocks, attention and MLP each adding to the residual stream."""
    inner = LEFT + 18  # the arrow from row 1 runs down the left margin, outside the box
    stroke, fill, width = (FADED_STROKE, "#fbfbfb", 2) if d.highlight else (GREY, "#fafafa", 2.5)
    for k in (2, 1):  # a stack of cards behind the box: many of these, one after another
        d.parts.append(f'<rect x="{inner + 6 * k:g}" y="{ROW2_TOP - 6 * k:g}" width="{RIGHT - inner:g}" '
                       f'height="{ROW2_H:g}" rx="10" fill="#ffffff" stroke="{stroke}" stroke-width="1.5"/>')
    d.parts.append(f'<rect x="{inner:g}" y="{ROW2_TOP:g}" width="{RIGHT - inner:g}" height="{ROW2_H:g}" rx="10" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"/>')
    d.parts.append(_text(inner + 14, ROW2_TOP + 27, label, 17, bold=True))
    stream_y = ROW2_TOP + ROW2_H - 42
    attention = _Box("attention", "attention", inner + 70, ROW2_TOP + 62, 270, 90)
    mlp = _Box("mlp", "mlp", inner + 433, ROW2_TOP + 62, 190, 90)
    d.box(attention, d.s("attention"), [d.s("attention.what")])
    d.box(mlp, d.s("mlp"), [d.s("mlp.what")])
    d.arrow([(inner + 2, stream_y), (RIGHT - 8, stream_y)], width=7, stream=True)
    d.parts.append(_text(inner + 14, stream_y + 30, d.s("residual"), 15, italic=True))
    for branch in (attention, mlp):  # read from the stream, add the result back at a plus sign
        start, out, mid = branch.x - 32, branch.x + branch.w + 26, branch.y + branch.h / 2
        d.arrow([(start, stream_y), (start, mid), (branch.x - 4, mid)])
        d.arrow([(branch.x + branch.w, mid), (out, mid), (out, stream_y - 19)])
        d.parts.append(f'<circle cx="{out:g}" cy="{stream_y:g}" r="15" fill="#ffffff" stroke="{BLACK}" '
                       f'stroke-width="2.5"/>')
        d.parts.append(_text(out, stream_y + 8, "+", 24, bold=True, anchor="middle"))
    return {"attention": attention, "mlp": mlp}


def _output_row(d: _Drawing, lang: str) -> dict[str, _Box]:
    """Row 3: the last position's vector becomes scores, probabilities and one chosen token."""
    row = _row(("logits", "softmax", "decoding", "next"), ("output", "output", "output", "next"),
               ROW3_WIDTHS, ROW3_TOP, ROW3_H)
    for box in row[:3]:
        d.box(box, d.s(box.key), [d.s(f"{box.key}.what")])
    below = d.box(row[3], d.s("next"))
    d.chips(row[3].x + 10, below - 8, row[3].w - 20, [value("figure.pipeline.example.next", lang)])
    _chain(d, row)
    return {b.key: b for b in row}


def _blocks_label(d: _Drawing, n_layers: int | None, model: str | None) -> str:
    if n_layers is None:
        return d.s("blocks_unknown")
    return d.s("blocks_of", n=n_layers, model=model) if model else d.s("blocks", n=n_layers)


def _vectors(d: _Drawing, box: _Box, count: int) -> None:
    """One small column of cells per token: a vector each."""
    shades = ("#fbecd0", "#f3c46b", "#ffffff", "#E69F00", "#f7dca5")
    size, x = 9, box.x + 12
    y = box.y + box.h - 5 * size - 10
    for k in range(count):
        for r in range(5):
            shade = shades[(k * 2 + r * 3) % len(shades)] if not d.highlight or box.key in d.highlight else FADED_FILL
            d.parts.append(f'<rect x="{x:g}" y="{y + r * size:g}" width="{size + 4:g}" height="{size:g}" '
                           f'fill="{shade}" stroke="{GREY}" stroke-width="1"/>')
        x += size + 10


def figure_options(spec: str) -> tuple[str, dict[str, str]]:
    """A `:::figure` block's title, "pipeline stage=decoding" -> ("pipeline", {"stage": "decoding"})."""
    name, *rest = spec.split()
    options: dict[str, str] = {}
    for item in rest:
        key, sep, val = item.partition("=")
        if not sep or not key or not val:
            raise FigureError(f"figure {name!r}: option {item!r} is not key=value")
        options[key] = val
    if name == PIPELINE:
        unknown = options.keys() - {"stage"}
        if unknown:
            raise FigureError(f"figure {name!r} has no option {sorted(unknown)}")
        if "stage" in options and options["stage"] not in PIPELINE_STAGES:
            raise FigureError(f"pipeline has no stage {options['stage']!r} (stages: {', '.join(PIPELINE_STAGES)})")
    elif options:
        raise FigureError(f"figure {name!r} is a file: it takes no options")
    return name, options


@functools.lru_cache(maxsize=256)  # a lesson page labels the same figures on every run
def svg_label(svg: str) -> str:
    """An SVG document's <title> and <desc>, as one text: the alt text of the figure shown as an image."""
    root = ElementTree.fromstring(svg)
    found = [root.find(f"{{{SVG_NS}}}{tag}") for tag in ("title", "desc")]
    return ". ".join(" ".join(el.text.split()).rstrip(".") for el in found if el is not None and el.text) + "."
