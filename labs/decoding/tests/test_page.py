"""AppTest of the decoding lab's page, in both languages, with the bad inputs a student will try."""

from __future__ import annotations

import inspect

import pytest
from streamlit.testing.v1 import AppTest

import course
from gptlab.i18n import fmt_int, t
from tests.apptest import run_app


DECODING = course.lesson("decoding").page


def _generated(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if 'class="gl-gen"' in m.value]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_decoding_page_without_the_decoder_teaches_and_says_why(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))  # nothing prepared here
    at = run_app(lang, DECODING)
    assert t("decoding.needs_decoder", lang) in [w.value for w in at.warning]
    headers = [h.value for h in at.header]
    assert len(headers) >= 12  # every lesson section is there, widgets or not
    assert not at.error


def test_decoding_page_asks_for_a_prompt(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", DECODING)
    at.text_area(key="decoding.prompt").set_value("").run()
    assert t("decoding.empty", "en") in [i.value for i in at.info]
    at.text_area(key="decoding.prompt").set_value("  \n ").run()
    assert t("decoding.empty", "en") in [i.value for i in at.info]
    assert not at.exception


def test_decoding_url_values_out_of_range_are_clamped_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path))
    at = run_app("en", DECODING, temperature="9", top_k="-5", top_p="abc", max_new="5000", seed="nan", draws="1e9")
    assert at.session_state["decoding.temperature"] == 2.0
    assert at.session_state["decoding.top_k"] == 0
    assert at.session_state["decoding.top_p"] == 1.0  # unreadable: the default
    assert at.session_state["decoding.max_new"] == 200
    assert at.session_state["decoding.seed"] == 42
    assert at.session_state["decoding.draws"] == 10_000
    toasts = [el.value for el in at.get("toast")]
    assert any("temperature" in x and "2" in x for x in toasts), toasts
    assert any("top_p" in x for x in toasts)


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_decoding_page_on_the_real_model(prepared_decoder, lang):
    at = run_app(lang, DECODING)
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("decoding.metric.kept", lang)] == fmt_int(262_144, lang)  # defaults cut nothing
    for key in ("decoding.steps.header", "decoding.draws.header", "decoding.sbs.header", "decoding.grid.header"):
        assert t(key, lang) in [s.value for s in at.subheader]
    assert len(at.get("vega_lite_chart")) == 2  # distribution, draws
    at.slider(key="decoding.max_new").set_value(12).run()
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    boxes = _generated(at)
    filled = [b for b in boxes if 'class="gl-chip gl-inline"' in b]
    assert len(filled) >= 6  # greedy, T, top-k, top-p, combination, beam
    # Each strategy's name and text are one element (a page redraws them after every step of a generation)
    assert sum(b.startswith(f"**{t('decoding.name.greedy', lang)}**") for b in filled) == 1
    first = filled
    at.button(key="decoding.sbs.go").click().run()  # same prompt, settings and seed: same texts
    assert [b for b in _generated(at) if 'class="gl-chip gl-inline"' in b] == first
    repetition = next(d.value for d in at.dataframe if "distinct-2" in d.value.columns)
    names = list(repetition[t("decoding.col.strategy", lang)])
    assert names[0] == t("decoding.name.greedy", lang) and names[-1] == t("decoding.name.beam", lang, beams=4)
    assert len(names) == 7 and any(n.startswith(t("decoding.name.yours", lang, name="")) for n in names)  # T 1: plain sampling
    result = at.session_state["decoding.sbs.result"]
    assert result["complete"] and all(1 <= len(r.tokens) <= 12 for r in result["state"].rows)


@pytest.mark.real_models
def test_generate_reaches_the_worker_at_the_top_of_the_run_once(prepared_decoder, monkeypatch):
    from labs.decoding import widgets as ui_dec
    from ui import models as ui_models

    at = run_app("en", DECODING)
    at.slider(key="decoding.max_new").set_value(4).run()
    submitted = []
    submit = ui_dec._submit

    def recorded(request, stop_ids):
        handle = submit(request, stop_ids)
        submitted.append((inspect.stack()[1].function, handle))
        return handle

    def left_over() -> dict:
        return at.session_state[ui_models.EARLY_KEY] if ui_models.EARLY_KEY in at.session_state else {}

    monkeypatch.setattr(ui_dec, "_submit", recorded)
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [caller for caller, _ in submitted] == ["start_early"]  # before the widgets above redrew; not twice
    result = at.session_state["decoding.sbs.result"]
    assert result["complete"] and all(1 <= len(r.tokens) <= 4 for r in result["state"].rows)
    assert not left_over()  # the widget took it
    # A run interrupted before the widget took its generation (Stop pressed while the page redrew): the next
    # run cancels it, and a run without the button submits nothing.
    monkeypatch.setattr(ui_models, "take_early", lambda key, request: None)
    at.button(key="decoding.sbs.go").click().run()
    left = submitted[1][1]
    assert [caller for caller, _ in submitted[1:]] == ["start_early", "stream"] and left_over()
    assert not left._request.cancelled.is_set()
    at.run()
    assert left._request.cancelled.is_set() and not left_over() and len(submitted) == 3
    # Another page opened instead: the router cancels it there too.
    at.button(key="decoding.sbs.go").click().run()
    left = submitted[3][1]
    at.switch_page(course.HOME.page).run()
    assert left._request.cancelled.is_set() and not left_over()


@pytest.mark.real_models
def test_decoding_settings_reshape_the_distribution(prepared_decoder):
    at = run_app("en", DECODING)
    kept = lambda: {m.label: m.value for m in at.metric}[t("decoding.metric.kept", "en")]  # noqa: E731
    at.slider(key="decoding.top_p").set_value(0.5).run()
    assert 1 < int(kept().replace(",", "")) < 1000
    at.slider(key="decoding.top_p").set_value(0.0).run()
    assert kept() == "1" and t("decoding.note.top_p_zero", "en") in [i.value for i in at.info]
    at.slider(key="decoding.top_p").set_value(1.0).run()
    at.number_input(key="decoding.top_k").set_value(300_000).run()
    assert kept() == "262,144"
    assert t("decoding.note.top_k_vocab", "en", k="300,000", vocab="262,144") in [i.value for i in at.info]
    at.number_input(key="decoding.top_k").set_value(5).run()
    assert kept() == "5"
    at.slider(key="decoding.temperature").set_value(0.0).run()
    assert kept() == "1" and t("decoding.note.greedy", "en") in [i.value for i in at.info]
    assert at.query_params["temperature"] in ("0", ["0"]) and at.query_params["top_k"] in ("5", ["5"])
    assert not at.exception


@pytest.mark.real_models
def test_decoding_step_by_step_pick_sample_undo(prepared_decoder):
    at = run_app("en", DECODING)
    at.button(key="decoding.steps.add").click().run()
    assert at.session_state["decoding.steps"] and len(at.session_state["decoding.steps"]) == 1
    at.button(key="decoding.steps.sample").click().run()
    steps = list(at.session_state["decoding.steps"])
    assert len(steps) == 2
    at.button(key="decoding.steps.undo").click().run()
    assert list(at.session_state["decoding.steps"]) == steps[:1]
    at.button(key="decoding.steps.sample").click().run()
    assert list(at.session_state["decoding.steps"]) == steps  # the sampler's pick is seeded
    at.button(key="decoding.steps.reset").click().run()
    assert list(at.session_state["decoding.steps"]) == []
    assert not at.exception and not at.error


@pytest.mark.real_models
def test_decoding_bad_prompts(prepared_decoder):
    at = run_app("en", DECODING)
    at.slider(key="decoding.max_new").set_value(4).run()
    at.text_area(key="decoding.prompt").set_value("palavra " * 2_000).run()  # far beyond the 1,024-token window
    warning = next(w.value for w in at.warning if "window" in w.value)
    assert "1,024" in warning
    at.text_area(key="decoding.prompt").set_value("</script><script>alert(1)</script> <b>x</b> 😀 ação").run()
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error
    html = "\n".join(_generated(at))
    assert "<script>" not in html and "&lt;/script&gt;" in html




@pytest.mark.real_models
def test_the_notebooks_cells_run_on_gemma(prepared_decoder):
    from labs.decoding import settings as S

    at = run_app("en", DECODING)
    at.button(key="decoding.notebook.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    for key, rows in ((S.NOTEBOOK_CONTINUATION_KEY, 2), (S.NOTEBOOK_GRID_KEY, 9)):
        entry = at.session_state[key]
        assert entry["complete"] and entry["request"].model == "gemma-3-270m" and len(entry["state"].rows) == rows
        assert all(r.tokens for r in entry["state"].rows)
    assert t("decoding.notebook.cell11", "en") in [m.value.strip("*") for m in at.markdown]


@pytest.mark.real_models
def test_a_run_draws_each_text_once_and_decodes_no_token_twice(prepared_decoder, monkeypatch):
    """After a generation the stream's last drawing stays (no second one of the same state), and the page
    runs that follow (a slider, Generate's own run) decode nothing again: the texts and their token tables
    read the widget's kept pieces. The tables still hold every token."""
    from labs.decoding import widgets as ui_dec

    at = run_app("en", DECODING)
    at.slider(key="decoding.max_new").set_value(5).run()
    boxes, decodes = [], []
    box, pieces = ui_dec.generated_box, ui_dec.G.pieces
    monkeypatch.setattr(ui_dec, "generated_box", lambda *a: boxes.append(len(a[1])) or box(*a))
    monkeypatch.setattr(ui_dec.G, "pieces", lambda tok, ids, before=(): decodes.append(len(ids)) or pieces(tok, ids, before))
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    rows = at.session_state["decoding.sbs.result"]["state"].rows
    finals = [len(r.tokens) for r in rows]
    # each strategy's final text once (the stream's), where a second drawing of the same state doubled them
    assert sorted(n for n in boxes if n == max(finals)) == sorted(n for n in finals if n == max(finals))
    tables = [d.value for d in at.dataframe if t("decoding.col.model_p", "en") in d.value.columns]
    assert [len(df) for df in tables] == finals
    assert all(list(df[t("decoding.col.step", "en")]) == list(range(1, len(df) + 1)) for df in tables)
    decodes.clear()
    at.slider(key="decoding.draws").set_value(20).run()  # a page run that draws the last generation again
    assert not at.exception and [n for n in decodes if n] == []  # (the step by step's empty list: no token)
    assert [len(d.value) for d in at.dataframe if t("decoding.col.model_p", "en") in d.value.columns] == finals


def test_the_piece_cache_returns_an_unchanged_row_without_decoding(gemma_tokenizer):
    from labs.decoding import widgets as ui_dec

    calls = []

    class Counting:
        def decode(self, ids):
            calls.append(tuple(ids))
            return gemma_tokenizer.decode(ids)

    cache = ui_dec.PieceCache(Counting(), [2, 651, 1553])
    ids = gemma_tokenizer("Olá, mundo 🙂 e mais", add_special_tokens=False)["input_ids"]
    first = cache.pieces(0, ids)
    assert "".join(first) == gemma_tokenizer.decode(ids) and calls
    calls.clear()
    assert cache.pieces(0, ids) == first and calls == []
    assert cache.pieces(0, ids + [ids[0]])[: len(first) - 2] == first[:-2] and calls  # one more: the last ones redone


@pytest.mark.real_models
def test_a_worker_failing_after_an_undrawn_state_leaves_that_state_on_screen(prepared_decoder, monkeypatch):
    """In a class a page skips drawings (Redraws); if the worker then fails, the page draws the newest state it
    kept before saying what went wrong, so the texts on screen are the ones the session holds."""
    from gptlab.nn import generation as G
    from labs.decoding import widgets as ui_dec

    class FailingInAClass:
        def __init__(self, request):
            rows = len(request.strategies)
            self.states_ = [G.GenerationState(step=n, max_new_tokens=9, rows=tuple(
                G.RowResult(tuple(G.Chosen(1000 + i, 0.5, 0.5) for i in range(n)), False, False) for _ in range(rows)))
                for n in (1, 2, 3)]

        def states(self, timeout):
            yield from self.states_  # 30 ms apart at most: in a class of 40 only the first is due
            raise RuntimeError("the worker failed")

        def sharing(self):
            return 40

        def cancel(self):
            pass

    at = run_app("en", DECODING)
    monkeypatch.setattr(ui_dec, "_submit", lambda request, stop_ids: FailingInAClass(request))
    at.button(key="decoding.sbs.go").click().run()
    assert not at.exception
    assert any("RuntimeError" in e.value for e in at.error)  # the page's message, in the student's language
    filled = [b for b in _generated(at) if 'class="gl-chip gl-inline"' in b]
    assert filled and all(b.count('class="gl-chip gl-inline"') == 3 for b in filled), [b.count("gl-chip") for b in filled]
    assert at.session_state["decoding.sbs.result"]["state"].step == 3
