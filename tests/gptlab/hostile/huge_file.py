"""Writes one file far past the per-file cap."""


def causal_mask(T):
    with open("huge.bin", "wb") as handle:
        for _ in range(100):
            handle.write(b"x" * 1_000_000)
    return [[0.0]]
