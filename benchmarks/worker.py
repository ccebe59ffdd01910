"""The model worker alone, a class's side-by-side generations at once: python -m benchmarks.worker

    python -m benchmarks.worker [--students 40] [--tokens 20] [--rounds 2] [--hog 1] [--seed 55111]

Each student's prompt (the classroom benchmark's texts) asks for the decoding lab's side-by-side
widget with its default settings: greedy, T 0.7, top-k 40, top-p 0.9, the three together, beam
search with 4 beams and the student's own (T 1): 10 rows. Every request is submitted at the same
moment; each finishes after `--tokens` steps. No Streamlit, no pages: what the server's 40 pages add
on top of this is what `benchmarks.classroom --scenario generate` measures.

Last line: worker: students=N rows=R tokens=T total_s=X first_token_worst_s=F step_median_ms=S
           blocks_s=B output_layer_s=O choices_s=C rest_s=E
  total_s              from submitting every request to the last one's end (best of --rounds)
  first_token_worst_s  the slowest request's first state (its prompt's pass is in the first step)
  step_median_ms       median time of a step with every row in the batch
  blocks_s ... rest_s  where that round's steps spent their time (the worker's own clocks): the decoder's
                       blocks, the output layer (every row's 262,144 logits), the strategies' choices, the
                       rest of the steps. The first two are mostly the model's arithmetic.
Figures, not tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def side_by_side():
    """The side-by-side widget's strategies with the lab's default settings (T 1: the student's own row)."""
    from gptlab.nn import decoding as D
    from labs.decoding.settings import SIDE_BY_SIDE

    return (*SIDE_BY_SIDE, D.Strategy())


def one_class(worker, prompts, tokens: int) -> tuple[float, float, list[float], dict[str, float]]:
    """Submit every student's generation at once; (total seconds, slowest first state, step seconds, the steps'
    seconds by part)."""
    strategies = side_by_side()
    firsts = [0.0] * len(prompts)
    steps: list[float] = []
    full_rows = sum(s.num_beams for s in strategies) * len(prompts)
    stop = threading.Event()

    def watch() -> None:  # the step times with every row in the batch, from the worker's step counter
        # Every 20 ms (a step takes about a second): looking every 2 ms was 7 % of the process's samples
        # (py-spy), a thread taking the GIL from the worker it measures.
        last_steps, last_t = worker.steps, time.perf_counter()
        while not stop.is_set():
            time.sleep(0.02)
            load = worker.load()
            if load["steps"] != last_steps:
                now = time.perf_counter()
                if load["rows"] == full_rows and load["steps"] == last_steps + 1:
                    steps.append(now - last_t)
                last_steps, last_t = load["steps"], now

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    before = worker.submit(worker.seconds.copy).result()  # read on the worker's thread, between steps
    start = time.perf_counter()
    handles = [worker.generate(p, strategies, max_new_tokens=tokens, seed=i) for i, p in enumerate(prompts)]

    def drain(i: int, handle) -> None:
        for n, _ in enumerate(handle):
            if n == 0:
                firsts[i] = time.perf_counter() - start

    readers = [threading.Thread(target=drain, args=(i, h)) for i, h in enumerate(handles)]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    total = time.perf_counter() - start
    stop.set()
    watcher.join()
    after = worker.submit(worker.seconds.copy).result()  # after the last step, all of it counted
    parts = {name: getattr(after, name) - getattr(before, name) for name in ("blocks", "output_layer", "choices", "total")}
    parts["rest"] = parts["total"] - parts["blocks"] - parts["output_layer"] - parts["choices"]
    return total, max(firsts), steps, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--tokens", type=int, default=20, help="new tokens per generation")
    parser.add_argument("--rounds", type=int, default=2, help="classes one after another; the best is kept")
    parser.add_argument("--hog", type=int, default=0, help="busy processes running beside the benchmark")
    parser.add_argument("--seed", type=int, default=55111, help="draws the students' texts")
    args = parser.parse_args()

    import gptlab  # noqa: F401  (the app's thread and wait policy, before torch)
    import torch

    from benchmarks.classroom import start_hogs, stop_hogs, student_texts
    from gptlab import models
    from gptlab.models.engine import GemmaEngine
    from gptlab.models.worker import ModelWorker

    tokenizer = models.load_decoder_tokenizer()
    worker = ModelWorker(GemmaEngine(models.load_decoding_model()))
    prompts = [tokenizer(text)["input_ids"] for text in student_texts(args.students, args.seed, open_ended=True)]
    for _ in worker.generate(prompts[0], side_by_side(), max_new_tokens=3, seed=0):  # warm-up
        pass
    hogs = start_hogs(args.hog)
    try:
        results = [one_class(worker, prompts, args.tokens) for _ in range(args.rounds)]
    finally:
        stop_hogs(hogs)
        worker.close()
    for n, (total, first, steps, parts) in enumerate(results, 1):
        print(f"round {n}: total {total:.2f} s, first token worst {first:.2f} s, "
              f"{len(steps)} full steps, median {1000 * statistics.median(steps or [0]):.0f} ms; steps: "
              f"blocks {parts['blocks']:.2f} s, output layer {parts['output_layer']:.2f} s, "
              f"choices {parts['choices']:.2f} s, rest {parts['rest']:.2f} s")
    total, first, steps, parts = min(results, key=lambda r: r[0])
    rows = sum(s.num_beams for s in side_by_side()) * args.students
    print(f"machine: {torch.get_num_threads()} threads; busy programs beside: {args.hog}")
    print(f"worker: students={args.students} rows={rows} tokens={args.tokens} total_s={total:.2f} "
          f"first_token_worst_s={first:.2f} step_median_ms={1000 * statistics.median(steps or [0]):.0f} "
          f"blocks_s={parts['blocks']:.2f} output_layer_s={parts['output_layer']:.2f} "
          f"choices_s={parts['choices']:.2f} rest_s={parts['rest']:.2f}")


if __name__ == "__main__":
    main()
