"""Exercises of the decoding lesson (the course seed's exercises 1 and 2 among them): the bank (texts in
strings/), the code exercise's reference, the widget-task checkers."""

import math
import random
from typing import Sequence

from gptlab.exercises.builders import is_neg_inf, near
from gptlab.exercises.checkers import Verdict, task_problem
from gptlab.exercises.model import (
    Choice, ChoiceExercise, CodeCase, CodeExercise, Mistake, NumericExercise, TaskOption, WidgetTask,
)
from gptlab.exercises.tasks import done, quoted, state_number, state_text
from gptlab.i18n import fmt_float, fmt_int, fmt_number, fmt_percent, t
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.nn import tokenization as tk
from labs.decoding import settings as S
from labs.decoding.repetition import distinct_n

# --- the code exercise's reference (never sent to the sandbox) and the widget-task checkers ----------

NEG_INF = float("-inf")


def top_p_filter(logits: Sequence[float], p: float) -> list[float]:
    """Nucleus filter: keep the most likely tokens while the probability before each is < p; cut the rest to -inf.

    The most likely token is always kept. Ties in the sort keep the earlier index first.
    """
    top = max(logits)
    weights = [math.exp(z - top) for z in logits]  # softmax numerator, shifted for stability
    total = sum(weights)
    order = sorted(range(len(logits)), key=lambda i: -logits[i])  # stable: equal logits keep index order
    keep, mass = set(), 0.0
    for i in order:
        if keep and mass >= p:
            break
        keep.add(i)
        mass += weights[i] / total
    return [float(z) if i in keep else NEG_INF for i, z in enumerate(logits)]


def _prompt_ids(text: str, env, max_new: int) -> G.FittedPrompt:
    tokenizer = env.gemma_tokenizer()
    return G.fit_prompt(tokenizer(text)["input_ids"], max_new, tokenizer.bos_token_id)


def _strategy(state: dict) -> D.Strategy | None:
    try:
        return D.Strategy(temperature=state_number(state.get(S.TEMPERATURE_KEY), 1.0),
                          top_k=int(state_number(state.get(S.TOP_K_KEY), 0)),
                          top_p=state_number(state.get(S.TOP_P_KEY), 1.0))
    except ValueError:
        return None


NUCLEUS_TARGET = 3


def top_p_three(state: dict, env, lang: str) -> Verdict:
    """With top-k off, top-p must leave exactly three candidates for the page's prompt."""
    check = tk.check_text(state_text(state.get(S.PROMPT_KEY)))
    if check.problem is not None:
        return task_problem("exercises.task.no_prompt", lang)
    strategy = _strategy(state)
    if strategy is None:
        return task_problem("exercises.task.bad_settings", lang)
    if strategy.top_k:
        return done(False, t("decoding.task.top_k_on", lang, k=strategy.top_k))
    if strategy.is_greedy:
        return done(False, t("decoding.task.greedy", lang))
    prompt = _prompt_ids(check.text, env, int(state_number(state.get(S.MAX_NEW_KEY), S.DEFAULT_MAX_NEW)))
    logits = env.next_logits(prompt.ids)  # (V,)
    kept = int((D.probabilities(logits, strategy) > 0).sum())
    p = fmt_float(strategy.top_p, lang, 2)
    if kept == NUCLEUS_TARGET:
        return done(True, t("decoding.task.three_ok", lang, p=p))
    key = "decoding.task.too_many" if kept > NUCLEUS_TARGET else "decoding.task.too_few"
    return done(False, t(key, lang, n=fmt_int(kept, lang), p=p))


GRID_MIN_TOKENS = 20


def grid_cell_id(temperature: float, top_p: float) -> str:
    return f"T{temperature:g}-p{top_p:g}"


def grid_repetition(state: dict, env, lang: str) -> Verdict:
    """The student names the grid cell whose text repeats most (lowest distinct-2) in their own run."""
    entry = state.get(S.GRID_KEY)
    if not isinstance(entry, dict) or not isinstance(entry.get("state"), dict):
        return task_problem("decoding.task.grid_missing", lang)
    if not entry.get("complete"):
        return task_problem("decoding.task.grid_incomplete", lang)
    strategies = entry.get("request", {}).get("strategies", [])
    rows = entry["state"].get("rows", [])
    if len(strategies) != len(rows) or len(rows) < 3:
        return task_problem("decoding.task.grid_missing", lang)
    if int(state_number(entry.get("request", {}).get("max_new_tokens"), 0)) < GRID_MIN_TOKENS:
        return task_problem("decoding.task.grid_short", lang, n=GRID_MIN_TOKENS)
    scores: dict[str, float] = {}
    for strategy, row in zip(strategies, rows):
        tokens = [int(c["token_id"]) for c in row.get("tokens", [])]
        d2 = distinct_n(tokens, 2)
        if d2 is not None:
            scores[grid_cell_id(float(strategy["temperature"]), float(strategy["top_p"]))] = d2
    if not scores:
        return task_problem("decoding.task.grid_short", lang, n=GRID_MIN_TOKENS)
    answer = str(state.get("answer", ""))
    lowest = min(scores.values())
    if answer not in scores:
        return task_problem("decoding.task.grid_no_cell", lang)
    mine = fmt_float(scores[answer], lang, 2)
    if scores[answer] <= lowest + 1e-9:
        return done(True, t("decoding.task.grid_ok", lang, d2=mine))
    return done(False, t("decoding.task.grid_wrong", lang, d2=mine, lowest=fmt_float(lowest, lang, 2)))


PREFIX_CHARS = 200


def prompt_prefix(state: dict, env, lang: str) -> Verdict:
    """An instruction prefix put before the page's prompt must change the model's favourite next token."""
    check = tk.check_text(state_text(state.get(S.PROMPT_KEY)))
    if check.problem is not None:
        return task_problem("exercises.task.no_prompt", lang)
    prefix = " ".join(state_text(state.get("answer")).split())
    if not prefix:
        return task_problem("exercises.problem.empty", lang)
    if len(prefix) > PREFIX_CHARS:
        return task_problem("decoding.task.prefix_long", lang, n=PREFIX_CHARS)
    tokenizer = env.gemma_tokenizer()
    plain = _prompt_ids(check.text, env, 40)
    prefixed = _prompt_ids(prefix + " " + check.text, env, 40)
    if plain.dropped or prefixed.dropped:
        return task_problem("decoding.task.prompt_long", lang)
    before = D.probabilities(env.next_logits(plain.ids))  # (V,)
    after = D.probabilities(env.next_logits(prefixed.ids))  # (V,)
    a, b = int(before.argmax()), int(after.argmax())
    words = dict(before=quoted(tokenizer.decode([a])), p_before=fmt_percent(float(before[a]), lang),
                 after=quoted(tokenizer.decode([b])), p_after=fmt_percent(float(after[b]), lang))
    if a != b:
        return done(True, t("decoding.task.prefix_ok", lang, **words))
    return done(False, t("decoding.task.prefix_same", lang, **words))


LESSON = "decoding"
MARGIN = 1e-3  # hidden top-p cases keep p this far from every cumulative sum: no rounding decides a case


def explain_top_p(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    if len(path) != 1 or not isinstance(path[0], int):
        return None
    i = path[0]
    if is_neg_inf(expected):
        return t("decoding.explain.outside_nucleus", lang, i=i)
    if is_neg_inf(got):
        return t("decoding.explain.inside_nucleus", lang, i=i)
    return t("decoding.explain.kept_logit", lang)


def hidden_top_p_cases(rng: random.Random) -> list[CodeCase]:
    cases = []
    while len(cases) < 6:
        n = rng.randint(3, 12)
        logits = [round(rng.uniform(-4, 4), 3) for _ in range(n)]
        if len(set(logits)) < n:
            continue  # ties make the nucleus ambiguous
        top = max(logits)
        weights = sorted((math.exp(z - top) for z in logits), reverse=True)
        cumulative = [sum(weights[: k + 1]) / sum(weights) for k in range(n)]
        p = round(rng.uniform(0.05, 0.97), 3)
        if all(abs(c - p) > MARGIN for c in cumulative):
            cases.append(CodeCase((logits, p)))
    return cases


GRID_OPTIONS = tuple(
    TaskOption(grid_cell_id(T, p), lambda lang, T=T, p=p: f"T {fmt_number(T, lang, 2)} · top-p {fmt_number(p, lang, 2)}")
    for T in S.GRID_TEMPERATURES for p in S.GRID_TOP_PS
)

EXERCISES = (
    NumericExercise(
        id="decoding.nucleus_renormalized",
        lesson=LESSON,
        answer=0.5 / 0.95,
        abs_tol=0.002,
        mistakes=(
            Mistake(near(0.5, abs_=0.002)),
            Mistake(near(0.625, abs_=0.002)),
            Mistake(near(0.735, abs_=0.002)),
        ),
    ),
    ChoiceExercise(
        id="decoding.nucleus_with_temperature",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    ChoiceExercise(
        id="decoding.processor_order",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    ChoiceExercise(
        id="decoding.no_setting_is_factual",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    WidgetTask(
        id="decoding.top_p_three",
        lesson=LESSON,
        reads=(S.PROMPT_KEY, S.TEMPERATURE_KEY, S.TOP_K_KEY, S.TOP_P_KEY, S.MAX_NEW_KEY),
        needs=("gemma",),
        checker=top_p_three,
    ),
    WidgetTask(
        id="decoding.grid_repetition",
        lesson=LESSON,
        reads=(S.GRID_KEY,),
        answer="option",
        options=GRID_OPTIONS,
        needs=(),
        checker=grid_repetition,
    ),
    WidgetTask(
        id="decoding.prompt_prefix",
        lesson=LESSON,
        reads=(S.PROMPT_KEY,),
        answer="text",
        needs=("gemma",),
        checker=prompt_prefix,
    ),
    CodeExercise(
        id="decoding.top_p_filter",
        lesson=LESSON,
        function_name="top_p_filter",
        template=(
            "import math\n\n\n"
            "def top_p_filter(logits, p):\n"
            "    \"\"\"Nucleus filter: tokens outside the smallest set with probability >= p become -inf.\"\"\"\n"
            "    # your code here\n"
            "    return list(logits)\n"
        ),
        examples=(CodeCase(([2.0, 1.0, 0.5, -1.0], 0.9)), CodeCase(([3.0, 0.0, -1.0], 0.5)),
                  CodeCase(([0.0, 2.0, 1.0], 0.0)), CodeCase(([-1.0, 1.0, 0.0, 0.5], 0.6))),
        hidden=hidden_top_p_cases,
        reference=top_p_filter,
        explain=explain_top_p,
    ),
)
