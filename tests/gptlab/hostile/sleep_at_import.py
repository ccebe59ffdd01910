"""Uses no CPU at all: only the wall-clock limit can stop it."""

import time

time.sleep(3600)


def causal_mask(T):
    return [[0.0]]
