"""Exercises of the journey lesson: the bank (texts in strings/), the code exercise's reference, the
widget-task checker."""

import math
import random

from gptlab.exercises.builders import near
from gptlab.exercises.checkers import Verdict, task_problem
from gptlab.exercises.model import Choice, ChoiceExercise, CodeCase, CodeExercise, Mistake, NumericExercise, WidgetTask
from gptlab.exercises.tasks import done, quoted, state_text
from gptlab.i18n import t
from gptlab.nn import journey as J
from gptlab.nn import tokenization as tk
from labs.journey import settings as S

LESSON = "journey"
GEMMA_WIDTH = 640  # the exercises' numbers (Gemma 3 270M's hidden_size, the lesson's example)
EPS = 1e-6


# --- the code exercise's reference (never sent to the sandbox) ----------------------------------------------

def logit_lens(residual, norm_weight, unembedding):
    """The lens on plain lists: Gemma's RMSNorm (scale 1 + w), the tied unembedding, the softmax."""
    d = len(residual)
    rms = math.sqrt(sum(x * x for x in residual) / d + EPS)
    normed = [x / rms * (1 + w) for x, w in zip(residual, norm_weight)]
    logits = [sum(e * h for e, h in zip(row, normed)) for row in unembedding]
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]  # shifted: exp never overflows
    total = sum(exps)
    return [e / total for e in exps]


def _variants(residual, norm_weight, unembedding) -> dict[str, list[float]]:
    """What common slips compute, by the name of the message that explains them."""
    d = len(residual)
    rms = math.sqrt(sum(x * x for x in residual) / d + EPS)
    dot = lambda h: [sum(e * x for e, x in zip(row, h)) for row in unembedding]  # noqa: E731
    out = {"logits": dot([x / rms * (1 + w) for x, w in zip(residual, norm_weight)]),
           "no_one": _softmax(dot([x / rms * w for x, w in zip(residual, norm_weight)])),
           "no_norm": _softmax(dot([x * (1 + w) for x, w in zip(residual, norm_weight)]))}
    return out


def _softmax(logits):
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    return [e / sum(exps) for e in exps]


def explain_lens(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    """A slip the student's number matches: no softmax, w instead of 1 + w, no norm."""
    if len(path) != 1 or not isinstance(path[0], int) or isinstance(got, bool) or not isinstance(got, (int, float)):
        return None
    try:
        variants = _variants(*args)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    for name, values in variants.items():
        if path[0] < len(values) and math.isclose(got, values[path[0]], rel_tol=1e-6, abs_tol=1e-9):
            return t(f"journey.code.{name}", lang)
    return None


def _case(rng: random.Random, d: int, V: int, scale: float, row_scale: float) -> CodeCase:
    residual = [round(rng.gauss(0, scale), 3) for _ in range(d)]
    weight = [round(rng.uniform(-0.5, 2.0), 3) for _ in range(d)]
    rows = [[round(rng.gauss(0, row_scale), 3) for _ in range(d)] for _ in range(V)]
    return CodeCase((residual, weight, rows))


def hidden_lens_cases(rng: random.Random) -> list[CodeCase]:
    cases = [_case(rng, rng.randint(2, 8), rng.randint(2, 12), rng.choice([0.1, 1.0, 300.0]), 1.0) for _ in range(4)]
    cases.append(_case(rng, 4, 6, 1.0, 400.0))  # logits in the thousands: a plain exp() overflows
    cases.append(CodeCase(([0.0, 0.0, 0.0], [0.0, 1.0, -0.5], [[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]])))  # a zero state
    return cases


# --- the widget task -----------------------------------------------------------------------------------------

def answer_early(state: dict, env, lang: str) -> Verdict:
    """The prompt's next token must be the lens's top 1 from layer LENS_LAYER on (and stay so)."""
    check = tk.check_text(state_text(state.get(S.TEXT_KEY)), S.MAX_TEXT_CHARS)
    if check.problem is not None:
        return task_problem("exercises.task.no_text", lang)
    answer, ranks = env.journey_answer_ranks(check.text)
    first = J.first_top_layer_of_ranks(ranks)
    shown = quoted(env.gemma_tokenizer().decode([answer]))
    if first <= S.LENS_LAYER:
        return done(True, t("journey.task.early", lang, answer=shown, layer=first))
    return done(False, t("journey.task.late", lang, answer=shown, layer=first, target=S.LENS_LAYER))


EXERCISES = (
    NumericExercise(
        id="journey.embed_scale",
        lesson=LESSON,
        answer=math.sqrt(GEMMA_WIDTH),
        abs_tol=0.01,
        mistakes=(
            Mistake(near(GEMMA_WIDTH, abs_=0.5)),
            Mistake(near(1 / math.sqrt(GEMMA_WIDTH), abs_=0.001)),
            Mistake(near(1.0, abs_=0.01)),
        ),
    ),
    NumericExercise(
        id="journey.residual_norm",
        lesson=LESSON,
        answer=0.9 * math.sqrt(GEMMA_WIDTH),
        abs_tol=0.05,
        mistakes=(
            Mistake(near(0.9, abs_=0.01)),
            Mistake(near(0.9 * GEMMA_WIDTH, abs_=0.5)),
        ),
    ),
    ChoiceExercise(
        id="journey.position_where",
        lesson=LESSON,
        choices=(Choice("a", True), Choice("b", False), Choice("c", False), Choice("d", False)),
    ),
    ChoiceExercise(
        id="journey.lens_limits",
        lesson=LESSON,
        choices=(Choice("a", True), Choice("b", False), Choice("c", False), Choice("d", False)),
    ),
    WidgetTask(
        id="journey.answer_by_layer",
        lesson=LESSON,
        reads=(S.TEXT_KEY,),
        needs=("gemma",),
        checker=answer_early,
    ),
    CodeExercise(
        id="journey.logit_lens",
        lesson=LESSON,
        function_name="logit_lens",
        template=(
            "import math\n\n\n"
            "def logit_lens(residual, norm_weight, unembedding):\n"
            "    \"\"\"residual: d numbers (the stream after some block); norm_weight: d numbers (the final norm);\n"
            "    unembedding: V rows of d numbers. Returns the V next-token probabilities.\"\"\"\n"
            "    eps = 1e-6\n"
            "    # 1. RMSNorm: x / sqrt(mean(x^2) + eps) * (1 + w)\n"
            "    # 2. one logit per row of the unembedding: a dot product\n"
            "    # 3. the softmax (subtract the largest logit first)\n"
            "    return []\n"
        ),
        examples=(
            CodeCase(([1.0, -1.0], [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]])),
            CodeCase(([2.0, 0.0, 0.0], [0.5, 0.0, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])),
            CodeCase(([0.5, 1.5], [1.0, -0.5], [[3.0, 1.0], [1.0, 3.0], [0.0, 0.0], [-2.0, 2.0]])),
            CodeCase(([3.0, -1.0], [0.0, 0.0], [[900.0, 0.0], [0.0, 900.0], [-900.0, 0.0]])),  # logits over 1,000
        ),
        hidden=hidden_lens_cases,
        reference=logit_lens,
        explain=explain_lens,
        rel_tol=1e-6,
        abs_tol=1e-9,
    ),
)
