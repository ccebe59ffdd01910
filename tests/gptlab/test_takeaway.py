"""The code behind each view (gptlab.takeaway): valid Python for any text, and, run against the real
offline models in a fresh interpreter, the same numbers the lab's own functions compute."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gptlab.nn import decoding as D
from gptlab.takeaway import code as C

HOSTILE = (
    'She said "hi" and left',
    "it's a 'quote'",
    "back\\slash \\n not a newline \\",
    "line one\nline two\r\n\ttab",
    'triple """ quotes """ and \'\'\' too',
    "emoji 🙂👩‍👩‍👧 and RTL שלום",
    "${dollar} $text {braces} %s",
    "nul \x00 and lone surrogate \ud800",
    "",
)
PATHS = C.Paths("/models/gemma", "/models/gemma-tok", "/v/encoder.json", "/v/vocab.bpe", "/models/minilm")


def assigned(code: str, name: str):
    """The value of the module-level `name = <literal>` in `code`."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned")


def every_snippet(text: str) -> dict[str, C.Snippet]:
    return {
        "text": C.TokenizationSettings(text).snippet(),
        "prompt": C.NextTokenSettings(text, D.Strategy(0.7, 50, 0.9), 10).snippet(),
        "prompt ": C.GenerationSettings(text, ((text or "x", D.GREEDY),), 3, 1).snippet(),
        "text ": C.AttentionMapSettings(text, 5, 0).snippet(),
        " text": C.BertMaskingSettings(text, 14, 0.15).snippet(),
        "  text": C.AttentionStepsSettings(text, 5, 0).snippet(),
        "template": C.BiasProbeSettings(text, ("a", text), (" he", " she")).snippet(),
        "answer": C.ContextWindowSettings("a text", text, 64).snippet(),
        "query": C.InContextSettings(text, ((text, text),), text, "x", 1).snippet(),
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_becomes_a_literal_that_round_trips(text):
    for variable, snippet in every_snippet(text).items():
        code = snippet.code(PATHS)
        ast.parse(code)  # valid Python
        assert assigned(code, variable.strip()) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_round_trips(text):
    code = C.NextTokenSettings(text, D.GREEDY, 5).snippet().code(PATHS)
    assert assigned(code, "prompt") == text


def test_strategy_names_are_literals_too():
    name = 'T 0,7 "mine" \\ \n'
    code = C.GenerationSettings("p", ((name, D.Strategy(0.7)),), 3, 1).snippet().body
    strategies = ast.parse(code).body[3].value
    assert ast.literal_eval(strategies.keys[0]) == name


def test_settings_fill_the_template():
    code = C.NextTokenSettings("p", D.Strategy(temperature=0.35, top_k=7, top_p=0.8), 12).snippet().body
    assert (assigned(code, "temperature"), assigned(code, "top_k"), assigned(code, "top_p"), assigned(code, "shown")) == (
        0.35, 7, 0.8, 12)
    attention = C.AttentionMapSettings("t", 3, 2).snippet().body
    assert "layer, head = 3, 2" in attention


def test_paths_and_hub_ids():
    code = C.NextTokenSettings("p", D.GREEDY, 5).snippet().code(PATHS)
    assert assigned(code, "MODEL") == "/models/gemma" and assigned(code, "TOKENIZER") == "/models/gemma-tok"
    assert '"google/gemma-3-270m"' in code
    tokenizers = C.TokenizationSettings("t").snippet().code(PATHS)
    assert '"gpt2"' in tokenizers and '"sentence-transformers/all-MiniLM-L6-v2"' in tokenizers


def test_literal_refuses_what_it_cannot_write():
    with pytest.raises(ValueError):
        C.literal(float("nan"))
    with pytest.raises(TypeError):
        C.literal(object())


def test_generate_kwargs():
    assert C.generate_kwargs(D.GREEDY) == "do_sample=False"
    assert C.generate_kwargs(D.Strategy(num_beams=4)) == "do_sample=False, num_beams=4"
    assert C.generate_kwargs(D.Strategy(0.7, 40, 0.9)) == "do_sample=True, temperature=0.7, top_k=40, top_p=0.9"


# --- run against the real models ------------------------------------------------------------------


def run_python(code: str, tmp_path, name: str) -> str:
    """Run code in a fresh interpreter (this venv, offline, outside the repository); its stdout."""
    script = tmp_path / f"{name}.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": ""}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def fp32_model(prepared_decoder):
    """Gemma 3 270M in float32, as the snippets load it (and as the attention lab holds it)."""
    from gptlab import models

    return models.load_decoder(dtype="float32", attn_implementation="eager")


TOKEN_LINE = re.compile(r"^\s*(\d+)\. (.+?)\s+model ([0-9.]+)\s+strategy ([0-9.]+)$")


def parse_next_token(out: str):
    kept = int(re.search(r"kept: (\d+) of (\d+) tokens", out).group(1))
    model_h, strategy_h = map(float, re.search(r"entropy: model ([0-9.]+) bits, strategy ([0-9.]+) bits", out).groups())
    rows = [(m.group(2), float(m.group(3)), float(m.group(4))) for m in map(TOKEN_LINE.match, out.splitlines()) if m]
    return kept, model_h, strategy_h, rows


def check_next_token(out: str, settings: C.NextTokenSettings, model, tokenizer) -> None:
    """The snippet's printout against D.next_token_view on the same weights."""
    from gptlab.nn import generation as G

    logits = G.next_token_logits(model, tokenizer(settings.prompt)["input_ids"])
    view = D.next_token_view(logits, settings.strategy, shown=settings.shown)
    kept, model_h, strategy_h, rows = parse_next_token(out)
    assert kept == view.kept_count
    assert model_h == pytest.approx(view.model_entropy_bits, abs=2e-4)
    assert strategy_h == pytest.approx(view.strategy_entropy_bits, abs=2e-4)
    assert len(rows) == settings.shown
    for (token, model_p, strategy_p), c in zip(rows, view.candidates):
        assert ast.literal_eval(token) == tokenizer.decode([c.token_id])
        assert model_p == pytest.approx(c.model_prob, abs=2e-6)
        assert strategy_p == pytest.approx(c.strategy_prob, abs=2e-6)


def check_tokenization(out: str, text: str, tokenizers: dict) -> None:
    from gptlab.nn import tokenization as tk

    for label, tokenizer in tokenizers.items():
        lab = tk.tokenize(tokenizer, text)
        block = re.search(rf"^{re.escape(label)}: (\d+) tokens.*?\nids: (\[.*?\])\ntokens: (\[.*?\])\n", out, re.M | re.S)
        assert block, (label, out)
        assert int(block.group(1)) == lab.n_tokens
        assert ast.literal_eval(block.group(2)) == [x.token_id for x in lab.tokens]
        assert ast.literal_eval(block.group(3)) == [x.piece for x in lab.tokens]


def check_bert_masking(out: str, settings: C.BertMaskingSettings, tokenizer) -> None:
    """The collator's corruption in the snippet against the lab's own mask_sentence, same seed."""
    from labs.bert_vs_gpt import masking as M

    lab = M.mask_sentence(tokenizer, M.tokenize_for_mlm(tokenizer, settings.text), settings.seed,
                          M.MaskingConfig(mlm_probability=settings.mlm_probability))
    assert ast.literal_eval(re.search(r"^input_ids = (\[.*\])$", out, re.M).group(1)) == list(lab.input_ids)
    assert ast.literal_eval(re.search(r"^labels    = (\[.*\])$", out, re.M).group(1)) == list(lab.labels)


def check_attention(out: str, settings: C.AttentionMapSettings, model, tokenizer) -> None:
    import numpy as np

    from gptlab.nn import attention as A

    run = A.run_decoder(model, tokenizer, settings.text, settings.max_tokens)
    expected = run.attentions[settings.layer][0, settings.head].float().numpy()  # (T, T)
    rows = [line for line in out.splitlines() if re.match(r"^\s*\d+ ", line)]
    assert len(rows) == len(run.tokens)
    got = np.array([[float(x) for x in row.split()[-len(run.tokens):]] for row in rows])
    np.testing.assert_allclose(got, expected, atol=2e-5)


def check_attention_steps(out: str, settings: C.AttentionStepsSettings, model, tokenizer) -> None:
    """Scores, mask, masked scores and softmax against the lab's attention_steps."""
    import numpy as np

    from gptlab.nn import attention as A

    steps = A.attention_steps(model, A.run_decoder(model, tokenizer, settings.text, settings.max_tokens),
                                    settings.layer, settings.head)
    T = len(steps.tokens)
    sections = dict(re.findall(r"^== (\w+)\n((?:.*\n){%d})" % T, out, re.M))
    for name, expected in (("scores", steps.scores), ("mask", steps.mask), ("masked", steps.masked_scores),
                           ("softmax", steps.weights)):
        got = np.array([[float(x) for x in row.split()[-T:]] for row in sections[name].splitlines()])
        np.testing.assert_allclose(got, expected, atol=2e-5 if name == "softmax" else 2e-4)
    assert float(re.search(r"attention weights: (\S+)$", out, re.M).group(1)) < 1e-5


def check_bias_probe(out: str, settings: C.BiasProbeSettings, model, tokenizer) -> None:
    """P(a), P(b) and their log2 ratio for each profession against the lab's batched probe."""
    from labs.risks import bias_probe as B

    rows = B.probe(model, tokenizer, settings.template, settings.professions, settings.candidates)
    printed = re.findall(r"^(.*): P\(a\) ([0-9.]+)  P\(b\) ([0-9.]+)  log2\(P\(a\)/P\(b\)\) ([-+0-9.]+)$", out, re.M)
    assert len(printed) == len(rows)
    for (profession, p_a, p_b, ratio), row in zip(printed, rows):
        assert ast.literal_eval(profession) == row.profession
        assert float(p_a) == pytest.approx(row.p_a, rel=1e-3, abs=2e-6)
        assert float(p_b) == pytest.approx(row.p_b, rel=1e-3, abs=2e-6)
        assert float(ratio) == pytest.approx(row.log2_ratio, abs=2e-3)


def check_context_window(out: str, settings: C.ContextWindowSettings, model, tokenizer) -> None:
    """Kept tokens and P(answer) before and after the cut against the lab's compare()."""
    from labs.risks import context_window as W

    ids = tokenizer(settings.text)["input_ids"]
    answer_ids = tokenizer(" " + settings.answer, add_special_tokens=False)["input_ids"]
    lab = W.compare(model, ids, answer_ids, settings.window, tokenizer.bos_token_id, tokenizer.pad_token_id or 0)
    kept, dropped = map(int, re.search(r"the window keeps (\d+), drops (\d+)", out).groups())
    assert (kept, dropped) == (len(lab.window.ids), lab.window.dropped)
    full = float(re.search(r"P\(answer \| whole text\) ([0-9.]+)", out).group(1))
    cut = float(re.search(r"P\(answer \| window of \d+\) ([0-9.]+)", out).group(1))
    assert full == pytest.approx(lab.full.prob, rel=1e-3, abs=2e-6)
    assert cut == pytest.approx(lab.cut.prob, rel=1e-3, abs=2e-6)


def check_in_context(out: str, settings: C.InContextSettings, model, tokenizer) -> None:
    """P(answer) after each number of examples against the lab's shot_result."""
    from labs.history import in_context as icl

    task = icl.FewShotTask(settings.instruction, tuple(icl.Example(a, b) for a, b in settings.examples),
                           settings.query, settings.answer)
    printed = [float(p) for p in re.findall(r"^\d+ shots: P\(answer\) ([0-9.]+)$", out, re.M)]
    assert len(printed) == settings.max_shots + 1
    for shots, p in enumerate(printed):
        assert p == pytest.approx(icl.shot_result(model, tokenizer, task, shots).score.prob, rel=1e-3, abs=2e-6)


def generated(out: str) -> dict[str, list[int]]:
    return {m.group(1): ast.literal_eval(m.group(2)) for m in re.finditer(r"^--- (.*)\nids: (\[.*?\])$", out, re.M)}


def check_generation(out: str, settings: C.GenerationSettings, model, tokenizer) -> None:
    """Greedy gives the app's tokens; a sampled text's first token is one the strategy keeps."""
    from gptlab.nn import generation as G

    ids = tokenizer(settings.prompt)["input_ids"]
    texts = generated(out)
    assert list(texts) == [name for name, _ in settings.rows]
    logits = G.next_token_logits(model, ids)
    for name, strategy in settings.rows:
        if strategy.is_greedy:
            state = G.run(model, ids, [strategy], max_new_tokens=settings.max_new_tokens, seed=settings.seed,
                          stop_token_ids=G.stop_token_ids(model))
            assert texts[name] == [c.token_id for c in state.rows[0].tokens]
        elif strategy.samples:
            assert float(D.probabilities(logits, strategy)[texts[name][0]]) > 0
        assert 0 < len(texts[name]) <= settings.max_new_tokens


NEXT = C.NextTokenSettings('O gato "subiu" no', D.Strategy(temperature=0.7, top_k=50, top_p=0.9), 10)
GENERATION = C.GenerationSettings(
    "The capital of France is",
    (("greedy", D.GREEDY), ("T 0,7 · top-k 40", D.Strategy(temperature=0.7, top_k=40)),
     ("top-p 0,9", D.Strategy(top_p=0.9)), ("beams", D.Strategy(num_beams=2))),
    max_new_tokens=4,
    seed=42,
)
ATTENTION = C.AttentionMapSettings("The cat sat on the mat because it was tired", layer=5, head=1)
STEPS = C.AttentionStepsSettings("O gato dormiu no sofá", layer=17, head=3)
WINDOW = C.ContextWindowSettings("Ana was born in Recife. " + "The weather was mild that year. " * 12
                                  + "Where was Ana born? In", "Recife", 32)
IN_CONTEXT = C.InContextSettings("Translate English to Portuguese.", (("cat", "gato"), ("dog", "cão"), ("house", "casa")),
                                  "book", "livro", 3)
BIAS = C.BiasProbeSettings("The {profession} said that", ("nurse", 'engineer "quoted"', "baker"), (" he", " she"))
TEXT = 'Olá "mundo" \\ """ 🙂\nnaïve café'
MASKING = (C.BertMaskingSettings('O "gato" subiu no telhado \\ 🙂 e dormiu ao sol da tarde', 14, 0.15),
           C.BertMaskingSettings("A rare word: Zyxwvut, then [UNK] and more words here", 3, 0.6))


@pytest.mark.real_models
def test_tokenization_snippet_prints_the_labs_tokens(tmp_path, gpt2_tokenizer, bert_tokenizer, gemma_tokenizer):
    out = run_python(C.TokenizationSettings(TEXT).snippet().code(C.Paths.local()), tmp_path, "tokenization")
    check_tokenization(out, TEXT, {"GPT-2": gpt2_tokenizer, "BERT": bert_tokenizer, "Gemma 3": gemma_tokenizer})


@pytest.mark.parametrize("settings", MASKING, ids=["default-rate", "high-rate-with-unk"])
def test_bert_masking_snippet_gives_the_labs_corruption(tmp_path, bert_tokenizer, settings):
    out = run_python(settings.snippet().code(C.Paths.local()), tmp_path, "masking")
    check_bert_masking(out, settings, bert_tokenizer)


@pytest.mark.real_models
def test_decoder_snippets_print_the_labs_numbers(tmp_path, fp32_model, gemma_tokenizer):
    """The three decoder snippets in one interpreter (one model load), each checked on its own output.

    The first runs exactly as the expander shows it (setup + body); the others share its setup, as they
    would in the notebook."""
    bodies = [NEXT.snippet(), GENERATION.snippet(), ATTENTION.snippet(), STEPS.snippet(), BIAS.snippet(),
              WINDOW.snippet(), IN_CONTEXT.snippet()]
    marker = "=====8<====="
    code = bodies[0].code(C.Paths.local()) + "".join(f"\nprint({marker!r})\n\n" + s.body for s in bodies[1:])
    outs = run_python(code, tmp_path, "decoder").split(marker + "\n")
    next_out, generation_out, attention_out, steps_out, bias_out, window_out, icl_out = outs
    check_next_token(next_out, NEXT, fp32_model, gemma_tokenizer)
    check_generation(generation_out, GENERATION, fp32_model, gemma_tokenizer)
    check_attention(attention_out, ATTENTION, fp32_model, gemma_tokenizer)
    check_attention_steps(steps_out, STEPS, fp32_model, gemma_tokenizer)
    check_bias_probe(bias_out, BIAS, fp32_model, gemma_tokenizer)
    check_context_window(window_out, WINDOW, fp32_model, gemma_tokenizer)
    check_in_context(icl_out, IN_CONTEXT, fp32_model, gemma_tokenizer)


def test_attention_snippets_on_gpt2_print_the_labs_numbers(tmp_path, tiny_gpt2_hub_cache):
    """The attention map and the mask step by step as the lab shows them for a picked GPT-2 (loaded by its id from
    the Hugging Face cache: a tiny random GPT-2 saved under `gpt2`), checked against the lab's own computation."""
    from dataclasses import replace

    from gptlab.models import catalog

    attention = C.AttentionMapSettings("The cat sat on the mat because it was tired", layer=1, head=2)
    steps = C.AttentionStepsSettings("O gato dormiu no sofá", layer=1, head=3, family="gpt2")
    paths = replace(C.Paths.local(), hub_model="gpt2")
    marker = "=====8<====="
    code = attention.snippet().code(paths) + f"\nprint({marker!r})\n\n" + steps.snippet().body
    assert "MODEL = 'gpt2'" in code and "gemma-3-270m" not in code and "model.transformer.h[layer]" in code
    attention_out, steps_out = run_python(code, tmp_path, "gpt2").split(marker + "\n")
    entry = catalog.find("gpt2")
    model, tokenizer = catalog.load_model(entry), catalog.load_tokenizer(entry)
    check_attention(attention_out, attention, model, tokenizer)
    check_attention_steps(steps_out, steps, model, tokenizer)
