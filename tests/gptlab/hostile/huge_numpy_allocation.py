"""A numpy array far past the memory limit, inside the function."""

import numpy as np


def causal_mask(T):
    grid = np.ones((T, 10**10))
    return grid[:T, :T].tolist()
