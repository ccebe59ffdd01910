"""Eight gigabytes at import time."""

hog = bytearray(8 * 1024**3)


def causal_mask(T):
    return [[0.0]]
