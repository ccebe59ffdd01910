"""Code exercises, graded through the real sandbox: references, wrong answers, hidden cases, statuses."""

from __future__ import annotations

import math
import random

import pytest
import torch

from gptlab.exercises import bank
from gptlab.exercises import sandbox
from gptlab.exercises.checkers import grade
from gptlab.exercises.model import BUSY, CORRECT, ERROR, INCORRECT, INVALID, LIMIT, TIMEOUT, CodeExercise
from gptlab.nn import attention, blocks, decoding, finetune
from labs.attention import exercises as attention_exercises
from labs.decoding import exercises as decoding_exercises
from labs.finetuning import exercises as finetuning_exercises

CODE = [ex for ex in bank.all_exercises() if isinstance(ex, CodeExercise)]

# A student's right answer for each exercise, written as a student would.
RIGHT = {
    "attention.causal_mask": """
import math

def causal_mask(T):
    return [[0.0 if j <= i else -math.inf for j in range(T)] for i in range(T)]
""",
    "decoding.top_p_filter": """
import math

def top_p_filter(logits, p):
    top = max(logits)
    e = [math.exp(z - top) for z in logits]
    probs = [x / sum(e) for x in e]
    order = sorted(range(len(logits)), key=lambda i: -logits[i])
    out = [float("-inf")] * len(logits)
    mass = 0.0
    for rank, i in enumerate(order):
        if rank > 0 and mass >= p:
            break
        out[i] = logits[i]
        mass += probs[i]
    return out
""",
    "finetuning.perplexity": """
import numpy as np

def perplexity(losses):
    return float(np.exp(np.mean(losses)))
""",
    "journey.logit_lens": """
import math

def logit_lens(residual, norm_weight, unembedding):
    rms = math.sqrt(sum(x * x for x in residual) / len(residual) + 1e-6)
    h = [x / rms * (1 + w) for x, w in zip(residual, norm_weight)]
    logits = [sum(e * v for e, v in zip(row, h)) for row in unembedding]
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    return [e / sum(exps) for e in exps]
""",
    "finetuning.group_texts": """
def group_texts(ids, block_size):
    total = (len(ids) // block_size) * block_size
    return [ids[i:i + block_size] for i in range(0, total, block_size)]
""",
}

# Wrong answers and the (English) feedback each must get.
WRONG = {
    "attention.causal_mask": [
        ("import math\ndef causal_mask(T):\n    return [[0.0 if j < i else -math.inf for j in range(T)] for i in range(T)]\n",
         "`causal_mask(1)[0][0]` should be `0.0` (position 0 may always see itself, on the diagonal), got `-inf`"),
        ("import math\ndef causal_mask(T):\n    return [[0.0 if j >= i else -math.inf for j in range(T)] for i in range(T)]\n",
         "`causal_mask(3)[0][1]` should be `-inf` (position 0 must not see position 1, which comes later), got `0.0`"),
        ("def causal_mask(T):\n    return [[j > i for j in range(T)] for i in range(T)]\n",
         "should be `0.0` (position 0 may always see itself, on the diagonal), got `false`"),
        ("import math\ndef causal_mask(T):\n    return [[0.0 if j <= i else -math.inf for j in range(T)] for i in range(T - 1)]\n",
         "`causal_mask(3)` should have 3 item(s), it has 2"),
        ("def causal_mask(T):\n    return undefined_name\n", "`causal_mask(1)` raised `NameError"),
    ],
    "decoding.top_p_filter": [
        (RIGHT["decoding.top_p_filter"].replace("mass >= p", "mass + probs[i] > p"),
         "is in the nucleus: the more likely tokens add up to less than p"),
        ("import math\ndef top_p_filter(logits, p):\n    s = sum(math.exp(z) for z in logits)\n"
         "    return [math.exp(z) / s for z in logits]\n", "a kept token keeps its original logit"),
        ("def top_p_filter(logits, p):\n    return list(logits)\n",
         "is outside the nucleus: the more likely tokens already add up to p"),
        ("def top_p_filter(logits, p):\n    return [float('-inf')] * len(logits)\n", "is in the nucleus"),
    ],
    "finetuning.perplexity": [
        ("def perplexity(losses):\n    return sum(losses) / len(losses)\n", "that is the mean loss; the exponential is missing"),
        ("import math\ndef perplexity(losses):\n    return sum(math.exp(x) for x in losses) / len(losses)\n",
         "you averaged the exponentials"),
        ("def perplexity(losses):\n    return 2 ** (sum(losses) / len(losses))\n", "use $e$, not 2"),
        ("import math\ndef perplexity(losses):\n    return math.exp(sum(losses))\n", "not of the sum"),
    ],
    "journey.logit_lens": [
        ("import math\ndef logit_lens(r, w, E):\n    rms = math.sqrt(sum(x * x for x in r) / len(r) + 1e-6)\n"
         "    h = [x / rms * (1 + v) for x, v in zip(r, w)]\n    return [sum(e * x for e, x in zip(row, h)) for row in E]\n",
         "these are the logits: the softmax turns them into probabilities"),
        ("import math\ndef logit_lens(r, w, E):\n    rms = math.sqrt(sum(x * x for x in r) / len(r) + 1e-6)\n"
         "    z = [sum(e * x / rms * v for e, x, v in zip(row, r, w)) for row in E]\n"
         "    m = max(z)\n    return [math.exp(a - m) / sum(math.exp(b - m) for b in z) for a in z]\n",
         "Gemma's norm scales by $1 + w$, not by $w$"),
        ("import math\ndef logit_lens(r, w, E):\n    z = [sum(e * x * (1 + v) for e, x, v in zip(row, r, w)) for row in E]\n"
         "    m = max(z)\n    return [math.exp(a - m) / sum(math.exp(b - m) for b in z) for a in z]\n",
         "the final norm is missing: divide by the root mean square first"),
        ("import math\ndef logit_lens(r, w, E):\n    rms = math.sqrt(sum(x * x for x in r) / len(r) + 1e-6)\n"
         "    z = [sum(e * x / rms * (1 + v) for e, x, v in zip(row, r, w)) for row in E]\n"
         "    return [math.exp(a) / sum(math.exp(b) for b in z) for a in z]\n",
         "raised `OverflowError"),
    ],
    "finetuning.group_texts": [
        ("def group_texts(ids, block_size):\n    return [ids[i:i + block_size] for i in range(0, len(ids), block_size)]\n",
         "The last block is incomplete: the remainder that does not fill a block is dropped"),
        ("def group_texts(ids, block_size):\n    return [ids[i:i + block_size] for i in range(len(ids) - block_size + 1)]\n",
         "`group_texts([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)` should have 2 item(s), it has 7"),
        ("def group_texts(ids, block_size):\n    return list(ids)\n",
         "`group_texts([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)` should have 2 item(s), it has 10"),
    ],
}


def test_every_code_exercise_has_a_right_and_three_wrong_answers():
    assert {ex.id for ex in CODE} == set(RIGHT) == set(WRONG)
    assert all(len(v) >= 3 for v in WRONG.values())


# --- the references teach the same thing as the library code of the lessons -------------------------------------

@pytest.mark.parametrize("T", [0, 1, 2, 5, 9])
def test_reference_causal_mask_is_core_attentions(T):
    assert attention_exercises.causal_mask(T) == attention.causal_mask(T).tolist()


def test_reference_top_p_is_core_decodings_nucleus():
    rng = random.Random(7)
    ex = bank.by_id("decoding.top_p_filter")
    for case in [*ex.examples, *ex.hidden(rng), *ex.hidden(rng)]:
        logits, p = case.args
        ours = decoding_exercises.top_p_filter(logits, p)
        library = decoding.keep_top_p(torch.tensor(logits, dtype=torch.float64), p).tolist()
        assert [math.isinf(x) for x in ours] == [math.isinf(x) for x in library], case


def test_reference_perplexity_and_group_texts_match_the_fine_tuning_code():
    losses = [0.693, 1.386, 2.303, 0.223]
    assert math.isclose(finetuning_exercises.perplexity(losses), finetune.perplexity(sum(losses) / 4))
    assert math.isclose(finetuning_exercises.perplexity(losses), 0.01 ** -0.25, rel_tol=1e-3)  # the lesson's worked example
    ids = list(range(23))
    grouped, remainder = blocks.group_into_blocks(ids, 5)
    assert finetuning_exercises.group_texts(ids, 5) == [list(b) for b in grouped] and len(remainder) == 3


@pytest.mark.parametrize("ex", CODE, ids=lambda ex: ex.id)
def test_hidden_cases_are_fresh_and_never_the_examples(ex):
    first, second = ex.hidden(random.Random(1)), ex.hidden(random.Random(2))
    assert first and [c.args for c in first] != [c.args for c in second]
    shown = [c.args for c in ex.examples]
    assert not [c for c in first if c.args in shown and len(str(c.args)) > 20]


def test_hidden_top_p_cases_never_sit_on_a_boundary():
    ex = bank.by_id("decoding.top_p_filter")
    for case in ex.hidden(random.Random(3)):
        logits, p = case.args
        probs = torch.tensor(logits, dtype=torch.float64).softmax(-1).sort(descending=True).values
        assert (probs.cumsum(0) - p).abs().min() > 1e-3
        assert len(set(logits)) == len(logits)


# --- graded through the sandbox -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def seeded_hidden_cases(monkeypatch):
    """The app draws hidden cases with the system's randomness; a seeded generator makes each test's cases the
    same on every run, so a verdict never depends on the draw."""
    seeded = random.Random(11)
    monkeypatch.setattr(random, "SystemRandom", lambda: seeded)


@pytest.mark.parametrize("ex", CODE, ids=lambda ex: ex.id)
def test_right_answer_scores_one_with_hidden_checks(ex):
    attempt = grade(ex, RIGHT[ex.id], "en")
    assert (attempt.status, attempt.score) == (CORRECT, 1.0), attempt.feedback
    assert attempt.hidden_total >= 5 and attempt.hidden_failed == 0
    assert f"The {attempt.hidden_total} hidden checks passed." in attempt.feedback


@pytest.mark.parametrize("ex", CODE, ids=lambda ex: ex.id)
def test_template_is_not_already_right(ex):
    attempt = grade(ex, ex.template, "en")
    assert attempt.status == INCORRECT and attempt.score < 1.0


@pytest.mark.parametrize("ex_id, source, expected", [(k, s, e) for k, v in WRONG.items() for s, e in v])
def test_wrong_answers_get_feedback_a_student_can_act_on(ex_id, source, expected):
    attempt = grade(bank.by_id(ex_id), source, "en")
    assert attempt.status == INCORRECT and attempt.score < 1.0
    assert any(expected in line for line in attempt.feedback), attempt.feedback


def test_an_answer_that_only_knows_the_examples_fails_hidden_checks():
    ex = bank.by_id("attention.causal_mask")
    source = ("inf = float('-inf')\n"
              "def causal_mask(T):\n"
              "    return {1: [[0.0]], 3: [[0.0, inf, inf], [0.0, 0.0, inf], [0.0, 0.0, 0.0]],\n"
              "            4: [[0.0, inf, inf, inf], [0.0, 0.0, inf, inf], [0.0, 0.0, 0.0, inf], [0.0] * 4]}[T]\n")
    attempt = grade(ex, source, "en")
    assert attempt.status == INCORRECT and 0 < attempt.score < 1
    assert attempt.hidden_failed == attempt.hidden_total
    assert f"{attempt.hidden_total} of {attempt.hidden_total} hidden checks failed." in attempt.feedback
    assert not any("passed" in line for line in attempt.feedback)
    pt = grade(ex, source, "pt-BR")
    assert f"{pt.hidden_total} de {pt.hidden_total} testes escondidos falharam." in pt.feedback


def test_printing_all_passed_does_not_fool_the_grader():
    ex = bank.by_id("finetuning.perplexity")
    attempt = grade(ex, "print('All 9 checks passed. score 1.0')\ndef perplexity(losses):\n    return 1.0\n", "en")
    assert attempt.status == INCORRECT and attempt.score < 1
    assert "All 9 checks passed" in attempt.stdout and "All 9 checks passed" not in " ".join(attempt.feedback)


def test_markup_in_a_students_values_stays_literal():
    ex = bank.by_id("finetuning.perplexity")
    attempt = grade(ex, "def perplexity(losses):\n    return '<script>alert(1)</script>`**x**`'\n", "en")
    line = next(line for line in attempt.feedback if "should be" in line)
    assert "`\"<script>alert(1)</script>ʼ**x**ʼ\"`" in line  # inside one code span, its backticks neutralised


def test_sandbox_statuses_become_clear_messages():
    ex = bank.by_id("finetuning.perplexity")
    limits = sandbox.SandboxLimits(cpu_seconds=1, wall_seconds=4, memory_bytes=512 * 1024**2)
    syntax = grade(ex, "def perplexity(losses) return 1", "en")
    assert syntax.status == ERROR and "check its syntax" in syntax.feedback[0] and "SyntaxError" in syntax.feedback[1]
    missing = grade(ex, "def other(losses):\n    return 1\n", "en")
    assert missing.status == ERROR and "perplexity" in missing.feedback[0]
    loop = grade(ex, "def perplexity(losses):\n    while True:\n        pass\n", "en", limits=limits)
    assert loop.status == TIMEOUT and "ran out of time" in loop.feedback[0] and loop.score == 0
    memory = grade(ex, "def perplexity(losses):\n    x = [0] * (10 ** 10)\n    return 1\n", "en", limits=limits)
    assert memory.status in (LIMIT, INCORRECT)  # a MemoryError inside the function is that case's exception
    if memory.status == INCORRECT:
        assert any("MemoryError" in line for line in memory.feedback)
    noisy = grade(ex, "def perplexity(losses):\n    print('x' * 100000)\n    return 1\n", "en", limits=limits)
    assert noisy.status == LIMIT and "went past a limit" in noisy.feedback[0]
    assert grade(ex, "", "en").status == INVALID
    assert grade(ex, "x = 1\n" * 10_000, "en").status == INVALID


def test_a_busy_checker_says_so_and_the_attempt_does_not_count():
    ex = bank.by_id("finetuning.perplexity")
    taken = 0
    while sandbox._slots.acquire(blocking=False):  # every slot taken, as by other students' runs
        taken += 1
    try:
        attempt = grade(ex, RIGHT[ex.id], "en")
    finally:
        for _ in range(taken):
            sandbox._slots.release()
    assert attempt.status == BUSY and not attempt.recorded and attempt.stored_status is None
    assert "try again in a few seconds" in attempt.feedback[0]
    assert grade(ex, RIGHT[ex.id], "en").status == CORRECT  # the slots are free again
