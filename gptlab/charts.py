"""Chart builders: they return Altair charts, or Vega-Lite specs written as dicts where a class builds many at once
(the attention heatmap); the caller decides where they show."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from gptlab.i18n import decimal_symbol, fmt_float, fmt_floats, t

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

# Projector mode (22 px body text at 1280x720): chart text at the size of the page's, in black.
PROJECTOR_FONT = 20  # axis labels, legends, text marks
PROJECTOR_TITLE_FONT = 24


def readable(chart, large: bool):
    """In projector mode, every axis, legend and title of `chart` large and black, and no legend label cut
    short ("Model (T = 1, nothi..."); unchanged otherwise. Call it on the chart a builder returns (an Altair
    chart, or a Vega-Lite spec as a dict, whose config it completes in place)."""
    if not large:
        return chart
    ink = "#000000"
    parts = {
        "axis": dict(labelFontSize=PROJECTOR_FONT, titleFontSize=PROJECTOR_FONT, labelColor=ink, titleColor=ink,
                     tickColor=ink, domainColor=ink, titleFontWeight="bold"),
        "legend": dict(labelFontSize=PROJECTOR_FONT, titleFontSize=PROJECTOR_FONT, labelColor=ink, titleColor=ink,
                       labelLimit=0, symbolSize=260),
        "title": dict(fontSize=PROJECTOR_TITLE_FONT, color=ink),
    }
    if isinstance(chart, dict):  # a Vega-Lite spec written as a dict (labs/decoding/charts.py)
        config = chart.setdefault("config", {})
        for part, values in parts.items():
            config[part] = {**config.get(part, {}), **values}
        return chart
    for part, values in parts.items():
        chart = _configure(chart, part, **values)
    return chart


def _configure(chart, part: str, **values):
    """chart.configure_<part>(...), keeping what the builder had configured there already (e.g. a legend's place)."""
    config = chart.config
    current = {} if config is alt.Undefined else getattr(config, part, alt.Undefined)
    kept = {} if current is alt.Undefined or current == {} else current.to_dict()
    return getattr(chart, f"configure_{part}")(**{**kept, **values})


# --- accessible names ------------------------------------------------------------------------------------------------

CHART_KINDS = ("bars", "heatmap", "lines", "points")


def described(chart, *, kind: str, title: str, details: str, language: str):
    """`chart` (an Altair chart or a Vega-Lite spec as a dict) with its accessible name and description, in `language`.

    Vega writes a chart's `description` into the aria-label of the element that holds it (role
    graphics-document): what a screen reader announces for the chart, instead of "Vega visualization".
    `details` says what the chart shows, with its main numbers; the exact numbers stay in the table beside it.
    """
    if kind not in CHART_KINDS:
        raise ValueError(f"kind must be one of {CHART_KINDS}, not {kind!r}")
    head = f"{t(f'charts.kind.{kind}', language)}: {title.strip().rstrip('.')}."
    description = " ".join(part for part in (head, details.strip()) if part)
    if isinstance(chart, dict):
        return {**chart, "description": description}
    return chart.properties(description=description)


def top_items(labels, values, language: str, *, n: int = 3, digits: int = 2, percent: bool = False) -> str:
    """The `n` largest values as "«a» 0,52; «b» 0,31": the part of a chart a listener needs first."""
    pairs = sorted(zip(labels, values), key=lambda pair: -float(pair[1]))[:n]
    shown = (lambda v: fmt_float(100 * float(v), language, 1) + " %") if percent else (
        lambda v: fmt_float(float(v), language, digits))
    return "; ".join(f"«{label}» {shown(v)}" for label, v in pairs)


# --- colour and contrast -------------------------------------------------------------------------------------------

# Vega's "cividis" scheme: its colour stops, interpolated linearly in RGB (vega-scale's continuous schemes).
_CIVIDIS = (
    "00205100235800265d002961012b65042e670831690d346b11366c16396d1c3c6e213f6e26426e2c456e31476e374a6e3c4d6e42506e"
    "47536d4c566d51586e555b6e5a5e6e5e616e62646f66676f6a6a706e6d717270717573727976737c79747f7c75827f758682768985778c"
    "8877908b78938e789691789a94789e9778a19b78a59e77a9a177aea575b2a874b6ab73bbaf71c0b26fc5b66dc9b96acebd68d3c065d8c4"
    "62ddc85fe2cb5ce7cf58ebd355f0d652f3da4ff7de4cfae249fce647"
)
CIVIDIS_STOPS = tuple(tuple(int(_CIVIDIS[i + k : i + k + 2], 16) for k in (0, 2, 4)) for i in range(0, len(_CIVIDIS), 6))


def cividis(x: float) -> str:
    """The colour Vega's cividis scheme gives the fraction `x` of its range (0: dark blue, 1: yellow), as #rrggbb."""
    segments = len(CIVIDIS_STOPS) - 1
    x = min(1.0, max(0.0, float(x))) * segments
    i = min(segments - 1, int(x))
    a, b = CIVIDIS_STOPS[i], CIVIDIS_STOPS[i + 1]
    return "#" + "".join(f"{round(u + (v - u) * (x - i)):02x}" for u, v in zip(a, b))


def cividis_many(xs) -> list[str]:
    """cividis for many fractions at once (a heatmap's every cell): the same colours, vectorized."""
    import numpy as np

    stops = np.asarray(CIVIDIS_STOPS, dtype=float)  # (S, 3)
    segments = len(CIVIDIS_STOPS) - 1
    x = np.clip(np.asarray(xs, dtype=float).ravel(), 0.0, 1.0) * segments  # (N,)
    i = np.minimum(segments - 1, x.astype(int))  # (N,)
    a, b = stops[i], stops[i + 1]  # (N, 3) each
    rgb = np.rint(a + (b - a) * (x - i)[:, None]).astype(int)  # (N, 3) round half to even, as round()
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour.lstrip("#")[k : k + 2], 16) / 255) for k in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours, 1 to 21 (AA asks 4.5 for text, 3 for large text)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@lru_cache(maxsize=65536)
def readable_ink(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill`: on any colour one of them reaches 4.58:1 at least."""
    return "#000000" if contrast_ratio(fill, "#000000") >= contrast_ratio(fill, "#ffffff") else "#ffffff"


def token_inflation_chart(
    data: pd.DataFrame, *, x_title: str, y_title: str, colour_title: str, title: str, language: str = "en",
    large: bool = False,
) -> alt.Chart:
    """Grouped bars: total tokens per tokenizer, one bar per language.

    `data` columns: tokenizer, language, tokens. `language` is the page's (the chart's description).
    """
    languages = sorted(data["language"].unique(), reverse=True)  # pt-BR first
    font = PROJECTOR_FONT if large else 13
    totals = "; ".join(
        f"{tokenizer}: " + ", ".join(f"{row.language} {row.tokens}" for row in rows.itertuples())
        for tokenizer, rows in data.groupby("tokenizer", sort=False)
    )
    details = t("charts.inflation", language, y=y_title, colour=colour_title, totals=totals)
    chart = (
        alt.Chart(data, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar()
        .encode(
            x=alt.X(
                "tokenizer:N",
                title=x_title,
                sort=None,  # the order the lab lists the tokenizers in
                axis=alt.Axis(labelAngle=0, labelFontSize=font, titleFontSize=font, labelLimit=400),
            ),
            xOffset=alt.XOffset("language:N", sort=languages),
            y=alt.Y("tokens:Q", title=y_title, axis=alt.Axis(labelFontSize=font, titleFontSize=font)),
            color=alt.Color(
                "language:N",
                title=colour_title,
                sort=languages,
                scale=alt.Scale(domain=languages, range=list(OKABE_ITO[: len(languages)])),
                legend=alt.Legend(labelFontSize=font, titleFontSize=font, orient="top"),
            ),
            tooltip=["tokenizer:N", "language:N", "tokens:Q"],
        )
        .properties(height=360 if large else 300)
    )
    return readable(described(chart, kind="bars", title=title, details=details, language=language), large)


def inflation_totals(rows) -> pd.DataFrame:
    """InflationRow records -> one row per (tokenizer, language) with the summed token count."""
    frame = pd.DataFrame([{"tokenizer": r.tokenizer, "language": r.language, "tokens": r.n_tokens} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=["tokenizer", "language", "tokens"])
    return frame.groupby(["tokenizer", "language"], as_index=False, sort=False)["tokens"].sum()


def decimal_labels(language: str, fmt: str | None = None) -> dict:
    """Axis or legend settings that write tick numbers with the language's decimal symbol ('0,2' in pt-BR).

    `fmt` is a d3 format without grouping ("%", "~g"; default ".2~f"): its one '.' at most becomes the symbol.
    """
    symbol = decimal_symbol(language)
    if symbol == ".":
        return {"format": fmt} if fmt else {}
    return {"format": fmt or ".2~f", "labelExpr": f"replace(datum.label, '.', '{symbol}')"}


HEATMAP_SIDE = (420, 800)  # a fixed-size heatmap's side grows with the text between these (pixels)
# A heatmap that fits its column is as tall as it is wide (square cells), up to about one screen's height, or
# taller where its rows would be thinner than their labels:
HEATMAP_MAX_HEIGHT = {False: 760, True: 560}  # a 1400 x 1000 screen; projector mode at 1280 x 720
HEATMAP_FRAME = 160  # pixels of a heatmap's height that are not rows: its title and its column labels
MASKED_FILL = "#d9d9d9"  # cells at -inf: no colour of the scale can mean minus infinity
TEXT_INK = "#31333F"  # the tokens on a heatmap's axes: the page's text colour, not the theme's light grey
MIN_NUMBER_CELL = 34  # pixels: cells at least this wide have their numbers written in them


def attention_heatmap(
    matrix, labels: list[str], *, title: str, value_title: str, query_title: str = "query", key_title: str = "key",
    language: str = "en", masked_text: str = "−∞", large: bool = False, size: int | None = None,
) -> dict:
    """A (T, T) matrix as a heatmap: rows are the tokens that look, columns the tokens looked at.

    cividis is designed to read the same with colour-vision deficiencies; cells at -inf are
    drawn grey and labelled, since no colour can mean minus infinity. Without `size` the chart takes the
    width of its column (`ui.vega.show(chart, width="stretch")`) and its height follows that width in the
    browser, so cells stay about square up to HEATMAP_MAX_HEIGHT; the numbers show in the cells, and the
    column labels turn upright, once the cells are wide enough for them. `size` fixes the side instead
    (pixels, axis labels included). Numbers are written for `language` (pt-BR: decimal comma) in the cells
    and the tooltip.

    Written as the Vega-Lite spec Altair produced for it (one dict per layer, the cells' table once): every
    student's sentence gives other matrices, so a class opening the attention lab builds four each at once,
    and Altair's objects (a deep copy of the whole chart at every method) and their to_dict took 35 ms a
    heatmap, more than half of the page's Python time. Tests validate it against the Vega-Lite schema.
    """
    import numpy as np

    T = len(labels)
    values = np.asarray(matrix, dtype=float)
    finite = np.isfinite(values)
    flat, flat_finite = values.ravel(), finite.ravel()
    low, high = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 1.0)
    if high == low:  # one value only (the mask: all 0): draw it at the light end of the scale
        low = high - 1
    # The domain is given, not left to Vega, so each cell's colour is known here and its number can be written
    # in the ink that contrasts most with it (WCAG AA, 4.5:1, in every cell; the -inf cells are light grey).
    fills = [c if f else MASKED_FILL for c, f in zip(cividis_many((np.where(flat_finite, flat, low) - low) / (high - low)), flat_finite)]
    finite_or_zero = np.where(flat_finite, flat, 0.0)
    shown, short = fmt_floats(finite_or_zero, language, 4), fmt_floats(finite_or_zero, language, 2)
    cells = [
        {"query": labels[n // T], "key": labels[n % T], "value": value if ok else None,
         "shown": long if ok else masked_text, "short": brief if ok else masked_text, "masked": not ok,
         "ink": readable_ink(fill)}
        for n, (value, ok, long, brief, fill) in enumerate(zip(flat.tolist(), flat_finite.tolist(), shown, short, fills))
    ]  # row by row: (query i, key j) is cell i * T + j
    font = PROJECTOR_FONT if large else 13
    fits = size is None
    side = size if size is not None else min(HEATMAP_SIDE[1], max(HEATMAP_SIDE[0], (48 if large else 34) * T))
    # Vega's `width` is the width of the cells' area, in the browser: the column's width less the labels and legend
    cell = f"(width / {max(T, 1)})" if fits else str(side / max(T, 1))
    label_px = max((len(label) for label in labels), default=1) * font * 0.62 + 8  # the widest label, upright
    upright = f"{cell} >= {label_px:.0f}"
    axis = {"labelFontSize": font, "titleFontSize": font, "labelLimit": 160 if fits or side >= 400 else 90,
            "labelOverlap": False, "labelColor": TEXT_INK}
    slanted = f"{cell} >= {font * 1.3:.0f} ? -60 : -90"  # narrow cells: labels straight up, or they overlap
    x_axis = {**axis, "labelAngle": {"expr": f"{upright} ? 0 : {slanted}"},
              "labelAlign": {"expr": f"{upright} ? 'center' : 'right'"},
              "labelBaseline": {"expr": f"{upright} ? 'top' : 'middle'"}}
    where = {
        "x": {"field": "key", "type": "nominal", "sort": list(labels), "title": None, "axis": x_axis},
        "y": {"field": "query", "type": "nominal", "sort": list(labels), "title": None, "axis": axis},
        "tooltip": [{"field": "query", "type": "nominal", "title": query_title},
                    {"field": "key", "type": "nominal", "title": key_title},
                    {"field": "shown", "type": "nominal", "title": value_title}],
    }
    legend = None if not finite.any() or float(values[finite].min()) == float(values[finite].max()) else decimal_labels(language)
    colour = {"field": "value", "type": "quantitative", "title": value_title, "legend": legend,
              "scale": {"scheme": "cividis", "domain": [low, high], "zero": False, "nice": False}}
    layers = [{"mark": {"type": "rect"}, "transform": [{"filter": "!datum.masked"}], "encoding": {**where, "color": colour}}]
    if not finite.all():  # a layer of its own: a colour encoding drops rows whose value is null. Only when there
        # are such cells: an empty layer is an unnamed graphic to a screen reader (axe-core svg-img-alt)
        layers.append({"mark": {"type": "rect", "color": MASKED_FILL}, "transform": [{"filter": "datum.masked"}],
                       "encoding": dict(where)})
    row = f"(height / {max(T, 1)})" if fits else str(side / max(T, 1))
    if fits or side / max(T, 1) >= MIN_NUMBER_CELL:  # wide and tall enough cells: print the numbers in them
        roomy = f"{cell} >= {MIN_NUMBER_CELL} && {row} >= {font + 2}"
        # the numbers' ink is a colour of its own, not on the cells' scale (resolved apart below: one shared
        # colour scale fails to compile)
        layers.append({"mark": {"type": "text", "fontSize": font - 1, "opacity": {"expr": f"{roomy} ? 1 : 0"}},
                       "encoding": {**where, "text": {"field": "short", "type": "nominal"},
                                    "color": {"field": "ink", "type": "nominal", "scale": None}}})
    n_masked = int((~flat_finite).sum())
    details = t("charts.heatmap", language, n=T, query=query_title, looked_at=key_title, value=value_title,
                low=fmt_float(float(values[finite].min()) if finite.any() else 0.0, language, 2),
                high=fmt_float(float(values[finite].max()) if finite.any() else 0.0, language, 2))
    if n_masked:
        details += " " + t("charts.heatmap_masked", language, n=n_masked, masked=masked_text)
    chart = {"layer": layers, "data": {"name": "cells"}, "datasets": {"cells": cells},
             "title": {"text": title, "fontSize": font + 2}, "resolve": {"scale": {"color": "independent"}}}
    if fits:  # Vega's own `height` signal, redefined: as tall as the chart is wide, up to about a screen, and
        # taller where rows would be thinner than their labels (many tokens, a narrow column, projector mode)
        least = T * (font + 4) + HEATMAP_FRAME
        chart.update(width="container", height=side,
                     params=[{"name": "height", "expr": f"max(min(width, {HEATMAP_MAX_HEIGHT[large]}), {least})"}])
    else:
        chart.update(width=side, height=side)
    return readable(described(chart, kind="heatmap", title=title, details=details, language=language), large)


def attention_bars(
    weights_row, labels: list[str], *, title: str, value_title: str, key_title: str = "key", language: str = "en",
    large: bool = False,
) -> alt.Chart:
    """Where one token looks: one bar per token it can attend to."""
    frame = pd.DataFrame(
        {"key": labels, "weight": list(weights_row), "shown": [fmt_float(float(w), language, 4) for w in weights_row]}
    )
    font = PROJECTOR_FONT if large else 12
    details = t("charts.attention_bars", language, n=len(labels), value=value_title,
                top=top_items(labels, list(weights_row), language))
    chart = (
        alt.Chart(frame, title=alt.TitleParams(title, fontSize=font + 2))
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            x=alt.X("key:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-60, labelFontSize=font, labelLimit=160)),
            y=alt.Y("weight:Q", title=value_title, scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(labelFontSize=font, **decimal_labels(language))),
            tooltip=[alt.Tooltip("key:N", title=key_title), alt.Tooltip("shown:N", title=value_title)],
        )
        .properties(height=340 if large else 260)
    )
    return readable(described(chart, kind="bars", title=title, details=details, language=language), large)
