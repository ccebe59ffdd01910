"""Stays under the per-file cap but writes many files."""


def causal_mask(T):
    for index in range(200):
        try:
            with open(f"part{index}.bin", "wb") as handle:
                handle.write(b"x" * 900_000)
        except OSError:
            pass
    return [[0.0]]
