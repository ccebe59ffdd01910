"""The checkers from a terminal, graded exactly as the app grades them.

    python -m gptlab.exercises list
    python -m gptlab.exercises check <id> <answer-file> [--lang en|pt-BR]

The answer file holds what the student would type: code, a number, a short text, choice ids
("b" or "a, c"), cells ("(0,1) (0,2)"), or for a task on the live widgets the page's state as
a JSON object (session keys, plus "answer"). `check` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gptlab.exercises import bank
from gptlab.exercises.model import WidgetTask
from gptlab.i18n import LANGUAGES

MAX_ANSWER_FILE_BYTES = 4_000_000


def _list() -> int:
    for ex in bank.all_exercises():
        print(f"{ex.id} {ex.kind} {ex.lesson}")
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
    check = commands.add_parser("check", help="grade an answer file; prints one JSON object")
    check.add_argument("id")
    check.add_argument("answer_file")
    check.add_argument("--lang", choices=LANGUAGES, default="en")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    return _check(args.id, args.answer_file, args.lang)


if __name__ == "__main__":
    sys.exit(main())
