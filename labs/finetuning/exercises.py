"""Exercises of the fine-tuning lesson (the course seed's exercises 3 and 4 among them): the bank (texts in
strings/), the code exercises' references, the widget-task checkers."""

import math
import random
from typing import Any, Sequence

from gptlab.exercises.answers import parse_number
from gptlab.exercises.builders import near
from gptlab.exercises.checkers import Verdict, number_text, task_problem, within
from gptlab.exercises.model import (
    INVALID, Choice, ChoiceExercise, CodeCase, CodeExercise, Mistake, NumericExercise, WidgetTask,
)
from gptlab.exercises.tasks import done, state_number
from gptlab.i18n import LANGUAGES, fmt_float, fmt_int, fmt_percent, t, value
from gptlab.nn.blocks import group_into_blocks, token_stream
from labs.finetuning import settings as S

# --- the code exercises' references (never sent to the sandbox) and the widget-task checkers ----------

def perplexity(losses: Sequence[float]) -> float:
    """exp of the mean cross-entropy (nats), the losses being per-token (or equal-sized) means."""
    return math.exp(sum(losses) / len(losses))


def group_texts(ids: Sequence[int], block_size: int) -> list[list[int]]:
    """Consecutive blocks of block_size ids; the remainder that does not fill a block is dropped."""
    usable = (len(ids) // block_size) * block_size
    return [list(ids[i : i + block_size]) for i in range(0, usable, block_size)]
def corpus_stream(texts: list[str], env) -> tuple[int, ...]:
    """The corpus as the fine-tuning page streams it: Gemma's ids, <eos> after each text."""
    tokenizer = env.gemma_tokenizer()
    ids = [tokenizer(x, add_special_tokens=False)["input_ids"] for x in texts]
    return token_stream(ids, separator=tokenizer.eos_token_id)


def dropped_tokens(stream_length: int, block_size: int, prefix_length: int = 1) -> tuple[int, int]:
    """(blocks, dropped tokens) when every block opens with the prefix (<bos>)."""
    blocks, remainder = group_into_blocks(range(stream_length), block_size, (0,) * prefix_length)
    return len(blocks), len(remainder)


def least_remainder(state: dict, env, lang: str) -> Verdict:
    """The block size on the page must drop the fewest tokens of all the page offers (and give blocks)."""
    texts = [x for x in state.get(S.CORPUS_KEY, []) if isinstance(x, str)]
    if not texts:
        return task_problem("finetuning.task.no_corpus", lang)
    block_size = int(state_number(state.get(S.BLOCK_SIZE_KEY), S.DEFAULT_BLOCK_SIZE))
    if block_size not in S.BLOCK_SIZES:
        return task_problem("exercises.task.bad_settings", lang)
    n = len(corpus_stream(texts, env))
    table = {b: dropped_tokens(n, b) for b in S.BLOCK_SIZES}
    usable = {b: r for b, (blocks, r) in table.items() if blocks >= 2}
    if not usable:
        return task_problem("finetuning.task.corpus_small", lang)
    blocks, dropped = table[block_size]
    fewest = min(usable.values())
    words = dict(size=block_size, tokens=fmt_int(n, lang), blocks=fmt_int(blocks, lang), dropped=fmt_int(dropped, lang))
    if blocks < 2:
        return done(False, t("finetuning.task.too_few_blocks", lang, **words))
    if dropped == fewest:
        return done(True, t("finetuning.task.remainder_ok", lang, **words))
    return done(False, t("finetuning.task.remainder_more", lang, **words))


DOMAIN_MIN_TEXTS = 5
DOMAIN_MIN_CHARS = 300
DOMAIN_MAX_SEED_SHARE = 0.2
SEED_TEXTS = frozenset(s for language in LANGUAGES for s in value("finetuning.seed_corpus", language))


def _report(value: Any) -> dict | None:
    return value if isinstance(value, dict) and isinstance(value.get("points"), list) else None


def domain_run(state: dict, env, lang: str) -> Verdict:
    """A finished fine-tuning run on a corpus of one's own: varied texts, not the notebook's synthetic five."""
    trained = state.get(S.TRAINED_KEY)
    if not isinstance(trained, dict) or _report(trained.get("report")) is None:
        return task_problem("finetuning.task.no_run", lang)
    report = trained["report"]
    texts = [x for x in trained.get("texts", []) if isinstance(x, str)]
    distinct = set(texts)
    feedback = []
    if not report.get("finished") or report.get("diverged"):
        feedback.append(t("finetuning.task.run_unfinished", lang))
    if len(distinct) < DOMAIN_MIN_TEXTS:
        feedback.append(t("finetuning.task.few_texts", lang, n=len(distinct), min=DOMAIN_MIN_TEXTS))
    seed_share = len(distinct & SEED_TEXTS) / max(len(distinct), 1)
    if seed_share > DOMAIN_MAX_SEED_SHARE:
        feedback.append(t("finetuning.task.seed_corpus", lang, share=fmt_percent(seed_share, lang)))
    chars = sum(len(x) for x in distinct)
    if chars < DOMAIN_MIN_CHARS:
        feedback.append(t("finetuning.task.short_corpus", lang, n=fmt_int(chars, lang), min=DOMAIN_MIN_CHARS))
    if feedback:
        return Verdict(0.0, tuple(feedback))
    train = [p["train_loss"] for p in report["points"] if p.get("train_loss") is not None]
    trend = ""
    if len(train) >= 2:
        trend = t("finetuning.task.domain_trend", lang, first=fmt_float(train[0], lang, 3), last=fmt_float(train[-1], lang, 3))
    steps = fmt_int(int(state_number(report.get("step"), 0)), lang)
    return done(True, t("finetuning.task.domain_ok", lang, texts=fmt_int(len(distinct), lang), steps=steps), trend)


PPL_REL_TOL = 0.01  # the page shows perplexities with 2 or 3 decimals


def validation_perplexity(state: dict, env, lang: str) -> Verdict:
    """A run validated every N steps (at least twice); the student reports its lowest validation perplexity."""
    report = _report(state.get(S.REPORT_KEY))
    if report is None:
        return task_problem("finetuning.task.no_run", lang)
    evals = [(int(p["step"]), float(p["val_loss"])) for p in report["points"] if p.get("val_loss") is not None]
    if not evals:
        return done(False, t("finetuning.task.no_validation", lang))
    if len({s for s, _ in evals}) < 2:
        return done(False, t("finetuning.task.one_validation", lang))
    if not report.get("finished"):
        return done(False, t("finetuning.task.run_unfinished", lang))
    reading = parse_number(str(state.get("answer", "")), lang)
    if reading.problem:
        return Verdict(0.0, (t(f"exercises.problem.{reading.problem}", lang),), status=INVALID)
    x = float(reading.value)
    losses = [loss for _, loss in evals]
    best = math.exp(min(losses))
    last = math.exp(losses[-1])
    steps = ", ".join(str(s) for s, _ in evals)
    where = t("finetuning.task.evals_at", lang, steps=steps)
    if within(x, best, PPL_REL_TOL, 0.0):
        return done(True, where, t("finetuning.task.ppl_ok", lang, ppl=fmt_float(best, lang, 2)))
    if within(x, min(losses), PPL_REL_TOL, 0.0):
        return done(False, where, t("finetuning.task.ppl_is_loss", lang))
    if not within(last, best, PPL_REL_TOL, 0.0) and within(x, last, PPL_REL_TOL, 0.0):
        return done(False, where, t("finetuning.task.ppl_last", lang))
    return done(False, where, t("finetuning.task.ppl_wrong", lang, value=number_text(x, lang)))


LESSON = "finetuning"
VALIDATION_LOSSES = (2.10, 2.30, 1.90, 2.00)


def explain_perplexity(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    if path or not isinstance(got, (int, float)) or isinstance(got, bool):
        return None
    losses = args[0]
    mean = sum(losses) / len(losses)
    if within(got, mean, 1e-6, 1e-9):
        return t("finetuning.explain.mean_loss", lang)
    if within(got, sum(math.exp(x) for x in losses) / len(losses), 1e-6, 1e-9):
        return t("finetuning.explain.mean_of_exponentials", lang)
    if within(got, 2 ** mean, 1e-6, 1e-9):
        return t("finetuning.explain.base_two", lang)
    if within(got, math.exp(min(sum(losses), 700.0)), 1e-6, 1e-9):
        return t("finetuning.explain.exponential_of_sum", lang)
    return None


def hidden_perplexity_cases(rng: random.Random) -> list[CodeCase]:
    return [CodeCase(([round(rng.uniform(0.0, 8.0), 4) for _ in range(rng.randint(1, 12))],)) for _ in range(6)]


def explain_group_texts(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    ids, block_size = args
    if path == ("len",) and isinstance(got, int) and got == expected + 1 and len(ids) % block_size:
        return t("finetuning.explain.incomplete_block", lang)
    return None


def hidden_group_cases(rng: random.Random) -> list[CodeCase]:
    cases = []
    for n in (0, rng.randint(1, 9), rng.randint(10, 40), rng.randint(10, 40), rng.randint(41, 80)):
        block = rng.randint(1, 9)
        cases.append(CodeCase(([rng.randint(0, 999) for _ in range(n)], block)))
    exact = rng.randint(2, 6)
    cases.append(CodeCase(([rng.randint(0, 999) for _ in range(exact * 4)], exact)))  # no remainder at all
    return cases


EXERCISES = (
    NumericExercise(
        id="finetuning.remainder",
        lesson=LESSON,
        answer=1000 % 128,
        mistakes=(
            Mistake(near(7, 0)),
            Mistake(near(896, 0)),
            Mistake(near(1000 / 128, 1e-3)),
            Mistake(near(24, 0)),
        ),
    ),
    NumericExercise(
        id="finetuning.validation_perplexity_numbers",
        lesson=LESSON,
        answer=math.exp(sum(VALIDATION_LOSSES) / len(VALIDATION_LOSSES)),
        rel_tol=0.005,
        mistakes=(
            Mistake(near(sum(VALIDATION_LOSSES) / 4, 0.002)),
            Mistake(near(sum(math.exp(x) for x in VALIDATION_LOSSES) / 4, 0.004)),
            Mistake(near(2 ** (sum(VALIDATION_LOSSES) / 4), 0.005)),
            Mistake(near(math.exp(sum(VALIDATION_LOSSES)), 0.01)),
        ),
    ),
    NumericExercise(
        id="finetuning.steps_per_epoch",
        lesson=LESSON,
        answer=math.ceil(35 / 4),
        mistakes=(
            Mistake(near(8, 0)),
            Mistake(lambda x: near(17.5, 0)(x) or near(18, 0)(x) or near(17, 0)(x)),
            Mistake(near(8.75, 0)),
        ),
    ),
    ChoiceExercise(
        id="finetuning.where_is_the_shift",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    WidgetTask(
        id="finetuning.least_remainder",
        lesson=LESSON,
        reads=(S.BLOCK_SIZE_KEY, S.CORPUS_KEY),
        needs=("gemma",),
        checker=least_remainder,
    ),
    WidgetTask(
        id="finetuning.domain_corpus",
        lesson=LESSON,
        reads=(S.TRAINED_KEY,),
        needs=(),
        checker=domain_run,
    ),
    WidgetTask(
        id="finetuning.validation_run",
        lesson=LESSON,
        reads=(S.REPORT_KEY,),
        answer="number",
        needs=(),
        checker=validation_perplexity,
    ),
    CodeExercise(
        id="finetuning.perplexity",
        lesson=LESSON,
        function_name="perplexity",
        template=(
            "import math\n\n\n"
            "def perplexity(losses):\n"
            "    \"\"\"exp of the mean cross-entropy (nats).\"\"\"\n"
            "    # your code here\n"
            "    return 0.0\n"
        ),
        examples=(CodeCase(([0.693, 1.386, 2.303, 0.223],)), CodeCase(([2.0],)), CodeCase(([0.0, 0.0],))),
        hidden=hidden_perplexity_cases,
        reference=perplexity,
        rel_tol=1e-6,
        explain=explain_perplexity,
    ),
    CodeExercise(
        id="finetuning.group_texts",
        lesson=LESSON,
        function_name="group_texts",
        template=(
            "def group_texts(ids, block_size):\n"
            "    \"\"\"Consecutive blocks of block_size ids; the remainder is dropped.\"\"\"\n"
            "    blocks = []\n"
            "    # your code here\n"
            "    return blocks\n"
        ),
        examples=(CodeCase((list(range(10)), 4)), CodeCase(([5, 6, 7], 4)), CodeCase((list(range(6)), 3))),
        hidden=hidden_group_cases,
        reference=group_texts,
        explain=explain_group_texts,
    ),
)
