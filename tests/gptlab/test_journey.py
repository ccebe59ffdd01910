"""The journey of a token: the model's pass, every block recomputed at one position, and the logit lens."""

import numpy as np
import pytest
import torch

from gptlab.nn import journey as J
from gptlab.nn import logit_lens as LL
from gptlab.nn import residual as R

IDS = (2, 5, 7, 11, 13, 17, 19, 23, 29, 31)  # 10 tokens: the tiny model's 4-token window is crossed


@pytest.fixture(scope="module")
def tiny(make_tiny_model):
    return make_tiny_model("gemma")


def brute_lens(normed: torch.Tensor, unembedding: torch.Tensor):
    """(N, d), (V, d) -> (N, V) float32 probabilities, the plain way."""
    return torch.softmax(normed.detach().double() @ unembedding.detach().double().t(), dim=-1).float()


def recomputed_everywhere(model, ids):
    """Every block recomputed at every position (a test's reference): (L+1, T, d) x_l, (L, T, d) a_l and m_l."""
    stream = R.model_pass(model, ids)
    at = [R.blocks_at(model, stream.x0, stream.hidden, p) for p in range(len(ids))]
    return stream, at


def test_blocks_recomputed_at_every_position_match_output_hidden_states(tiny):
    stream, at = recomputed_everywhere(tiny, IDS)
    for p, b in enumerate(at):
        assert b.position == p and len(b.check) == tiny.config.num_hidden_layers + 1
        assert max(b.check) < 1e-5
    assert stream.hidden.shape == (tiny.config.num_hidden_layers + 1, len(IDS), tiny.config.hidden_size)


def test_blocks_at_equal_a_whole_recomputation_of_the_stream(tiny):
    """Recomputing one position with the model's own inputs at the others is the plain whole-sequence
    recomputation (every position from x_0, block after block), taken at that position."""
    from gptlab.nn.architecture import family_of

    arch = family_of(tiny)
    stream, at = recomputed_everywhere(tiny, IDS)
    x = stream.x0[None]  # (1, T, d)
    for layer in range(stream.n_layers):
        a = arch.attention_adds(tiny, layer, x)  # (1, T, d)
        m = arch.mlp_adds(tiny, layer, x + a)
        for p, b in enumerate(at):
            torch.testing.assert_close(b.attention[layer], a[0, p], rtol=1e-4, atol=1e-5)
            torch.testing.assert_close(b.mlp[layer], m[0, p], rtol=1e-4, atol=1e-5)
        x = x + a + m


def test_attention_for_some_queries_is_those_rows_of_attention_for_all(tiny):
    from gptlab.nn.architecture import family_of

    arch = family_of(tiny)
    x = torch.randn(1, len(IDS), tiny.config.hidden_size)
    everywhere = arch.attention_adds(tiny, 0, x)  # (1, T, d)
    for queries in (slice(3, 4), slice(len(IDS) - 1, None), slice(0, 1), slice(2, 7)):
        torch.testing.assert_close(arch.attention_adds(tiny, 0, x, queries), everywhere[:, queries], rtol=1e-5, atol=1e-6)


def test_each_block_adds_its_attention_and_its_mlp(tiny):
    stream = R.model_pass(tiny, IDS)
    s = R.blocks_at(tiny, stream.x0, stream.hidden, len(IDS) - 2)
    for layer in range(s.n_layers):
        torch.testing.assert_close(s.residual[layer + 1], s.residual[layer] + s.attention[layer] + s.mlp[layer])
    d = tiny.config.hidden_size
    torch.testing.assert_close(stream.x0, stream.embedding_rows * d ** 0.5, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(s.residual[0], stream.x0[len(IDS) - 2])
    assert stream.embed_scale == pytest.approx(d ** 0.5, rel=1e-6)


def test_a_wrong_recomputation_shows_in_the_check(tiny, monkeypatch):
    """The check can fail: an MLP recomputed without its post-norm (a plausible mistake) is far off."""
    from gptlab.nn.architecture import family_of

    arch = family_of(tiny)
    stream = R.model_pass(tiny, IDS)
    monkeypatch.setattr(type(arch), "mlp_adds", lambda self, model, layer, x: self.blocks(model)[layer].mlp(
        self.blocks(model)[layer].pre_feedforward_layernorm(x)))
    assert max(R.blocks_at(tiny, stream.x0, stream.hidden, len(IDS) - 1).check) > 1e-3


def test_the_final_state_gives_the_models_own_logits(tiny):
    stream = R.model_pass(tiny, IDS)
    logits = tiny(torch.tensor([IDS])).logits[0]  # (T, V)
    torch.testing.assert_close(stream.hidden[-1] @ tiny.lm_head.weight.t(), logits, rtol=1e-5, atol=1e-5)
    p = len(IDS) - 1
    final = R.blocks_at(tiny, stream.x0, stream.hidden, p).final
    torch.testing.assert_close(final @ tiny.lm_head.weight.t(), logits[p], rtol=1e-5, atol=1e-5)


def test_relative_difference():
    a = torch.tensor([1.0, -4.0])
    assert R.relative_difference(a, a) == 0.0
    assert R.relative_difference(a + torch.tensor([0.0, 0.4]), a) == pytest.approx(0.1)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_logit_lens_equals_the_plain_softmax(monkeypatch, dtype):
    monkeypatch.setattr(LL, "ROWS_PER_PRODUCT", 8)  # several blocks of rows and passes
    monkeypatch.setattr(LL, "ROWS_PER_PASS", 3)
    torch.manual_seed(1)
    V, d, N = 300, 16, 20
    unembedding = torch.randn(V, d).to(dtype)
    normed = torch.randn(N, d) * 2
    targets = torch.randint(0, V, (N,))
    lens = LL.logit_lens(normed, unembedding, targets, k=5)
    probs = brute_lens(normed, unembedding.float())  # the exact answer, from the (rounded) weights
    top_p, top_i = probs.topk(5, dim=-1)
    np.testing.assert_array_equal(lens.top_ids, top_i.numpy())
    tol = 1e-5 if dtype == torch.float32 else 2e-3  # bfloat16: only the normalizer's tail is rounded
    np.testing.assert_allclose(lens.top_probs, top_p.numpy(), rtol=tol, atol=1e-7)
    target_p = probs.gather(1, targets[:, None])[:, 0]
    np.testing.assert_allclose(lens.target_prob, target_p.numpy(), rtol=tol, atol=1e-7)
    exact_rank = (probs > target_p[:, None]).sum(-1) + 1
    if dtype == torch.float32:
        np.testing.assert_array_equal(lens.target_rank, exact_rank.numpy())
    else:  # a far-tail target's rank is counted on rounded logits: off by a few at most
        assert np.abs(lens.target_rank - exact_rank.numpy()).max() <= 3


def test_logit_lens_without_targets_ranks_each_rows_top_one():
    torch.manual_seed(2)
    lens = LL.logit_lens(torch.randn(4, 8), torch.randn(50, 8), None, k=3)
    assert lens.target_rank.tolist() == [1, 1, 1, 1]
    np.testing.assert_allclose(lens.target_prob, lens.top_probs[:, 0], rtol=1e-6)
    assert (np.diff(lens.top_probs, axis=1) <= 0).all()


def test_position_lens_ends_with_the_models_own_distribution(tiny):
    tr = J.trace(tiny, IDS)
    E = tiny.lm_head.weight.detach()
    pos = len(IDS) - 1
    pl = J.position_lens(tr, E, pos)
    probs = torch.softmax(tiny(torch.tensor([IDS])).logits[0, pos], -1)
    assert pl.answer == int(probs.argmax())
    np.testing.assert_allclose(pl.lens.top_probs[-1], probs.topk(J.TOP_K).values.detach().numpy(), rtol=1e-4)
    assert pl.lens.target_rank[-1] == 1 and len(pl.lens.target_rank) == tiny.config.num_hidden_layers + 1
    # every layer's row is the plain softmax of final_norm(x_l) E^T, x_l recomputed from the weights
    stream = R.model_pass(tiny, IDS)
    at = R.blocks_at(tiny, stream.x0, stream.hidden, pos)
    brute = brute_lens(LL.final_norm(tiny, at.residual), E)  # (L+1, V)
    np.testing.assert_allclose(pl.lens.target_prob, brute[:, pl.answer].numpy(), rtol=1e-4)


def test_grid_lens_is_the_lens_at_the_last_positions(tiny):
    tr = J.trace(tiny, IDS)
    E = tiny.lm_head.weight.detach()
    grid = J.grid_lens(tr, E, positions=4)
    assert (grid.first, grid.n_tokens) == (len(IDS) - 4, 4)
    ids, probs = grid.top()
    assert ids.shape == probs.shape == (tiny.config.num_hidden_layers + 1, 4)
    brute = brute_lens(torch.from_numpy(tr.normed[:, -4:]).reshape(-1, tr.normed.shape[-1]), E)
    np.testing.assert_array_equal(ids.reshape(-1), brute.argmax(-1).numpy())
    np.testing.assert_allclose(probs.reshape(-1), brute.max(-1).values.numpy(), rtol=1e-4)
    full = J.grid_lens(tr, E)
    assert (full.first, full.n_tokens) == (0, len(IDS))


def test_the_window_holding_the_last_position_gives_its_position_lens(tiny):
    """Down the prompt's last position the window ranks the model's answer at every layer: the same lens
    as position_lens's own pass; elsewhere each row ranks its own top 1, and no column is a PositionLens."""
    tr = J.trace(tiny, IDS)
    E = tiny.lm_head.weight.detach()
    last = len(IDS) - 1
    grid = J.grid_lens(tr, E, positions=4)
    alone = J.position_lens(tr, E, last)
    assert grid.holds(last) and grid.answered == last
    read = grid.at(last)
    assert (read.position, read.answer) == (alone.position, alone.answer)
    np.testing.assert_array_equal(read.lens.target_rank, alone.lens.target_rank)
    np.testing.assert_array_equal(read.lens.top_ids, alone.lens.top_ids)
    for name in ("top_logits", "logsumexp", "target_logit"):
        np.testing.assert_allclose(getattr(read.lens, name), getattr(alone.lens, name), rtol=1e-5, atol=1e-5)
    assert not grid.holds(last - 1)
    with pytest.raises(ValueError):
        grid.at(last - 1)
    ranks = grid.lens.target_rank.reshape(tiny.config.num_hidden_layers + 1, 4)
    assert (ranks[:, :-1] == 1).all()  # the other columns: each row's own top 1
    earlier = J.grid_lens(tr, E, positions=4, first=0)
    assert earlier.answered is None and not earlier.holds(last)


def test_grid_lens_windows_cover_every_position(tiny):
    tr = J.trace(tiny, IDS)
    E = tiny.lm_head.weight.detach()
    assert J.window_starts(10, 4) == [0, 4, 6]  # the last window ends at the last token
    assert J.window_starts(64) == [0, 16, 32, 48] and J.window_starts(3) == [0]
    seen = set()
    rows = torch.from_numpy(tr.normed).reshape(-1, tr.normed.shape[-1])  # layer-major, every position
    T = len(IDS)
    for first in J.window_starts(T, 4):
        grid = J.grid_lens(tr, E, positions=4, first=first)
        assert grid.first == first and grid.n_tokens == 4
        ids, _ = grid.top()
        for j in range(grid.n_tokens):
            seen.add(first + j)
            brute = brute_lens(rows[first + j :: T], E)  # (L+1, V) this position at every layer
            np.testing.assert_array_equal(ids[:, j], brute.argmax(-1).numpy())
    assert seen == set(range(T))
    assert J.grid_lens(tr, E, positions=4, first=999).first == T - 1  # out of range: kept inside the prompt


def test_trace_reduces_the_stream_to_what_the_lab_draws(tiny):
    tr = J.trace(tiny, IDS)
    L, T, d = tiny.config.num_hidden_layers, len(IDS), tiny.config.hidden_size
    assert tr.hidden.shape == tr.normed.shape == (L + 1, T, d) and tr.n_layers == L
    assert tr.embedding_head.shape == (T, min(J.SHOWN_DIMS, d))
    rows = tiny.model.embed_tokens.weight[list(IDS)].detach()
    np.testing.assert_allclose(tr.embedding_norms, rows.norm(dim=-1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(tr.x0_norms, tr.embedding_norms * tr.embed_scale, rtol=1e-5)
    b = J.blocks(tiny, tr, 3)
    assert b.position == 3 and b.residual_norms.shape == (L + 1,) and b.attention_norms.shape == b.mlp_norms.shape == (L,)
    assert b.residual_norms[0] == pytest.approx(float(tr.x0_norms[3]), rel=1e-6)
    assert max(b.check) < 1e-5


def test_first_top_layer():
    lens = lambda ranks: LL.Lens(*(np.zeros((len(ranks), 1)),) * 4, np.array(ranks))  # noqa: E731
    assert J.first_top_layer(lens([5, 3, 1, 1, 1])) == 2
    assert J.first_top_layer(lens([1, 2, 1, 1])) == 2  # it must stay the top 1
    assert J.first_top_layer(lens([1, 1, 1])) == 0
    assert J.first_top_layer(lens([9, 1])) == 1


def test_prompt_ids_keeps_bos_and_the_end(gpt2_tokenizer):
    class Tok:
        bos_token_id = 0

        def __call__(self, text):
            return {"input_ids": [0] + list(range(1, len(text) + 1))}

    fitted = J.prompt_ids(Tok(), "x" * 100, max_tokens=8)
    assert fitted.ids == (0, 94, 95, 96, 97, 98, 99, 100) and fitted.dropped == 93


@pytest.mark.real_models
def test_real_gemma_residual_stream_equals_output_hidden_states(prepared_decoder):
    """On Gemma 3 270M in float32: every recomputed block input, and the final norm, to float tolerance."""
    from gptlab import models

    model = models.load_decoder(dtype="float32")
    tokenizer = models.load_decoder_tokenizer()
    ids = J.prompt_ids(tokenizer, "The capital of France is Paris, and the capital of Germany is").ids
    tr = J.trace(model, ids)
    for position in (0, 5, len(ids) - 1):
        check = J.blocks(model, tr, position).check
        assert len(check) == model.config.num_hidden_layers + 1
        assert max(check) < 1e-5
    pl = J.position_lens(tr, model.lm_head.weight.detach().to(torch.bfloat16), len(ids) - 1)
    assert tokenizer.decode([pl.answer]).strip() == "Berlin"
    assert pl.lens.target_rank[-1] == 1 and pl.lens.target_rank[0] > 100  # the embedding alone has no idea


def test_a_row_whose_certificate_fails_is_recomputed_exactly(monkeypatch):
    """With 2 candidates and many near-equal logits, the certificate cannot hold: the row is redone in float32."""
    monkeypatch.setattr(LL, "REFINED", 2)
    torch.manual_seed(4)
    V, d = 400, 8
    unembedding = (torch.randn(V, d) * 0.01 + torch.tensor([1.0] + [0.0] * (d - 1))).to(torch.bfloat16)
    normed = torch.randn(3, d) + torch.tensor([30.0] + [0.0] * (d - 1))  # every logit close to 30
    rows_in = normed.to(torch.bfloat16)
    candidates, low, log_total, _, _ = LL._scan(rows_in, unembedding, 2, None, False)
    exact, _ = LL._refine(normed, rows_in, unembedding, candidates, log_total)
    assert not LL._certified(normed, rows_in, unembedding, exact, low, 2).any()
    lens = LL.logit_lens(normed, unembedding, None, k=2)
    probs = brute_lens(normed, unembedding.float())
    np.testing.assert_array_equal(lens.top_ids, probs.topk(2, dim=-1).indices.numpy())
    np.testing.assert_allclose(lens.top_probs, probs.topk(2, dim=-1).values.numpy(), rtol=1e-4)


def test_the_answers_ranks_come_from_one_pass(monkeypatch):
    """target_of the last row: the last row's own top 1 is every row's target, as two separate calls would rank it."""
    torch.manual_seed(5)
    V, d, N = 500, 16, 7
    unembedding = torch.randn(V, d).to(torch.bfloat16)
    normed = torch.randn(N, d) * 3
    last = torch.full((N,), N - 1)
    lens = LL.logit_lens(normed, unembedding, None, 4, target_of=last)
    assert (lens.target_rank > LL.REFINED).any()  # some rows count over the whole vocabulary (kept product)
    answer = int(lens.top_ids[-1, 0])
    probs = brute_lens(normed, unembedding.float())
    assert answer == int(probs[-1].argmax())
    exact_rank = (probs > probs[:, answer : answer + 1]).sum(-1) + 1
    assert np.abs(lens.target_rank - exact_rank.numpy()).max() <= 3
    np.testing.assert_array_equal(lens.target_rank == 1, exact_rank.numpy() == 1)  # rank 1 is always exact
    monkeypatch.setattr(LL, "ROWS_PER_PRODUCT", 3)  # too many rows to keep: a second pass counts
    again = LL.logit_lens(normed, unembedding, None, 4, target_of=last)
    np.testing.assert_array_equal(again.target_rank, lens.target_rank)


def test_each_row_can_rank_another_rows_answer():
    """target_of mixes rows ranking their own top 1 and rows ranking another row's: as separate calls rank them."""
    torch.manual_seed(6)
    V, d, N = 500, 16, 8
    unembedding = torch.randn(V, d).to(torch.bfloat16)
    normed = torch.randn(N, d) * 3
    target_of = torch.tensor([0, 7, 2, 7, 4, 5, 7, 7])
    lens = LL.logit_lens(normed, unembedding, None, 4, target_of=target_of)
    assert (lens.target_rank > LL.REFINED).any()  # some rows count over the whole vocabulary
    own = LL.logit_lens(normed, unembedding, None, 4)
    answer = int(own.top_ids[7, 0])
    by_answer = LL.logit_lens(normed, unembedding, torch.full((N,), answer), 4)
    for i, source in enumerate(target_of.tolist()):
        expected = by_answer if source == 7 else own
        assert lens.target_rank[i] == expected.target_rank[i], i
        assert lens.target_logit[i] == pytest.approx(float(expected.target_logit[i]), rel=1e-5, abs=1e-5)


@pytest.mark.real_models
def test_real_gemma_lens_grid_equals_the_plain_float32_lens(prepared_decoder):
    """Every layer x position of a 64-token prompt on Gemma 3 270M: the top 5 ids as the plain float32 lens
    (double-precision products of the bfloat16 weights) gives them, the probabilities to a quarter of a
    percentage point, and the answer's rank 1 exactly where the plain lens has it."""
    from gptlab import models

    model = models.load_decoder(dtype="float32")
    tokenizer = models.load_decoder_tokenizer()
    unembedding = models.load_decoding_model().lm_head.weight.detach()  # bfloat16, as the lab reads it
    text = ("O token entra no modelo como uma linha da tabela de embeddings e sobe pelo fluxo residual. "
            "Each block adds what its attention and its MLP compute, and the lens reads the stream early. ") * 4
    ids = J.prompt_ids(tokenizer, text).ids
    tr = J.trace(model, ids)
    grid = J.grid_lens(tr, unembedding, positions=len(ids))
    assert (grid.first, grid.n_tokens) == (0, len(ids)) == (0, J.MAX_TOKENS)
    rows = torch.from_numpy(tr.normed).reshape(-1, tr.normed.shape[-1]).double()  # layer-major, as the grid
    E = unembedding.double()
    for start in range(0, rows.shape[0], 128):
        logits = rows[start : start + 128] @ E.t()  # (r, V) float64
        values, top = logits.topk(J.TOP_K, dim=-1)  # (probabilities can underflow to equal zeros)
        ours_ids = grid.lens.top_ids[start : start + 128]
        for r, j in np.argwhere(ours_ids != top.numpy()):  # only a float32 near-tie may swap two neighbours
            assert abs(float(logits[r, ours_ids[r, j]] - values[r, j])) < 1e-4, (start + r, j)
        probs = (values - torch.logsumexp(logits, dim=-1, keepdim=True)).exp()
        # the normalizer's tail is summed over bfloat16-rounded rows: at layer 1 (norms near 1,000) a quarter of a
        # percentage point at most; elsewhere far less
        np.testing.assert_allclose(grid.lens.top_probs[start : start + 128], probs.numpy(), atol=2.5e-3, rtol=0)
    pl = J.position_lens(tr, unembedding, len(ids) - 1)
    read = J.grid_lens(tr, unembedding).at(len(ids) - 1)  # the same lens, read from the last window
    np.testing.assert_array_equal(read.lens.target_rank, pl.lens.target_rank)
    np.testing.assert_array_equal(read.lens.top_ids, pl.lens.top_ids)
    logits = torch.from_numpy(tr.normed[:, -1]).double() @ E.t()  # (L+1, V)
    assert pl.answer == int(logits[-1].argmax())
    exact_rank = (logits > logits[:, pl.answer : pl.answer + 1]).sum(-1) + 1
    np.testing.assert_array_equal(pl.lens.target_rank == 1, exact_rank.numpy() == 1)
    near = exact_rank.numpy() <= J.TOP_K
    np.testing.assert_array_equal(pl.lens.target_rank[near], exact_rank.numpy()[near])
