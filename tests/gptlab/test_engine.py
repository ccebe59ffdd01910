"""The serving engine computes what the transformers model computes, and the same for a row alone or in a batch."""

from __future__ import annotations

import pytest
import torch

from gptlab.models import engine as engine_module
from gptlab.models.engine import REFINED_LOGITS, GemmaEngine, KVCache, Linear, invariant_softmax
from gptlab.nn import decoding as D
from gptlab.nn import generation as G


@pytest.fixture(scope="module")
def tiny(make_tiny_model):
    return make_tiny_model("gemma")


PROMPT = [2, 10, 20, 30, 40, 50, 60, 70, 80]  # longer than the sliding window (4)


def test_prefill_equals_the_models_hidden_states(tiny):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape)
    row = cache.add_row()
    hidden = engine.forward(cache, [row], [PROMPT])  # (T, d)
    with torch.inference_mode():
        ref = tiny.model(input_ids=torch.tensor([PROMPT])).last_hidden_state[0]
    assert torch.allclose(hidden, ref, atol=1e-5)
    assert cache.lengths == [len(PROMPT)]


def test_decoding_steps_equal_the_models_logits_past_the_sliding_window(tiny):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape)
    cache.add_row()
    engine.forward(cache, [0], [PROMPT[:3]])
    for i in range(3, len(PROMPT)):  # one token at a time, as decoding does
        hidden = engine.forward(cache, [0], [[PROMPT[i]]])
        with torch.inference_mode():
            ref = tiny(input_ids=torch.tensor([PROMPT[: i + 1]])).logits[0, -1]
        assert torch.allclose(engine.logits(hidden)[0], ref, atol=1e-5), i


def test_rows_of_different_lengths_share_a_step(tiny):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape, rows=1, tokens=2)  # forces both capacities to grow
    a, b = PROMPT[:5], [2, 7, 8]
    cache.add_row(), cache.add_row()
    engine.forward(cache, [0, 1], [a, b])
    hidden = engine.forward(cache, [0, 1], [[11], [12]])
    with torch.inference_mode():
        ref_a = tiny(input_ids=torch.tensor([a + [11]])).logits[0, -1]
        ref_b = tiny(input_ids=torch.tensor([b + [12]])).logits[0, -1]
    logits = engine.logits(hidden)
    assert torch.allclose(logits[0], ref_a, atol=1e-5) and torch.allclose(logits[1], ref_b, atol=1e-5)
    assert cache.lengths == [6, 4]


def test_cache_rows_move_when_one_leaves_and_beams_reorder(tiny):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape)
    for prompt in ([2, 3], [2, 4, 5], [2, 6, 7, 8]):
        engine.forward(cache, [cache.add_row()], [prompt])
    keys_of_last = cache.keys[0][2, :, :4].clone()
    assert cache.remove(0) == 2  # the last row moved into row 0
    assert cache.lengths == [4, 3] and torch.equal(cache.keys[0][0, :, :4], keys_of_last)
    cache.reorder([0, 1], [1, 1])
    assert cache.lengths == [3, 3] and torch.equal(cache.keys[0][0, :, :3], cache.keys[0][1, :, :3])


def test_many_rows_leave_in_one_move_and_the_others_keep_what_they_hold(tiny):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape)
    prompts = [[2] + [3 + i] * (1 + i % 4) for i in range(9)]  # rows of different lengths
    for prompt in prompts:
        engine.forward(cache, [cache.add_row()], [prompt])
    held = {row: [cache.keys[layer][row, :, : len(prompts[row])].clone() for layer in range(engine.shape.layers)]
            for row in range(9)}
    moved = cache.remove_rows([0, 3, 4, 8])  # holes below, one at the end
    assert cache.rows == 5 and moved == {5: 0, 6: 3, 7: 4}
    where = {row: moved.get(row, row) for row in (1, 2, 5, 6, 7)}
    for old, new in where.items():
        assert cache.lengths[new] == len(prompts[old])
        for layer in range(engine.shape.layers):
            assert torch.equal(cache.keys[layer][new, :, : len(prompts[old])], held[old][layer]), (old, layer)
    assert cache.remove_rows([]) == {} and cache.rows == 5
    assert cache.remove_rows(range(5)) == {} and cache.rows == 0


def test_a_beam_that_stays_is_not_copied_and_the_others_read_before_they_are_written(tiny):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape)
    for prompt in ([2, 3], [2, 4], [2, 5]):
        engine.forward(cache, [cache.add_row()], [prompt])
    before = [cache.keys[0][row, :, :2].clone() for row in range(3)]
    cache.reorder([0, 1, 2], [1, 0, 2])  # rows 0 and 1 swap, row 2 stays
    assert torch.equal(cache.keys[0][0, :, :2], before[1]) and torch.equal(cache.keys[0][1, :, :2], before[0])
    assert torch.equal(cache.keys[0][2, :, :2], before[2])


def test_a_class_of_beams_of_many_lengths_moves_in_one_call_each_row_copying_its_own_length(tiny, monkeypatch):
    """Two students' beams, one with a long prompt, reordered in one call (the worker's step): every row
    takes its source's cache, all sources read before any row is written, and the short rows copy only
    their own length, not the long prompt's."""
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape)
    prompts = [[2, 3], [2, 4], [2] + [3 + i % 20 for i in range(140)], [2] + [5 + i % 17 for i in range(140)]]  # 2 short, 2 long
    for prompt in prompts:
        engine.forward(cache, [cache.add_row()], [prompt])
    before = [(cache.keys[layer][row].clone(), cache.values[layer][row].clone())
              for row in range(4) for layer in range(engine.shape.layers)]
    widths = []
    original = torch.Tensor.__getitem__

    def watching(self, index):  # the widths the copies read
        if isinstance(index, tuple) and len(index) == 3 and isinstance(index[2], slice) and index[2].stop:
            widths.append(index[2].stop)
        return original(self, index)

    monkeypatch.setattr(torch.Tensor, "__getitem__", watching)
    with torch.inference_mode():  # as the worker moves them (the cache grew inside inference mode)
        cache.reorder([0, 1, 2, 3], [1, 0, 3, 2])  # each student's two beams swap
    monkeypatch.undo()
    assert sorted(set(widths)) == [2, 141]  # the short rows read 2 positions, never 141
    for target, source in ((0, 1), (1, 0), (2, 3), (3, 2)):
        n = len(prompts[source])
        assert cache.lengths[target] == n
        for layer in range(engine.shape.layers):
            keys, values = before[source * engine.shape.layers + layer]
            assert torch.equal(cache.keys[layer][target, :, :n], keys[:, :n])
            assert torch.equal(cache.values[layer][target, :, :n], values[:, :n])


def test_reserving_rows_grows_the_cache_once_and_keeps_what_rows_hold(tiny, monkeypatch):
    engine = GemmaEngine(tiny)
    cache = KVCache(engine.shape, rows=2, tokens=2)
    for prompt in ([2, 3], [2, 4, 5]):
        engine.forward(cache, [cache.add_row()], [prompt])
    held = [cache.keys[layer][:2, :, :3].clone() for layer in range(engine.shape.layers)]
    allocations = []
    original = KVCache._allocate
    monkeypatch.setattr(KVCache, "_allocate", lambda self, rows, tokens: (allocations.append(rows), original(self, rows, tokens)))
    cache.reserve_rows(2 + 37)
    for _ in range(37):
        cache.add_row()
    assert len(allocations) == 1 and cache.capacity[0] >= 39 and cache.capacity[0] % 16 == 0
    assert cache.lengths[:2] == [2, 3] and cache.lengths[2:] == [0] * 37
    assert all(torch.equal(cache.keys[layer][:2, :, :3], held[layer]) for layer in range(engine.shape.layers))
    hidden = engine.forward(cache, [0, 1], [[11], [12]])  # the moved rows still decode as the model does
    with torch.inference_mode():
        ref = tiny(input_ids=torch.tensor([[2, 4, 5, 12]])).logits[0, -1]
    assert torch.allclose(engine.logits(hidden)[1], ref, atol=1e-5)


def test_invariant_softmax_is_softmax_and_ignores_padding():
    torch.manual_seed(1)
    for _ in range(200):
        width = int(torch.randint(2, 90, ()))
        x = torch.randn(3, width) * 4
        padded = torch.cat([x, torch.full((3, int(torch.randint(1, 40, ()))), float("-inf"))], dim=-1)
        assert torch.allclose(invariant_softmax(x), x.softmax(-1), atol=1e-6)
        assert torch.equal(invariant_softmax(x), invariant_softmax(padded)[:, :width])


def test_fast_topk_equals_torch_topk():
    torch.manual_seed(2)
    x = torch.randn(3, 262_144) * 3
    for k in (1, 8, 50, 256, 512, 4096):  # every chunk length topk_chunk picks
        fast = D.fast_topk(x, k)
        ref = torch.topk(x, k)
        assert torch.equal(fast[0], ref.values)
        assert torch.equal(x.gather(1, fast[1]), ref.values)


@pytest.mark.parametrize("strategy", [D.Strategy(temperature=0.8, top_k=50, top_p=0.9), D.Strategy(top_p=0.9),
                                      D.Strategy(top_k=40), D.Strategy(temperature=0.7), D.Strategy(),
                                      D.Strategy(temperature=1.3, top_p=0.5), D.Strategy(top_k=3, top_p=0.1)], ids=str)
def test_choose_token_is_the_same_draw_as_sampling_the_whole_distribution(strategy):
    torch.manual_seed(3)
    for trial in range(60):
        logits = torch.randn(262_144 if trial % 5 == 0 else 5_000) * (1 + trial % 4)
        probs = D.probabilities(logits[None], strategy)
        expected = int(D.sample(probs, torch.Generator().manual_seed(trial))[0])
        token, prob = D.choose_token(logits, strategy, torch.Generator().manual_seed(trial))
        assert token == expected
        assert prob == pytest.approx(float(probs[0, expected]), abs=1e-6)


def test_first_argmax_is_torch_argmax_ties_and_odd_lengths_included():
    g = torch.Generator().manual_seed(4)
    for vocab in (262_144, 5_000, 128, 256, 130):
        for trial in range(12):
            x = torch.randn(vocab, generator=g) * 3
            if trial % 3 == 1:  # coarse values: the maximum appears several times, in several chunks
                x = torch.round(x)
            if trial % 3 == 2:  # the maximum at chunk edges, twice, and cut tokens
                x[torch.randint(0, vocab, (vocab // 3,), generator=g)] = float("-inf")
                x[[min(127, vocab - 1), vocab - 1]] = 99.0
            assert D.first_argmax(x) == int(x.argmax()), (vocab, trial)
    # (5,000 and 130 are no multiple of the chunk: argmax itself; 262,144, 256 and 128 x 40 go by chunks)
    x = torch.randn(2, 262_144, generator=g)
    for special in (float("nan"), float("inf"), float("-inf")):
        y = x[0].clone()
        y[[1000, 70_000]] = special
        assert D.first_argmax(y) == int(y.argmax()), special
    assert D.first_argmax(torch.full((262_144,), float("-inf"))) == 0
    strided = x.t().contiguous().t()[0]  # (V,) every second float of the buffer: a strided view
    assert strided.shape == (262_144,) and not strided.is_contiguous()
    assert D.first_argmax(strided) == int(strided.argmax())
    coarse = torch.round(torch.randn(128 * 40, generator=g) * 2).to(torch.bfloat16)  # bfloat16, many ties
    assert D.first_argmax(coarse) == int(coarse.argmax())


@pytest.mark.parametrize("strategy", [D.Strategy(top_k=40), D.Strategy(temperature=0.7, top_k=50),
                                      D.Strategy(top_k=3)], ids=str)
def test_choose_token_keeps_ties_with_the_kth_logit(strategy):
    """Coarse logits tie at the k-th largest: every token equal to it is kept, as keep_top_k does. (Not with
    top-p: where tied tokens straddle its cut, which of them counts as more likely is the sort's choice.)"""
    torch.manual_seed(5)
    for trial in range(40):
        logits = torch.round(torch.randn(262_144 if trial % 4 == 0 else 5_000) * (1 + trial % 3)) / 2
        probs = D.probabilities(logits[None], strategy)
        expected = int(D.sample(probs, torch.Generator().manual_seed(trial))[0])
        token, prob = D.choose_token(logits, strategy, torch.Generator().manual_seed(trial))
        assert token == expected
        assert prob == pytest.approx(float(probs[0, expected]), abs=1e-6)


# --- the real decoder (bfloat16, as the lab holds it) ------------------------------------------------


@pytest.fixture(scope="module")
def lab_engine(prepared_decoder):
    from gptlab import models

    model = models.load_decoding_model()
    return model, GemmaEngine(model)


@pytest.mark.real_models
def test_real_prefill_is_bit_for_bit_the_models(lab_engine, gemma_tokenizer):
    model, engine = lab_engine
    ids = gemma_tokenizer("A inteligência artificial está mudando a forma como aprendemos, porque")["input_ids"]
    cache = KVCache(engine.shape)
    hidden = engine.forward(cache, [cache.add_row()], [ids])
    with torch.inference_mode():
        ref = model.model(input_ids=torch.tensor([ids])).last_hidden_state[0]
    assert torch.equal(hidden, ref)


@pytest.mark.real_models
def test_real_logits_are_exact_in_float32_where_students_read_them(lab_engine, gemma_tokenizer):
    model, engine = lab_engine
    ids = gemma_tokenizer("Eu moro no Rio de")["input_ids"]
    cache = KVCache(engine.shape)
    hidden = engine.forward(cache, [cache.add_row()], [ids])[-1:]
    exact = hidden.float() @ model.lm_head.weight.float().T  # (1, V)
    top = torch.topk(exact, 100).indices
    for int8 in (True, False):  # both output-layer kernels
        logits = engine.logits(hidden, [int8])
        assert torch.allclose(logits[0, top[0]], exact[0, top[0]], atol=1e-4)
        probs = logits.softmax(-1)
        assert torch.allclose(probs, exact.softmax(-1), atol=2e-5)  # the int8 tail moves nothing visible
    assert REFINED_LOGITS >= 100


@pytest.mark.real_models
def test_real_output_layer_in_vocabulary_slices_is_one_product_bit_for_bit(lab_engine):
    """The dense output layer runs slice by slice into a buffer the worker keeps (no fresh 419 MB a step in a
    class); every logit is the number one product over the whole vocabulary gives, whatever the rows."""
    _, engine = lab_engine
    assert len(engine.lm_head_slices) > 1
    whole = Linear(engine.lm_head, packed=engine.lm_head_slices[0]._packed is not None)
    generator = torch.Generator().manual_seed(0)
    for rows in (3, 130):  # 130: three groups of the exact candidates' search (64 rows at a time)
        x = torch.randn(rows, engine.shape.hidden, generator=generator).to(torch.bfloat16)
        assert torch.equal(engine._dense_logits(x, torch.empty(rows, engine.shape.vocab)), whole(x).float())
        hidden = x * 3
        fresh = engine.logits(hidden, [False] * rows)
        kept = torch.full((rows, engine.shape.vocab), float("nan"))
        assert engine.logits(hidden, [False] * rows, out=kept) is kept  # written in place
        assert torch.equal(kept, fresh)
        for i in {0, rows // 2, rows - 1}:  # each group's rows: what the row gets alone
            assert torch.equal(kept[i], engine.logits(hidden[i : i + 1], [False])[0]), (rows, i)
        del fresh, kept
    # Both kernels in one batch (a forward's rows beside a class's generations), in the worker's order and mixed:
    hidden = torch.randn(6, engine.shape.hidden, generator=generator).to(torch.bfloat16) * 3
    for flags in ([False] * 4 + [True] * 2, [True, False, True, False, False, True]):
        kept = torch.full((6, engine.shape.vocab), float("nan"))
        engine.logits(hidden, flags, out=kept)
        for i, int8 in enumerate(flags):
            assert torch.equal(kept[i], engine.logits(hidden[i : i + 1], [int8])[0]), (flags, i)


@pytest.mark.real_models
def test_real_rows_get_the_same_numbers_alone_and_in_a_batch(lab_engine, gemma_tokenizer):
    """Found the hard way: a lone row's matrix-vector product and torch's softmax over a padded row
    differ in the last bit from the batched ones, and texts parted a few tokens later."""
    _, engine = lab_engine
    a = gemma_tokenizer("Eu moro no Rio de")["input_ids"]
    b = gemma_tokenizer("A inteligência artificial nas escolas do Brasil, hoje em dia, é")["input_ids"]
    alone, crowd = KVCache(engine.shape), KVCache(engine.shape)
    alone.add_row()
    engine.forward(alone, [0], [a])
    crowd.add_row(), crowd.add_row()
    engine.forward(crowd, [0, 1], [b, a])
    token = 100
    for _ in range(12):
        x = engine.forward(alone, [0], [[token]])
        y = engine.forward(crowd, [0, 1], [[token + 7], [token]])
        assert torch.equal(x[0], y[1])
        token = int(engine.logits(x)[0].argmax())


@pytest.mark.real_models
def test_real_greedy_matches_the_readable_loop_for_the_first_tokens(lab_engine, gemma_tokenizer):
    """Not bit for bit (float32 attention products, other kernels), but the same text until a near-tie."""
    model, engine = lab_engine
    ids = gemma_tokenizer("Eu moro no Rio de")["input_ids"]
    ref = [c.token_id for c in G.run(model, ids, [D.GREEDY], max_new_tokens=10, seed=0).rows[0].tokens]
    cache = KVCache(engine.shape)
    hidden = engine.forward(cache, [cache.add_row()], [ids])[-1:]
    out = []
    for _ in range(10):
        out.append(int(engine.logits(hidden)[0].argmax()))
        hidden = engine.forward(cache, [0], [[out[-1]]])
    assert out == ref


def test_attention_of_a_row_does_not_depend_on_the_batch_or_its_padding(tiny):
    """Random rows of random lengths, batched and padded, against each row alone at its own width."""
    from gptlab.models.engine import KEY_BLOCK, round_up

    engine = GemmaEngine(tiny)
    torch.manual_seed(5)
    hd = 256
    differing = 0
    for trial in range(150):
        rows = [1, 2, 5, 10, 32][trial % 5]
        lengths = torch.randint(1, 700 if trial % 7 == 0 else 120, (rows,))
        width = round_up(int(lengths.max()) + 1, KEY_BLOCK)
        keys = torch.randn(rows, 1, width, hd) * 2
        values = torch.randn(rows, 1, width, hd)
        q = (torch.randn(rows, 1, 4, hd) * 2).to(engine.dtype)
        mask = torch.zeros(rows, 1, 1, width, dtype=engine.dtype)
        for r in range(rows):
            mask[r, ..., lengths[r] + 1 :] = float("-inf")
        together = engine._attend(q, keys, values, mask)
        for r in range(rows):
            own = round_up(int(lengths[r]) + 1, KEY_BLOCK)
            alone = engine._attend(q[r : r + 1], keys[r : r + 1, :, :own], values[r : r + 1, :, :own],
                                   mask[r : r + 1, ..., :own])
            differing += int(not torch.equal(alone, together[r : r + 1]))
    assert differing == 0


@pytest.mark.skipif(engine_module._MKL_LOCAL_THREADS is None, reason="MKL's thread-local setter is not there")
@pytest.mark.parametrize("rows", [16, 40, 49, 55, 63, 64])  # chunks of 16, 32 + 8, 32 + 17, 32 + 23, 32 + 31, 32 + 32
def test_a_class_chunk_on_all_threads_gives_each_row_its_numbers_alone(tiny, rows):
    """A class's decoding rows attend 32 at a time with MKL on every thread torch has; a student's row alone
    attends on one thread. The same numbers either way, bit for bit, or a class would change a student's text.
    Gemma 3 270M's shapes (4 query heads sharing one key/value head of 256), even and odd chunks."""
    from dataclasses import replace

    engine = GemmaEngine(tiny)
    engine.shape = s = replace(engine.shape, heads=4, kv_heads=1, head_dim=256, layers=1)
    generator = torch.Generator().manual_seed(rows)
    cache = KVCache(s, rows=rows, tokens=256)
    numbers = [cache.add_row() for _ in range(rows)]
    for r in numbers:
        cache.lengths[r] = int(torch.randint(1, 200, (), generator=generator))
    cache.keys[0].copy_(torch.randn(cache.keys[0].shape, generator=generator).to(engine.dtype) * 2)
    cache.values[0].copy_(torch.randn(cache.values[0].shape, generator=generator).to(engine.dtype))
    q = (torch.randn(rows, s.heads, s.head_dim, generator=generator) * 2).to(engine.dtype)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert engine.THREADED_CHUNK <= min(rows, engine.DECODE_CHUNK)  # at least one chunk on both threads
        for sliding in (False, True):
            together = engine._decode_attention(cache, 0, numbers, q, engine._decode_masks(cache, numbers), sliding)
            for r in numbers:
                alone = engine._decode_attention(cache, 0, [r], q[r : r + 1], engine._decode_masks(cache, [r]), sliding)
                assert torch.equal(alone[0], together[r]), (rows, sliding, r)
    finally:
        torch.set_num_threads(threads)
