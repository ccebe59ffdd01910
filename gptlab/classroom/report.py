"""What the progress views show: a student's lessons, a class's exercises and students, as tables and a chart.

Tables are the text alternative of the chart: numbers are already written the user's way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping, Sequence

import altair as alt
import pandas as pd

from gptlab.charts import OKABE_ITO, described, readable
from gptlab.classroom.records import (
    SOLVED, AttemptRecord, ClassInfo, ExerciseProgress, ExerciseSummary, LessonProgress, StudentSummary,
)
from gptlab.i18n import fmt_datetime, fmt_float, fmt_int, fmt_percent, t

FULL_SCORE = 1.0  # a visitor's session keeps best scores only: full marks is what counts as solved
NO_VALUE = "—"


def session_lesson_progress(
    lesson_id: str, exercise_ids: Sequence[str], best_scores: Mapping[str, float]
) -> LessonProgress:
    """A visitor's standing from the session's best scores; `attempts` is 1 for a tried exercise (no count kept)."""
    return LessonProgress(
        lesson_id,
        tuple(
            ExerciseProgress(ex, 1, best_scores[ex], best_scores[ex] >= FULL_SCORE)
            if ex in best_scores
            else ExerciseProgress(ex, 0, None, False)
            for ex in dict.fromkeys(exercise_ids)
        ),
    )


def with_pending(progress: LessonProgress, pending: Iterable[AttemptRecord]) -> LessonProgress:
    """A standing with the attempts still waiting to be written counted in (they were graded already)."""
    waiting: dict[str, list[AttemptRecord]] = {}
    for record in pending:
        waiting.setdefault(record.exercise_id, []).append(record)
    if not waiting:
        return progress
    exercises = []
    for e in progress.exercises:
        records = waiting.get(e.exercise_id, [])
        if not records:
            exercises.append(e)
            continue
        best = max([r.score for r in records] + ([e.best_score] if e.best_score is not None else []))
        solved = e.solved or any(r.status == SOLVED for r in records)
        exercises.append(ExerciseProgress(e.exercise_id, e.attempts + len(records), best, solved))
    return LessonProgress(progress.lesson_id, tuple(exercises))


@dataclass(frozen=True)
class ExerciseLabel:
    """How the instructor reads an exercise id: its lesson, its number there, its short title."""

    lesson_order: int  # the lesson's place in the course (1-based); 0 for an exercise the course no longer has
    lesson_title: str
    number: int  # its place among the lesson's exercises (1-based)
    title: str

    @property
    def short(self) -> str:
        """'3.2 Nucleus with temperature': what a chart's axis shows."""
        return f"{self.lesson_order}.{self.number} {self.title}" if self.lesson_order else self.title


def label_of(exercise_id: str, labels: Mapping[str, ExerciseLabel]) -> ExerciseLabel:
    """The exercise's label; an id the course no longer has shows as itself."""
    return labels.get(exercise_id) or ExerciseLabel(0, exercise_id.split(".", 1)[0], 0, exercise_id)


def higher_scores(*scores: Mapping[str, float]) -> dict[str, float]:
    """{exercise id: the highest of its scores} over several maps (this session's and the saved ones)."""
    best: dict[str, float] = {}
    for found in scores:
        for exercise_id, score in found.items():
            best[exercise_id] = max(best.get(exercise_id, 0.0), score)
    return best


def format_time(moment: datetime | None, lang: str) -> str:
    """A UTC time to the minute, day first in pt-BR ('01/03/2025 12:00'), ISO-like in en."""
    if moment is None:
        return NO_VALUE
    return fmt_datetime(moment.astimezone(timezone.utc), lang)


def format_rate(rate: float, lang: str) -> str:
    return fmt_percent(rate, lang, 0)


def in_course_order(summaries: Iterable[ExerciseSummary], course_order: Sequence[str]) -> list[ExerciseSummary]:
    """Exercises in the order the course shows them; ids the course no longer has go last, by id."""
    rank = {exercise_id: n for n, exercise_id in enumerate(course_order)}
    return sorted(summaries, key=lambda s: (rank.get(s.exercise_id, len(rank)), s.exercise_id))


def classes_table(classes: Sequence[ClassInfo], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("classroom.instructor.col.code", lang): [c.code for c in classes],
            t("classroom.instructor.col.class_name", lang): [c.name for c in classes],
            t("classroom.instructor.col.created", lang): [format_time(c.created_at, lang) for c in classes],
        }
    )


def exercise_table(summaries: Sequence[ExerciseSummary], lang: str,
                   labels: Mapping[str, ExerciseLabel] | None = None) -> pd.DataFrame:
    """One row per exercise (its lesson, number and title): who tried, who solved, the success rate, how many answers."""
    named = [label_of(s.exercise_id, labels or {}) for s in summaries]
    return pd.DataFrame(
        {
            t("classroom.instructor.col.lesson", lang): [n.lesson_title for n in named],
            t("classroom.instructor.col.number", lang): [
                f"{n.lesson_order}.{n.number}" if n.lesson_order else NO_VALUE for n in named],
            t("classroom.instructor.col.exercise", lang): [n.title for n in named],
            t("classroom.instructor.col.tried", lang): [fmt_int(s.students_attempted, lang) for s in summaries],
            t("classroom.instructor.col.solved", lang): [fmt_int(s.students_correct, lang) for s in summaries],
            t("classroom.instructor.col.rate", lang): [format_rate(s.success_rate, lang) for s in summaries],
            t("classroom.instructor.col.answers", lang): [fmt_int(s.attempts, lang) for s in summaries],
        }
    )


def student_table(summaries: Sequence[StudentSummary], lang: str) -> pd.DataFrame:
    """One row per student: how far they got and when they last answered (who may be stuck)."""
    return pd.DataFrame(
        {
            t("classroom.instructor.col.name", lang): [s.name for s in summaries],
            t("classroom.instructor.col.attempted", lang): [fmt_int(s.exercises_attempted, lang) for s in summaries],
            t("classroom.instructor.col.correct", lang): [fmt_int(s.exercises_correct, lang) for s in summaries],
            t("classroom.instructor.col.mean_best", lang): [
                NO_VALUE if s.mean_best_score is None else fmt_float(s.mean_best_score, lang, 2) for s in summaries
            ],
            t("classroom.instructor.col.answers", lang): [fmt_int(s.attempts, lang) for s in summaries],
            t("classroom.instructor.col.last", lang): [format_time(s.last_activity, lang) for s in summaries],
        }
    )


def success_rate_chart(summaries: Sequence[ExerciseSummary], lang: str, *, large: bool = False,
                       labels: Mapping[str, ExerciseLabel] | None = None) -> alt.Chart:
    """Horizontal bars, one per exercise in the given order ('3.2 Nucleus with temperature'), labelled 'solved/tried'."""
    exercise = t("classroom.instructor.col.exercise", lang)
    rate = t("classroom.instructor.col.rate", lang)
    data = pd.DataFrame(
        {
            "exercise": [label_of(s.exercise_id, labels or {}).short for s in summaries],
            "rate": [s.success_rate for s in summaries],
            "label": [f"{s.students_correct}/{s.students_attempted}" for s in summaries],
            "shown": [format_rate(s.success_rate, lang) for s in summaries],
        }
    )
    font = 20 if large else 13
    order = list(data["exercise"])
    base = alt.Chart(data, title=alt.TitleParams(t("classroom.instructor.chart_title", lang), fontSize=font + 2))
    y = alt.Y("exercise:N", sort=order, title=None,  # "3.2 Top-p after temperature" says what it is
              axis=alt.Axis(labelFontSize=font, titleFontSize=font, labelLimit=420))
    bars = base.mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("rate:Q", title=rate, scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", labelFontSize=font, titleFontSize=font)),
        y=y,
        tooltip=[alt.Tooltip("exercise:N", title=exercise), alt.Tooltip("shown:N", title=rate),
                 alt.Tooltip("label:N", title=t("classroom.instructor.col.solved", lang))],
    )
    counts = base.mark_text(align="left", dx=4, fontSize=font, color=OKABE_ITO[7]).encode(
        x="rate:Q", y=y, text="label:N"
    )
    details = t("classroom.instructor.chart_a11y", lang, n=len(data), rate=rate, each="; ".join(
        f"{row.exercise}: {row.shown} ({row.label})" for row in data.itertuples()))
    chart = described((bars + counts).properties(height=_BAR_STEP[large] * len(data)), kind="bars",
                      title=t("classroom.instructor.chart_title", lang), details=details, language=lang)
    return readable(chart, large)


_BAR_STEP = {False: 30, True: 42}  # pixels per exercise
_TITLE_AND_AXIS = {False: 110, True: 200}


def success_rate_chart_height(n_exercises: int, *, large: bool = False) -> int:
    """The whole chart's height for ui.vega.show (st.vega_lite_chart), which does not size a chart of bands by itself."""
    return _TITLE_AND_AXIS[large] + _BAR_STEP[large] * n_exercises
