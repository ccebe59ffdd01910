"""History page on the real models: GPT-1 builder, in-context learning computed live, the timeline."""

from __future__ import annotations

import pytest

import course
from gptlab.i18n import t
from tests.apptest import all_text, run_app

PAGE = course.lesson("history").page


def icl_table(at, lang):
    frames = [df.value for df in at.dataframe]
    return next(f for f in frames if t("history.icl.col.probability", lang) in f.columns)


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_history_page_renders_every_demo(prepared_decoder, lang):
    at = run_app(lang, page=PAGE)
    text = all_text(at)
    assert t("history.gpt1.legend", lang) in text
    assert t("history.icl.caption", lang) in text
    timeline = next(table.value for table in at.table if t("history.timeline.model", lang) in table.value.columns)
    assert "GPT-3" in timeline[t("history.timeline.model", lang)].tolist()  # a static table: every cell shown whole
    assert len(icl_table(at, lang)) == 9  # 0..8 shots of the default task
    assert len(at.get("vega_lite_chart")) == 2  # in-context curve and timeline


@pytest.mark.real_models
def test_changing_the_number_of_shots_changes_the_computed_probabilities(prepared_decoder):
    at = run_app("en", page=PAGE)
    before = icl_table(at, "en")
    at.slider(key="history.icl.max_shots").set_value(2).run()
    after = icl_table(at, "en")
    assert len(after) == 3 and list(after.iloc[:, 0]) == [0, 1, 2]
    assert list(after.iloc[:, 1]) == list(before.iloc[:3, 1])  # the same prompts give the same numbers
    # A different query gives different numbers: they are computed, not stored.
    at.text_input(key="history.icl.query").set_value("goose").run()
    at.text_input(key="history.icl.answer").set_value("geese").run()
    changed = icl_table(at, "en")
    assert list(changed.iloc[:, 1]) != list(after.iloc[:, 1])
    assert "geese" in all_text(at)


@pytest.mark.real_models
def test_bad_examples_and_fields_get_a_message_not_a_traceback(prepared_decoder):
    at = run_app("pt-BR", page=PAGE)
    at.text_area(key="history.icl.examples").set_value("gato gatos\n").run()
    assert t("history.icl.problem.no_arrow", "pt-BR", line=1) in [i.value for i in at.info]
    at.text_area(key="history.icl.examples").set_value("").run()
    assert t("history.icl.no_examples", "pt-BR") in [i.value for i in at.info]
    at.text_input(key="history.icl.answer").set_value("   ").run()
    assert not at.exception
    assert any("Resposta certa" in i.value for i in at.info)


@pytest.mark.real_models
def test_gpt1_builder_for_each_task_and_bad_input(prepared_decoder):
    at = run_app("en", page=PAGE)
    assert "Sequence 1 of 1" in all_text(at)
    at.radio(key="history.gpt1.task").set_value("multiple_choice").run()
    assert "Sequence 3 of 3" in all_text(at)
    at.radio(key="history.gpt1.task").set_value("similarity").run()
    text = all_text(at)
    assert "Sequence 2 of 2" in text and t("history.gpt1.combine.sum", "en") in text
    at.text_input(key="history.gpt1.text.similarity.en").set_value("<script>alert(1)</script>").run()
    assert not at.exception
    assert "<script>" not in "".join(h.value for h in at.get("html"))  # escaped in the chips
    at.text_input(key="history.gpt1.text.similarity.en").set_value("").run()
    assert t("history.gpt1.problem.empty", "en", field="Sentence 1") in [i.value for i in at.info]
