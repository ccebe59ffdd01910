"""Tasks on the live widgets, checked from plain state: with the real models where the task uses one."""

from __future__ import annotations

import math

import pytest
import torch

from gptlab.exercises import bank
from gptlab.exercises.checkers import grade
from gptlab.exercises.env import CoreEnv
from gptlab.exercises.model import CORRECT, INCORRECT, INVALID
from gptlab.exercises.state import to_plain
from gptlab.i18n import fmt_percent, t
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.nn.blocks import plan_blocks
from gptlab.nn.finetune import LogPoint, RunReport
from labs.attention import exercises as attention_exercises
from labs.decoding import exercises as decoding_exercises
from labs.decoding import settings as decoding_settings
from labs.decoding.repetition import distinct_n
from labs.finetuning import corpus as C
from labs.finetuning import settings as finetuning_settings


def text_of(attempt) -> str:
    return " ".join(attempt.feedback)


@pytest.fixture(scope="module")
def env(prepared_decoder):
    return CoreEnv()


def test_every_task_is_covered_here():
    covered = {"tokenization.bert_unk", "tokenization.partial_character", "attention.previous_token_head",
               "decoding.top_p_three", "decoding.grid_repetition", "decoding.prompt_prefix",
               "finetuning.least_remainder", "finetuning.domain_corpus", "finetuning.validation_run",
               "journey.answer_by_layer"}
    assert {ex.id for ex in bank.all_exercises() if ex.kind == "task"} == covered


# --- fine-tuning tasks from stored run reports (no model needed to grade them) --------------------------------------

def report(points, finished=True, diverged=None, total=12) -> dict:
    r = RunReport(total_steps=total, step=max((p.step for p in points), default=0), points=list(points),
                  finished=finished, diverged=diverged)
    return to_plain(r)  # exactly what the widget hands over


def validation_points(val_losses=(2.5, 2.2, 2.3), steps=(5, 10, 12)):
    points = [LogPoint(s, s / 12, train_loss=3.0 - s / 10) for s in range(1, 13)]
    points += [LogPoint(s, s / 12, val_loss=v) for s, v in zip(steps, val_losses)]
    return points


def test_validation_run_reference_and_wrong_answers():
    ex = bank.by_id("finetuning.validation_run")
    state = {"finetune.report": report(validation_points())}
    best = math.exp(2.2)
    right = grade(ex, {**state, "answer": f"{best:.2f}"}, "en")
    assert right.status == CORRECT and "5, 10, 12" in text_of(right)
    assert grade(ex, {**state, "answer": f"{best:.3f}".replace(".", ",")}, "pt-BR").status == CORRECT
    assert grade(ex, {**state, "answer": str(best * 1.009)}, "en").status == CORRECT  # just inside 1 %
    assert grade(ex, {**state, "answer": str(best * 1.011)}, "en").status == INCORRECT  # just outside
    loss = grade(ex, {**state, "answer": "2.2"}, "en")
    assert loss.status == INCORRECT and "validation loss; the perplexity is exp(loss)" in text_of(loss)
    last = grade(ex, {**state, "answer": f"{math.exp(2.3):.2f}"}, "en")
    assert last.status == INCORRECT and "last validation, not the lowest" in text_of(last)
    other = grade(ex, {**state, "answer": "12"}, "en")
    assert other.status == INCORRECT and "is not any of your run's validation perplexities" in text_of(other)
    assert grade(ex, {**state, "answer": ""}, "en").status == INVALID
    assert grade(ex, {**state, "answer": "lots"}, "en").status == INVALID


def test_validation_run_needs_two_validations_and_a_finished_run():
    ex = bank.by_id("finetuning.validation_run")
    answer = {"answer": "9.03"}
    none = grade(ex, {"finetune.report": report(validation_points((), ())), **answer}, "en")
    assert none.status == INCORRECT and "had no validation" in text_of(none)
    once = grade(ex, {"finetune.report": report(validation_points((2.2,), (12,))), **answer}, "en")
    assert once.status == INCORRECT and "only once" in text_of(once)
    stopped = grade(ex, {"finetune.report": report(validation_points(), finished=False), **answer}, "en")
    assert stopped.status == INCORRECT and "did not finish" in text_of(stopped)
    nothing = grade(ex, {"finetune.report": None, **answer}, "en")
    assert nothing.status == INVALID and "no finished training run" in text_of(nothing)


DOMAIN_TEXTS = [
    "Ementa: Compra e venda de imóvel. Vício oculto. Responsabilidade do vendedor reconhecida.",
    "Ementa: Contrato de locação. Despejo por falta de pagamento. Prazo de quinze dias para desocupação.",
    "Ementa: Acidente de trânsito. Culpa concorrente. Indenização reduzida à metade.",
    "Ementa: Plano de saúde. Negativa de cobertura de cirurgia. Dano moral configurado.",
    "Ementa: Direito do consumidor. Produto com defeito. Troca em trinta dias.",
    "Ementa: Servidor público. Adicional de insalubridade. Laudo pericial favorável.",
]


def test_domain_corpus_reference_and_wrong_corpora():
    ex = bank.by_id("finetuning.domain_corpus")
    trained = {"texts": DOMAIN_TEXTS, "report": report(validation_points())}
    right = grade(ex, {"exercises.finetune.trained": trained}, "en")
    assert right.status == CORRECT and "6 texts of your own" in text_of(right)
    seed = {"texts": list(C.texts_from_editor(C.seed_corpus_text("pt-BR")).texts), "report": trained["report"]}
    synthetic = grade(ex, {"exercises.finetune.trained": seed}, "en")
    assert synthetic.status == INCORRECT and "synthetic sentences" in text_of(synthetic)
    assert t("finetuning.task.seed_corpus", "en", share=fmt_percent(1.0, "en")) in synthetic.feedback
    half = {**trained, "texts": DOMAIN_TEXTS[:5] + list(C.seed_sentences("pt-BR"))}  # 5 of each
    mixed = grade(ex, {"exercises.finetune.trained": half}, "pt-BR")
    assert t("finetuning.task.seed_corpus", "pt-BR", share="50,0 %") in mixed.feedback
    few = grade(ex, {"exercises.finetune.trained": {**trained, "texts": DOMAIN_TEXTS[:3]}}, "en")
    assert few.status == INCORRECT and "only 3 different text(s)" in text_of(few)
    short = grade(ex, {"exercises.finetune.trained": {**trained, "texts": ["a", "b", "c", "d", "e"]}}, "en")
    assert short.status == INCORRECT and "use at least 300" in text_of(short)
    stopped = {**trained, "report": report(validation_points(), finished=False)}
    assert "did not finish" in text_of(grade(ex, {"exercises.finetune.trained": stopped}, "en"))
    diverged = {**trained, "report": report(validation_points(), diverged="nan")}
    assert grade(ex, {"exercises.finetune.trained": diverged}, "en").status == INCORRECT
    assert grade(ex, {}, "en").status == INVALID


def test_domain_corpus_counts_steps_in_the_students_notation():
    ex = bank.by_id("finetuning.domain_corpus")
    points = [LogPoint(s, s / 1200, train_loss=3.0 - s / 1000) for s in (1, 600, 1200)]
    trained = {"texts": DOMAIN_TEXTS, "report": report(points, total=1200)}
    right = grade(ex, {"exercises.finetune.trained": trained}, "pt-BR")
    assert right.status == CORRECT
    assert right.feedback[0] == t("finetuning.task.domain_ok", "pt-BR", texts="6", steps="1.200")


def test_grid_task_without_a_run_says_what_to_do():
    ex = bank.by_id("decoding.grid_repetition")
    attempt = grade(ex, {"decoding.grid.result": None, "answer": "T0.3-p0.8"}, "pt-BR")
    assert attempt.status == INVALID and attempt.feedback == (t("decoding.task.grid_missing", "pt-BR"),)
    assert grade(ex, {"decoding.grid.result": None}, "en").status == INVALID  # no cell picked


def test_a_hand_written_state_of_the_wrong_shape_is_refused_not_a_crash():
    ex = bank.by_id("decoding.grid_repetition")
    bad = {"decoding.grid.result": {"state": {"rows": [1, 2, 3]}, "complete": True,
                                    "request": {"strategies": [1, 2, 3], "max_new_tokens": 40}}, "answer": "x"}
    assert grade(ex, bad, "en").status == INVALID
    assert grade(ex, "not json", "en").status == INVALID
    assert grade(ex, "[1, 2]", "en").status == INVALID


# --- tasks graded with the real models -------------------------------------------------------------------------------

@pytest.mark.real_models
def test_bert_unk_task(env):
    ex = bank.by_id("tokenization.bert_unk")
    right = grade(ex, {"tokenization.text": "casa🙂verde e São Paulo"}, "en", env=env)
    assert right.status == CORRECT and "`casa🙂verde`" in text_of(right)
    for text in ("São Paulo, ação e coração", "<script>alert(1)</script>", "2025 1.234,56"):
        attempt = grade(ex, {"tokenization.text": text}, "en", env=env)
        assert attempt.status == INCORRECT and "No [UNK]" in text_of(attempt), text
    assert grade(ex, {"tokenization.text": ""}, "en", env=env).status == INVALID


@pytest.mark.real_models
def test_partial_character_task(env):
    ex = bank.by_id("tokenization.partial_character")
    right = grade(ex, {"tokenization.bytes_text": "🙂 Olá"}, "pt-BR", env=env)  # " 🙂" would be one whole token
    assert right.status == CORRECT and "F0 9F" in text_of(right)
    for text in ("ação", "hello world", "<b>ç</b>"):
        attempt = grade(ex, {"tokenization.bytes_text": text}, "en", env=env)
        assert attempt.status == INCORRECT and "holds whole characters" in text_of(attempt), text
    assert grade(ex, {"tokenization.bytes_text": None}, "en", env=env).status == INVALID


@pytest.mark.real_models
def test_previous_token_head_task(env):
    ex = bank.by_id("attention.previous_token_head")
    text = t("attention.default_text", "en")
    state = {"attention.text": text}
    right = grade(ex, {**state, "attention.map_layer": 2, "attention.map_head": 3}, "en", env=env)
    assert right.status == CORRECT and "layer 2, head 3" in text_of(right)  # the head the lesson names
    _, weights = env.attention_weights(text)
    share = attention_exercises.previous_token_share(weights[2, 3])
    assert share >= attention_exercises.PREVIOUS_TOKEN_SHARE
    sink = grade(ex, {**state, "attention.map_layer": 5, "attention.map_head": 0}, "pt-BR", env=env)
    low_share, to_bos = attention_exercises.previous_token_share(weights[5, 0]), float(weights[5, 0, 1:, 0].mean())
    assert low_share < attention_exercises.PREVIOUS_TOKEN_SHARE and to_bos > 0.5
    assert sink.status == INCORRECT and sink.feedback == (
        t("attention.task.prev_low", "pt-BR", layer=5, head=0, share=fmt_percent(low_share, "pt-BR"), threshold="40 %"),
        t("attention.task.prev_sink", "pt-BR", share=fmt_percent(to_bos, "pt-BR")),
    )
    assert right.feedback == (t("attention.task.prev_found", "en", layer=2, head=3, share=fmt_percent(share, "en")),)
    low = grade(ex, {**state, "attention.map_layer": 0, "attention.map_head": 1}, "en", env=env)
    assert low.status == INCORRECT and "previous token gets on average" in text_of(low)
    short = grade(ex, {"attention.text": "Hi", "attention.map_layer": 2, "attention.map_head": 3}, "en", env=env)
    assert short.status == INVALID
    nohead = grade(ex, {**state, "attention.map_layer": 40, "attention.map_head": 0}, "en", env=env)
    assert nohead.status == INVALID


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_top_p_three_task(env, lang):
    ex = bank.by_id("decoding.top_p_three")
    prompt = t("decoding.default_prompt", lang)
    tokenizer = env.gemma_tokenizer()
    probs = torch.softmax(env.next_logits(tokenizer(prompt)["input_ids"]).double(), -1).sort(descending=True).values
    c2, c3 = float(probs[:2].sum()), float(probs[:3].sum())
    base = {"decoding.prompt": prompt, "decoding.temperature": 1.0, "decoding.top_k": 0}
    right = grade(ex, {**base, "decoding.top_p": (c2 + c3) / 2}, lang, env=env)
    assert right.status == CORRECT, right.feedback
    assert grade(ex, {**base, "decoding.top_p": c3 - 1e-3}, lang, env=env).status == CORRECT  # just inside
    more = grade(ex, {**base, "decoding.top_p": c3 + 1e-3}, "en", env=env)  # just outside
    assert more.status == INCORRECT and "4 tokens survive: too many. Lower top-p." in text_of(more)
    fewer = grade(ex, {**base, "decoding.top_p": c2 - 1e-3}, "en", env=env)
    assert fewer.status == INCORRECT and "only 2 survive: too few. Raise top-p." in text_of(fewer)
    top_k = grade(ex, {**base, "decoding.top_k": 3, "decoding.top_p": 1.0}, "en", env=env)
    assert top_k.status == INCORRECT and "Top-k is on" in text_of(top_k)
    greedy = grade(ex, {**base, "decoding.temperature": 0.0, "decoding.top_p": 0.5}, "en", env=env)
    assert greedy.status == INCORRECT and "greedy" in text_of(greedy)
    assert grade(ex, {**base, "decoding.prompt": "  ", "decoding.top_p": 0.5}, "en", env=env).status == INVALID


@pytest.mark.real_models
def test_top_p_three_counts_what_the_decoding_lab_keeps_at_other_temperatures(env):
    """The same count the page's "kept" metric shows, for a temperature the student may also move."""
    ex = bank.by_id("decoding.top_p_three")
    prompt = t("decoding.default_prompt", "en")
    logits = env.next_logits(env.gemma_tokenizer()(prompt)["input_ids"])
    for temperature, top_p in ((0.5, 0.6), (1.5, 0.3), (0.8, 0.45)):
        kept = D.next_token_view(logits, D.Strategy(temperature=temperature, top_p=top_p)).kept_count
        attempt = grade(ex, {"decoding.prompt": prompt, "decoding.temperature": temperature, "decoding.top_k": 0,
                             "decoding.top_p": top_p}, "en", env=env)
        assert (attempt.status == CORRECT) == (kept == 3), (temperature, top_p, kept)


@pytest.fixture(scope="module")
def grid_entry(env):
    """A real grid run whose cells differ in repetition, stored as the decoding page stores it.

    The sampled texts depend on the CPU's bfloat16 arithmetic (on one machine seed 42's 24 tokens repeated no
    pair in any cell), so the first seed from 42 whose grid has a cell repeating more than another is taken."""
    from labs.decoding.widgets import RunRequest  # a frozen dataclass; importing it needs no running app

    tokenizer = env.gemma_tokenizer()
    ids = tuple(tokenizer(t("decoding.default_prompt", "pt-BR"))["input_ids"])
    strategies = tuple(D.Strategy(temperature=T, top_p=p) for T in decoding_settings.GRID_TEMPERATURES for p in decoding_settings.GRID_TOP_PS)
    for seed in range(42, 52):
        state = G.run(env._decoding_model, ids, strategies, max_new_tokens=24, seed=seed,
                      stop_token_ids=G.stop_token_ids(env._decoding_model))
        if len({distinct_n([c.token_id for c in row.tokens], 2) for row in state.rows}) > 1:
            break
    request = RunRequest(ids, strategies, ("",) * len(strategies), 24, seed)
    return to_plain({"request": request, "state": state, "complete": True})


@pytest.mark.real_models
def test_grid_repetition_task_on_a_real_grid(grid_entry):
    ex = bank.by_id("decoding.grid_repetition")
    d2 = {}
    for strategy, row in zip(grid_entry["request"]["strategies"], grid_entry["state"]["rows"]):
        d2[decoding_exercises.grid_cell_id(strategy["temperature"], strategy["top_p"])] = distinct_n(
            [c["token_id"] for c in row["tokens"]], 2)
    lowest = min(d2, key=d2.get)
    highest = max(d2, key=d2.get)
    assert d2[highest] > d2[lowest], "the grid should differ in repetition"
    right = grade(ex, {"decoding.grid.result": grid_entry, "answer": lowest}, "en")
    assert right.status == CORRECT and "lowest distinct-2" in text_of(right)
    wrong = grade(ex, {"decoding.grid.result": grid_entry, "answer": highest}, "en")
    assert wrong.status == INCORRECT and "another cell repeats more" in text_of(wrong)
    stopped = grade(ex, {"decoding.grid.result": {**grid_entry, "complete": False}, "answer": lowest}, "en")
    assert stopped.status == INVALID and "stopped" in text_of(stopped)
    short = {**grid_entry, "request": {**grid_entry["request"], "max_new_tokens": 5}}
    assert "at least 20" in text_of(grade(ex, {"decoding.grid.result": short, "answer": lowest}, "en"))
    assert grade(ex, {"decoding.grid.result": grid_entry, "answer": "T9-p9"}, "en").status == INVALID


@pytest.mark.real_models
def test_prompt_prefix_task_agrees_with_the_model(env):
    ex = bank.by_id("decoding.prompt_prefix")
    prompt = t("decoding.default_prompt", "en")
    tokenizer = env.gemma_tokenizer()

    def favourite(text: str) -> int:
        return int(env.next_logits(tokenizer(text)["input_ids"]).argmax())

    p_before = fmt_percent(float(D.probabilities(env.next_logits(tokenizer(prompt)["input_ids"])).max()), "en")
    outcomes = set()
    for prefix in ("Summarize:", "Instructions: answer in bullet points.", "Title:", "Translate into Portuguese:",
                   "Note", "<script>alert(1)</script>"):
        attempt = grade(ex, {"decoding.prompt": prompt, "answer": prefix}, "en", env=env)
        changed = favourite(prefix + " " + prompt) != favourite(prompt)
        assert attempt.status == (CORRECT if changed else INCORRECT), prefix
        assert ("conditions everything on it" if changed else "The favourite is still") in text_of(attempt)
        assert p_before in text_of(attempt)  # the favourite's probability, as fmt_percent writes it
        outcomes.add(changed)
    assert outcomes == {True, False}, "the candidates should include a prefix that changes nothing and one that does"
    assert grade(ex, {"decoding.prompt": prompt, "answer": ""}, "en", env=env).status == INVALID
    assert grade(ex, {"decoding.prompt": prompt, "answer": "x" * 300}, "en", env=env).status == INVALID
    assert grade(ex, {"decoding.prompt": "", "answer": "Summarize:"}, "en", env=env).status == INVALID


@pytest.mark.real_models
def test_least_remainder_task_matches_the_pages_block_plan(env):
    ex = bank.by_id("finetuning.least_remainder")
    texts = list(C.texts_from_editor(C.seed_corpus_text("en")).texts)
    tokenizer = env.gemma_tokenizer()
    tokenized = [tokenizer(x, add_special_tokens=False)["input_ids"] for x in texts]
    dropped = {}
    for size in finetuning_settings.BLOCK_SIZES:
        plan = plan_blocks(tokenized, size, 0.1, 42, separator=tokenizer.eos_token_id, prefix=(tokenizer.bos_token_id,))
        dropped[size] = len(plan.remainder)
    best = min(dropped, key=dropped.get)
    worst = max(dropped, key=dropped.get)
    right = grade(ex, {"finetune.block_size": best, "finetune.corpus": texts}, "en", env=env)
    assert right.status == CORRECT and f"only {dropped[best]} token(s) dropped" in text_of(right)
    wrong = grade(ex, {"finetune.block_size": worst, "finetune.corpus": texts}, "en", env=env)
    assert wrong.status == INCORRECT and f"{dropped[worst]} token(s) are left out" in text_of(wrong)
    tiny = grade(ex, {"finetune.block_size": 8, "finetune.corpus": ["Oi."]}, "en", env=env)
    assert tiny.status == INVALID
    two_blocks_only_small = grade(ex, {"finetune.block_size": 256, "finetune.corpus": texts[:20]}, "en", env=env)
    assert two_blocks_only_small.status == INCORRECT and "at least 2" in text_of(two_blocks_only_small)
    assert grade(ex, {"finetune.block_size": 7, "finetune.corpus": texts}, "en", env=env).status == INVALID
    assert grade(ex, {"finetune.block_size": 64, "finetune.corpus": []}, "en", env=env).status == INVALID
