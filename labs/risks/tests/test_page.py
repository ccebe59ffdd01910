"""Risks page: the bias probe, the hallucination demo, prompt sensitivity and the context window, in both languages."""

from __future__ import annotations

import pytest

import course
from gptlab.i18n import t, value
from gptlab.lessons import load_lesson
from labs.risks import bias_probe as B
from labs.risks import context_window as W
from labs.risks import prompt_sensitivity as S
from tests.apptest import all_text, run_app

PAGE = course.lesson("risks").page


def _no_decoder(monkeypatch, tmp_path):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # nothing prepared here


def _infos(at) -> list[str]:
    return [i.value for i in at.info]


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_without_the_decoder_the_lesson_and_inputs_are_there(monkeypatch, tmp_path, lang):
    _no_decoder(monkeypatch, tmp_path)
    at = run_app(lang, PAGE)
    headers = [h.value for h in at.header]
    lesson = load_lesson("risks", lang)
    assert headers == [s.title for s in lesson.sections if s.title] + [t("exercises.header", lang)]
    assert [w.value for w in at.warning].count(t("risks.needs_decoder", lang)) == 4  # one per demo
    assert at.text_input(key=f"risks.bias.template.{lang}").value == value("risks.bias.default_template", lang)
    assert at.text_area(key=f"risks.ctx.text.{lang}").value == value("risks.ctx.default_text", lang)
    assert not at.error and not at.exception


def test_bad_inputs_get_a_message_in_the_users_language(monkeypatch, tmp_path):
    _no_decoder(monkeypatch, tmp_path)
    lang = "pt-BR"
    at = run_app(lang, PAGE)
    template = at.text_input(key=f"risks.bias.template.{lang}")
    for typed, problem in [("Quem trabalha de manhã disse que", "no_slot"), ("", "empty"),
                           ("{profession} e {profession} disseram que", "many_slots")]:
        template.set_value(typed).run()
        assert t(f"risks.bias.problem.{problem}", lang) in _infos(at)
    template.set_value("Quem trabalha como {profession} disse que").run()
    at.text_input(key=f"risks.bias.b.{lang}").set_value("ele").run()
    assert t("risks.bias.bad_candidates", lang, max=B.MAX_CANDIDATE_CHARS) in _infos(at)
    at.text_input(key=f"risks.bias.b.{lang}").set_value("ela").run()
    at.text_area(key=f"risks.bias.professions.{lang}").set_value(" \n , \n").run()
    assert t("risks.bias.no_professions", lang) in _infos(at)
    at.text_area(key=f"risks.bias.professions.{lang}").set_value("\n".join(f"p{i}" for i in range(20))).run()
    assert t("risks.bias.too_many", lang, max=B.MAX_PROFESSIONS) in [w.value for w in at.warning]
    at.text_area(key=f"risks.hall.invented.{lang}").set_value("   ").run()
    assert t("risks.hall.empty", lang) in _infos(at)
    at.text_area(key=f"risks.sens.phrasings.{lang}").set_value("\n\n").run()
    assert t("risks.sens.empty", lang) in _infos(at)
    at.text_area(key=f"risks.ctx.text.{lang}").set_value("").run()
    assert t("risks.ctx.empty", lang) in _infos(at)
    assert not at.error and not at.exception


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_four_demos_on_the_real_model(prepared_decoder, lang):
    at = run_app(lang, PAGE)
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]
    a, b = value("risks.bias.default_a", lang), value("risks.bias.default_b", lang)
    # bias probe: one row per profession, each with its probabilities and the chart
    bias = _table(at, t("risks.bias.col.profession", lang))
    assert sorted(bias[t("risks.bias.col.profession", lang)]) == sorted(value("risks.bias.default_professions", lang))
    assert all(v.endswith(" %") for v in bias[t("risks.bias.col.p", lang, word=a)])
    assert len(at.get("vega_lite_chart")) == 2  # bias bars, phrasing bars
    # hallucination: two shaded continuations with their confidence
    boxes = [m.value for m in at.markdown if 'class="gl-gen"' in m.value]
    assert len(boxes) == 2 and all('class="gl-chip gl-inline"' in box for box in boxes)
    assert t("risks.hall.invented_default", lang) in boxes[0]
    labels = [m.label for m in at.metric]
    assert labels.count(t("risks.hall.metric.mean", lang)) == 2
    assert any(t(k, lang, inv="", ctl="")[:30] in all_text(at) for k in ("risks.hall.verdict_higher", "risks.hall.verdict_lower"))
    # prompt sensitivity: one row per phrasing
    sens = _table(at, t("risks.sens.col.phrasing", lang))
    assert len(sens) == len(S.parse_phrasings(t("risks.sens.phrasings_default", lang)).items)
    # context window: the default window drops the fact, and the answer's probability with it
    metrics = _metrics(at)
    full = metrics[t("risks.ctx.metric.full", lang, answer=W.DEFAULT_ANSWER)]
    cut = metrics[t("risks.ctx.metric.cut", lang, answer=W.DEFAULT_ANSWER, window="128")]
    assert full != cut
    lost = t("risks.ctx.lost.dropped", lang, answer=W.DEFAULT_ANSWER, full=full.removesuffix(" %"),
             cut=cut.removesuffix(" %"), dropped="")
    assert lost in _infos(at)  # the default text's fact is at the start, and the window drops it
    window = next(m.value for m in at.markdown if 'class="gl-window"' in m.value)
    assert ' gl-out"' in window and "Recife" in window  # dropped tokens are marked
    if lang == "pt-BR":
        assert "," in full and "." not in full.replace(" %", "")  # decimal comma


@pytest.mark.real_models
def test_bias_probe_follows_the_template_and_professions(prepared_decoder):
    lang = "en"
    at = run_app(lang, PAGE)
    column = t("risks.bias.col.p", lang, word="he")
    before = list(_table(at, column)[column])
    at.text_input(key=f"risks.bias.template.{lang}").set_value("I asked the {profession} whether").run()
    after = list(_table(at, column)[column])
    assert after != before
    at.text_area(key=f"risks.bias.professions.{lang}").set_value("nurse\n<script>alert(1)</script>\nastronaut 🚀").run()
    assert not at.exception and not at.error
    table = _table(at, column)
    assert sorted(table[t("risks.bias.col.profession", lang)]) == sorted(
        ["nurse", "<script>alert(1)</script>", "astronaut 🚀"])
    at.text_input(key=f"risks.bias.b.{lang}").set_value("they").run()
    assert t("risks.bias.col.p", lang, word="they") in _table(at, column).columns


@pytest.mark.real_models
def test_hallucination_and_sensitivity_follow_their_inputs(prepared_decoder):
    lang = "en"
    at = run_app(lang, PAGE)
    first = [m.value for m in at.markdown if 'class="gl-gen"' in m.value][0]
    at.text_area(key=f"risks.hall.invented.{lang}").set_value("The national anthem of Zarvania begins with the words").run()
    boxes = [m.value for m in at.markdown if 'class="gl-gen"' in m.value]
    assert boxes[0] != first and "national anthem" in boxes[0]
    at.text_input(key=f"risks.hall.expected.{lang}").set_value("1492").run()  # not what the model writes
    assert any("1492" in m.value and "not" in m.value for m in at.markdown)
    column = t("risks.sens.col.p", lang, answer="Paris")
    paris = list(_table(at, column)[column])
    at.text_input(key=f"risks.sens.answer.{lang}").set_value("Lyon").run()
    lyon_column = t("risks.sens.col.p", lang, answer="Lyon")
    assert list(_table(at, lyon_column)[lyon_column]) != paris
    assert not at.exception and not at.error


@pytest.mark.real_models
def test_context_window_slider_and_odd_text(prepared_decoder):
    lang = "en"
    at = run_app(lang, PAGE)
    at.slider(key="risks.ctx.window").set_value(1024).run()
    metrics = _metrics(at)
    assert metrics[t("risks.ctx.metric.full", lang, answer="Recife")] == metrics[
        t("risks.ctx.metric.cut", lang, answer="Recife", window="1,024")]
    assert t("risks.ctx.kept_all", lang) in _infos(at)
    window = next(m.value for m in at.markdown if 'class="gl-window"' in m.value)
    assert ' gl-out"' not in window
    at.text_area(key=f"risks.ctx.text.{lang}").set_value("Nothing else happened that day. " * 300 + "\nMy pet is").run()
    assert not at.exception and not at.error
    assert any("1,024" in w.value for w in at.warning)  # longer than the lab's window: said, not hidden
    at.text_area(key=f"risks.ctx.text.{lang}").set_value(
        "My pet is called <script>alert(1)</script> 🦜 Rex.\n" + "Nothing else happened that day. " * 20 + "\nMy pet is called").run()
    at.text_input(key=f"risks.ctx.answer.{lang}").set_value("Rex").run()
    assert not at.exception and not at.error
    window = next(m.value for m in at.markdown if 'class="gl-window"' in m.value)
    assert "<script>" not in window and "&lt;" in window and "🦜" in window  # markup shown as text, token by token
    at.slider(key="risks.ctx.window").set_value(16).run()
    window = next(m.value for m in at.markdown if 'class="gl-window"' in m.value)
    assert window.count(' gl-in0') + window.count(' gl-in1') == 16  # <bos> and the last 15 tokens


@pytest.mark.real_models
def test_the_context_message_says_where_the_fact_was(prepared_decoder):
    """Moving the fact, as the lesson asks, the message tells what happened to it, never "the first sentence"."""
    lang = "en"
    at = run_app(lang, PAGE)
    text = value("risks.ctx.default_text", lang)
    fact, rest = text.split("\n\n", 1)
    question = rest.index("Question:")
    at.text_area(key=f"risks.ctx.text.{lang}").set_value(f"{rest[:question]}{fact}\n\n{rest[question:]}").run()
    said = "\n".join(_infos(at))
    assert t("risks.ctx.lost.dropped", lang, answer="", full="", cut="", dropped="")[:20] not in said
    assert not at.exception and not at.error
    at.text_area(key=f"risks.ctx.text.{lang}").set_value(text.replace(W.DEFAULT_ANSWER, "a city by the sea")).run()
    said = "\n".join(_infos(at))
    # the text no longer names the answer: if the probability still falls, the message says so
    assert t("risks.ctx.lost.dropped", lang, answer="", full="", cut="", dropped="")[:20] not in said
