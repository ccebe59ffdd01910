"""Exercises of the attention lesson: the bank (texts in strings/), the code exercise's reference, the
widget-task checker."""

import math
import random

import numpy as np

from gptlab.exercises.builders import is_neg_inf, near
from gptlab.exercises.checkers import Verdict, task_problem
from gptlab.exercises.model import (
    CellsExercise, Choice, ChoiceExercise, CodeCase, CodeExercise, Mistake, NumericExercise, WidgetTask,
)
from gptlab.exercises.tasks import done, state_number, state_text
from gptlab.i18n import fmt_percent, t
from gptlab.nn import attention as A
from gptlab.nn import tokenization as tk
from labs.attention import settings as S

# --- the code exercise's reference (never sent to the sandbox) and the widget-task checker ----------

NEG_INF = float("-inf")


def causal_mask(T: int) -> list[list[float]]:
    """(T, T): 0.0 on and below the diagonal, -inf above it (position i sees positions j <= i)."""
    return [[0.0 if j <= i else NEG_INF for j in range(T)] for i in range(T)]


PREVIOUS_TOKEN_SHARE = 0.4  # about 2 of Gemma 3 270M's 72 heads pass on ordinary sentences
MIN_TOKENS_FOR_HEADS = 5


def previous_token_share(weights: np.ndarray) -> float:
    """(T, T) one head's weights -> mean weight a token puts on the token just before it.

    Rows 0 and 1 are left out: token 0 has no previous token and token 1's is <bos>, the attention sink.
    """
    T = weights.shape[-1]
    return float(np.mean([weights[i, i - 1] for i in range(2, T)]))


def previous_token_head(state: dict, env, lang: str) -> Verdict:
    """The attention-maps sliders must show a head that mostly looks at the previous token."""
    check = tk.check_text(state_text(state.get(S.TEXT_KEY)), S.MAX_TEXT_CHARS)
    if check.problem is not None:
        return task_problem("exercises.task.no_text", lang)
    tokens, weights = env.attention_weights(check.text)  # (L, H, T, T)
    if len(tokens) < MIN_TOKENS_FOR_HEADS:
        return task_problem("attention.task.too_short", lang, n=MIN_TOKENS_FOR_HEADS)
    layer = int(state_number(state.get(S.MAP_LAYER_KEY), S.DEFAULT_LAYER))
    head = int(state_number(state.get(S.MAP_HEAD_KEY), S.DEFAULT_HEAD))
    if not (0 <= layer < weights.shape[0] and 0 <= head < weights.shape[1]):
        return task_problem("attention.task.no_such_head", lang)
    share = previous_token_share(weights[layer, head])
    percent = fmt_percent(share, lang)
    threshold = fmt_percent(PREVIOUS_TOKEN_SHARE, lang, 0)
    if share >= PREVIOUS_TOKEN_SHARE:
        return done(True, t("attention.task.prev_found", lang, layer=layer, head=head, share=percent))
    sink = float(np.mean(weights[layer, head, 1:, 0]))
    extra = t("attention.task.prev_sink", lang, share=fmt_percent(sink, lang)) if sink > 0.5 else ""
    return done(False, t("attention.task.prev_low", lang, layer=layer, head=head, share=percent,
                          threshold=threshold), extra)


LESSON = "attention"
SLIDING_WINDOW = 3


def masked_cells(mask) -> frozenset[tuple[int, int]]:
    """The (row, column) cells of an additive mask that are -inf."""
    T = mask.shape[0]
    return frozenset((i, j) for i in range(T) for j in range(T) if math.isinf(float(mask[i, j])))


def causal_key(size: int) -> frozenset[tuple[int, int]]:
    return masked_cells(A.causal_mask(size))


def sliding_key(size: int) -> frozenset[tuple[int, int]]:
    return masked_cells(A.sliding_window_mask(size, SLIDING_WINDOW))


def why_hidden(i: int, j: int, lang: str) -> str:
    if j > i:
        return t("attention.cell.future", lang, i=i, j=j)
    return t("attention.cell.outside_window", lang, i=i, j=j, behind=i - j, window=SLIDING_WINDOW)


def why_visible(i: int, j: int, lang: str) -> str:
    if i == j:
        return t("attention.cell.itself", lang, i=i)
    return t("attention.cell.before", lang, i=i, j=j)


def explain_mask(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    if len(path) != 2 or not all(isinstance(p, int) for p in path):
        return None
    i, j = path
    return why_hidden(i, j, lang) if is_neg_inf(expected) else why_visible(i, j, lang)


def hidden_mask_cases(rng: random.Random) -> list[CodeCase]:
    return [CodeCase((T,)) for T in [0, 2] + [rng.randint(5, 16) for _ in range(4)]]


EXERCISES = (
    CellsExercise(
        id="attention.causal_cells",
        lesson=LESSON,
        size=4,
        key=causal_key,
        why_in=why_hidden,
        why_out=why_visible,
    ),
    CellsExercise(
        id="attention.sliding_cells",
        lesson=LESSON,
        size=5,
        key=sliding_key,
        why_in=why_hidden,
        why_out=why_visible,
    ),
    NumericExercise(
        id="attention.masked_softmax",
        lesson=LESSON,
        answer=1 / (1 + math.e ** 2),
        abs_tol=0.0015,
        mistakes=(
            Mistake(near(math.e / (math.e + math.e ** 3 + 1 + math.e ** 2), abs_=0.0015)),
            Mistake(near(math.e ** 2 / (1 + math.e ** 2), abs_=0.0015)),
            Mistake(near(0.5, abs_=0.0015)),
            Mistake(near(0.25, abs_=0.0015)),
            Mistake(near(math.e ** 3 / (math.e + math.e ** 3 + 1), abs_=0.0015)),  # counted from 0: three scores kept
        ),
    ),
    ChoiceExercise(
        id="attention.why_sqrt_dk",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    NumericExercise(
        id="attention.gpt2_block",
        lesson=LESSON,
        answer=7_087_872,
        mistakes=(
            Mistake(near(7_077_888, 0)),
            Mistake(near(85_054_464, 0)),
            Mistake(near(124_439_808, 0)),
        ),
    ),
    WidgetTask(
        id="attention.previous_token_head",
        lesson=LESSON,
        reads=(S.TEXT_KEY, S.MAP_LAYER_KEY, S.MAP_HEAD_KEY),
        needs=("gemma",),
        checker=previous_token_head,
    ),
    CodeExercise(
        id="attention.causal_mask",
        lesson=LESSON,
        function_name="causal_mask",
        template=(
            "import math\n\n\n"
            "def causal_mask(T):\n"
            "    \"\"\"T x T list of lists: 0.0 where position i may see position j, -inf where j is in the future.\"\"\"\n"
            "    mask = []\n"
            "    # your code here\n"
            "    return mask\n"
        ),
        examples=(CodeCase((1,)), CodeCase((3,)), CodeCase((4,))),
        hidden=hidden_mask_cases,
        reference=causal_mask,
        explain=explain_mask,
    ),
)
