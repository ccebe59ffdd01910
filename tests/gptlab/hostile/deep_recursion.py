"""Unbounded Python recursion: a RecursionError for this case, nothing worse."""


def causal_mask(T):
    return causal_mask(T + 1)
