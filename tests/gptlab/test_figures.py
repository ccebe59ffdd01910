"""Lesson figures: the SVG files in lessons/figures/ and the pipeline drawn from data (gptlab/figures.py).

Every figure a page shows is checked here the way docs/lesson-format.md asks: plain SVG, no script, no
reference outside the file, a viewBox, a title and a description in its language, text of at least 14 px
when drawn 800 px wide, and every line of text inside the picture.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from gptlab import figures as F
from gptlab.i18n import LANGUAGES, t, value
from gptlab.lessons import LESSONS_DIR, load_lessons

NS = "{http://www.w3.org/2000/svg}"
FIGURES = LESSONS_DIR / "figures"
FILES = sorted(FIGURES.glob("*.svg"))
DRAWN = [(lang, stage, n) for lang in LANGUAGES for stage in (None, *F.PIPELINE_STAGES) for n in (None, 18)]
ALLOWED_ELEMENTS = {"svg", "title", "desc", "defs", "marker", "pattern", "g", "rect", "circle", "ellipse", "line",
                    "polyline", "polygon", "path", "text", "tspan"}


def _font_size(element, inherited: float) -> float:
    size = element.get("font-size")
    style = re.search(r"font-size\s*:\s*([0-9.]+)", element.get("style", ""))
    raw = style.group(1) if style else size
    return float(raw.removesuffix("px")) if raw else inherited


def svg_problems(svg: str) -> list[str]:
    """What an SVG breaks of the figure rules; [] when nothing."""
    problems: list[str] = []
    if re.search(r"<script|javascript:|<foreignObject|<image|@import|url\(\s*['\"]?(?!#)", svg, re.I):
        problems.append("script, foreign content, an image or a reference outside the file")
    root = ElementTree.fromstring(svg)
    if root.tag != f"{NS}svg":
        return problems + ["the root is not an <svg> in the SVG namespace"]
    box = [float(x) for x in root.get("viewBox", "").replace(",", " ").split()]
    if len(box) != 4:
        return problems + ["no viewBox"]
    width, height = box[2], box[3]
    scale = F.WIDTH / width  # the size of its text when drawn 800 px wide
    for tag in ("title", "desc"):
        found = root.find(f"{NS}{tag}")
        if found is None or not (found.text or "").strip():
            problems.append(f"no <{tag}>")

    def walk(element, size: float) -> None:
        size = _font_size(element, size)
        local = element.tag.removeprefix(NS)
        if local not in ALLOWED_ELEMENTS:
            problems.append(f"element <{local}> (plain SVG shapes and text only)")
        for name, val in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"event handler {name}")
            if name.endswith("href") and not val.startswith("#"):
                problems.append(f"a link outside the file: {val}")
        if local == "text" and "".join(element.itertext()).strip():
            text = "".join(element.itertext())
            if size * scale < 14:
                problems.append(f"text {text!r} is {size * scale:g} px at a width of 800 (at least 14)")
            x = float(element.get("x", "0").split()[0])
            anchor = element.get("text-anchor", "start")
            extent = F.text_width(text, size) * 0.85  # the estimate is generous; this is "clearly outside"
            left = {"start": x, "middle": x - extent / 2, "end": x - extent}.get(anchor, x)
            if "transform" not in element.attrib and (left < -2 or left + extent > width + 2):
                problems.append(f"text {text!r} runs outside the picture")
            y = float(element.get("y", "0").split()[0])
            if not 0 < y <= height + 2:
                problems.append(f"text {text!r} is below or above the picture")
        for child in element:
            walk(child, size)

    walk(root, 16)  # SVG's initial font size is "medium", 16 px
    return problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_figure_file_follows_the_rules(path):
    assert svg_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("lang, stage, n_layers", DRAWN)
def test_the_drawn_pipeline_follows_the_rules(lang, stage, n_layers):
    assert svg_problems(F.pipeline_svg(lang, n_layers, stage, "Gemma 3 270M" if n_layers else None)) == []


@pytest.mark.parametrize("bad", [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><title>t</title><desc>d</desc>'
    '<script>alert(1)</script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><title>t</title><desc>d</desc>'
    '<rect onclick="alert(1)" width="5" height="5"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><title>t</title><desc>d</desc>'
    '<image href="https://example.com/x.png"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><title>t</title><desc>d</desc>'
    '<rect style="fill:url(https://example.com/p)" width="5" height="5"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><desc>d</desc></svg>',  # no viewBox
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><desc>d</desc></svg>',  # no title
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><title>t</title><desc>d</desc>'
    '<text x="10" y="50" font-size="12">small</text></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 100"><title>t</title><desc>d</desc>'
    '<text x="10" y="50" font-size="16">drawn 1600 wide: 8 px at 800</text></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 100"><title>t</title><desc>d</desc>'
    '<text x="700" y="50" font-size="16">this sentence runs far past the right edge</text></svg>',
])
def test_the_rules_catch_what_they_forbid(bad):
    assert svg_problems(bad)


def test_every_figure_comes_in_every_language_and_every_file_is_used():
    names = {path.name.split(".")[0] for path in FILES}
    for name in names:
        for lang in LANGUAGES:
            assert (FIGURES / f"{name}.{lang}.svg").is_file(), f"{name} has no {lang} file"
    used = {p.title.split()[0] for lang in LANGUAGES for lesson in load_lessons(lang) for s in lesson.sections
            for p in s.parts if p.kind == "figure"}
    assert names - used == set(), f"figure files no lesson shows: {names - used}"
    assert used - names == {F.PIPELINE}


def test_a_figure_file_is_in_its_own_language():
    for lang in LANGUAGES:
        for path in FIGURES.glob(f"*.{lang}.svg"):
            other = [p for p in FIGURES.glob(f"{path.name.split('.')[0]}.*.svg") if p != path]
            title = ElementTree.parse(path).getroot().find(f"{NS}title").text
            assert all(ElementTree.parse(o).getroot().find(f"{NS}title").text != title for o in other), path.name


# --- the pipeline ----------------------------------------------------------------------------------------------

def _texts(svg: str) -> list[str]:
    return ["".join(e.itertext()) for e in ElementTree.fromstring(svg).iter(f"{NS}text")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pipeline_shows_every_stage_in_order_in_its_language(lang):
    texts = _texts(F.pipeline_svg(lang))
    stages = [t(f"figure.pipeline.{key}", lang) for key in
              ("text", "tokens", "ids", "embeddings", "attention", "mlp", "logits", "softmax", "decoding", "next")]
    assert [s for s in texts if s in stages] == stages  # drawn in reading order
    assert t("figure.pipeline.blocks_unknown", lang) in texts  # "N decoder blocks" without a model
    assert value("figure.pipeline.example.next", lang) in texts
    assert t("figure.pipeline.this_lesson", lang) not in texts  # no stage: nothing highlighted


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_number_of_blocks_is_the_models(lang):
    svg = F.pipeline_svg(lang, 18, model="Gemma 3 270M")
    assert t("figure.pipeline.blocks_of", lang, n=18, model="Gemma 3 270M") in _texts(svg)
    assert "18" in F.svg_label(svg)
    assert t("figure.pipeline.blocks", lang, n=12) in _texts(F.pipeline_svg(lang, 12))
    for bad in (0, -3, 2.5, True, "18"):
        with pytest.raises(F.FigureError):
            F.pipeline_svg(lang, bad)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stage", F.PIPELINE_STAGES)
def test_a_stage_is_highlighted_by_an_outline_and_a_label_not_by_colour_alone(lang, stage):
    plain, lit = F.pipeline_svg(lang), F.pipeline_svg(lang, stage=stage)
    assert t("figure.pipeline.this_lesson", lang) in _texts(lit)
    assert lit.count('stroke-dasharray="9 5"') == 1  # one dashed outline around the stage
    assert t(f"figure.pipeline.desc.{stage}", lang) in F.svg_label(lit)  # said in words too
    assert F.FADED_FILL not in plain and F.FADED_FILL in lit  # the rest steps back


def test_the_pipeline_is_pure_and_deterministic():
    assert F.pipeline_svg("en", 18, "attention") == F.pipeline_svg("en", 18, "attention")
    assert F.pipeline_svg("en") != F.pipeline_svg("pt-BR")
    with pytest.raises(F.FigureError):
        F.pipeline_svg("en", stage="sampling")


@pytest.mark.parametrize("spec, expected", [
    ("pipeline", ("pipeline", {})),
    ("pipeline stage=decoding", ("pipeline", {"stage": "decoding"})),
    ("attention-causal-mask", ("attention-causal-mask", {})),
])
def test_figure_options(spec, expected):
    assert F.figure_options(spec) == expected


@pytest.mark.parametrize("spec", ["pipeline stage", "pipeline stage=nope", "pipeline colour=red",
                                  "attention-causal-mask stage=attention", "pipeline =x"])
def test_figure_options_refuse_what_a_figure_does_not_have(spec):
    with pytest.raises(F.FigureError):
        F.figure_options(spec)


def test_the_alt_text_is_the_svgs_title_and_description():
    svg = (FIGURES / "finetuning-loop.en.svg").read_text(encoding="utf-8")
    root = ElementTree.fromstring(svg)
    label = F.svg_label(svg)
    assert label.startswith(root.find(f"{NS}title").text.strip().rstrip("."))
    assert " ".join(root.find(f"{NS}desc").text.split())[:60] in label


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_examples_tokens_and_ids_are_gemmas(lang, gemma_tokenizer):
    """The figure's example is what the lab's tokenizer really does to its sentence."""
    ids = gemma_tokenizer(value("figure.pipeline.example.text", lang))["input_ids"]
    assert ids == value("figure.pipeline.example.ids", lang)
    pieces = gemma_tokenizer.convert_ids_to_tokens(ids)
    assert pieces == value("figure.pipeline.example.tokens", lang)
    next_piece = value("figure.pipeline.example.next", lang)
    assert len(gemma_tokenizer.convert_tokens_to_ids([next_piece])) == 1
    assert gemma_tokenizer.convert_tokens_to_ids(next_piece) != gemma_tokenizer.unk_token_id


def test_the_home_page_and_three_lessons_show_the_pipeline():
    for lang in LANGUAGES:
        shown = {lesson.id: [p.title for s in lesson.sections for p in s.parts
                             if p.kind == "figure" and p.title.startswith(F.PIPELINE)]
                 for lesson in load_lessons(lang)}
        assert shown["home"] == ["pipeline"]
        for stage in F.PIPELINE_STAGES:
            assert shown[stage] == [f"pipeline stage={stage}"]


def test_figure_paths_are_inside_the_figures_folder():
    """A figure name never leaves lessons/figures (no '/', no '..')."""
    for lang in LANGUAGES:
        for lesson in load_lessons(lang):
            for s in lesson.sections:
                for p in s.parts:
                    if p.kind == "figure":
                        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", F.figure_options(p.title)[0]), p.title
    assert Path(FIGURES).resolve().parent == LESSONS_DIR.resolve()
