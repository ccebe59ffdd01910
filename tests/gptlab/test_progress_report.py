"""The progress views' tables and chart: numbers written the user's way, course order, a visitor's standing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gptlab.charts import OKABE_ITO
from gptlab.classroom import report as R
from gptlab.classroom.store import ExerciseProgress, ExerciseSummary, StudentSummary
from gptlab.i18n import t

UTC = timezone.utc
WHEN = datetime(2025, 3, 1, 9, 5, 59, tzinfo=UTC)


def test_a_visitors_standing_comes_from_the_session_best_scores():
    progress = R.session_lesson_progress("l1", ["a", "b", "c", "a"], {"a": 1.0, "b": 0.5, "zz": 1.0})
    assert progress.exercises == (
        ExerciseProgress("a", 1, 1.0, True),
        ExerciseProgress("b", 1, 0.5, False),  # partial credit is attempted, not solved
        ExerciseProgress("c", 0, None, False),
    )
    assert (progress.total, progress.attempted, progress.solved) == (3, 2, 1)


@pytest.mark.parametrize("lang, shown", [("pt-BR", "01/03/2025 09:05"), ("en", "2025-03-01 09:05")])
def test_times_are_utc_to_the_minute(lang, shown):
    assert R.format_time(WHEN, lang) == shown
    assert R.format_time(WHEN.astimezone(timezone(timedelta(hours=-3))), lang) == shown  # same moment
    assert R.format_time(None, lang) == R.NO_VALUE


def summary(exercise_id: str, tried: int, solved: int, answers: int) -> ExerciseSummary:
    return ExerciseSummary(exercise_id, tried, solved, solved / tried, answers)


def test_exercises_follow_the_course_and_unknown_ones_go_last():
    found = [summary("z.old", 1, 1, 1), summary("b.two", 2, 1, 3), summary("a.gone", 1, 0, 1), summary("b.one", 3, 3, 3)]
    ordered = R.in_course_order(found, ["b.one", "b.two", "c.never"])
    assert [s.exercise_id for s in ordered] == ["b.one", "b.two", "a.gone", "z.old"]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_exercise_table_writes_numbers_the_users_way(lang):
    table = R.exercise_table([summary("tokenization.x", 3, 1, 1234)], lang)
    row = table.iloc[0].to_dict()
    col = lambda name: t(f"classroom.instructor.col.{name}", lang)  # noqa: E731
    assert row[col("exercise")] == "tokenization.x"
    assert (row[col("tried")], row[col("solved")]) == ("3", "1")
    assert row[col("rate")] == "33 %"
    assert row[col("answers")] == ("1.234" if lang == "pt-BR" else "1,234")


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_student_table_marks_what_is_missing(lang):
    people = [
        StudentSummary(1, "<b>Ana</b>", 2, 1, 0.75, 3, WHEN, WHEN),
        StudentSummary(2, "Davi", 0, 0, None, 0, None, WHEN),
    ]
    rows = R.student_table(people, lang).to_dict("records")
    mean, last = t("classroom.instructor.col.mean_best", lang), t("classroom.instructor.col.last", lang)
    assert rows[0][t("classroom.instructor.col.name", lang)] == "<b>Ana</b>"  # a table cell is text, never HTML
    assert rows[0][mean] == ("0,75" if lang == "pt-BR" else "0.75")
    assert (rows[1][mean], rows[1][last]) == (R.NO_VALUE, R.NO_VALUE)


def test_the_chart_shows_each_rate_in_course_order_with_a_safe_colour():
    found = [summary("b.two", 4, 1, 5), summary("a.one", 2, 2, 2)]
    spec = R.success_rate_chart(found, "pt-BR").to_dict()
    bars, labels = spec["layer"]
    assert bars["mark"]["color"] == OKABE_ITO[0]
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 1]
    assert bars["encoding"]["y"]["sort"] == ["b.two", "a.one"]
    data = next(iter(spec["datasets"].values()))
    assert [(d["exercise"], d["rate"], d["label"], d["shown"]) for d in data] == [
        ("b.two", 0.25, "1/4", "25 %"), ("a.one", 1.0, "2/2", "100 %")
    ]
    assert labels["encoding"]["text"]["field"] == "label"
