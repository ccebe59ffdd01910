"""The code of the views added to the labs after the first ten (gptlab.takeaway): valid Python for any
text, and, run against the real offline models in a fresh interpreter, the numbers the lab's own
functions compute for the same settings."""

from __future__ import annotations

import ast
import re

import pytest

from gptlab.nn import decoding as D
from gptlab.nn.tokenization import PARALLEL_SENTENCES
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


# --- attention: BERT beside GPT, bertviz ------------------------------------------------------------

@pytest.fixture(scope="module")
def bert_encoder():
    from gptlab import models

    return models.load_minilm_encoder()


BESIDE = C.BertBesideGptSettings('O gato "subiu" no telhado porque estava com frio', 2, 5, 2, 3)
LONG = " ".join(["The quick brown fox jumps over the lazy dog."] * 12)  # over 64 tokens: both are cut
BESIDE_LONG = C.BertBesideGptSettings(LONG, 5, 11, 5, 3)
BERTVIZ = (C.BertvizSettings('Ela disse "oi" \\ e saiu', "bert", "head", 24),
           C.BertvizSettings(LONG, "bert", "model", 24), C.BertvizSettings("The cat sat on the mat", "gemma", "model", 24))


def matrix_rows(block: str, T: int):
    import numpy as np

    rows = [line for line in block.splitlines() if re.match(r"^\s*\d+ ", line)]
    assert len(rows) == T
    return [line.split()[1] for line in rows], np.array([[float(x) for x in row.split()[-T:]] for row in rows])


def check_bert_beside_gpt(out: str, settings: C.BertBesideGptSettings, model, tokenizer, encoder, bert_tokenizer):
    """Both maps and both shares on the future against the lab's encoder_attentions and run_decoder."""
    import numpy as np

    from gptlab.nn import attention as A

    bert_tokens, bert = A.encoder_attentions(encoder, bert_tokenizer, settings.text, settings.max_tokens)
    run = A.run_decoder(model, tokenizer, settings.text, settings.max_tokens)
    gpt = np.stack([a[0].float().numpy() for a in run.attentions])
    sections = re.split(r"^== ", out, flags=re.M)[1:]
    assert len(sections) == 2
    for section, tokens, weights, (layer, head) in (
        (sections[0], bert_tokens, bert, (settings.bert_layer, settings.bert_head)),
        (sections[1], run.tokens, gpt, (settings.gpt_layer, settings.gpt_head)),
    ):
        share = float(re.search(r"share of attention on the future ([0-9.]+) %", section).group(1))
        assert share == pytest.approx(100 * A.future_attention_share(weights), abs=2e-4)
        printed, matrix = matrix_rows(section, len(tokens))
        assert [ast.literal_eval(p) for p in printed] == list(tokens)
        np.testing.assert_allclose(matrix, weights[layer, head], atol=2e-5)
    assert float(re.search(r"future ([0-9.]+) %", sections[0]).group(1)) > 10  # BERT looks ahead
    assert float(re.search(r"future ([0-9.]+) %", sections[1]).group(1)) == 0  # GPT never does


def check_bertviz(out: str, settings: C.BertvizSettings, folder, model, tokenizer, encoder, bert_tokenizer) -> None:
    """The page the snippet writes holds the lab's tokens and attention weights (the lab's bertviz_views)."""
    import json

    import numpy as np

    from gptlab.nn import attention as A

    if settings.model == "bert":
        tokens, weights = A.encoder_attentions(encoder, bert_tokenizer, settings.text, settings.max_tokens)
    else:
        run = A.run_decoder(model, tokenizer, settings.text, settings.max_tokens)
        tokens, weights = run.tokens, np.stack([a[0].float().numpy() for a in run.attentions])
    n = min(len(tokens), settings.shown)
    name = re.search(r"tokens: wrote (\S+)$", out, re.M).group(1)
    assert name == f"gpt-lab-{settings.model}-{settings.view}-view.html"
    html = (folder / name).read_text(encoding="utf-8")
    assert "<script src=" not in html and "require.config" not in html  # nothing fetched: it renders offline
    assert not re.findall(r"//[\w.-]*(?:cdn|cloudflare|jsdelivr|unpkg)", html)  # no CDN address left at all
    assert "d3 v5.7.0 Copyright 2018 Mike Bostock" in html and "://" not in html  # no web address at all, not even a licence header's
    assert 'define("d3"' in html and "jQuery v3.7.1" in html
    start = html.index("const params = ") + len("const params = ")
    params, _ = json.JSONDecoder().raw_decode(html, start)
    [data] = [d for d in params["attention"] if d["name"] in (None, "All")]
    # bertviz shows SentencePiece's ▁ (and byte-level BPE's Ġ) as a space
    assert data["left_text"] == [x.replace("Ġ", " ").replace("▁", " ") for x in tokens[:n]]
    np.testing.assert_allclose(np.array(data["attn"]), weights[:, :, :n, :n], atol=2e-5)


@pytest.mark.parametrize("text", HOSTILE)
def test_attention_text_becomes_a_literal(text):
    for settings in (C.BertBesideGptSettings(text, 0, 1, 2, 3), C.BertvizSettings(text, "gemma", "head", 24)):
        assert assigned(settings.snippet().code(PATHS), "text") == text


def test_bertviz_settings():
    code = C.BertvizSettings("t", "bert", "model", 20).snippet()
    assert code.setup == ("bert_encoder",) and code.packages == ("bertviz",)
    assert "page = model_view(attention, tokens" in code.body and assigned(code.body, "shown") == 20
    assert C.BertvizSettings("t", "gemma", "head", 24).snippet().setup == ("decoder",)
    with pytest.raises(ValueError):
        C.BertvizSettings("t", "gpt2", "head", 24).snippet()


@pytest.mark.real_models
def test_attention_snippets_print_the_labs_numbers(tmp_path, fp32_model, gemma_tokenizer, bert_encoder, bert_tokenizer):
    settings = [BESIDE, BESIDE_LONG, *BERTVIZ]
    outs = run_bodies([s.snippet() for s in settings], tmp_path, "attention")
    models = (fp32_model, gemma_tokenizer, bert_encoder, bert_tokenizer)
    for out, s in zip(outs, settings):
        if isinstance(s, C.BertBesideGptSettings):
            check_bert_beside_gpt(out, s, *models)
        else:
            check_bertviz(out, s, tmp_path, *models)


# --- BERT vs GPT: one layer of each side by side, contextual vectors ----------------------------------

SIDE = (C.LayerSideBySideSettings('O "banco" da praça estava molhado', 3, 9), C.LayerSideBySideSettings(LONG, 5, 17))
VECTORS = (C.ContextualVectorsSettings("The bank of the river was muddy", "The bank of the city lent money"),
           C.ContextualVectorsSettings('Ela disse "oi"', 'Ela disse "oi"'),
           C.ContextualVectorsSettings("Hello there", "Goodbye now"))


def check_layer_side_by_side(out: str, settings: C.LayerSideBySideSettings, model, tokenizer, encoder, bert_tokenizer):
    """Each layer's head mean and both shares on the future, as the lab's attention_widget computes them."""
    import numpy as np

    from gptlab.nn import attention as A

    bert_tokens, bert = A.encoder_attentions(encoder, bert_tokenizer, settings.text, settings.max_tokens)
    run = A.run_decoder(model, tokenizer, settings.text, settings.max_tokens)
    gpt = np.stack([a[0].float().numpy() for a in run.attentions])
    sections = re.split(r"^== ", out, flags=re.M)[1:]
    assert len(sections) == 2
    for section, tokens, weights, layer in ((sections[0], bert_tokens, bert, settings.bert_layer),
                                            (sections[1], run.tokens, gpt, settings.gpt_layer)):
        shown = weights[layer].mean(axis=0)  # the page's head_mean
        this, every = map(float, re.search(r"this layer ([0-9.]+) %, all \d+ layers ([0-9.]+) %", section).groups())
        assert this == pytest.approx(100 * A.future_attention_share(shown), abs=2e-4)
        assert every == pytest.approx(100 * A.future_attention_share(weights), abs=2e-4)
        printed, matrix = matrix_rows(section, len(tokens))
        assert [ast.literal_eval(p) for p in printed] == list(tokens)
        np.testing.assert_allclose(matrix, shown, atol=2e-5)


def check_contextual_vectors(out: str, settings: C.ContextualVectorsSettings, model, tokenizer, encoder,
                             bert_tokenizer) -> None:
    """The shared tokens and their cosines equal the lab's compare_shared_prefix, for both models."""
    from gptlab.nn import attention as A
    from labs.bert_vs_gpt import contextual as V

    bert = V.compare_shared_prefix(*(V.encoder_vectors(encoder, bert_tokenizer, x, settings.max_tokens)
                                     for x in (settings.first, settings.second)))
    gpt = V.compare_shared_prefix(*(V.decoder_vectors(A.run_decoder(model, tokenizer, x, settings.max_tokens))
                                    for x in (settings.first, settings.second)))
    sections = re.split(r"^== ", out, flags=re.M)[1:]
    for section, lab in zip(sections, (bert, gpt), strict=True):
        assert int(re.search(r": (\d+) tokens shared", section).group(1)) == len(lab.tokens)
        assert ("(the same sentence)" in section) == lab.identical
        rows = re.findall(r"^\s*\d+ (.+?)\s+cosine ([-0-9.]+)$", section, re.M)
        assert [ast.literal_eval(token) for token, _ in rows] == list(lab.tokens)
        for (_, cosine), expected in zip(rows, lab.cosines):
            assert float(cosine) == pytest.approx(expected, abs=2e-6)
    assert min(bert.cosines) < 0.999 and min(gpt.cosines) > 0.9999 or bert.identical or len(bert.tokens) <= 1


@pytest.mark.parametrize("text", HOSTILE)
def test_bert_vs_gpt_text_becomes_a_literal(text):
    assert assigned(C.LayerSideBySideSettings(text, 1, 2).snippet().code(PATHS), "text") == text
    code = C.ContextualVectorsSettings(text, text + "!").snippet().code(PATHS)
    assert (assigned(code, "first"), assigned(code, "second")) == (text, text + "!")


@pytest.mark.real_models
def test_bert_vs_gpt_snippets_print_the_labs_numbers(tmp_path, fp32_model, gemma_tokenizer, bert_encoder,
                                                     bert_tokenizer):
    settings = [*SIDE, *VECTORS]
    outs = run_bodies([s.snippet() for s in settings], tmp_path, "bert_vs_gpt")
    models = (fp32_model, gemma_tokenizer, bert_encoder, bert_tokenizer)
    for out, s in zip(outs, settings):
        check = check_layer_side_by_side if isinstance(s, C.LayerSideBySideSettings) else check_contextual_vectors
        check(out, s, *models)


# --- history: GPT-1's inputs -------------------------------------------------------------------------

GPT1 = (C.Gpt1InputSettings("classification", 'A "great" film \\ 🙂'),
        C.Gpt1InputSettings("entailment", "Ana mora em Recife.", "Ana mora no Brasil."),
        C.Gpt1InputSettings("similarity", "The cat sleeps.", "A cat is asleep."),
        C.Gpt1InputSettings("multiple_choice", "Where do fish live?", "", ("In water", "In trees", "naïve $x")))


def check_gpt1_inputs(out: str, settings: C.Gpt1InputSettings, gpt2_tokenizer) -> None:
    """The sequences the lab's builder makes: the same tokens, the same specials, the same order."""
    from gptlab.nn.tokenization import byte_level_piece_to_bytes
    from labs.history import gpt1_inputs as g1

    built = g1.build(settings.task, gpt2_tokenizer, text=settings.text, second=settings.second, choices=settings.choices)
    printed = re.findall(r"^sequence (\d+) of (\d+): (\d+) tokens.*\n(\[.*\])$", out, re.M)
    assert len(printed) == len(built.sequences)
    for (_, n, count, tokens), sequence in zip(printed, built.sequences):
        assert int(n) == len(built.sequences) and int(count) == len(sequence)
        # the lab's chips: a special token's name, or the text the BPE piece stands for
        # a special token by its name; any other by the bytes its BPE piece stands for (the lab's chips)
        got = [x if x in g1.SPECIALS else byte_level_piece_to_bytes(x) for x in ast.literal_eval(tokens)]
        assert got == [piece.text if piece.special else piece.raw for piece in sequence]


@pytest.mark.parametrize("text", HOSTILE)
def test_gpt1_text_becomes_a_literal(text):
    code = C.Gpt1InputSettings("multiple_choice", text, text, (text, "b")).snippet().code(PATHS)
    assert (assigned(code, "text"), assigned(code, "second"), assigned(code, "choices")) == (text, text, [text, "b"])
    assert assigned(code, "task") == "multiple_choice" and 'DELIM, EXTRACT = "<s>", "$", "<e>"' in code


@pytest.mark.real_models
def test_gpt1_snippets_print_the_labs_sequences(tmp_path, gpt2_tokenizer):
    outs = run_bodies([s.snippet() for s in GPT1], tmp_path, "gpt1")
    for out, s in zip(outs, GPT1):
        check_gpt1_inputs(out, s, gpt2_tokenizer)


# --- risks: hallucination, prompt sensitivity ------------------------------------------------------------

HALLUCINATION = (C.HallucinationSettings("Qual é a capital da Zembrávia, o país \"esquecido\"?",
                                         "Qual é a capital da França?", "Paris", 12),
                 C.HallucinationSettings("Who won the 1987 Nobel Prize in Quantum Gardening?", "1, 2, 3,", "", 6))
SENSITIVITY = (C.PromptSensitivitySettings(("The capital of France is", "Q: What is the capital of France?\nA:",
                                            'France\'s capital city, "of course", is'), "Paris"),
               C.PromptSensitivitySettings(("O contrário de quente é",), "frio de verdade"))


def check_hallucination(out: str, settings: C.HallucinationSettings, model, tokenizer) -> None:
    """The greedy tokens and each one's probability (the lab's greedy_continuation), the summary and P(expected)."""
    from gptlab.nn import confidence as Cf

    sections = dict(re.findall(r"^== (\w+): .*\n((?:(?!==).*\n)*)", out, re.M))
    for name, prompt in (("invented", settings.invented), ("control", settings.control)):
        ids = tokenizer(prompt)["input_ids"]
        chosen = Cf.greedy_continuation(model, ids, settings.max_new_tokens)
        rows = re.findall(r"^\s*\d+ (.+?)\s+([0-9.]+)$", sections[name], re.M)
        assert [ast.literal_eval(token) for token, _ in rows] == [tokenizer.decode([c.token_id]) for c in chosen]
        for (_, p), c in zip(rows, chosen):  # both decode with a KV cache, each its own: float rounding differs
            assert float(p) == pytest.approx(c.model_prob, rel=2e-4, abs=2e-6)
        summary = Cf.summarize([c.model_prob for c in chosen])
        mean, low, first = map(float, re.search(r"^mean ([0-9.]+), lowest ([0-9.]+), first ([0-9.]+)$",
                                                sections[name], re.M).groups())
        assert (mean, low, first) == pytest.approx((summary.mean, summary.minimum, summary.first), rel=2e-4, abs=2e-6)
        if name == "control" and settings.expected:
            answer_ids = tokenizer(" " + settings.expected, add_special_tokens=False)["input_ids"]
            lab = Cf.score_continuations(model, [ids], [answer_ids], pad_token_id=tokenizer.pad_token_id or 0)[0]
            p = float(re.search(r"^P\(.*\| control\) ([0-9.]+);", sections[name], re.M).group(1))
            assert p == pytest.approx(lab.prob, rel=1e-3, abs=2e-6)
            written = settings.expected.lower() in tokenizer.decode([c.token_id for c in chosen]).lower()
            assert sections[name].rstrip().endswith("not written" if not written else "; written")
    assert ("| control)" in out) == bool(settings.expected)


def check_prompt_sensitivity(out: str, settings: C.PromptSensitivitySettings, model, tokenizer) -> None:
    """P(answer) after each phrasing and the model's favourite, against the lab's batched answer_probabilities."""
    from labs.risks import prompt_sensitivity as sens

    scores = sens.answer_probabilities(model, tokenizer, settings.phrasings, settings.answer)
    rows = re.findall(r"^\d+\. (.*): P\(answer\) ([0-9.]+); favourite (.+) ([0-9.]+)$", out, re.M)
    assert len(rows) == len(scores)
    for (phrasing, p, favourite, q), score in zip(rows, scores):
        assert ast.literal_eval(phrasing) == score.phrasing
        assert float(p) == pytest.approx(score.answer.prob, rel=1e-3, abs=2e-6)
        token_id, expected_q = score.answer.top_next[0]
        assert ast.literal_eval(favourite) == tokenizer.decode([token_id])
        assert float(q) == pytest.approx(expected_q, rel=1e-3, abs=2e-6)


@pytest.mark.parametrize("text", HOSTILE)
def test_risks_text_becomes_a_literal(text):
    code = C.HallucinationSettings(text, text + "?", text, 5).snippet().code(PATHS)
    assert assigned(code, "prompts") == {"invented": text, "control": text + "?"} and assigned(code, "expected") == text
    code = C.PromptSensitivitySettings((text, "b"), text).snippet().code(PATHS)
    assert (assigned(code, "phrasings"), assigned(code, "answer")) == ([text, "b"], text)


@pytest.mark.real_models
def test_risks_snippets_print_the_labs_numbers(tmp_path, fp32_model, gemma_tokenizer):
    settings = [*HALLUCINATION, *SENSITIVITY]
    outs = run_bodies([s.snippet() for s in settings], tmp_path, "risks")
    for out, s in zip(outs, settings):
        check = check_hallucination if isinstance(s, C.HallucinationSettings) else check_prompt_sensitivity
        check(out, s, fp32_model, gemma_tokenizer)


# --- tokenization: GPT-2's bytes, special tokens, token inflation -------------------------------------------

BYTES = (C.ByteLevelSettings("Olá, coração 🇧🇷 \"aspas\" \\ fim"), C.ByteLevelSettings("plain ascii"))
INFLATION = C.TokenInflationSettings(PARALLEL_SENTENCES + (('Meu "próprio" par \\', 'My "own" pair \\'),))


def check_byte_level(out: str, settings: C.ByteLevelSettings, gpt2_tokenizer) -> None:
    """Every token's id, piece, bytes and text as the lab's byte_level_view; the bytes joined back; the map."""
    from gptlab.nn import tokenization as tk

    view = tk.byte_level_view(gpt2_tokenizer, settings.text)
    rows = re.findall(r"^\s*(\d+) ('.*?'|\".*?\")\s+((?:[0-9A-F]{2} ?)+)\s+(.*)$", out, re.M)
    assert len(rows) == len(view)
    for (token_id, piece, hex_bytes, shown), x in zip(rows, view):
        assert (int(token_id), ast.literal_eval(piece), hex_bytes.strip()) == (x.token_id, x.piece, x.hex)
        assert (ast.literal_eval(shown) if x.text is not None else shown) == (x.text or "(part of a character)")
    joined = ast.literal_eval(re.search(r"^joined back: (.*)$", out, re.M).group(1))
    assert joined == tk.bytes_back_to_text(view)
    printed = re.findall(r"^('.*?'): ((?:[0-9A-F]{2} ?)+) -> (.*)$", out, re.M)
    expected = tk.multibyte_characters(settings.text)
    assert [(ast.literal_eval(c), h.strip(), ast.literal_eval(s)) for c, h, s in printed] == [
        (ch, " ".join(f"{b:02X}" for b in raw), shown) for ch, raw, shown in expected]


def check_special_tokens(out: str, tokenizers: dict) -> None:
    """Each role's token and id (the lab's special_tokens_table) and what is added around a text."""
    from gptlab.nn import tokenization as tk

    sections = dict(re.findall(r"^== (.+)\n((?:(?!==).*\n)*)", out, re.M))
    assert list(sections) == list(tokenizers)
    for label, specials in tk.special_tokens_table(tokenizers).items():
        rows = {role: (tok, i) for role, tok, i in re.findall(r"^(\w+): (.*) \((.*)\)$", sections[label], re.M)}
        for s in specials:
            token, token_id = rows[s.role]
            assert (ast.literal_eval(token), ast.literal_eval(token_id)) == (s.token, s.token_id)
        before, after = re.search(r"^added before: (\[.*\]), after: (\[.*\])$", sections[label], re.M).groups()
        assert (tuple(ast.literal_eval(before)), tuple(ast.literal_eval(after))) == tk.tokens_added_around(tokenizers[label])


def check_token_inflation(out: str, settings: C.TokenInflationSettings, tokenizers: dict) -> None:
    """Token counts per pair and the Portuguese / English ratio of each tokenizer, as the lab's inflation rows."""
    from gptlab.nn import tokenization as tk

    rows = tk.inflation_rows(tokenizers, settings.pairs)
    sections = dict(re.findall(r"^== (.+)\n((?:(?!==).*\n)*)", out, re.M))
    for label in tokenizers:
        counts = tk.inflation_by_pair(rows, label)
        printed = re.findall(r"^\s*(\d+) pt-BR /\s+(\d+) en", sections[label], re.M)
        assert [(int(a), int(b)) for a, b in printed] == [(counts[(i, "pt-BR")], counts[(i, "en")])
                                                          for i in range(len(settings.pairs))]
        ratio = float(re.search(r"Portuguese / English tokens: ([0-9.]+)", sections[label]).group(1))
        assert ratio == pytest.approx(tk.inflation_ratio(rows, label), abs=1e-4)


@pytest.mark.parametrize("text", HOSTILE)
def test_tokenization_text_becomes_a_literal(text):
    assert assigned(C.ByteLevelSettings(text).snippet().code(PATHS), "text") == text
    assert assigned(C.TokenInflationSettings(((text, text + "!"),)).snippet().code(PATHS), "pairs") == [[text, text + "!"]]


@pytest.mark.real_models
def test_tokenization_snippets_print_the_labs_numbers(tmp_path, gpt2_tokenizer, bert_tokenizer, gemma_tokenizer):
    tokenizers = {"GPT-2": gpt2_tokenizer, "BERT": bert_tokenizer, "Gemma 3": gemma_tokenizer}
    settings = [*BYTES, C.SpecialTokensSettings(), INFLATION]
    # the tokenizers' setup first (the GPT-2 tokenizer alone is the bytes' setup: added to the script)
    snippets = [s.snippet() for s in settings]
    code = "\n\n".join(C.setup_code(name, C.Paths.local()) for name in ("gpt2_tokenizer", "tokenizers"))
    code += "".join(f"\nprint({MARKER!r})\n\n" + s.body for s in snippets)
    outs = run_python(code, tmp_path, "tokenization").split(MARKER + "\n")[1:]
    for out, s in zip(outs[:2], BYTES):
        check_byte_level(out, s, gpt2_tokenizer)
    check_special_tokens(outs[2], tokenizers)
    check_token_inflation(outs[3], INFLATION, tokenizers)


# --- each lab's notebook with its new views, run top to bottom -------------------------------------------

LAB_NOTEBOOKS = {  # lesson: (language, [(widget, settings)]), the checks read each widget cell's output
    "decoding": ("en", [("step_by_step", STEPS[1]), ("many_draws", DRAWS[0])]),
    "attention": ("pt-BR", [("bert_beside_gpt", BESIDE), ("bertviz", BERTVIZ[2])]),
    "bert-vs-gpt": ("en", [("layer_side_by_side", SIDE[0]), ("contextual_vectors", VECTORS[0])]),
    "history": ("pt-BR", [("gpt1_inputs", GPT1[3])]),
    "risks": ("en", [("hallucination", HALLUCINATION[0]), ("prompt_sensitivity", SENSITIVITY[0])]),
    "tokenization": ("pt-BR", [("byte_level", BYTES[0]), ("special_tokens", C.SpecialTokensSettings()),
                               ("token_inflation", INFLATION)]),
}


@pytest.mark.real_models
@pytest.mark.parametrize("lesson", list(LAB_NOTEBOOKS))
def test_lab_notebook_with_the_new_views_runs(lesson, tmp_path, fp32_model, gemma_tokenizer, bert_encoder,
                                              bert_tokenizer, gpt2_tokenizer):
    from gptlab.i18n import t
    from tests.gptlab.test_takeaway_notebooks import execute, notebook_for

    lang, widgets = LAB_NOTEBOOKS[lesson]
    nb = notebook_for(lesson, lang, widgets, C.Paths.local())
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert all(t(f"takeaway.widget.{w}", lang) in markdown for w, _ in widgets)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    printed = execute(nb, tmp_path)  # one text per code cell: setups come before the first widget needing them
    outs = [printed[sources.index(s.snippet().body.rstrip())] for _, s in widgets]
    tokenizers = {"GPT-2": gpt2_tokenizer, "BERT": bert_tokenizer, "Gemma 3": gemma_tokenizer}
    models = (fp32_model, gemma_tokenizer, bert_encoder, bert_tokenizer)
    for out, (widget, s) in zip(outs, widgets):
        if widget == "step_by_step":
            check_step_by_step(out, s, fp32_model, gemma_tokenizer)
        elif widget == "many_draws":
            check_many_draws(out, s, fp32_model, gemma_tokenizer)
        elif widget == "bert_beside_gpt":
            check_bert_beside_gpt(out, s, *models)
        elif widget == "bertviz":
            check_bertviz(out, s, tmp_path, *models)
        elif widget == "layer_side_by_side":
            check_layer_side_by_side(out, s, *models)
        elif widget == "contextual_vectors":
            check_contextual_vectors(out, s, *models)
        elif widget == "gpt1_inputs":
            check_gpt1_inputs(out, s, gpt2_tokenizer)
        elif widget == "hallucination":
            check_hallucination(out, s, fp32_model, gemma_tokenizer)
        elif widget == "prompt_sensitivity":
            check_prompt_sensitivity(out, s, fp32_model, gemma_tokenizer)
        elif widget == "byte_level":
            check_byte_level(out, s, gpt2_tokenizer)
        elif widget == "special_tokens":
            check_special_tokens(out, tokenizers)
        else:
            check_token_inflation(out, s, tokenizers)
