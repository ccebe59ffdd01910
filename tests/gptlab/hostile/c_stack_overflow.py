"""Raises the recursion limit and recurses through a C function: the C stack overflows (SIGSEGV)."""

import sys


def causal_mask(T):
    sys.setrecursionlimit(10**7)
    return max([0], key=lambda _: causal_mask(T))
