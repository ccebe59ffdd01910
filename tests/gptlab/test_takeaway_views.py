"""The code of the views added to the labs after the first ten (gptlab.takeaway): valid Python for any
text, and, run against the real offline models in a fresh interpreter, the numbers the lab's own
functions compute for the same settings."""

from __future__ import annotations

import ast
import re

import pytest

from gptlab.nn import decoding as D
from gptlab.takeaway import code as C
from tests.gptlab.test_takeaway import HOSTILE, PATHS, assigned, run_python

MARKER = "=====8<====="


def run_bodies(snippets: list[C.Snippet], tmp_path, name: str) -> list[str]:
    """Run the first snippet as the expander shows it, then the others' bodies after it (as the notebook
    would: setup once); each one's printed text."""
    code = snippets[0].code(C.Paths.local()) + "".join(f"\nprint({MARKER!r})\n\n" + s.body for s in snippets[1:])
    return run_python(code, tmp_path, name).split(MARKER + "\n")


# --- decoding: many draws, step by step ---------------------------------------------------------------

DRAWS = (C.ManyDrawsSettings('O gato "subiu" no', D.Strategy(temperature=0.8, top_k=40, top_p=0.95), 1000, 42),
         C.ManyDrawsSettings("The capital of France is", D.Strategy(), 500, 3))
STEPS = (C.StepByStepSettings("Era uma vez", (), D.Strategy(temperature=0.7, top_p=0.9), 42, 10),
         C.StepByStepSettings("The cat", (3290, 611), D.Strategy(top_k=5), 11, 10))
GREEDY_STEPS = C.StepByStepSettings("1, 2, 3,", (236743,), D.GREEDY, 0, 5)


def check_many_draws(out: str, settings: C.ManyDrawsSettings, model, tokenizer) -> None:
    """The same counts as the lab's draw_many on the same probabilities, the same seed."""
    from gptlab.nn import generation as G

    logits = G.next_token_logits(model, tokenizer(settings.prompt)["input_ids"])
    probs = D.probabilities(logits, settings.strategy)
    counts = D.draw_many(probs, settings.n, settings.seed)
    top = __import__("torch").topk(probs, min(10, int((probs > 0).sum()))).indices.tolist()
    distinct = int(re.search(r"^(\d+) draws, (\d+) distinct tokens$", out, re.M).group(2))
    assert distinct == int((counts > 0).sum())
    rows = re.findall(r"^\s*(\d+)\. (.+?)\s+drawn\s+(\d+)  expected ([0-9.]+)$", out, re.M)
    assert len(rows) == len(top)
    for (_, token, drawn, expected), token_id in zip(rows, top):
        assert ast.literal_eval(token) == tokenizer.decode([token_id])
        assert int(drawn) == int(counts[token_id])
        assert float(expected) == pytest.approx(float(probs[token_id]), abs=2e-6)
    other = int(re.search(r"^other tokens: drawn (\d+)", out, re.M).group(1))
    assert other == settings.n - sum(int(counts[i]) for i in top)


def check_step_by_step(out: str, settings: C.StepByStepSettings, model, tokenizer) -> None:
    """Each added token's two probabilities (the lab's add_step), the next candidates (next_token_view)
    and the sampler's pick (the lab's sample_once: choose with seed + steps)."""
    import torch

    from gptlab.nn import generation as G

    prompt_ids = tokenizer(settings.prompt)["input_ids"]
    chosen = list(settings.chosen)
    added = re.findall(r"^step (\d+): (.+?)\s+model ([0-9.]+)  strategy ([0-9.]+)$", out, re.M)
    assert len(added) == len(chosen)
    for (step, _, model_p, strategy_p), token_id in zip(added, chosen):
        logits = G.next_token_logits(model, prompt_ids + chosen[: int(step)])
        assert float(model_p) == pytest.approx(float(torch.softmax(logits.float(), -1)[token_id]), abs=2e-6)
        assert float(strategy_p) == pytest.approx(float(D.probabilities(logits[None], settings.strategy)[0, token_id]),
                                                  abs=2e-6)
    logits = G.next_token_logits(model, prompt_ids + chosen)
    view = D.next_token_view(logits, settings.strategy, shown=settings.shown)
    rows = re.findall(r"^\s*\d+\. (.+?)\s+model ([0-9.]+)  (kept|cut)$", out, re.M)
    assert len(rows) == settings.shown
    for (token, p, kept), c in zip(rows, view.candidates):
        assert ast.literal_eval(token) == tokenizer.decode([c.token_id])
        assert float(p) == pytest.approx(c.model_prob, abs=2e-6)
        assert (kept == "kept") == c.kept
    pick = int(re.search(r"^the sampler picks: .* \(id (\d+)\)$", out, re.M).group(1))
    generator = torch.Generator().manual_seed(settings.seed + len(chosen))
    assert pick == int(D.choose(logits[None], settings.strategy, generator)[0])


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_becomes_a_literal_that_round_trips(text):
    for variable, settings in (("prompt", C.ManyDrawsSettings(text, D.Strategy(0.7), 100, 1)),
                               ("prompt", C.StepByStepSettings(text, (1, 2), D.GREEDY, 1, 10))):
        code = settings.snippet().code(PATHS)
        assert assigned(code, variable) == text


def test_decoding_settings_fill_the_templates():
    code = C.ManyDrawsSettings("p", D.Strategy(temperature=0.35, top_k=7, top_p=0.8), 1000, 9).snippet().body
    assert [assigned(code, k) for k in ("temperature", "top_k", "top_p", "n", "seed")] == [0.35, 7, 0.8, 1000, 9]
    code = C.StepByStepSettings("p", (5, 6), D.GREEDY, 4, 10).snippet().body
    assert [assigned(code, k) for k in ("chosen", "seed", "shown", "temperature")] == [[5, 6], 4, 10, 0.0]
    with pytest.raises(ValueError):
        C.ManyDrawsSettings("p", D.Strategy(num_beams=3), 10, 1).snippet()


@pytest.mark.real_models
def test_decoding_snippets_print_the_labs_numbers(tmp_path, fp32_model, gemma_tokenizer):
    settings = [*DRAWS, *STEPS, GREEDY_STEPS]
    outs = run_bodies([s.snippet() for s in settings], tmp_path, "decoding")
    for out, s in zip(outs, settings):
        check = check_many_draws if isinstance(s, C.ManyDrawsSettings) else check_step_by_step
        check(out, s, fp32_model, gemma_tokenizer)


@pytest.fixture(scope="module")
def fp32_model(prepared_decoder):
    from gptlab import models

    return models.load_decoder(dtype="float32", attn_implementation="eager")
