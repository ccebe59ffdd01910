"""Grading: one function turns (exercise, answer) into an Attempt, the same for the app and the CLI.

Feedback says what is wrong in words a student can act on. Code answers run in the sandbox on the
examples the student saw and on hidden cases drawn fresh for every submission; the expected values
come from the references, computed here, never in the sandbox.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from typing import Any, Iterable

from gptlab.exercises import answers as A
from gptlab.exercises.model import (
    BUSY, CORRECT, ERROR, INCORRECT, INVALID, LIMIT, TIMEOUT,
    Attempt, CellsExercise, ChoiceExercise, CodeExercise, Exercise, NumericExercise, TextExercise, WidgetTask,
)
from gptlab.i18n import decimal_symbol, fmt_int, t

MAX_CODE_CHARS = 20_000


@dataclass(frozen=True)
class Verdict:
    """What a widget-task checker concludes from the page's state."""

    score: float
    feedback: tuple[str, ...]
    status: str | None = None  # None: CORRECT when score == 1, else INCORRECT; INVALID when the state is missing


def number_text(x: float, lang: str) -> str:
    """A number as feedback shows it: up to 6 significant digits, decimal comma in Portuguese."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == int(x) and abs(x) < 1e15:
        return fmt_int(int(x), lang)
    return f"{x:.6g}".replace(".", decimal_symbol(lang))


def within(x: float, target: float, rel_tol: float, abs_tol: float) -> bool:
    """|x - target| <= max(rel_tol * |target|, abs_tol); NaN is never within anything."""
    if math.isnan(x) or math.isnan(target):
        return False
    if math.isinf(x) or math.isinf(target):
        return x == target
    return abs(x - target) <= max(rel_tol * abs(target), abs_tol)


# --- comparing plain values (code outcomes) ----------------------------------------------------------------------

def first_difference(expected: Any, got: Any, rel_tol: float, abs_tol: float,
                     path: tuple = ()) -> tuple[tuple, Any, Any] | None:
    """(path, expected part, got part) of the first place where they differ, or None when equal.

    Numbers compare with the tolerance (-inf equals -inf, NaN equals nothing); bools are not numbers;
    a list and a tuple are the same; lengths must match.
    """
    if isinstance(expected, bool) or isinstance(got, bool):
        return None if type(expected) is type(got) and expected == got else (path, expected, got)
    if isinstance(expected, (int, float)):
        if not isinstance(got, (int, float)):
            return path, expected, got
        return None if within(float(got), float(expected), rel_tol, abs_tol) else (path, expected, got)
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return path, expected, got
        if len(got) != len(expected):
            return path + ("len",), len(expected), len(got)
        for i, (e, g) in enumerate(zip(expected, got)):
            diff = first_difference(e, g, rel_tol, abs_tol, path + (i,))
            if diff is not None:
                return diff
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return path, expected, got
        for k in expected:
            diff = first_difference(expected[k], got[k], rel_tol, abs_tol, path + (k,))
            if diff is not None:
                return diff
        return None
    return None if expected == got else (path, expected, got)


def shown(value: Any, lang: str, limit: int = 160) -> str:
    """A plain value as feedback quotes it, cut when long."""
    if isinstance(value, float):
        text = "-inf" if value == -math.inf else "inf" if value == math.inf else "nan" if math.isnan(value) else repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=True).replace("-Infinity", "-inf").replace(
                "Infinity", "inf").replace("NaN", "nan")
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_text(name: str, args: tuple, lang: str) -> str:
    return f"{name}({', '.join(shown(a, lang, 60) for a in args)})"


def code_span(text: str, limit: int = 200) -> str:
    """Untrusted text (the student's values, model tokens) as a Markdown code span: shown literally.

    Feedback is Markdown; inside a code span no link, image, emphasis or HTML is interpreted.
    """
    text = str(text)[:limit].replace("`", "ʼ").replace("\n", "↵").replace("\r", "")
    return f"`{text}`" if text.strip() else "` `"


# --- grading -----------------------------------------------------------------------------------------------------

def _attempt(ex: Exercise, answer: str, status: str, score: float, feedback: Iterable[str], lang: str,
             **extra) -> Attempt:
    return Attempt(ex.id, ex.checker_version, answer, status, round(float(score), 6), tuple(feedback),
                   language=lang, lesson_id=ex.lesson, **extra)


def _problem(ex: Exercise, answer: str, problem: str, lang: str) -> Attempt:
    return _attempt(ex, answer, INVALID, 0.0, [t(f"exercises.problem.{problem}", lang)], lang)


def grade(ex: Exercise, answer: Any, lang: str = "en", *, env: Any = None, rng: random.Random | None = None,
          limits: Any = None) -> Attempt:
    """Grade one answer. `answer`: choice ids (a set, or "a, c"), text, cells, code, or a task's state dict/JSON."""
    if isinstance(ex, ChoiceExercise):
        return grade_choice(ex, answer, lang)
    if isinstance(ex, NumericExercise):
        return grade_numeric(ex, answer, lang)
    if isinstance(ex, TextExercise):
        return grade_text(ex, answer, lang)
    if isinstance(ex, CellsExercise):
        return grade_cells(ex, answer, lang)
    if isinstance(ex, CodeExercise):
        return grade_code(ex, answer, lang, rng=rng, limits=limits)
    if isinstance(ex, WidgetTask):
        return grade_task(ex, answer, lang, env)
    raise TypeError(f"no checker for {type(ex).__name__}")


def grade_choice(ex: ChoiceExercise, answer: Any, lang: str) -> Attempt:
    ids = {c.id for c in ex.choices}
    if isinstance(answer, str):
        reading = A.parse_choice_ids(answer, ids)
        if reading.problem:
            return _problem(ex, answer, reading.problem, lang)
        picked = reading.value
    else:
        picked = frozenset(answer or ())
        if not picked:
            return _problem(ex, "", "empty", lang)
        if not picked <= ids:
            return _problem(ex, ",".join(sorted(map(str, picked))), "unknown_choice", lang)
    answer_text = ",".join(sorted(picked))
    if not ex.multiple and len(picked) != 1:
        return _problem(ex, answer_text, "one_choice", lang)
    right = {c.id for c in ex.choices if c.correct}
    explanations = tuple((ex.text(f"choice.{c.id}", lang), ex.text(f"choice.{c.id}.why", lang))
                         for c in ex.choices if c.id in picked)
    if picked == right:
        return _attempt(ex, answer_text, CORRECT, 1.0, [t("exercises.choice.correct", lang)], lang,
                        explanations=explanations)
    if not ex.multiple:
        return _attempt(ex, answer_text, INCORRECT, 0.0, [t("exercises.choice.wrong", lang)], lang,
                        explanations=explanations)
    hits, wrong = len(picked & right), len(picked - right)
    missed = len(right - picked)
    score = max(0.0, (hits - wrong) / len(right))
    feedback = []
    if wrong:
        feedback.append(t("exercises.choice.extra", lang, n=wrong))
    if missed:
        feedback.append(t("exercises.choice.missed", lang, n=missed))
    return _attempt(ex, answer_text, INCORRECT, score, feedback, lang, explanations=explanations)


def grade_numeric(ex: NumericExercise, answer: Any, lang: str) -> Attempt:
    raw = "" if answer is None else str(answer)
    reading = A.parse_number(raw, lang)
    if reading.problem:
        return _problem(ex, raw, reading.problem, lang)
    x = float(reading.value)
    read_as = t("exercises.numeric.read_as", lang, value=number_text(x, lang))
    if math.isnan(x):
        return _attempt(ex, raw, INCORRECT, 0.0, [t("exercises.numeric.nan", lang)], lang)
    if within(x, ex.answer, ex.rel_tol, ex.abs_tol):
        return _attempt(ex, raw, CORRECT, 1.0, [read_as, t("exercises.numeric.correct", lang),
                                                ex.explanation(lang)], lang)
    for n, other in enumerate(ex.also_right, 1):
        if within(x, other, ex.rel_tol, ex.abs_tol):
            return _attempt(ex, raw, CORRECT, 1.0, [read_as, t("exercises.numeric.correct", lang),
                                                    ex.text(f"also.{n}", lang), ex.explanation(lang)], lang)
    for n, mistake in enumerate(ex.mistakes, 1):
        if mistake.matches(x):
            return _attempt(ex, raw, INCORRECT, 0.0, [read_as, ex.text(f"mistake.{n}", lang)], lang)
    feedback = [read_as]
    if math.isinf(x):
        feedback.append(t("exercises.numeric.infinite", lang))
    elif ex.answer and (within(x * 100, ex.answer, ex.rel_tol, ex.abs_tol * 100)
                        or within(x / 100, ex.answer, ex.rel_tol, ex.abs_tol / 100)):
        feedback.append(t("exercises.numeric.percent", lang))
    elif ex.answer and x and within(-x, ex.answer, ex.rel_tol, ex.abs_tol):
        feedback.append(t("exercises.numeric.sign", lang))
    else:
        feedback.append(t("exercises.numeric.wrong", lang))
    return _attempt(ex, raw, INCORRECT, 0.0, feedback, lang)


def grade_text(ex: TextExercise, answer: Any, lang: str) -> Attempt:
    raw = "" if answer is None else str(answer)
    if len(raw) > A.MAX_ANSWER_CHARS:
        return _problem(ex, raw[: A.MAX_ANSWER_CHARS], "too_long", lang)
    given = A.normalise_text(raw)
    if not given:
        return _problem(ex, raw, "empty", lang)
    if given in {A.normalise_text(a) for a in ex.accepted}:
        return _attempt(ex, raw, CORRECT, 1.0, [t("exercises.text.correct", lang), ex.explanation(lang)], lang)
    for n, mistake in enumerate(ex.mistakes, 1):
        if mistake.matches(given):
            return _attempt(ex, raw, INCORRECT, 0.0, [ex.text(f"mistake.{n}", lang)], lang)
    return _attempt(ex, raw, INCORRECT, 0.0, [t("exercises.text.wrong", lang)], lang)


def grade_cells(ex: CellsExercise, answer: Any, lang: str) -> Attempt:
    if isinstance(answer, str) or answer is None:
        reading = A.parse_cells(answer, ex.size)
        if reading.problem:
            return _problem(ex, answer or "", reading.problem, lang)
        cells = reading.value
    else:
        cells = frozenset((int(i), int(j)) for i, j in answer)
        if any(not (0 <= i < ex.size and 0 <= j < ex.size) for i, j in cells):
            return _problem(ex, A.format_cells(cells), "cell_outside", lang)
    answer_text = A.format_cells(cells)
    key = ex.key(ex.size)
    extra, missed = sorted(cells - key), sorted(key - cells)
    if not extra and not missed:
        return _attempt(ex, answer_text, CORRECT, 1.0, [t("exercises.cells.correct", lang),
                                                        ex.explanation(lang)], lang)
    feedback = []
    for i, j in extra[:3]:
        feedback.append(t("exercises.cells.extra", lang, row=i, column=j, why=ex.why_out(i, j, lang)))
    for i, j in missed[:3]:
        feedback.append(t("exercises.cells.missed", lang, row=i, column=j, why=ex.why_in(i, j, lang)))
    rest = max(len(extra) - 3, 0) + max(len(missed) - 3, 0)  # the cells not listed above
    if rest:
        feedback.append(t("exercises.cells.more", lang, n=rest))
    cells_total = ex.size * ex.size
    score = max(0.0, 1.0 - (len(extra) + len(missed)) / max(len(key), 1))
    feedback.insert(0, t("exercises.cells.summary", lang, wrong=len(extra) + len(missed), total=cells_total))
    return _attempt(ex, answer_text, INCORRECT, score, feedback, lang)


# --- code --------------------------------------------------------------------------------------------------------

SANDBOX_MESSAGES = {"timeout": TIMEOUT, "limit": LIMIT, "error": ERROR, "busy": BUSY}


def grade_code(ex: CodeExercise, source: Any, lang: str, *, rng: random.Random | None = None,
               limits: Any = None) -> Attempt:
    from gptlab.exercises import sandbox  # the subprocess machinery loads only when code is checked

    source = "" if source is None else str(source)
    if not source.strip():
        return _problem(ex, source, "empty", lang)
    if len(source) > MAX_CODE_CHARS:
        return _problem(ex, source[:MAX_CODE_CHARS], "code_too_long", lang)
    hidden = list(ex.hidden(rng or random.SystemRandom()))
    cases = [c.args for c in ex.examples] + [c.args for c in hidden]
    run = sandbox.run_function(source, ex.function_name, cases, *(() if limits is None else (limits,)))
    stdout = run.stdout or ""
    if run.status != "ok":
        status = SANDBOX_MESSAGES.get(run.status, ERROR)
        feedback = [t(f"exercises.code.{status}", lang, name=ex.function_name)]
        if run.message:
            feedback.append(t("exercises.code.detail", lang, detail=code_span(run.message, 300)))
        return _attempt(ex, source, status, 0.0, feedback, lang, stdout=stdout)
    if len(run.outcomes) != len(cases):  # the sandbox broke its contract: grade nothing
        return _attempt(ex, source, ERROR, 0.0, [t("exercises.code.error", lang, name=ex.function_name)], lang,
                        stdout=stdout)
    feedback: list[str] = []
    passed = 0
    hidden_failed = 0
    n_examples = len(ex.examples)
    for index, (args, outcome) in enumerate(zip(cases, run.outcomes)):
        expected = ex.reference(*args)
        if outcome.ok:
            diff = first_difference(expected, outcome.value, ex.rel_tol, ex.abs_tol)
        else:
            diff = ((), expected, None)
        if diff is None:
            passed += 1
            continue
        if index >= n_examples:
            hidden_failed += 1
            continue
        call = call_text(ex.function_name, tuple(args), lang)
        if not outcome.ok:
            feedback.append(t("exercises.code.raised", lang, call=code_span(call), error=code_span(outcome.error or "?")))
            continue
        feedback.append(describe_difference(ex, tuple(args), call, diff, outcome.value, lang))
    total = len(cases)
    if hidden:
        if hidden_failed:
            feedback.append(t("exercises.code.hidden_failed", lang, k=hidden_failed, n=len(hidden)))
        else:
            feedback.append(t("exercises.code.hidden_passed", lang, n=len(hidden)))
    if passed == total:
        feedback.insert(0, t("exercises.code.correct", lang, n=total))
        status = CORRECT
    else:
        feedback.insert(0, t("exercises.code.summary", lang, failed=total - passed, n=total))
        status = INCORRECT
    return _attempt(ex, source, status, passed / total if total else 0.0, feedback, lang,
                    hidden_failed=hidden_failed, hidden_total=len(hidden), stdout=stdout)


def path_text(path: tuple) -> str:
    return "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in path)


def describe_difference(ex: CodeExercise, args: tuple, call: str, diff: tuple, got_whole: Any, lang: str) -> str:
    """"causal_mask(3)[0][1] should be -inf (position 0 must not see position 1), got 0.0"."""
    path, expected, got = diff
    why = ex.explain(args, path, expected, got, lang)
    if path and path[-1] == "len":
        sentence = t("exercises.code.length", lang, where=code_span(call + path_text(path[:-1])), expected=expected, got=got)
        return f"{sentence} {why[0].upper()}{why[1:]}." if why else sentence
    values = dict(where=code_span(call + path_text(path)), expected=code_span(shown(expected, lang)),
                  got=code_span(shown(got, lang)))
    if why:
        return t("exercises.code.should_be_why", lang, why=why, **values)
    return t("exercises.code.should_be", lang, **values)


# --- widget tasks ------------------------------------------------------------------------------------------------

def grade_task(ex: WidgetTask, state: Any, lang: str, env: Any) -> Attempt:
    if isinstance(state, str):
        reading = A.parse_state(state)
        if reading.problem:
            return _problem(ex, state[:200], reading.problem, lang)
        state = reading.value
    state = dict(state or {})
    answer_text = json.dumps(state, ensure_ascii=False, default=str, allow_nan=True)[:20_000]
    if ex.answer is not None:
        given = state.get("answer")
        if given is None or not str(given).strip():
            return _problem(ex, answer_text, "empty", lang)
    from gptlab import models

    try:
        verdict: Verdict = ex.checker(state, env, lang)
    except models.DecoderNotPrepared:
        return _attempt(ex, answer_text, INVALID, 0.0, [t("exercises.task.needs_decoder", lang)], lang)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # A hand-written state (the CLI) in the wrong shape; the app always passes the pages' own.
        return _problem(ex, answer_text, "bad_state", lang)
    status = verdict.status or (CORRECT if verdict.score >= 1.0 else INCORRECT)
    return _attempt(ex, answer_text, status, verdict.score, verdict.feedback, lang)


def task_problem(key: str, lang: str, **values) -> Verdict:
    """The state is not there yet (nothing run, no text): nothing to grade."""
    return Verdict(0.0, (t(key, lang, **values),), status=INVALID)
