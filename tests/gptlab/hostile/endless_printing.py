"""Prints forever: the output cap must stop it, and the app must not buffer it all."""


def causal_mask(T):
    while True:
        print("spam " * 200)
