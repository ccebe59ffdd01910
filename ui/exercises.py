"""The one exercise widget every lesson page ends with: `render(lesson_id, lang)`.

Answer keys stay on the server: choices are shown by their text, shuffled per attempt, and only
after a check are the chosen choices' explanations shown. Nothing is graded (no model loaded, no
code run) until the student presses a check button.
"""

from __future__ import annotations

import random

import numpy as np
import streamlit as st
import torch

from gptlab import models
from gptlab.classroom.outbox import PendingAttempt
from gptlab.classroom.report import format_time, higher_scores
from gptlab.classroom.records import AttemptRecord, SavedAttempt
from gptlab.exercises import bank
from gptlab.exercises.checkers import grade, shown
from gptlab.exercises.env import TaskEnv
from gptlab.exercises.model import (
    BUSY, CORRECT, INCORRECT, INVALID, Attempt, CellsExercise, ChoiceExercise, CodeExercise, Exercise,
    NumericExercise, TextExercise, WidgetTask,
)
from gptlab.exercises.reveal import answer_key
from gptlab.exercises.seen import answer_as_seen
from gptlab.exercises.state import to_plain
from gptlab.i18n import fmt_float, t
from ui import classroom
from ui import frame
from ui import models as ui_models
from ui.frame import markdown_escape

SCORES_KEY = classroom.SCORES_KEY  # {exercise id: best score} of this session

class AppEnv(TaskEnv):
    """The server's cached models and computations: a check reuses what the page already computed."""

    def gemma_tokenizer(self):
        return ui_models.gemma_tokenizer()

    def gpt2_tokenizer(self):
        return ui_models.gpt2_tokenizer()

    def minilm_tokenizer(self):
        return ui_models.minilm_tokenizer()

    def next_logits(self, ids) -> torch.Tensor:
        from labs.decoding import widgets as decoding_widgets

        return torch.from_numpy(decoding_widgets.next_logits(tuple(int(i) for i in ids)))

    def attention_weights(self, text: str) -> tuple[tuple[str, ...], np.ndarray]:
        from labs.attention import widgets as attention_widgets

        from gptlab.models import catalog

        gemma = catalog.find(catalog.GEMMA_KEY)  # the task is set on Gemma 3 270M, whichever model is picked
        return attention_widgets.decoder_run(gemma, text).tokens, attention_widgets.decoder_weights(gemma, text)

    def journey_answer_ranks(self, text: str) -> tuple[int, tuple[int, ...]]:
        from gptlab.models import catalog
        from labs.journey import widgets as journey_widgets

        gemma = catalog.find(catalog.GEMMA_KEY)  # the task is set on Gemma 3 270M, whichever model is picked
        ids = journey_widgets.prompt(gemma, text).ids
        lens = journey_widgets.position_lens(gemma, text, len(ids) - 1, quiet=True)
        return lens.answer, tuple(int(r) for r in lens.lens.target_rank)


def _key(ex: Exercise, name: str) -> str:
    return f"exercises.{ex.id}.{name}"


def scores() -> dict[str, float]:
    return st.session_state.setdefault(SCORES_KEY, {})


def record(attempt: Attempt, ex: Exercise | None = None) -> None:
    """Keep the attempt for display; a recorded one raises the best score and is saved for a signed-in student
    (the attempt id is kept to say, under the feedback, whether it is saved yet)."""
    st.session_state[f"exercises.{attempt.exercise_id}.last"] = attempt
    st.session_state.pop(f"exercises.{attempt.exercise_id}.saved_uid", None)
    if attempt.recorded:
        best = scores()
        best[attempt.exercise_id] = max(best.get(attempt.exercise_id, 0.0), attempt.score)
    if attempt.stored_status is not None:
        ex = ex or bank.by_id(attempt.exercise_id)
        uid = classroom.record_attempt(AttemptRecord(
            exercise_id=attempt.exercise_id, lesson_id=attempt.lesson_id, checker_version=attempt.checker_version,
            answer=attempt.answer, status=attempt.stored_status, score=attempt.score,
            feedback="\n".join(attempt.feedback), answer_shown=answer_as_seen(ex, attempt.answer, attempt.language),
        ))
        if uid is not None:
            st.session_state[f"exercises.{attempt.exercise_id}.saved_uid"] = uid


def task_state(ex: WidgetTask, lang: str) -> dict:
    """The keys the task reads, as plain data (what the CLI would read from a JSON file)."""
    return {key: to_plain(st.session_state.get(key)) for key in ex.reads}


# --- rendering ---------------------------------------------------------------------------------------------------

def render(lesson_id: str, lang: str) -> None:
    """The lesson's exercises, one bordered box each, and the lesson's total score."""
    exercises = bank.for_lesson(lesson_id)
    st.header(t("exercises.header", lang), anchor="exercises")
    if not exercises:
        st.info(t("exercises.none_for_lesson", lang))
        return
    st.caption(t("exercises.intro", lang))
    progress_slot = st.container()  # filled after the exercises, so it counts a check made in this run
    total_slot = st.empty()
    signed_in = classroom.current_student() is not None
    saved = classroom.best_scores() if signed_in else {}  # one query per run
    earlier = classroom.last_attempts([ex.id for ex in exercises]) if signed_in else {}  # a student who came back
    for n, ex in enumerate(exercises, 1):
        with st.container(border=True, key=f"exercises-box-{ex.id}"):
            with frame.contained(lang):
                exercise(ex, n, lang, saved, earlier.get(ex.id))
    best = higher_scores(scores(), saved)
    total = sum(best.get(ex.id, 0.0) for ex in exercises)
    total_slot.markdown("**" + t("exercises.total", lang, score=fmt_float(total, lang, 1),
                                 total=len(exercises)) + "**")
    with progress_slot:
        classroom.lesson_progress_box(lesson_id, tuple(ex.id for ex in exercises), lang)


def top_link(lesson_id: str, lang: str) -> None:
    """At the top of a lesson: a link down to its exercises (the `exercises` anchor of `render`)."""
    count = len(bank.for_lesson(lesson_id))
    if count:
        st.markdown(t("exercises.top_link", lang, n=count))


def exercise(ex: Exercise, n: int, lang: str, saved: dict[str, float],
             earlier: SavedAttempt | PendingAttempt | None = None) -> None:
    attempt_no = st.session_state.setdefault(_key(ex, "attempt"), 0)
    # The title and the question as one element (one message fewer per exercise on every run of a lab page)
    st.markdown(f"**{t('exercises.title', lang, n=n, kind=t(f'exercises.kind.{ex.kind}', lang))}**\n\n"
                + ex.text("prompt", lang))
    if isinstance(ex, CodeExercise):
        examples(ex, lang)
    with st.form(key=_key(ex, f"form.{attempt_no}"), border=False, enter_to_submit=not isinstance(ex, CodeExercise)):
        answer = answer_input(ex, lang, attempt_no)
        label = t("exercises.check_task" if isinstance(ex, WidgetTask) else "exercises.check", lang)
        submitted = st.form_submit_button(label, key=_key(ex, f"check.{attempt_no}"), type="primary",
                                          icon=":material/check:")
    if submitted:
        check(ex, answer, lang)
    last: Attempt | None = st.session_state.get(_key(ex, "last"))
    if last is not None:
        feedback(last, lang)
        classroom.save_note(st.session_state.get(_key(ex, "saved_uid")), lang)
    elif earlier is not None:
        earlier_feedback(ex, earlier, lang)
    controls(ex, lang, last, saved)
    if classroom.is_instructor() and st.toggle(t("exercises.reveal.toggle", lang), key=_key(ex, "reveal"),
                                               help=t("exercises.reveal.help", lang)):
        st.info(answer_key(ex, lang), icon=":material/key:")


def choice_order(ex: ChoiceExercise, attempt_no: int) -> list[str]:
    """The choices' order for this attempt: drawn once, kept until the student asks for a new attempt."""
    key = _key(ex, f"order.{attempt_no}")
    if key not in st.session_state:
        order = [c.id for c in ex.choices]
        random.SystemRandom().shuffle(order)
        st.session_state[key] = order
    return st.session_state[key]


def answer_input(ex: Exercise, lang: str, attempt_no: int):
    """The input widget of the exercise's kind; returns what grade() takes."""
    key = _key(ex, f"answer.{attempt_no}")
    if isinstance(ex, ChoiceExercise):
        text = {c.id: ex.text(f"choice.{c.id}", lang) for c in ex.choices}
        order = choice_order(ex, attempt_no)
        if not ex.multiple:
            picked = st.radio(t("exercises.answer", lang), order, index=None, format_func=text.__getitem__, key=key)
            return {picked} if picked else set()
        st.markdown(f"*{t('exercises.answer', lang)}*")
        return {cid for cid in order if st.checkbox(text[cid], key=f"{key}.{cid}")}
    if isinstance(ex, NumericExercise):
        return st.text_input(t("exercises.answer", lang), key=key, max_chars=200, help=t("exercises.number_help", lang))
    if isinstance(ex, TextExercise):
        return st.text_input(t("exercises.answer", lang), key=key, max_chars=200)
    if isinstance(ex, CellsExercise):
        return cells_input(ex, lang, key)
    if isinstance(ex, CodeExercise):
        with st.container(key=f"exercises-code-{ex.id}-{attempt_no}"):
            return st.text_area(t("exercises.code_label", lang), value=ex.template, height=260 if frame.projector_mode() else 220,
                                key=key, max_chars=20_000, help=t("exercises.code_help", lang))
    if isinstance(ex, WidgetTask):
        st.caption(t("exercises.task_reads", lang, keys=", ".join(f"`{k}`" for k in ex.reads)))
        if ex.answer == "option":
            labels = {o.id: ex.option_text(o, lang) for o in ex.options}
            return st.selectbox(ex.answer_label(lang), list(labels), index=None, format_func=labels.__getitem__,
                                key=key, placeholder="—")
        if ex.answer in ("number", "text"):
            return st.text_input(ex.answer_label(lang), key=key, max_chars=200,
                                 help=t("exercises.number_help", lang) if ex.answer == "number" else None)
        return None
    raise TypeError(type(ex).__name__)


def cells_input(ex: CellsExercise, lang: str, key: str) -> set[tuple[int, int]]:
    """A size x size grid of checkboxes, row = the token that looks, column = the token looked at."""
    st.caption(t("exercises.cells_help", lang))
    row_name, column_name = ex.label("row_label", lang), ex.label("column_label", lang)
    header = st.columns(ex.size + 1)
    for j in range(ex.size):
        header[j + 1].markdown(f"**{column_name} {j}**")
    ticked = set()
    for i in range(ex.size):
        columns = st.columns(ex.size + 1)
        columns[0].markdown(f"**{row_name} {i}**")
        for j in range(ex.size):
            if columns[j + 1].checkbox(f"{row_name} {i}, {column_name} {j}", key=f"{key}.{i}.{j}",
                                       label_visibility="collapsed"):
                ticked.add((i, j))
    return ticked


def examples(ex: CodeExercise, lang: str) -> None:
    """The example calls and what they must return (the hidden cases are never shown)."""
    lines = []
    for case in ex.examples:
        lines.append(f">>> {ex.function_name}({', '.join(shown(a, lang, 200) for a in case.args)})")
        lines.append(shown(ex.reference(*case.args), lang, 400))
    st.markdown(f"*{t('exercises.examples', lang)}*")
    st.code("\n".join(lines), language="python", wrap_lines=True)
    st.caption(t("exercises.hidden_note", lang))


def check(ex: Exercise, answer, lang: str) -> None:
    """Grade now (the only place models load or code runs), and keep the result."""
    env = None
    if isinstance(ex, WidgetTask):
        if "gemma" in ex.needs and not models.decoder_ready():
            ui_models.ensure_preparation_started()
            st.warning(t("exercises.task.needs_decoder", lang))
            return
        state = task_state(ex, lang)
        if ex.answer is not None:
            state["answer"] = answer
        answer, env = state, AppEnv()
    with st.spinner(t("exercises.running", lang)):
        attempt = grade(ex, answer, lang, env=env)
    record(attempt, ex)


STATUS_BOX = {CORRECT: st.success, INCORRECT: st.error, INVALID: st.warning, BUSY: st.warning}


def feedback(attempt: Attempt, lang: str) -> None:
    """The verdict, what is wrong in words, and the explanation of every chosen choice."""
    if attempt.language != lang:
        return  # checked in the other language: the student checks again to read it in this one
    head = f"**{t(f'exercises.status.{attempt.status}', lang)}**"
    if attempt.recorded and attempt.status != INVALID:
        head += " · " + t("exercises.score", lang, score=fmt_float(attempt.score, lang, 2))
    lines = [head] + [line for line in attempt.feedback if line]
    box = STATUS_BOX.get(attempt.status, st.error)
    box("\n\n".join(lines))
    if attempt.explanations:
        st.markdown(f"*{t('exercises.choices_explained', lang)}*")
        for text, explanation in attempt.explanations:
            st.markdown(f"- **{text}** — {explanation}")
    if attempt.stdout:
        with st.expander(t("exercises.stdout", lang)):
            st.code(attempt.stdout[:5_000], language=None)


SAVED_STATUS = {"correct": ("correct", st.success), "partial": ("incorrect", st.error),
                "wrong": ("incorrect", st.error), "error": ("error", st.warning)}


def earlier_feedback(ex: Exercise, earlier: SavedAttempt | PendingAttempt, lang: str) -> None:
    """A student who came back sees their last answer to the exercise and the feedback it got then."""
    if isinstance(earlier, PendingAttempt):
        record_, when, pending = earlier.record, earlier.checked_at, True
        answer, shown, status, score, said = (record_.answer, record_.answer_shown, record_.status, record_.score,
                                              record_.feedback)
    else:
        when, pending = earlier.created_at, False
        answer, shown, status, score, said = earlier.answer, earlier.answer_shown, earlier.status, earlier.score, earlier.feedback
    st.caption(t("exercises.earlier.when", lang, when=format_time(when, lang)))
    if isinstance(ex, CodeExercise):
        with st.expander(t("exercises.earlier.code", lang)):
            st.code(answer[:20_000], language="python")
    elif isinstance(ex, ChoiceExercise) and shown:
        st.markdown(t("exercises.earlier.answer", lang, answer=shown))  # the choices' own texts (our Markdown)
    else:
        st.markdown(t("exercises.earlier.answer", lang, answer=markdown_escape((shown or answer)[:500])))
    verdict, box = SAVED_STATUS.get(status, ("error", st.warning))
    head = f"**{t(f'exercises.status.{verdict}', lang)}** · " + t("exercises.score", lang, score=fmt_float(score, lang, 2))
    box("\n\n".join([head, *[line for line in said.split("\n") if line]]))  # as graded then (checkers' Markdown)
    if isinstance(ex, ChoiceExercise):
        known = {c.id for c in ex.choices}
        picked = [p for p in answer.split(",") if p in known]
        if picked:
            st.markdown(f"*{t('exercises.choices_explained', lang)}*")
            for p in picked:
                st.markdown(f"- **{ex.text(f'choice.{p}', lang)}** — {ex.text(f'choice.{p}.why', lang)}")
    if pending:
        st.warning(t("classroom.pending", lang), icon=":material/cloud_off:")


def controls(ex: Exercise, lang: str, last: Attempt | None, saved: dict[str, float]) -> None:
    """The hint ladder, a new attempt (fresh inputs, choices reshuffled) and the best score."""
    shown_hints = st.session_state.get(_key(ex, "hints"), 0)
    hints = ex.hints(lang)
    for i, hint in enumerate(hints[:shown_hints], 1):
        st.info(f"**{t('exercises.hint', lang, n=i)}** · {hint}", icon=":material/lightbulb:")
    best = higher_scores(scores(), saved).get(ex.id)
    # Side by side on a laptop; one under the other in projector mode, where large type would cut the labels. The
    # hint button alone (a first visit) or nothing at all needs no columns (the hint's column is the first one):
    # four messages fewer per exercise on every page run.
    if frame.projector_mode() or (last is None and best is None):
        a = b = c = st
    else:
        a, b, c = st.columns([2, 2, 3])
    if hints:
        a.button(t("exercises.hint_button", lang, shown=min(shown_hints + 1, len(hints)), total=len(hints)),
                 key=_key(ex, "hint"), disabled=shown_hints >= len(hints), icon=":material/lightbulb:",
                 on_click=lambda: st.session_state.update({_key(ex, "hints"): shown_hints + 1}))
    if last is not None:
        b.button(t("exercises.new_attempt", lang), key=_key(ex, "new"), icon=":material/refresh:",
                 on_click=new_attempt, args=(ex,))
    if best is not None:
        c.markdown(t("exercises.best", lang, score=fmt_float(best, lang, 2)))


def new_attempt(ex: Exercise) -> None:
    st.session_state[_key(ex, "attempt")] = st.session_state.get(_key(ex, "attempt"), 0) + 1
    st.session_state.pop(_key(ex, "last"), None)
