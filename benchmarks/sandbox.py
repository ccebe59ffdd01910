"""How long one sandboxed code check takes: python -m benchmarks.sandbox [--rounds 7]

One run = a fresh locked-down subprocess that imports numpy, loads an honest `causal_mask`, runs
it on 4 cases and returns the masks as JSON (what the app does for each "Check" of a code exercise).
Also prints the same for a submission that only raises. Stopping an infinite loop is not measured:
it takes the CPU limit (5 s) by design. Last line:

    sandbox: one_run_s=X raising_run_s=Y layers=rlimits,netns,...

Target (2 cores): one run under 1 s. A figure, not a test: these machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gptlab.exercises import sandbox  # noqa: E402

HONEST = '''
import numpy as np

def causal_mask(T):
    mask = np.zeros((T, T))
    mask[np.triu_indices(T, 1)] = -np.inf
    return mask
'''
RAISING = "def causal_mask(T):\n    raise NotImplementedError('todo')\n"
CASES = [[1], [4], [8], [16]]


def median_seconds(source: str, rounds: int) -> tuple[float, tuple[str, ...]]:
    times, layers = [], ()
    for _ in range(rounds):
        start = time.perf_counter()
        run, layers = sandbox._execute(source, "causal_mask", CASES, sandbox.SandboxLimits())
        times.append(time.perf_counter() - start)
        if run.status != "ok":
            raise SystemExit(f"the sandbox failed: {run}")
    return statistics.median(times), layers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    median_seconds(HONEST, 1)  # warm-up: the page cache, numpy's files
    one, layers = median_seconds(HONEST, rounds)
    raising, _ = median_seconds(RAISING, rounds)
    print(f"honest causal_mask, {len(CASES)} cases, median of {rounds}: {one:.3f} s (target < 1 s)")
    print(f"a submission that raises on every case: {raising:.3f} s")
    print(f"isolation layers in force: {', '.join(layers)}")
    print(f"sandbox: one_run_s={one:.3f} raising_run_s={raising:.3f} layers={','.join(layers)}")


if __name__ == "__main__":
    main()
