"""Checkers of the tasks done on the live widgets, one per task, lesson by lesson.

Each takes the page's state as a plain dict (session keys -> plain values, plus "answer"), the
models (a core.exercises.env.TaskEnv) and the language, and returns a Verdict computed with the
real models: the same tokenizer, logits or attention the page shows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core import corpus as C
from core import decoding as D
from core import generation as G
from core import tokenization as tk
from core.blocks import group_into_blocks, token_stream
from core.exercises.checkers import Verdict, code_span, number_text, task_problem, within
from core.exercises.model import INVALID
from core.i18n import fmt_float, fmt_int, fmt_percent, t
from core.repetition import distinct_n


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return default
    return float(value)


def _quoted(piece: str) -> str:
    """A token or word from the model or the student, shown literally (and its spaces visible)."""
    return code_span(tk.visible(piece), 60)


def _done(ok: bool, *feedback: str) -> Verdict:
    return Verdict(1.0 if ok else 0.0, tuple(f for f in feedback if f))


# --- tokenization ----------------------------------------------------------------------------------------------

def bert_unknown(state: dict, env, lang: str) -> Verdict:
    """The BERT tokenizer must turn some word of the lab's text into [UNK]."""
    check = tk.check_text(_text(state.get("tokenization.text")))
    if check.problem == "empty":
        return task_problem("exercises.task.no_text", lang)
    result = tk.tokenize(env.minilm_tokenizer(), check.text)
    unknown = [check.text[x.start : x.end] for x in result.tokens if x.piece == "[UNK]" and not x.added]
    if unknown:
        words = ", ".join(_quoted(w) for w in unknown[:5])
        return _done(True, t("exercises.tok.unk_found", lang, n=len(unknown), words=words))
    return _done(False, t("exercises.tok.unk_none", lang, n=fmt_int(result.n_content_tokens, lang)))


BYTES_TEXT_CHARS = 2_000  # the page's byte view takes short texts


def partial_character(state: dict, env, lang: str) -> Verdict:
    """Some GPT-2 token of the byte view's text must hold only part of a character."""
    check = tk.check_text(_text(state.get("tokenization.bytes_text")), BYTES_TEXT_CHARS)
    if check.problem == "empty":
        return task_problem("exercises.task.no_text", lang)
    view = tk.byte_level_view(env.gpt2_tokenizer(), check.text)
    partial = [x for x in view if x.text is None]
    if partial:
        first = partial[0]
        return _done(True, t("exercises.tok.partial_found", lang, n=len(partial), piece=_quoted(first.piece),
                             hex=first.hex))
    return _done(False, t("exercises.tok.partial_none", lang, n=fmt_int(len(view), lang)))


# --- attention -------------------------------------------------------------------------------------------------

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
    check = tk.check_text(_text(state.get("attention.text")), 2_000)
    if check.problem is not None:
        return task_problem("exercises.task.no_text", lang)
    tokens, weights = env.attention_weights(check.text)  # (L, H, T, T)
    if len(tokens) < MIN_TOKENS_FOR_HEADS:
        return task_problem("exercises.att.too_short", lang, n=MIN_TOKENS_FOR_HEADS)
    layer = int(_number(state.get("attention.map_layer"), 5))
    head = int(_number(state.get("attention.map_head"), 0))
    if not (0 <= layer < weights.shape[0] and 0 <= head < weights.shape[1]):
        return task_problem("exercises.att.no_such_head", lang)
    share = previous_token_share(weights[layer, head])
    percent = fmt_percent(share, lang)
    threshold = fmt_percent(PREVIOUS_TOKEN_SHARE, lang, 0)
    if share >= PREVIOUS_TOKEN_SHARE:
        return _done(True, t("exercises.att.prev_found", lang, layer=layer, head=head, share=percent))
    sink = float(np.mean(weights[layer, head, 1:, 0]))
    extra = t("exercises.att.prev_sink", lang, share=fmt_percent(sink, lang)) if sink > 0.5 else ""
    return _done(False, t("exercises.att.prev_low", lang, layer=layer, head=head, share=percent,
                          threshold=threshold), extra)


# --- decoding --------------------------------------------------------------------------------------------------

def _prompt_ids(text: str, env, max_new: int) -> G.FittedPrompt:
    tokenizer = env.gemma_tokenizer()
    return G.fit_prompt(tokenizer(text)["input_ids"], max_new, tokenizer.bos_token_id)


def _strategy(state: dict) -> D.Strategy | None:
    try:
        return D.Strategy(temperature=_number(state.get("decoding.temperature"), 1.0),
                          top_k=int(_number(state.get("decoding.top_k"), 0)),
                          top_p=_number(state.get("decoding.top_p"), 1.0))
    except ValueError:
        return None


NUCLEUS_TARGET = 3


def top_p_three(state: dict, env, lang: str) -> Verdict:
    """With top-k off, top-p must leave exactly three candidates for the page's prompt."""
    check = tk.check_text(_text(state.get("decoding.prompt")))
    if check.problem is not None:
        return task_problem("exercises.task.no_prompt", lang)
    strategy = _strategy(state)
    if strategy is None:
        return task_problem("exercises.task.bad_settings", lang)
    if strategy.top_k:
        return _done(False, t("exercises.dec.top_k_on", lang, k=strategy.top_k))
    if strategy.is_greedy:
        return _done(False, t("exercises.dec.greedy", lang))
    prompt = _prompt_ids(check.text, env, int(_number(state.get("decoding.max_new"), 40)))
    logits = env.next_logits(prompt.ids)  # (V,)
    kept = int((D.probabilities(logits, strategy) > 0).sum())
    p = fmt_float(strategy.top_p, lang, 2)
    if kept == NUCLEUS_TARGET:
        return _done(True, t("exercises.dec.three_ok", lang, p=p))
    key = "exercises.dec.too_many" if kept > NUCLEUS_TARGET else "exercises.dec.too_few"
    return _done(False, t(key, lang, n=fmt_int(kept, lang), p=p))


GRID_TEMPERATURES = (0.3, 0.7, 1.0)  # the decoding page's grid (app_pages/03_decoding.py)
GRID_TOP_PS = (0.8, 0.9, 0.95)
GRID_MIN_TOKENS = 20


def grid_cell_id(temperature: float, top_p: float) -> str:
    return f"T{temperature:g}-p{top_p:g}"


def grid_repetition(state: dict, env, lang: str) -> Verdict:
    """The student names the grid cell whose text repeats most (lowest distinct-2) in their own run."""
    entry = state.get("decoding.grid.result")
    if not isinstance(entry, dict) or not isinstance(entry.get("state"), dict):
        return task_problem("exercises.dec.grid_missing", lang)
    if not entry.get("complete"):
        return task_problem("exercises.dec.grid_incomplete", lang)
    strategies = entry.get("request", {}).get("strategies", [])
    rows = entry["state"].get("rows", [])
    if len(strategies) != len(rows) or len(rows) < 3:
        return task_problem("exercises.dec.grid_missing", lang)
    if int(_number(entry.get("request", {}).get("max_new_tokens"), 0)) < GRID_MIN_TOKENS:
        return task_problem("exercises.dec.grid_short", lang, n=GRID_MIN_TOKENS)
    scores: dict[str, float] = {}
    for strategy, row in zip(strategies, rows):
        tokens = [int(c["token_id"]) for c in row.get("tokens", [])]
        d2 = distinct_n(tokens, 2)
        if d2 is not None:
            scores[grid_cell_id(float(strategy["temperature"]), float(strategy["top_p"]))] = d2
    if not scores:
        return task_problem("exercises.dec.grid_short", lang, n=GRID_MIN_TOKENS)
    answer = str(state.get("answer", ""))
    lowest = min(scores.values())
    if answer not in scores:
        return task_problem("exercises.dec.grid_no_cell", lang)
    mine = fmt_float(scores[answer], lang, 2)
    if scores[answer] <= lowest + 1e-9:
        return _done(True, t("exercises.dec.grid_ok", lang, d2=mine))
    return _done(False, t("exercises.dec.grid_wrong", lang, d2=mine, lowest=fmt_float(lowest, lang, 2)))


PREFIX_CHARS = 200


def prompt_prefix(state: dict, env, lang: str) -> Verdict:
    """An instruction prefix put before the page's prompt must change the model's favourite next token."""
    check = tk.check_text(_text(state.get("decoding.prompt")))
    if check.problem is not None:
        return task_problem("exercises.task.no_prompt", lang)
    prefix = " ".join(_text(state.get("answer")).split())
    if not prefix:
        return task_problem("exercises.problem.empty", lang)
    if len(prefix) > PREFIX_CHARS:
        return task_problem("exercises.dec.prefix_long", lang, n=PREFIX_CHARS)
    tokenizer = env.gemma_tokenizer()
    plain = _prompt_ids(check.text, env, 40)
    prefixed = _prompt_ids(prefix + " " + check.text, env, 40)
    if plain.dropped or prefixed.dropped:
        return task_problem("exercises.dec.prompt_long", lang)
    before = D.probabilities(env.next_logits(plain.ids))  # (V,)
    after = D.probabilities(env.next_logits(prefixed.ids))  # (V,)
    a, b = int(before.argmax()), int(after.argmax())
    words = dict(before=_quoted(tokenizer.decode([a])), p_before=fmt_percent(float(before[a]), lang),
                 after=_quoted(tokenizer.decode([b])), p_after=fmt_percent(float(after[b]), lang))
    if a != b:
        return _done(True, t("exercises.dec.prefix_ok", lang, **words))
    return _done(False, t("exercises.dec.prefix_same", lang, **words))


# --- fine-tuning -----------------------------------------------------------------------------------------------

BLOCK_SIZES = (8, 16, 32, 64, 128, 256)  # the fine-tuning page's block_size options


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
    texts = [x for x in state.get("finetune.corpus", []) if isinstance(x, str)]
    if not texts:
        return task_problem("exercises.ft.no_corpus", lang)
    block_size = int(_number(state.get("finetune.block_size"), 64))
    if block_size not in BLOCK_SIZES:
        return task_problem("exercises.task.bad_settings", lang)
    n = len(corpus_stream(texts, env))
    table = {b: dropped_tokens(n, b) for b in BLOCK_SIZES}
    usable = {b: r for b, (blocks, r) in table.items() if blocks >= 2}
    if not usable:
        return task_problem("exercises.ft.corpus_small", lang)
    blocks, dropped = table[block_size]
    fewest = min(usable.values())
    words = dict(size=block_size, tokens=fmt_int(n, lang), blocks=fmt_int(blocks, lang), dropped=fmt_int(dropped, lang))
    if blocks < 2:
        return _done(False, t("exercises.ft.too_few_blocks", lang, **words))
    if dropped == fewest:
        return _done(True, t("exercises.ft.remainder_ok", lang, **words))
    return _done(False, t("exercises.ft.remainder_more", lang, **words))


DOMAIN_MIN_TEXTS = 5
DOMAIN_MIN_CHARS = 300
DOMAIN_MAX_SEED_SHARE = 0.2
SEED_TEXTS = frozenset(s for sentences in C.SEED_SENTENCES.values() for s in sentences)


def _report(value: Any) -> dict | None:
    return value if isinstance(value, dict) and isinstance(value.get("points"), list) else None


def domain_run(state: dict, env, lang: str) -> Verdict:
    """A finished fine-tuning run on a corpus of one's own: varied texts, not the notebook's synthetic five."""
    trained = state.get("exercises.finetune.trained")
    if not isinstance(trained, dict) or _report(trained.get("report")) is None:
        return task_problem("exercises.ft.no_run", lang)
    report = trained["report"]
    texts = [x for x in trained.get("texts", []) if isinstance(x, str)]
    distinct = set(texts)
    feedback = []
    if not report.get("finished") or report.get("diverged"):
        feedback.append(t("exercises.ft.run_unfinished", lang))
    if len(distinct) < DOMAIN_MIN_TEXTS:
        feedback.append(t("exercises.ft.few_texts", lang, n=len(distinct), min=DOMAIN_MIN_TEXTS))
    seed_share = len(distinct & SEED_TEXTS) / max(len(distinct), 1)
    if seed_share > DOMAIN_MAX_SEED_SHARE:
        feedback.append(t("exercises.ft.seed_corpus", lang, share=fmt_percent(seed_share, lang)))
    chars = sum(len(x) for x in distinct)
    if chars < DOMAIN_MIN_CHARS:
        feedback.append(t("exercises.ft.short_corpus", lang, n=fmt_int(chars, lang), min=DOMAIN_MIN_CHARS))
    if feedback:
        return Verdict(0.0, tuple(feedback))
    train = [p["train_loss"] for p in report["points"] if p.get("train_loss") is not None]
    trend = ""
    if len(train) >= 2:
        trend = t("exercises.ft.domain_trend", lang, first=fmt_float(train[0], lang, 3), last=fmt_float(train[-1], lang, 3))
    steps = fmt_int(int(_number(report.get("step"), 0)), lang)
    return _done(True, t("exercises.ft.domain_ok", lang, texts=fmt_int(len(distinct), lang), steps=steps), trend)


PPL_REL_TOL = 0.01  # the page shows perplexities with 2 or 3 decimals


def validation_perplexity(state: dict, env, lang: str) -> Verdict:
    """A run validated every N steps (at least twice); the student reports its lowest validation perplexity."""
    report = _report(state.get("finetune.report"))
    if report is None:
        return task_problem("exercises.ft.no_run", lang)
    evals = [(int(p["step"]), float(p["val_loss"])) for p in report["points"] if p.get("val_loss") is not None]
    if not evals:
        return _done(False, t("exercises.ft.no_validation", lang))
    if len({s for s, _ in evals}) < 2:
        return _done(False, t("exercises.ft.one_validation", lang))
    if not report.get("finished"):
        return _done(False, t("exercises.ft.run_unfinished", lang))
    from core.exercises.answers import parse_number

    reading = parse_number(str(state.get("answer", "")), lang)
    if reading.problem:
        return Verdict(0.0, (t(f"exercises.problem.{reading.problem}", lang),), status=INVALID)
    x = float(reading.value)
    losses = [loss for _, loss in evals]
    best = math.exp(min(losses))
    last = math.exp(losses[-1])
    steps = ", ".join(str(s) for s, _ in evals)
    where = t("exercises.ft.evals_at", lang, steps=steps)
    if within(x, best, PPL_REL_TOL, 0.0):
        return _done(True, where, t("exercises.ft.ppl_ok", lang, ppl=fmt_float(best, lang, 2)))
    if within(x, min(losses), PPL_REL_TOL, 0.0):
        return _done(False, where, t("exercises.ft.ppl_is_loss", lang))
    if not within(last, best, PPL_REL_TOL, 0.0) and within(x, last, PPL_REL_TOL, 0.0):
        return _done(False, where, t("exercises.ft.ppl_last", lang))
    return _done(False, where, t("exercises.ft.ppl_wrong", lang, value=number_text(x, lang)))
