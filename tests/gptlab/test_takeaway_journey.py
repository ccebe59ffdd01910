"""The code of the journey lab's views (gptlab.takeaway): valid Python for any text, and, run in a fresh
interpreter against the real offline Gemma 3 270M (and a tiny GPT-2 under the id `gpt2`), the numbers the
lab's own functions (gptlab.nn.journey, gptlab.nn.logit_lens) compute for the same settings."""

from __future__ import annotations

import ast
import re
from dataclasses import replace

import numpy as np
import pytest

from gptlab.models.catalog import Architecture
from gptlab.nn import journey as J
from gptlab.takeaway import code as C
from tests.gptlab.test_takeaway import HOSTILE, PATHS, assigned, fp32_model, run_python  # noqa: F401 (a fixture)

MARKER = "=====8<====="
LITERAL = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""  # a string as repr() writes it
NUMBER = r"(-?[0-9.]+(?:e[-+]?\d+)?)"


def journey_settings(text: str, family: str = "gemma3", position: int = 2, first: int = 0) -> list:
    """Every journey view's settings, in the page's order."""
    return [C.JourneyNumbersSettings(text, family), C.JourneyPositionsSettings(text, family),
            C.JourneyBlocksSettings(text, position, family), C.JourneyLensGridSettings(text, first, J.GRID_POSITIONS, family),
            C.JourneyLensSettings(text, position, family), C.JourneyNextTokenSettings(text, position, J.TOP_K, family)]


@pytest.mark.parametrize("family", ["gemma3", "gpt2"])
@pytest.mark.parametrize("text", HOSTILE)
def test_the_prompt_becomes_a_literal_that_round_trips(text, family):
    for settings in journey_settings(text, family):
        code = settings.snippet().code(replace(PATHS, hub_model="gpt2") if family == "gpt2" else PATHS)
        ast.parse(code)  # valid Python, whatever the text holds
        assert assigned(code, "text") == text, type(settings).__name__
        assert assigned(code, "max_tokens") == J.MAX_TOKENS


def test_settings_fill_the_templates():
    blocks = C.JourneyBlocksSettings("t", 7).snippet().body
    assert assigned(blocks, "position") == 7 and "model.model.layers" in blocks
    assert "block.post_attention_layernorm" in blocks and "model.transformer" not in blocks
    grid = C.JourneyLensGridSettings("t", 16, 16, "gpt2").snippet().body
    assert "first, shown = 16, 16" in grid and "model.transformer.ln_f" in grid and "model.model" not in grid
    assert assigned(C.JourneyNextTokenSettings("t", 3, 10).snippet().body, "shown") == 10
    for settings in journey_settings("t", "gpt2"):
        assert "model.model" not in settings.snippet().body and "embed_scale" not in settings.snippet().body
    with pytest.raises(ValueError):
        C.JourneyLensSettings("t", 0, "llama").snippet()


def test_the_model_line_names_the_local_copy_or_the_picked_hub_model():
    code = C.JourneyNumbersSettings("t").snippet().code(PATHS)
    assert assigned(code, "MODEL") == "/models/gemma" and '"google/gemma-3-270m"' in code
    code = C.JourneyNumbersSettings("t", "gpt2").snippet().code(replace(PATHS, hub_model="gpt2"))
    assert assigned(code, "MODEL") == "gpt2" and "gemma-3-270m" not in code and "embed_scale" not in code


# --- the printed numbers against the lab's own functions -------------------------------------------------


def run_journey(settings: list, paths: C.Paths, tmp_path, name: str) -> list[str]:
    """The first view as the expander shows it, then the others' bodies after it (as the notebook: setup once)."""
    snippets = [s.snippet() for s in settings]
    code = snippets[0].code(paths) + "".join(f"\nprint({MARKER!r})\n\n" + s.body for s in snippets[1:])
    return run_python(code, tmp_path, name).split(MARKER + "\n")


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split()]


def check_numbers(out: str, settings: C.JourneyNumbersSettings, tr: J.Trace, tokenizer) -> None:
    """ids, each row's first numbers and norm, Gemma's scale or GPT-2's position rows, against J.trace."""
    assert ast.literal_eval(re.search(r"^ids = (\[.*\])$", out, re.M).group(1)) == list(tr.ids)
    n = settings.shown
    rows = re.findall(rf"^\s*(\d+) {LITERAL}\s+first {n}: (.*?)  norm {NUMBER}(?:  scaled norm {NUMBER})?$", out, re.M)
    assert len(rows) == tr.n_tokens
    for (position, token, first, norm, scaled), i in zip(rows, range(tr.n_tokens)):
        assert int(position) == i and ast.literal_eval(token) == tokenizer.decode([tr.ids[i]])
        np.testing.assert_allclose(floats(first), tr.embedding_head[i, :n], atol=6e-5)
        assert float(norm) == pytest.approx(float(tr.embedding_norms[i]), abs=6e-5)
        if tr.position_head is None:
            assert float(scaled) == pytest.approx(float(tr.x0_norms[i]), abs=6e-5)
    if tr.position_head is None:
        scale, root = map(float, re.search(rf"multiplied by {NUMBER}, sqrt\(d\) = {NUMBER}", out).groups())
        assert scale == pytest.approx(tr.embed_scale, abs=6e-5) and root == pytest.approx(scale, abs=1e-3)
        return
    added = re.findall(rf"position's first {n}: (.*?)  position norm {NUMBER}  sum norm {NUMBER}$", out, re.M)
    assert len(added) == tr.n_tokens
    for (first, norm, total), i in zip(added, range(tr.n_tokens)):
        np.testing.assert_allclose(floats(first), tr.position_head[i, :n], atol=6e-5)
        assert float(norm) == pytest.approx(float(tr.position_norms[i]), abs=6e-5)
        assert float(total) == pytest.approx(float(tr.x0_norms[i]), abs=6e-5)


def shape(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text))


def check_positions(out: str, config, n_tokens: int) -> None:
    """The shapes the lab's table reads from the configs (gptlab.models.catalog.Architecture)."""
    from transformers import GPT2Config

    arch = Architecture.of(config)
    tokens = shape(re.search(r"token table (\(.*?\))", out).group(1))
    assert tokens == (arch.vocab, arch.d_model)
    if arch.positions == "learned":
        assert shape(re.search(r"position table (\(.*?\))", out).group(1)) == (arch.context, arch.d_model)
        assert f"T = {n_tokens}," in out
        return
    assert "no position table" in out
    assert shape(re.search(r"cos and sin (\(.*?\))", out).group(1)) == (n_tokens, arch.head_dim)
    assert f"of {arch.n_head} heads" in out
    gpt2 = Architecture.of(GPT2Config())
    line = re.search(r"^GPT-2 small: token table (\(.*?\)), position table (\(.*?\))", out, re.M)
    assert (shape(line.group(1)), shape(line.group(2))) == ((gpt2.vocab, gpt2.d_model), (gpt2.context, gpt2.d_model))


def check_blocks(out: str, settings: C.JourneyBlocksSettings, tr: J.Trace, model) -> None:
    """|a_l|, |m_l|, |x_l+1| and the share at the position, against J.blocks (the lab recomputes every block there)."""
    b = J.blocks(model, tr, settings.position)
    rows = re.findall(rf"^\s*(\d+)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$", out, re.M)
    assert [int(r[0]) for r in rows] == list(range(tr.n_layers))
    got = np.array([[float(x) for x in r[1:]] for r in rows])
    share = (b.attention_norms + b.mlp_norms) / b.residual_norms[:-1]
    expected = np.stack([b.attention_norms, b.mlp_norms, b.residual_norms[1:], share], axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=6e-5)
    worst = float(re.search(rf"output_hidden_states: {NUMBER}$", out, re.M).group(1))
    assert worst < 1e-4 and max(b.check) < 1e-4


def cells(text: str) -> list[tuple[str, float]]:
    return [(ast.literal_eval(s), float(p)) for s, p in re.findall(rf"{LITERAL} {NUMBER}", text)]


def same_tokens(got: list[tuple[str, float]], ids, probs, tokenizer, atol: float) -> None:
    """The printed (token, probability) pairs against the lab's ids and probabilities; two tokens may trade
    places only where their probabilities tie to the printed precision."""
    assert len(got) == len(ids)
    for j, ((token, p), token_id, q) in enumerate(zip(got, ids, probs)):
        assert p == pytest.approx(float(q), abs=atol)
        if token != tokenizer.decode([int(token_id)]):
            assert any(abs(float(q) - float(r)) < 1e-3 for k, r in enumerate(probs) if k != j), (j, token)


def check_lens_grid(out: str, settings: C.JourneyLensGridSettings, tr: J.Trace, unembedding, tokenizer) -> None:
    """The top 1 at every layer and position of the window, against J.grid_lens (the heatmap)."""
    grid = J.grid_lens(tr, unembedding, first=settings.first, positions=settings.shown)
    top_ids, top_probs = grid.top()  # (L+1, n)
    window = ast.literal_eval(re.search(r"^positions: (\[.*\])$", out, re.M).group(1))
    assert window == [tokenizer.decode([i]) for i in tr.ids[grid.first : grid.first + grid.n_tokens]]
    layers = re.findall(r"^layer\s+(\d+): (.*)$", out, re.M)
    assert [int(layer) for layer, _ in layers] == list(range(tr.n_layers, -1, -1))  # the output layer on top
    for layer, row in layers:
        # the lab's normalizer's far tail is summed over bfloat16-rounded rows (tests/gptlab/test_journey.py)
        same_tokens(cells(row), top_ids[int(layer)], top_probs[int(layer)], tokenizer, atol=2.5e-3)


def check_lens(out: str, settings: C.JourneyLensSettings, tr: J.Trace, unembedding, tokenizer) -> None:
    """The answer, its rank and probability at every layer and the top 5, against J.position_lens."""
    pl = J.position_lens(tr, unembedding, settings.position)
    answer = ast.literal_eval(re.search(rf"the answer is {LITERAL}$", out, re.M).group(1))
    assert answer == tokenizer.decode([pl.answer])
    rows = re.findall(rf"^layer\s+(\d+): rank\s+(\d+)  P\(answer\) {NUMBER}  top 5: (.*)$", out, re.M)
    assert [int(r[0]) for r in rows] == list(range(tr.n_layers + 1))
    lens = pl.lens
    for layer, rank, p, five in rows:
        layer, rank = int(layer), int(rank)
        if lens.target_rank[layer] <= J.TOP_K or rank <= J.TOP_K:  # the lab's rank is exact where it is small
            assert rank == lens.target_rank[layer], layer
        assert float(p) == pytest.approx(float(lens.target_prob[layer]), abs=2.5e-3)
        same_tokens(cells(five), lens.top_ids[layer, :5], lens.top_probs[layer, :5], tokenizer, atol=2.5e-3)
    assert int(re.search(r"top 1 from layer (\d+) on", out).group(1)) == J.first_top_layer(lens)


def check_next_token(out: str, settings: C.JourneyNextTokenSettings, tr: J.Trace, unembedding, tokenizer) -> None:
    """The output layer's top tokens, their logits and probabilities, and the normalizer, against the lens's
    last layer (what the lab's last step shows). Its top logits are exact: the ids are the lab's but where two
    logits tie to float rounding."""
    lens = J.position_lens(tr, unembedding, settings.position).lens
    rows = re.findall(rf"^\s*\d+\. {LITERAL}\s+id\s+(\d+)  logit {NUMBER}  P {NUMBER}$", out, re.M)
    assert len(rows) == settings.shown == lens.top_ids.shape[1]
    logits = lens.top_logits[-1]
    np.testing.assert_allclose([float(r[2]) for r in rows], logits, atol=1e-3)
    for j, (token, token_id, _, _) in enumerate(rows):
        assert ast.literal_eval(token) == tokenizer.decode([int(token_id)])
        if int(token_id) != int(lens.top_ids[-1, j]):
            assert any(abs(float(logits[k] - logits[j])) < 1e-3 for k in range(len(logits)) if k != j), j
    # the lab's normalizer: its far tail summed over bfloat16-rounded rows (Gemma; tests/gptlab/test_journey.py)
    np.testing.assert_allclose([float(r[3]) for r in rows], lens.top_probs[-1], atol=2.5e-3)
    lse = float(re.search(rf"logsumexp\): {NUMBER}$", out, re.M).group(1))
    assert lse == pytest.approx(float(lens.logsumexp[-1]), abs=3e-3)
    held = float(re.search(rf"the top {settings.shown} hold {NUMBER}", out).group(1))
    assert held == pytest.approx(float(lens.top_probs[-1].sum()), abs=3e-3)


def check_all(outs: list[str], settings: list, model, unembedding, tokenizer) -> None:
    numbers, positions, blocks, grid, lens, next_token = settings
    tr = J.trace(model, J.prompt_ids(tokenizer, numbers.text).ids)
    check_numbers(outs[0], numbers, tr, tokenizer)
    check_positions(outs[1], model.config, tr.n_tokens)
    check_blocks(outs[2], blocks, tr, model)
    check_lens_grid(outs[3], grid, tr, unembedding, tokenizer)
    check_lens(outs[4], lens, tr, unembedding, tokenizer)
    check_next_token(outs[5], next_token, tr, unembedding, tokenizer)


DEFAULT = "The capital of France is Paris, and the capital of Germany is"
LONG = ('She wrote "O gato subiu no telhado" \\ and then """ 🙂\nnaïve café. ' * 6) + DEFAULT  # over 64 tokens


@pytest.mark.real_models
@pytest.mark.parametrize("text, position, first", [(DEFAULT, 13, 0), (LONG, 40, 16)], ids=["default", "long-hostile"])
def test_journey_snippets_print_the_labs_numbers(tmp_path, fp32_model, lab_model, gemma_tokenizer, text, position, first):
    """Every journey view on Gemma 3 270M; the lens read with the lab's bfloat16 unembedding (the decoding lab's)."""
    assert len(gemma_tokenizer(text)["input_ids"]) > J.MAX_TOKENS or text == DEFAULT  # the long one is cut as the lab cuts it
    settings = journey_settings(text, "gemma3", position, first)
    outs = run_journey(settings, C.Paths.local(), tmp_path, "journey")
    check_all(outs, settings, fp32_model, lab_model.lm_head.weight.detach(), gemma_tokenizer)
    if text == DEFAULT:
        assert "the answer is ' Berlin'" in outs[4] and "top 1 from layer 17 on" in outs[4]


def test_journey_snippets_on_gpt2_print_the_labs_numbers(tmp_path, tiny_gpt2_hub_cache):
    """A picked GPT-2 (a tiny random one saved under `gpt2` in the Hugging Face cache): loaded by its id, its
    learned position table, its blocks and ln_f, checked against the lab on the same weights."""
    from gptlab.models import catalog
    from gptlab.nn.architecture import family_of

    settings = journey_settings(LONG, "gpt2", position=30, first=48)
    outs = run_journey(settings, replace(C.Paths.local(), hub_model="gpt2"), tmp_path, "journey_gpt2")
    entry = catalog.find("gpt2")
    model, tokenizer = catalog.load_model(entry), catalog.load_tokenizer(entry)
    assert len(tokenizer(LONG)["input_ids"]) > J.MAX_TOKENS  # cut to its last 64 (GPT-2 has no <bos> to keep)
    check_all(outs, settings, model, family_of(model).unembedding(model), tokenizer)
