"""The checkers from a terminal, graded exactly as the app grades them.

    python -m gptlab.exercises list
    python -m gptlab.exercises show <id> [--lang en|pt-BR]
    python -m gptlab.exercises check <id> <answer-file> [--lang en|pt-BR]

The answer file holds what the student would type: code, a number, a short text, choice ids
("b" or "a, c"), cells ("(0,1) (0,2)"), or for a task on the live widgets the page's state as
a JSON object (session keys, plus "answer"). `show` prints what the page shows above the answer box:
the prompt, and per kind the choices, the function to write (signature, template, examples) or the
state keys a task reads. `check` prints one JSON object.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

from gptlab.exercises import bank
from gptlab.exercises.model import CellsExercise, ChoiceExercise, CodeExercise, Exercise, WidgetTask
from gptlab.i18n import LANGUAGES, t

MAX_ANSWER_FILE_BYTES = 4_000_000


def _list() -> int:
    for ex in bank.all_exercises():
        print(f"{ex.id} {ex.kind} {ex.lesson}")
    return 0


def signature(ex: CodeExercise) -> str:
    """The `def` line of the function the student writes, as its template declares it."""
    for node in ast.walk(ast.parse(ex.template)):
        if isinstance(node, ast.FunctionDef) and node.name == ex.function_name:
            return f"def {node.name}({ast.unparse(node.args)}):"
    raise ValueError(f"{ex.id}: the template defines no {ex.function_name}()")


def _answer_lines(ex: Exercise, lang: str) -> list[str]:
    """What to put in the answer file, per kind, with what the student chooses from."""
    if isinstance(ex, ChoiceExercise):
        lines = [t("exercises.cli.choices_multiple" if ex.multiple else "exercises.cli.choices_single", lang)]
        return lines + [f"  {c.id}) {ex.text(f'choice.{c.id}', lang)}" for c in ex.choices]
    if isinstance(ex, CodeExercise):
        from gptlab.exercises.checkers import shown

        lines = [t("exercises.cli.function", lang), "", f"    {signature(ex)}", "",
                 t("exercises.cli.template", lang), "", *(f"    {line}" for line in ex.template.rstrip().splitlines()),
                 "", t("exercises.examples", lang), ""]
        for case in ex.examples:
            lines.append(f"    >>> {ex.function_name}({', '.join(shown(a, lang, 200) for a in case.args)})")
            lines.append(f"    {shown(ex.reference(*case.args), lang, 400)}")
        return lines + ["", t("exercises.hidden_note", lang)]
    if isinstance(ex, CellsExercise):
        lines = [t("exercises.cli.cells", lang, n=ex.size)]
        if ex.has_text("row_label") or ex.has_text("column_label"):
            lines.append(t("exercises.cli.cells_axes", lang, row=ex.label("row_label", lang),
                           column=ex.label("column_label", lang)))
        return lines
    if isinstance(ex, WidgetTask):
        lines = [t("exercises.cli.task", lang, keys=", ".join(ex.reads) or "-")]
        if ex.answer is not None:
            lines.append(t("exercises.cli.task_answer", lang, label=ex.answer_label(lang)))
            lines += [f"  {o.id}) {ex.option_text(o, lang)}" for o in ex.options]
        return lines
    return [t(f"exercises.cli.{ex.kind}", lang)]  # numeric, text


def _show(exercise_id: str, lang: str) -> int:
    ex = bank.by_id(exercise_id)
    if ex is None:
        print(f"no exercise {exercise_id!r}; see `python -m gptlab.exercises list`", file=sys.stderr)
        return 2
    print(f"{ex.id} · {t(f'exercises.kind.{ex.kind}', lang)} · {ex.lesson}")
    print()
    print(ex.text("prompt", lang).strip())
    print()
    print("\n".join(_answer_lines(ex, lang)))
    print()
    print(t("exercises.cli.check_with", lang, id=ex.id, lang=lang))
    return 0


def _check(exercise_id: str, answer_file: str, lang: str) -> int:
    from gptlab.exercises.checkers import grade

    ex = bank.by_id(exercise_id)
    if ex is None:
        print(json.dumps({"error": f"no exercise {exercise_id!r}; see `python -m gptlab.exercises list`"}))
        return 2
    path = Path(answer_file)
    try:
        if path.stat().st_size > MAX_ANSWER_FILE_BYTES:
            raise ValueError("the answer file is too large")
        answer = path.read_text(encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(json.dumps({"error": f"cannot read {answer_file}: {exc}"}))
        return 2
    if ex.kind in ("numeric", "text", "single", "multiple", "cells"):
        answer = answer.strip()
    env = None
    if isinstance(ex, WidgetTask) and ex.needs:
        from gptlab.exercises.env import CoreEnv

        env = CoreEnv()
    attempt = grade(ex, answer, lang, env=env)
    print(json.dumps({
        "id": attempt.exercise_id,
        "status": attempt.status,
        "score": attempt.score,
        "feedback": "\n".join(line for line in attempt.feedback if line),
        "explanations": [{"choice": c, "explanation": e} for c, e in attempt.explanations],
        "hidden_failed": attempt.hidden_failed,
        "hidden_total": attempt.hidden_total,
        "checker_version": attempt.checker_version,
        "stdout": attempt.stdout,
    }, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gptlab.exercises", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="one line per exercise: <id> <type> <lesson>")
    show = commands.add_parser("show", help="an exercise's prompt and what to answer (for code: the function's signature)")
    show.add_argument("id")
    show.add_argument("--lang", choices=LANGUAGES, default="en")
    check = commands.add_parser("check", help="grade an answer file; prints one JSON object")
    check.add_argument("id")
    check.add_argument("answer_file")
    check.add_argument("--lang", choices=LANGUAGES, default="en")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "show":
        return _show(args.id, args.lang)
    return _check(args.id, args.answer_file, args.lang)


if __name__ == "__main__":
    sys.exit(main())
