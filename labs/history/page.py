"""History lesson: GPT-1's input formats built from your text, in-context learning live, the timeline."""

import altair as alt
import pandas as pd
import streamlit as st

from gptlab import models
from gptlab.charts import OKABE_ITO, decimal_labels, described, readable
from gptlab.i18n import fmt_int, fmt_number, fmt_percent, t
from gptlab.takeaway.code import Gpt1InputSettings, InContextSettings
from labs.history import gpt1_inputs as g1
from labs.history import in_context as icl
from labs.history import timeline as tl
from labs.history import settings as S
from labs.history import widgets as ui_hist
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.frame import markdown_escape
from ui.params import load_from_url, write_to_url
from ui import vega

lang = frame.language()
PARAMS = S.url_params(lang)  # shareable settings: ?task=similarity&icl=capitals&shots=3
load_from_url(PARAMS, "history", lang)
les = lesson_ui.lesson("history", lang)
lesson_ui.header(les)
shelf = Shelf("history", lang)  # the code of each view, and the lab as a notebook
lesson_ui.sections(les, "intro", "gpt1-architecture", "gpt1-objectives", "gpt1-input-formats")


# --- 1. GPT-1's input for each task ---------------------------------------------------------------------
def gpt1_builder() -> None:
    task = st.radio(t("history.gpt1.task", lang), g1.TASKS, horizontal=True, key=S.TASK_KEY,
                    format_func=lambda x: t(f"history.gpt1.task.{x}", lang))
    text_key, second_key = f"history.gpt1.text.{task}.{lang}", f"history.gpt1.second.{task}.{lang}"
    st.session_state.setdefault(text_key, t(f"history.gpt1.default.text.{task}", lang))
    text = st.text_input(t(f"history.gpt1.text.{task}", lang), key=text_key, max_chars=g1.MAX_PART_CHARS)
    second, choices = "", ()
    if task in ("entailment", "similarity"):
        st.session_state.setdefault(second_key, t(f"history.gpt1.default.second.{task}", lang))
        second = st.text_input(t(f"history.gpt1.second.{task}", lang), key=second_key, max_chars=g1.MAX_PART_CHARS)
    if task == "multiple_choice":
        choices_key = f"history.gpt1.choices.{lang}"
        st.session_state.setdefault(choices_key, t("history.gpt1.default.choices", lang))
        box = st.text_area(t("history.gpt1.choices", lang, n=g1.MAX_CHOICES), key=choices_key, height=110,
                           max_chars=g1.MAX_CHOICES * (g1.MAX_PART_CHARS + 1))
        choices = tuple(box.splitlines())
    try:
        built = g1.build(task, ui_models.gpt2_tokenizer(), text=text, second=second, choices=choices)
    except g1.InputError as problem:
        field = {"text": t(f"history.gpt1.text.{task}", lang), "choices": t("history.gpt1.choices", lang, n=g1.MAX_CHOICES)}
        field["second"] = t(f"history.gpt1.second.{task}", lang) if task in ("entailment", "similarity") else ""
        st.info(t(f"history.gpt1.problem.{problem.problem}", lang, field=field[problem.field],
                  n=g1.MAX_CHOICES if problem.problem == "too_many" else g1.MAX_PART_CHARS), icon=":material/edit:")
        return
    n = len(built.sequences)
    for i, sequence in enumerate(built.sequences, start=1):
        st.markdown(f"**{t('history.gpt1.sequence', lang, i=i, n=n, tokens=fmt_int(len(sequence), lang))}**")
        st.html(ui_hist.sequence_html(sequence))
        st.caption(t("history.gpt1.as_text", lang, tokens=markdown_escape(ui_hist.sequence_text(sequence))))
        if len(sequence) > g1.GPT1_CONTEXT:
            st.warning(t("history.gpt1.too_long_for_gpt1", lang, i=i, tokens=fmt_int(len(sequence), lang),
                         context=fmt_int(g1.GPT1_CONTEXT, lang)))
    st.markdown(t(f"history.gpt1.combine.{built.combine}", lang, n=n))
    st.caption(t("history.gpt1.legend", lang))
    shelf.show("gpt1_inputs", Gpt1InputSettings(task, text.strip(), second.strip(),
                                                tuple(c.strip() for c in choices if c.strip())))


with st.container(border=True), frame.contained(lang):
    gpt1_builder()

lesson_ui.sections(les, "gpt2", "gpt3", "in-context-learning")


# --- 2. in-context learning, live ---------------------------------------------------------------------
def icl_task() -> icl.FewShotTask | None:
    presets = icl.presets(lang)
    preset = st.selectbox(t("history.icl.preset", lang), tuple(presets), key=S.preset_key(lang),
                          format_func=lambda x: t(f"history.icl.preset.{x}", lang))
    chosen = presets[preset]
    fields = {"instruction": chosen.instruction, "examples": icl.examples_text(chosen.examples),
              "query": chosen.query, "answer": chosen.answer}
    # A new preset fills the four fields; edits to them are kept until the preset changes again.
    if st.session_state.get("history.icl.loaded") != (lang, preset):
        for name, value in fields.items():
            st.session_state[f"history.icl.{name}"] = value
        st.session_state["history.icl.loaded"] = (lang, preset)
    instruction = st.text_input(t("history.icl.instruction", lang), key="history.icl.instruction",
                                max_chars=icl.MAX_INSTRUCTION_CHARS)
    examples = st.text_area(t("history.icl.examples", lang, n=icl.MAX_EXAMPLES), key="history.icl.examples",
                            height=200, max_chars=(icl.MAX_EXAMPLES + 2) * (2 * icl.MAX_FIELD_CHARS + 4))
    left, right = st.columns(2)
    query = left.text_input(t("history.icl.query", lang), key="history.icl.query", max_chars=icl.MAX_FIELD_CHARS)
    answer = right.text_input(t("history.icl.answer", lang), key="history.icl.answer", max_chars=icl.MAX_FIELD_CHARS)
    try:
        return icl.make_task(instruction, examples, query, answer)
    except icl.ExampleFormatError as problem:
        st.info(t(f"history.icl.problem.{problem.problem}", lang, line=problem.line,
                  n=icl.MAX_FIELD_CHARS if problem.problem == "too_long" else icl.MAX_EXAMPLES), icon=":material/edit:")
    except ValueError as problem:
        name = str(problem).split(":")[0]
        limit = icl.MAX_INSTRUCTION_CHARS if name == "instruction" else icl.MAX_FIELD_CHARS
        st.info(t("history.icl.problem.field", lang, field=t(f"history.icl.{name}", lang, n=icl.MAX_EXAMPLES), n=limit),
                icon=":material/edit:")
    return None


def icl_chart(frame_: pd.DataFrame) -> alt.Chart:
    y_axis = alt.Axis(**decimal_labels(lang, "%"))
    base = alt.Chart(frame_).encode(
        x=alt.X("shots:O", title=t("history.icl.x", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", title=t("history.icl.y", lang), scale=alt.Scale(domain=[0, 1]), axis=y_axis),
        tooltip=[alt.Tooltip("shots:O", title=t("history.icl.col.shots", lang)),
                 alt.Tooltip("probability_text:N", title=t("history.icl.col.probability", lang))],
    )
    line = base.mark_line(color=OKABE_ITO[0], strokeWidth=3) + base.mark_point(color=OKABE_ITO[0], size=90, filled=True)
    details = t("history.icl.a11y", lang, x=t("history.icl.x", lang), each="; ".join(
        f"{k}: {p}" for k, p in zip(frame_["shots"], frame_["probability_text"])))
    chart = described(line.properties(height=320).configure_axis(labelFontSize=13, titleFontSize=14), kind="lines",
                      title=t("history.icl.y", lang), details=details, language=lang)
    return readable(chart, frame.projector_mode())


def in_context_widget() -> None:
    task = icl_task()
    if task is None:
        return
    if not task.examples:
        st.info(t("history.icl.no_examples", lang))
    top = max(len(task.examples), 1)
    st.session_state[S.MAX_SHOTS_KEY] = min(int(st.session_state.get(S.MAX_SHOTS_KEY, top)), top)
    max_shots = st.slider(t("history.icl.max_shots", lang), 0, top, key=S.MAX_SHOTS_KEY,
                          disabled=not task.examples)
    max_shots = min(max_shots, len(task.examples))
    if not models.decoder_ready():
        ui_models.ensure_preparation_started()
        st.warning(t("history.needs_decoder", lang))
        return
    results = ui_hist.shot_curve(task, max_shots, lambda k, n: t("history.icl.progress", lang, k=k, n=n))
    tokenizer = ui_models.gemma_tokenizer()
    pct = lambda p: fmt_percent(p, lang)  # noqa: E731
    best = max(results, key=lambda r: r.score.prob)
    st.markdown(t("history.icl.summary", lang, p0=pct(results[0].score.prob), k=results[-1].shots,
                  pk=pct(results[-1].score.prob), best=pct(best.score.prob), best_k=best.shots,
                  answer=markdown_escape(task.answer)))
    frame_ = pd.DataFrame({"shots": [r.shots for r in results], "probability": [r.score.prob for r in results],
                           "probability_text": [pct(r.score.prob) for r in results]})
    chart_col, table_col = st.columns(2)
    vega.show(icl_chart(frame_), width="stretch", place=chart_col)
    table = pd.DataFrame({
        t("history.icl.col.shots", lang): [r.shots for r in results],
        t("history.icl.col.probability", lang): [pct(r.score.prob) for r in results],
        t("history.icl.col.rank", lang): [fmt_int(r.score.first_rank, lang) for r in results],
        t("history.icl.col.top", lang): [repr(tokenizer.decode([r.score.top_next[0][0]])) for r in results],
    })
    table_col.markdown(f"**{t('history.icl.table', lang)}**")
    table_col.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("history.icl.caption", lang))
    with st.expander(t("history.icl.show_prompt", lang)):
        k = st.select_slider(t("history.icl.k", lang), [r.shots for r in results], value=results[-1].shots,
                             key="history.icl.prompt_k") if len(results) > 1 else 0
        st.code(icl.build_prompt(task, k) + f" {task.answer}", language=None)
    shelf.show("in_context", InContextSettings(task.instruction, tuple((e.input, e.output) for e in task.examples),
                                               task.query, task.answer, max_shots))


with st.container(border=True), frame.contained(lang):
    in_context_widget()

lesson_ui.sections(les, "after-gpt3", "timeline")


# --- 3. the timeline --------------------------------------------------------------------------------------
def timeline_widget() -> None:
    data = tl.table()
    titles = tl.TimelineTitles(
        x=t("history.timeline.x", lang), y=t("history.timeline.y", lang), model=t("history.timeline.model", lang),
        organisation=t("history.timeline.organisation", lang), parameters=t("history.timeline.parameters", lang),
        weights=t("history.timeline.weights", lang),
    )
    # the whole width: beside the table the labels of 2021-2025 ran into each other
    vega.show(tl.timeline_chart(data, titles, lang, large=frame.projector_mode()), width="stretch")
    undisclosed = t("history.timeline.undisclosed", lang)
    number = lambda x: undisclosed if pd.isna(x) else fmt_number(x, lang, 3)  # noqa: E731
    shown = pd.DataFrame({
        t("history.timeline.model", lang): data["name"],
        t("history.timeline.x", lang): data["date"],
        t("history.timeline.parameters", lang): [undisclosed if pd.isna(x) else tl.parameters_text(x, a, lang)
                                                 for x, a in zip(data["parameters_b"], data["active_b"])],
        t("history.timeline.tokens", lang): [number(x) if not pd.isna(x) else "—" for x in data["tokens_b"]],
        t("history.timeline.weights", lang): [t(f"history.timeline.weights.{w}", lang) for w in data["weights"]],
    })
    with st.container(key="history-timeline-table"):  # every row and every cell whole, wrapped to the width
        st.table(shown, hide_index=True, border="horizontal")
    hidden = [m.name for m in tl.MILESTONES if m.parameters is None]
    st.caption(t("history.timeline.not_plotted", lang, names=", ".join(hidden)))
    by_name = {m.name: m for m in tl.MILESTONES}
    st.caption(t("history.timeline.ratio", lang,
                 ratio=fmt_int(round(by_name["GPT-3"].parameters / by_name["GPT-1"].parameters), lang)))
    with st.expander(t("history.timeline.source", lang)):
        notes = {m.name: m.note(lang) for m in tl.MILESTONES}
        st.markdown("\n".join(f"- **{m.name}**: {m.source}" + (f" ({notes[m.name]})" if notes[m.name] else "")
                               + f". <{m.url}>" for m in tl.MILESTONES))


with st.container(border=True), frame.contained(lang):
    timeline_widget()

lesson_ui.sections(les, "lessons-learned", "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("history", lang)
