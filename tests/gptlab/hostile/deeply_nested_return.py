"""Returns a list nested a hundred thousand levels deep."""


def causal_mask(T):
    value = []
    for _ in range(100_000):
        value = [value]
    return value
