"""Grouping a corpus into blocks keeps every token in order and drops only the remainder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gptlab.nn.blocks import group_into_blocks, plan_blocks, split, token_stream

texts = st.lists(st.lists(st.integers(0, 300), max_size=40), max_size=20)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(2, 64), st.one_of(st.none(), st.integers(0, 5)), st.sampled_from([(), (2,)]))
def test_blocks_keep_every_token_in_order_and_drop_only_the_remainder(tokenized, block_size, separator, prefix):
    stream = token_stream(tokenized, separator)
    blocks, remainder = group_into_blocks(stream, block_size, prefix)
    step = block_size - len(prefix)
    assert all(len(b) == block_size and b[: len(prefix)] == prefix for b in blocks)
    assert len(remainder) < step
    assert tuple(t for b in blocks for t in b[len(prefix):]) + remainder == stream
    assert len(blocks) == len(stream) // step


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200), st.floats(0, 0.9), st.integers(0, 10))
def test_split_partitions_the_blocks(n, share, seed):
    train, validation = split(n, share, seed)
    assert sorted(train + validation) == list(range(n))
    assert not set(train) & set(validation)
    if n >= 2 and share > 0:
        assert validation and train
    assert split(n, share, seed) == (train, validation)  # the seed fixes the split


def test_a_corpus_shorter_than_one_block_gives_zero_blocks_and_keeps_it_as_remainder():
    plan = plan_blocks([[1, 2, 3], [4]], block_size=8, validation_share=0.1, seed=0)
    assert plan.n_blocks == 0 and plan.remainder == (1, 2, 3, 4)
    assert plan.train == () and plan.validation == ()


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        group_into_blocks([1, 2], 0)
    with pytest.raises(ValueError):
        group_into_blocks([1, 2], 1, prefix=(2,))
    with pytest.raises(ValueError):
        split(3, 1.0, 0)
