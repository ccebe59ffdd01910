"""Spins while the module is loaded, before the harness ever sees the function."""

while True:
    pass


def causal_mask(T):
    return [[0.0]]
