"""How fast the decoding lab decodes, against what the hardware allows and the seed's way.

    python -m benchmarks.decode [--tokens 64] [--rounds 4]

One decoding step must read every weight of the model once, so a single stream cannot beat
memory bandwidth / weight bytes. This prints that bound, the lab's speed (gptlab.nn.generation on the
decoder as the lab holds it) and the seed's way (plain `model.generate` in float32, with the
sampling settings of the seed's own cell: temperature 0.8, top-k 50, top-p 0.9), both on one
stream with those settings; greedy against greedy is printed too. batch4_vs_single is four
strategies side by side in one batch over one greedy run of the same length. Last line:

    decode: single_tok_s=X bound_tok_s=Y ratio=Z vs_seed=V batch4_vs_single=W

Run it on an idle machine: everything here is a timing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from gptlab.nn import decoding as D  # noqa: E402
from gptlab.nn import generation as G  # noqa: E402
from gptlab import models  # noqa: E402

PROMPT = "A inteligência artificial está mudando a forma como aprendemos, porque"


def memory_bandwidth_gbs(megabytes: int = 512, repeats: int = 7) -> float:
    """Read bandwidth: the best of several numpy sums over a buffer much larger than the caches."""
    buffer = np.ones(megabytes * 1024 * 1024 // 8)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        buffer.sum()
        best = min(best, time.perf_counter() - start)
    return buffer.nbytes / best / 1e9


def weight_bytes(model) -> int:
    """Bytes of every parameter tensor (tied embeddings counted once)."""
    return sum(p.numel() * p.element_size() for p in model.parameters())


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# The seed's cell: model.generate(**inputs, do_sample=True, temperature=0.8, top_k=50, top_p=0.9)
SEED_SETTINGS = D.Strategy(temperature=0.8, top_k=50, top_p=0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64, help="new tokens per run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the best of each figure is kept")
    args = parser.parse_args()
    n = args.tokens
    if not models.decoder_ready():
        print("preparing the decoder once (1-2 minutes)...", flush=True)
        models.prepare_decoder()

    tokenizer = models.load_decoder_tokenizer()
    prompt = tokenizer(PROMPT)["input_ids"]
    lab = models.load_decoding_model()
    seed_model = models.load_decoder(dtype="float32", attn_implementation="sdpa")  # from_pretrained's default
    nbytes = weight_bytes(lab)
    ids = torch.tensor([prompt])

    def lab_run(strategies):
        state = G.run(lab, prompt, strategies, max_new_tokens=n, seed=0)
        assert all(len(r.tokens) == n for r in state.rows), "a run stopped early: pick a longer-running prompt"

    def seed_run(sampling: bool):
        kwargs = dict(do_sample=True, temperature=0.8, top_k=50, top_p=0.9) if sampling else dict(do_sample=False)
        with torch.inference_mode():
            out = seed_model.generate(ids, max_new_tokens=n, min_new_tokens=n, **kwargs)
        assert out.shape[1] == len(prompt) + n

    four = [D.GREEDY, D.Strategy(temperature=0.8), D.Strategy(top_k=40), D.Strategy(top_p=0.9)]
    runs = {
        "lab_greedy": lambda: lab_run([D.GREEDY]),
        "lab_seed_settings": lambda: lab_run([SEED_SETTINGS]),
        "lab_four": lambda: lab_run(four),
        "seed_sampling": lambda: seed_run(True),
        "seed_greedy": lambda: seed_run(False),
    }
    for run in runs.values():  # warm-up
        run()
    # This machine is shared and noisy: interleave everything and keep each figure's best round.
    best = {name: float("inf") for name in runs}
    bandwidth = 0.0
    for r in range(args.rounds):
        for name, run in runs.items():
            best[name] = min(best[name], best_of(run, 1))
        bandwidth = max(bandwidth, memory_bandwidth_gbs(repeats=3))  # last: its 512 MB buffer is freed before the next run
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {n / v:.1f} tok/s" for k, v in best.items()), flush=True)

    bound = bandwidth * 1e9 / nbytes
    tok_s = {name: n / seconds for name, seconds in best.items()}
    print(f"memory read bandwidth: {bandwidth:.1f} GB/s (numpy sum over 512 MB)")
    print(f"lab decoder weights: {nbytes / 1e6:.0f} MB ({next(lab.parameters()).dtype}); bound {bound:.1f} tok/s")
    print(f"lab, one stream, the seed's settings (T 0.8, top-k 50, top-p 0.9): {tok_s['lab_seed_settings']:.1f} tok/s")
    print(f"lab, one stream, greedy: {tok_s['lab_greedy']:.1f} tok/s ({1000 / tok_s['lab_greedy']:.1f} ms/token)")
    print(f"lab, four strategies side by side: {best['lab_four'] * 1000 / n:.1f} ms/step "
          f"({4 * tok_s['lab_four']:.1f} tok/s in total)")
    print(f"seed's way, model.generate in float32, its sampling settings: {tok_s['seed_sampling']:.1f} tok/s")
    print(f"seed's way, model.generate in float32, greedy: {tok_s['seed_greedy']:.1f} tok/s "
          f"(lab greedy / this = {tok_s['lab_greedy'] / tok_s['seed_greedy']:.2f})")
    single = tok_s["lab_seed_settings"]
    print(
        f"decode: single_tok_s={single:.1f} bound_tok_s={bound:.1f} ratio={single / bound:.2f} "
        f"vs_seed={single / tok_s['seed_sampling']:.2f} batch4_vs_single={best['lab_four'] / best['lab_greedy']:.2f}"
    )


if __name__ == "__main__":
    main()
